"""Who may see which feedback. Participants see their own; MCI staff see all; organisers see
quotes waiting for review (the text they excerpt, never who wrote it). Others get 404."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from accounts.permissions import is_mci_staff

from .models import Feedback, FeedbackSuggestion, QuestionAnswer, QuoteStatus, SessionQuestion


def _with_details():
    return Feedback.objects.select_related("session", "participant").prefetch_related(
        "harm_categories",
        Prefetch(
            "suggestions",
            queryset=FeedbackSuggestion.objects.select_related("solution_area"),
        ),
        Prefetch(
            "answers",
            queryset=QuestionAnswer.objects.select_related("question")
            .prefetch_related("chosen")
            .order_by("question__position"),
        ),
    )


def get_feedback_for_viewer(user, pk: int) -> Feedback:
    feedback = _with_details()
    if not is_mci_staff(user):
        feedback = feedback.filter(participant_id=user.pk)
    return get_object_or_404(feedback, pk=pk)


def get_feedback_for_owner(user, pk: int) -> Feedback:
    """Only the participant who gave it may change or delete it; staff included."""
    return get_object_or_404(_with_details(), pk=pk, participant_id=user.pk)


def get_quote_for_review(pk: int) -> Feedback:
    """Caller has checked the organiser role. Only quotes still waiting, with consent."""
    return get_object_or_404(
        _with_details(), pk=pk, quote_status=QuoteStatus.PENDING, quote_consent=True
    )


def get_question_for_organiser(session, pk: int) -> SessionQuestion:
    """Caller has checked the organiser role. Only a question of this session: another
    session's question id is a 404."""
    return get_object_or_404(
        SessionQuestion.objects.select_related("session"), pk=pk, session=session
    )
