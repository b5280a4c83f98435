"""Builders for digest tests: rows with chosen timestamps (auto_now_add set afterwards)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from engagement.models import EngagementSession, Registration, RegistrationStatus, SessionStatus
from feedback.models import Feedback, FeedbackSuggestion, QuoteStatus
from harms.models import HarmCategory, SolutionArea

SGT = ZoneInfo("Asia/Singapore")


def sgt(*args) -> datetime:
    return datetime(*args, tzinfo=SGT)


_session_counter = iter(range(1, 10_000))


def make_session(*, starts_at: datetime, status=SessionStatus.PUBLISHED, capacity=10, title=""):
    n = next(_session_counter)
    return EngagementSession.objects.create(
        title=title or f"Digest session {n}",
        slug=f"digest-session-{n}",
        summary="A conversation.",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        venue="Library",
        capacity=capacity,
        registration_opens_at=starts_at - timedelta(days=30),
        registration_closes_at=starts_at - timedelta(hours=1),
        status=status,
    )


def make_registration(
    *,
    session,
    participant,
    status=RegistrationStatus.CONFIRMED,
    attended=False,
    created_at=None,
    position=None,
):
    registration = Registration.objects.create(
        session=session,
        participant=participant,
        status=status,
        attended=attended,
        waitlist_position=position if status == RegistrationStatus.WAITLISTED else None,
    )
    if created_at:
        Registration.objects.filter(pk=registration.pk).update(created_at=created_at)
    return registration


def category(slug: str) -> HarmCategory:
    return HarmCategory.objects.get(slug=slug)


def area(slug: str) -> SolutionArea:
    return SolutionArea.objects.get(slug=slug)


def make_feedback(
    *,
    participant,
    created_at: datetime,
    categories: list[str],
    suggestions: list[str] = (),
    session=None,
    rating=None,
    experience="I saw it.",
    quote: str = "",
    quote_reviewed_at: datetime | None = None,
    quote_status=None,
) -> Feedback:
    """Feedback as the service would store it, at a chosen time. `quote` set: an approved
    excerpt (reviewed at `quote_reviewed_at`)."""
    status = quote_status or (QuoteStatus.APPROVED if quote else QuoteStatus.NOT_OFFERED)
    feedback = Feedback.objects.create(
        participant=participant,
        session=session,
        experience=experience,
        rating=rating,
        quote_consent=status != QuoteStatus.NOT_OFFERED,
        quote_status=status,
        quote_excerpt=quote if status == QuoteStatus.APPROVED else "",
        quote_reviewed_at=quote_reviewed_at,
        editable_until=created_at + timedelta(days=7),
    )
    Feedback.objects.filter(pk=feedback.pk).update(created_at=created_at)
    feedback.harm_categories.set([category(slug) for slug in categories])
    for slug in suggestions:
        FeedbackSuggestion.objects.create(
            feedback=feedback, solution_area=area(slug), text="Do more."
        )
    feedback.refresh_from_db()
    return feedback


def now() -> datetime:
    return timezone.now()
