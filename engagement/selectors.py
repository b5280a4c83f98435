"""Reads of sessions and registrations, shaped for the pages that show them."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from harms.models import HarmCategory

from .models import (
    EngagementSession,
    Invitation,
    InvitationImport,
    InvitationStatus,
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
    """Published (and cancelled) sessions, upcoming soonest first or past latest first.
    Unlisted sessions (by invitation, not listed) are never in it."""
    now = timezone.now()
    sessions = EngagementSession.objects.filter(status__in=PUBLIC_STATUSES).exclude(
        access=SessionAccess.UNLISTED
    )
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


# --- Invitations (issue 16, item 2) ------------------------------------------------------------


def session_invitations(*, session: EngagementSession, status: str = "") -> QuerySet[Invitation]:
    """A session's invitations for its organisers, oldest first, with the account that took
    each up; `status` keeps one kind (invited, registered, declined, withdrawn)."""
    invitations = session.invitations.select_related("user")
    if status:
        invitations = invitations.filter(status=status)
    return invitations.order_by("created_at", "id")


def invitation_counts(session: EngagementSession) -> dict[str, int]:
    counts = dict.fromkeys(InvitationStatus.values, 0)
    for row in session.invitations.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    counts["all"] = sum(counts[value] for value in InvitationStatus.values)
    return counts


def invitation_imports_of(session: EngagementSession, *, limit: int = 5) -> list[InvitationImport]:
    return list(session.invitation_imports.order_by("-created_at", "-id")[:limit])
