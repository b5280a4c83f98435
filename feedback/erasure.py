"""What erasing an account does to feedback (accounts.erasure; registered in
FeedbackConfig.ready())."""

from accounts.erasure import Erasure, declare_safe, erasure_step

from .models import Feedback
from .services import feedback_delete

declare_safe(
    "feedback.SessionQuestion.created_by",
    why="the organiser who added a question to a session's feedback form (their work as an "
    "organiser); afterwards it points at a pseudonym only",
)
declare_safe(
    "feedback.Feedback.quote_reviewed_by",
    why="the organiser who reviewed a quote; afterwards it points at a pseudonym only",
)


@erasure_step(covers=["feedback.Feedback.participant"])
def delete_feedback(erasure: Erasure) -> None:
    """All of it, as the person would delete it themselves (its answers to sessions' own
    questions go with it): stored digests that quoted it are re-rendered without the quote
    (feedback.signals.quote_withdrawn)."""
    for feedback in Feedback.objects.filter(participant=erasure.user).order_by("pk"):
        feedback_delete(feedback=feedback, participant=erasure.user)
