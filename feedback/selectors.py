"""Reads of feedback, shaped for the pages that show them (bounded, no N+1)."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from engagement.models import EngagementSession, RegistrationStatus, SessionStatus
from harms.models import HarmCategory

from .models import Feedback, FeedbackSuggestion, QuoteStatus, SessionQuestion


def _listed(feedback: QuerySet[Feedback]) -> QuerySet[Feedback]:
    return feedback.select_related("session").prefetch_related(
        Prefetch("harm_categories", queryset=HarmCategory.objects.order_by("order", "name")),
        Prefetch(
            "suggestions", queryset=FeedbackSuggestion.objects.select_related("solution_area")
        ),
    )


def feedback_of(participant) -> QuerySet[Feedback]:
    return _listed(Feedback.objects.filter(participant=participant)).order_by("-created_at", "-id")


def all_feedback() -> QuerySet[Feedback]:
    return _listed(Feedback.objects.select_related("participant")).order_by("-created_at", "-id")


def sessions_awaiting_feedback(participant, *, limit: int = 10) -> list[EngagementSession]:
    """Sessions the participant had a confirmed place at, that have started, without their
    feedback yet; the most recent first."""
    return list(
        EngagementSession.objects.filter(
            status=SessionStatus.PUBLISHED,
            starts_at__lte=timezone.now(),
            registrations__participant=participant,
            registrations__status=RegistrationStatus.CONFIRMED,
        )
        .exclude(feedback__participant=participant)
        .order_by("-starts_at", "-id")[:limit]
    )


def quotes_waiting() -> QuerySet[Feedback]:
    return _listed(
        Feedback.objects.filter(quote_status=QuoteStatus.PENDING, quote_consent=True)
    ).order_by("created_at", "id")


def quotes_waiting_count() -> int:
    return Feedback.objects.filter(quote_status=QuoteStatus.PENDING, quote_consent=True).count()


def session_questions(session: EngagementSession) -> list[SessionQuestion]:
    """A session's own feedback questions, in order (at most QUESTIONS_PER_SESSION)."""
    return list(SessionQuestion.objects.filter(session=session).order_by("position"))
