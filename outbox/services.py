"""Writes of the outbox: queue emails with the change that causes them, send each once.

email_queue() is called inside the service's transaction: the rows commit (or roll back) with
the change, and once it commits one drain task is published for them (robust: a broker down
then only delays them). outbox_drain() claims each row with a conditional UPDATE (pending and
due, or claimed so long ago that its drain must have died), renders it from ids, sends it,
and marks it sent; beat runs it every minute as the sweep. Two drains racing send each email
once. A send that fails is tried again with backoff, then marked failed. A drain killed
between the mail server's acceptance and the "sent" mark sends that one email twice, after
OUTBOX_CLAIM_STALE_MINUTES: the one case where doubling is preferred to losing it.

Logs hold kinds and ids only, never an address or a name.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from afa_platform.mail import send_templated_email

# tasks imports this module too: both name each other only inside functions' bodies, at
# call time, so either can be imported first (as in exports.services).
from . import tasks
from .models import OutboundEmail, OutboundEmailStatus
from .registry import RENDERERS

logger = logging.getLogger(__name__)

DRAIN_BATCH = 200


@dataclass(frozen=True)
class Email:
    kind: str
    recipient_id: int
    params: dict
    key: str | None = None


@transaction.atomic
def email_queue(*emails: Email) -> list[int]:
    """Write these emails in the caller's transaction; on commit, publish one drain for them.
    Emails with a key already written are skipped (the key is unique). Returns the new ids."""
    if not emails:
        return []
    for email in emails:
        if email.kind not in RENDERERS:
            raise ValueError(f"No renderer for outbound email kind {email.kind!r}")
    rows = [
        OutboundEmail(
            kind=email.kind, recipient_id=email.recipient_id, params=email.params, key=email.key
        )
        for email in emails
    ]
    keys = [email.key for email in emails if email.key]
    if keys:
        existing = set(OutboundEmail.objects.filter(key__in=keys).values_list("key", flat=True))
        rows = [row for row in rows if row.key is None or row.key not in existing]
    ids = [row.pk for row in OutboundEmail.objects.bulk_create(rows)]
    if ids:
        # Robust: the change has committed; a broker outage must not turn it into an error
        # page, and the beat sweep sends these rows a minute later.
        transaction.on_commit(lambda: tasks.send_outbound_emails.delay(email_ids=ids), robust=True)
    return ids


def _stale_before(now):
    return now - timedelta(minutes=settings.OUTBOX_CLAIM_STALE_MINUTES)


def _claimable(now):
    return Q(status=OutboundEmailStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboundEmailStatus.SENDING, claimed_at__lt=_stale_before(now)
    )


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1, 2, 4, 8 minutes, then 10 minutes between tries."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 600))


def recipient_language(recipient) -> str:
    """The language the recipient chose (User.preferred_language), or English."""
    language = getattr(recipient, "preferred_language", None)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def outbound_email_send(*, email_id: int) -> bool:
    """Claim one email and send it. True when this call sent it; False when another drain has
    it, it was sent, it is not due, or there is nothing to send any more. A failing mail
    server puts it back with backoff (or fails it after OUTBOX_MAX_ATTEMPTS)."""
    now = timezone.now()
    claimed = (
        OutboundEmail.objects.filter(pk=email_id)
        .filter(_claimable(now))
        .update(status=OutboundEmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    mine = OutboundEmail.objects.filter(
        pk=email_id, status=OutboundEmailStatus.SENDING, claimed_at=now
    )
    email = OutboundEmail.objects.select_related("recipient").get(pk=email_id)
    try:
        # In the recipient's language, subject and calendar file included (the renderer
        # builds them); times stay Singapore time whatever the language.
        with translation.override(recipient_language(email.recipient)):
            message = RENDERERS[email.kind](email)
            if message is None or not email.recipient.is_active or not email.recipient.email:
                mine.update(status=OutboundEmailStatus.DROPPED)
                logger.info("Outbound email %s (%s) not needed any more", email.pk, email.kind)
                return False
            send_templated_email(
                to=[email.recipient.email],
                subject=str(message.subject),
                template=message.template,
                context={"recipient": email.recipient, **message.context},
                attachments=message.attachments,
                reply_to=message.reply_to,
                headers=message.headers,
            )
    except Exception as exc:
        gave_up = email.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        mine.update(
            status=OutboundEmailStatus.FAILED if gave_up else OutboundEmailStatus.PENDING,
            next_attempt_at=timezone.now() + retry_delay(email.attempts),
            error=type(exc).__name__[:100],
        )
        # No exc_info: an SMTP refusal's text may quote the address.
        (logger.error if gave_up else logger.warning)(
            "Outbound email %s (%s) failed on attempt %s: %s%s",
            email.pk,
            email.kind,
            email.attempts,
            type(exc).__name__,
            ", giving up" if gave_up else "",
        )
        return False
    mine.update(status=OutboundEmailStatus.SENT, sent_at=timezone.now(), error="")
    return True


def outbox_due_ids(*, limit: int = DRAIN_BATCH) -> list[int]:
    return list(
        OutboundEmail.objects.filter(_claimable(timezone.now()))
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_drain(*, email_ids: Iterable[int] | None = None) -> int:
    """Send these emails (or, as the sweep, every due one, a batch at a time). Safe to run
    twice or at once. Returns the number this call sent."""
    ids = list(email_ids) if email_ids is not None else outbox_due_ids()
    return sum(outbound_email_send(email_id=email_id) for email_id in ids)
