"""The outbox's drain: published on commit by email_queue, and run by beat every minute as
the sweep. Safe to run twice or at once (each email is claimed by a conditional UPDATE)."""

from celery import shared_task

from . import services


@shared_task
def send_outbound_emails(*, email_ids: list[int] | None = None) -> int:
    sent = services.outbox_drain(email_ids=email_ids)
    if email_ids is None and services.outbox_due_ids(limit=1):
        # More than a batch waited: carry on in a fresh task rather than hold this worker.
        send_outbound_emails.delay()
    return sent
