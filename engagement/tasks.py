"""Engagement emails and reminders. Thin adapters: they take ids, load, and send."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from afa_platform.mail import send_templated_email

from . import selectors, services
from .ics import session_calendar, session_calendar_filename
from .models import Registration, RegistrationStatus

# Subjects stay discreet: the date only, never the session's title (it may name a harm).
SUBJECTS = {
    "confirmed": _("Your AfA session on %(date)s: your seat is confirmed"),
    "waitlisted": _("Your AfA session on %(date)s: you are on the waiting list"),
    "promoted": _("Your AfA session on %(date)s: a seat is now yours"),
    "cancelled": _("Your AfA session on %(date)s: registration cancelled"),
    "session_cancelled": _("Your AfA session on %(date)s has been cancelled"),
    "session_changed": _("Your AfA session on %(date)s: details have changed"),
    "reminder": _("Reminder: your AfA session on %(date)s"),
}
# These carry the calendar file, so the event lands (or updates) in the participant's calendar.
WITH_CALENDAR = {"confirmed", "promoted", "session_changed", "reminder", "session_cancelled"}


def session_subject(kind: str, registration: Registration) -> str:
    day = date_format(timezone.localtime(registration.session.starts_at), "j F")
    return SUBJECTS[kind] % {"date": day}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def send_registration_email(*, registration_id: int, kind: str) -> None:
    """One email about one registration. A retry after a lost connection may send twice;
    every message here is informational, so that is harmless."""
    registration = (
        Registration.objects.select_related("session", "participant")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or kind not in SUBJECTS:
        return
    session = registration.session
    attachments = []
    # Only a seat goes in the calendar: someone waiting holds no place to put there.
    if kind in WITH_CALENDAR and registration.status == RegistrationStatus.CONFIRMED:
        attachments.append(
            (session_calendar_filename(session), session_calendar(session), "text/calendar")
        )
    send_templated_email(
        to=[registration.participant.email],
        subject=session_subject(kind, registration),
        template=f"engagement/email/{kind}",
        context={
            "registration": registration,
            "session": session,
            "participant": registration.participant,
            "is_confirmed": registration.status == RegistrationStatus.CONFIRMED,
        },
        attachments=attachments,
    )


# Set while a drain of the first-email outbox is queued and has not started: registrations
# committed meanwhile will be in that drain, so they publish nothing. A drain deletes it as
# it starts; the timeout only matters if a queued drain is lost (the beat's sweep covers it).
NOTICE_DRAIN_QUEUED_KEY = "engagement:registration-notices-queued"
NOTICE_DRAIN_QUEUED_TIMEOUT = 300
# At most this many first emails per drain; a full batch queues the next drain.
NOTICE_BATCH = 500
FIRST_EMAIL_KIND = {
    RegistrationStatus.CONFIRMED: "confirmed",
    RegistrationStatus.WAITLISTED: "waitlisted",
}


def request_registration_notices() -> None:
    """After a registration commits: make sure a drain of the first-email outbox is queued.
    On a busy opening this is one cache write per registration, and one task for a batch."""
    if cache.add(NOTICE_DRAIN_QUEUED_KEY, 1, timeout=NOTICE_DRAIN_QUEUED_TIMEOUT):
        send_registration_notices.delay()


@shared_task
def send_registration_notices() -> int:
    """Send each new registration its first email: "your seat is confirmed" (with the
    calendar file) or "you are on the waiting list, in place N".

    Queued by request_registration_notices and run by beat every minute as a sweep. Safe to
    run twice or at once: each email is claimed by a conditional UPDATE before it is queued.
    """
    # Before reading: a registration that commits after this line queues a new drain; one
    # that committed before it is read below.
    cache.delete(NOTICE_DRAIN_QUEUED_KEY)
    pending = list(selectors.registrations_due_notice().values_list("pk", "status")[:NOTICE_BATCH])
    sent = 0
    for registration_id, status in pending:
        if services.registration_claim_notice(registration_id=registration_id, status=status):
            send_registration_email.delay_on_commit(
                registration_id=registration_id, kind=FIRST_EMAIL_KIND[status]
            )
            sent += 1
    if len(pending) == NOTICE_BATCH:
        send_registration_notices.delay()
    return sent


@shared_task
def send_registration_emails(*, registration_ids: list[int], kind: str) -> None:
    """The same email about each of these registrations (a session changed or cancelled):
    one task published by the organiser's request, one email task each from here."""
    for registration_id in registration_ids:
        send_registration_email.delay(registration_id=registration_id, kind=kind)


@shared_task
def send_due_reminders() -> int:
    """Run by beat every 15 minutes. Each registration is reminded once, however many times
    this runs or overlaps: the claim is a conditional UPDATE, and the email goes on commit."""
    sent = 0
    for registration_id in selectors.registrations_due_reminder().values_list("pk", flat=True)[
        :1000
    ]:
        if services.registration_claim_reminder(registration_id=registration_id):
            send_registration_email.delay_on_commit(
                registration_id=registration_id, kind="reminder"
            )
            sent += 1
    return sent
