"""feedback's part of "Download my data" (accounts.personal_data): the person's feedback and
suggestions, and quotes they reviewed as an organiser."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Column, Section, register

from .models import Feedback, FeedbackSuggestion, QuestionAnswer, QuestionKind, SessionQuestion


def _feedback(user) -> list[dict]:
    rows = (
        Feedback.objects.filter(participant=user)
        .select_related("session")
        .prefetch_related("harm_categories")
        .order_by("created_at", "pk")
    )
    return [
        {
            "feedback_id": feedback.pk,
            "session": feedback.session.title if feedback.session else "",
            "given_at": feedback.created_at,
            "changed_at": feedback.updated_at,
            "harm_categories": [str(category) for category in feedback.harm_categories.all()],
            "experience": feedback.experience,
            "language": feedback.language,
            "rating": feedback.rating,
            "share_anonymously": feedback.share_anonymously,
            "quote_consent": feedback.quote_consent,
            "quote_status": feedback.quote_status,
            "quote_excerpt": feedback.quote_excerpt,
            "personal_data_found": feedback.personal_data_kinds,
        }
        for feedback in rows
    ]


def _answers(user) -> list[dict]:
    """Their answers to sessions' own questions, in the words of the options they chose."""
    rows = (
        QuestionAnswer.objects.filter(feedback__participant=user)
        .select_related("question__session")
        .prefetch_related("chosen")
        .order_by("feedback_id", "question__position", "pk")
    )
    found = []
    for answer in rows:
        question = answer.question
        if question.kind == QuestionKind.SCALE:
            value = answer.scale
        elif question.kind == QuestionKind.SHORT_TEXT:
            value = answer.text
        else:
            value = [question.option_label(chosen.option) for chosen in answer.chosen.all()]
        found.append(
            {
                "feedback_id": answer.feedback_id,
                "session": question.session.title,
                "question": question.text,
                "answer": value,
                "personal_data_found": answer.personal_data_kinds,
            }
        )
    return found


register(
    Section(
        key="feedback",
        title=_("Your feedback"),
        description=_(
            "What you told us, about a session or in general, and whether it may be quoted."
        ),
        columns=(
            Column("feedback_id", _("The number of the feedback.")),
            Column("session", _("The session it is about (empty for general feedback).")),
            Column("given_at", _("When you gave it.")),
            Column("changed_at", _("When it last changed.")),
            Column("harm_categories", _("The harms it concerns.")),
            Column("experience", _("What you have seen or experienced.")),
            Column("language", _("The language you wrote it in.")),
            Column("rating", _("Your rating of the session, 1 to 5.")),
            Column("share_anonymously", _("Whether you share it anonymously.")),
            Column("quote_consent", _("Whether you agreed to be quoted anonymously.")),
            Column("quote_status", _("Where the review of a quote stands.")),
            Column("quote_excerpt", _("The excerpt approved for quoting, if any.")),
            Column("personal_data_found", _("Kinds of personal data the privacy check found.")),
        ),
        read=_feedback,
        covers=("feedback.Feedback.participant",),
        order=20,
    ),
    Section(
        key="suggestions",
        title=_("Your suggestions"),
        description=_("The suggestions you made with your feedback, one per solution area."),
        columns=(
            Column("feedback_id", _("The feedback it belongs to."), "feedback_id"),
            Column("solution_area", _("The solution area."), "solution_area__name"),
            Column("suggestion", _("Your suggestion."), "text"),
        ),
        queryset=lambda user: FeedbackSuggestion.objects.filter(
            feedback__participant=user
        ).order_by("feedback_id", "pk"),
        order=21,
    ),
    Section(
        key="session_answers",
        title=_("Your answers to session questions"),
        description=_(
            "What you answered to the questions a session's organisers added to its feedback form."
        ),
        columns=(
            Column("feedback_id", _("The feedback it belongs to.")),
            Column("session", _("The session.")),
            Column("question", _("The question.")),
            Column(
                "answer",
                _("Your answer: a point from 1 to 5, the options you chose or your words."),
            ),
            Column("personal_data_found", _("Kinds of personal data the privacy check found.")),
        ),
        read=_answers,
        order=22,
    ),
    Section(
        key="session_questions_written",
        title=_("Feedback questions you added"),
        description=_("Questions you added to a session's feedback form as an organiser."),
        columns=(
            Column("session", _("The session."), "session__title"),
            Column("question", _("The question."), "text"),
            Column("added_at", _("When."), "created_at"),
        ),
        queryset=lambda user: SessionQuestion.objects.filter(created_by=user).order_by("pk"),
        covers=("feedback.SessionQuestion.created_by",),
        order=62,
    ),
    Section(
        key="quotes_reviewed",
        title=_("Quotes you reviewed"),
        description=_("Feedback whose quote you approved or rejected as an organiser."),
        columns=(
            Column("feedback_id", _("The number of the feedback."), "id"),
            Column("quote_status", _("Your decision.")),
            Column("reviewed_at", _("When."), "quote_reviewed_at"),
        ),
        queryset=lambda user: Feedback.objects.filter(quote_reviewed_by=user).order_by("pk"),
        covers=("feedback.Feedback.quote_reviewed_by",),
        order=61,
    ),
)
