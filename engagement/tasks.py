"""Engagement emails and reminders. Thin adapters: they claim work and write outbox rows
(outbox/), which send each email once; rendering is in engagement/emails.py."""

from celery import shared_task
from django.core.cache import cache

from . import selectors, services

# Set while a drain of the first-email outbox is queued and has not started: registrations
# committed meanwhile will be in that drain, so they publish nothing. A drain deletes it as
# it starts; the timeout only matters if a queued drain is lost (the beat's sweep covers it).
NOTICE_DRAIN_QUEUED_KEY = "engagement:registration-notices-queued"
NOTICE_DRAIN_QUEUED_TIMEOUT = 300
# At most this many first emails per drain; a full batch queues the next drain.
NOTICE_BATCH = 500


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
    run twice or at once: each email is claimed by a conditional UPDATE and written to the
    outbox in the same transaction.
    """
    # Before reading: a registration that commits after this line queues a new drain; one
    # that committed before it is read below.
    cache.delete(NOTICE_DRAIN_QUEUED_KEY)
    pending = list(
        selectors.registrations_due_notice().values_list("pk", "participant_id", "status")[
            :NOTICE_BATCH
        ]
    )
    sent = services.registration_notices_queue(pending=pending)
    if len(pending) == NOTICE_BATCH:
        send_registration_notices.delay()
    return sent


@shared_task
def send_due_reminders() -> int:
    """Run by beat every 15 minutes. Each registration is reminded once, however many times
    this runs or overlaps: the claim is a conditional UPDATE, committed with its outbox row."""
    due = list(selectors.registrations_due_reminder().values_list("pk", "participant_id")[:1000])
    return services.registration_reminders_queue(due=due)


# --- Waiting-list cut-off (issue 16, item 3) ------------------------------------------


@shared_task
def notify_promotion_closed() -> int:
    """Run by beat every 5 minutes: tell the waiting list of each session past its promotion
    cut-off, once. Safe to run twice or at once: each session is claimed by a conditional
    UPDATE, committed with its outbox rows."""
    due = list(selectors.sessions_due_promotion_closed_notice().values_list("pk", flat=True)[:500])
    return sum(services.session_promotion_closed_notify(session_id=pk) for pk in due)
