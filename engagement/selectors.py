"""Reads of sessions and registrations, shaped for the pages that show them."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from harms.models import HarmCategory

from .models import (
    CalendarFeed,
    EngagementSession,
    Registration,
    RegistrationStatus,
    SessionAccess,
    SessionStatus,
)

PUBLIC_STATUSES = (SessionStatus.PUBLISHED, SessionStatus.CANCELLED)


def _with_categories(sessions: QuerySet[EngagementSession]) -> QuerySet[EngagementSession]:
    return sessions.prefetch_related(
        Prefetch("harm_categories", queryset=HarmCategory.objects.order_by("order", "name"))
    )


def public_sessions(
    *, past: bool = False, category: str = "", mode: str = ""
) -> QuerySet[EngagementSession]:
    """Published (and cancelled) sessions, upcoming soonest first or past latest first."""
    now = timezone.now()
    sessions = EngagementSession.objects.filter(status__in=PUBLIC_STATUSES)
    if past:
        sessions = sessions.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    else:
        sessions = sessions.filter(ends_at__gt=now).order_by("starts_at", "id")
    if category:
        sessions = sessions.filter(
            Q(harm_categories__slug=category) | Q(harm_categories__parent__slug=category)
        ).distinct()
    if mode:
        sessions = sessions.filter(mode=mode)
    return _with_categories(sessions)


def next_sessions(*, limit: int = 3) -> list[EngagementSession]:
    return list(public_sessions().filter(status=SessionStatus.PUBLISHED)[:limit])


def session_for_page(slug: str) -> QuerySet[EngagementSession]:
    return _with_categories(EngagementSession.objects.filter(slug=slug))


def registrations_of(participant) -> QuerySet[Registration]:
    """A participant's registrations, the most recent sessions first."""
    return (
        Registration.objects.filter(participant=participant)
        .select_related("session")
        .order_by("-session__starts_at", "-id")
    )


def active_registration(*, session: EngagementSession, participant) -> Registration | None:
    if not participant.is_authenticated:
        return None
    return (
        Registration.objects.filter(session=session, participant=participant)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )


def console_sessions() -> QuerySet[EngagementSession]:
    """Every session for the organiser console, drafts included, latest start first."""
    return EngagementSession.objects.select_related("created_by").order_by("-starts_at", "-id")


def roster(*, session: EngagementSession, status: str, search: str = "") -> QuerySet[Registration]:
    """One tab of the roster: confirmed, waiting list (in queue order) or cancelled; with
    `search`, only the people whose name (or email) contains it."""
    registrations = session.registrations.filter(status=status)
    if search:
        registrations = registrations.filter(
            Q(participant__display_name__icontains=search) | Q(participant__email__icontains=search)
        )
    return registrations.select_related("participant").order_by(
        "waitlist_position", "created_at", "id"
    )


def roster_counts(session: EngagementSession) -> dict[str, int]:
    counts = dict.fromkeys(RegistrationStatus.values, 0)
    for row in session.registrations.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    counts["attended"] = session.registrations.filter(
        status=RegistrationStatus.CONFIRMED, attended=True
    ).count()
    return counts


def registrations_due_notice() -> QuerySet[Registration]:
    """Registrations whose first email (seat confirmed, or place on the waiting list) has not
    gone yet, oldest first. Served by a partial index however many registrations there are."""
    return Registration.objects.filter(
        notice_due=True,
        status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED),
    ).order_by("id")


def registrations_due_reminder(*, now=None) -> QuerySet[Registration]:
    """Confirmed places at published sessions starting within the next 24 hours, not yet
    reminded."""
    now = now or timezone.now()
    return Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        session__status=SessionStatus.PUBLISHED,
        session__starts_at__gt=now,
        session__starts_at__lte=now + timezone.timedelta(hours=24),
    ).order_by("session__starts_at", "id")


# --- Waiting-list cut-off (issue 16, item 3) ------------------------------------------


def sessions_due_promotion_closed_notice(*, now=None) -> QuerySet[EngagementSession]:
    """Published sessions past their promotion cut-off, not started, whose waiting list has
    not been told yet (engagement.services.session_promotion_closed_notify claims each)."""
    now = now or timezone.now()
    return EngagementSession.objects.filter(
        status=SessionStatus.PUBLISHED,
        promotion_closed_notified_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(hours=settings.PROMOTION_CUTOFF_HOURS),
    ).order_by("starts_at", "id")


# --- Calendar feeds (issue 16, item 5) ------------------------------------------------

# A feed carries at most this many events, the soonest first: a calendar app polls it often.
CALENDAR_FEED_MAX_EVENTS = 200


def calendar_public_sessions(*, now=None) -> list[EngagementSession]:
    """The public feed: listed sessions, published or cancelled (so subscribed calendars drop
    them), not yet over, soonest first. Never an unlisted one. One query however many."""
    now = now or timezone.now()
    return list(
        EngagementSession.objects.filter(status__in=PUBLIC_STATUSES, ends_at__gt=now)
        .exclude(access=SessionAccess.UNLISTED)
        .order_by("starts_at", "id")[:CALENDAR_FEED_MAX_EVENTS]
    )


def calendar_feed_registrations(*, user, now=None) -> list[Registration]:
    """A person's own feed: their confirmed and waiting places at sessions not yet over
    (published, or cancelled so that their calendar drops the event), soonest first."""
    now = now or timezone.now()
    return list(
        Registration.objects.filter(
            participant=user,
            status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED),
            session__status__in=PUBLIC_STATUSES,
            session__ends_at__gt=now,
        )
        .select_related("session")
        .order_by("session__starts_at", "session_id")[:CALENDAR_FEED_MAX_EVENTS]
    )


def calendar_feed_of(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


# --- Check-in codes at the door (issue 16, item 4) ------------------------------------------


def check_in_counts(session: EngagementSession) -> dict[str, int]:
    """How many confirmed places the session has, and how many of them are checked in:
    one query."""
    confirmed = Q(status=RegistrationStatus.CONFIRMED)
    return session.registrations.aggregate(
        confirmed=Count("id", filter=confirmed),
        checked_in=Count("id", filter=confirmed & Q(checked_in_at__isnull=False)),
    )


def checked_in_registration(*, session: EngagementSession, pk: int) -> Registration | None:
    """The check-in just made at this session (for its undo button), or None when that
    registration is not checked in here (any more)."""
    return (
        Registration.objects.select_related("participant")
        .filter(pk=pk, session=session, checked_in_at__isnull=False)
        .first()
    )
