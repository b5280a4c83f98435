"""Writes in reports: the audit log and feedback digests (request, compile, revise, send).

Digest lifecycle: digest_request() creates or re-queues the one row for (kind, period) and
enqueues compile_digest on commit. digest_compile() claims it with a conditional UPDATE
(queued -> compiling); the loser of a race returns having done nothing. Transient database
errors put it back to queued for the task's retry; anything else marks it failed with the
error. The beat sweep re-queues a digest left "compiling" by a dead worker.
"""

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import (
    AuditEvent,
    DeliveryStatus,
    Digest,
    DigestDelivery,
    DigestQuote,
    DigestStatus,
    DigestSubscription,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def audit_record(
    *,
    actor,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append one row to the audit log. Call it inside the transaction that does the work."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
    )


# --- Digests ----------------------------------------------------------------------------

MAX_PERIOD_DAYS = 366
# The engagement sessions began in 2021; nothing before this can be in a digest.
EARLIEST_DIGEST_DAY = date(2020, 1, 1)


class DigestError(Exception):
    """A refusal whose message is safe to show staff."""


def weekly_period_containing(moment: datetime) -> tuple[datetime, datetime]:
    """The weekly digest period [start, end) holding `moment`; periods close on
    DIGEST_WEEKDAY at DIGEST_HOUR, Singapore time (which has no daylight saving)."""
    local = timezone.localtime(moment)
    boundary = local.replace(hour=settings.DIGEST_HOUR, minute=0, second=0, microsecond=0)
    boundary -= timedelta(days=(local.weekday() - settings.DIGEST_WEEKDAY) % 7)
    if boundary > local:
        boundary -= timedelta(days=7)
    return boundary, boundary + timedelta(days=7)


def last_closed_weekly_period(now: datetime | None = None) -> tuple[datetime, datetime]:
    current_start, _end = weekly_period_containing(now or timezone.now())
    return current_start - timedelta(days=7), current_start


def period_for_dates(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """From the first day's midnight to the midnight after the last day, Singapore time.
    Refuses (DigestError) what no digest covers, before date arithmetic could overflow on a
    day like 9999-12-31 or 0001-01-01."""
    if last_day < first_day:
        raise DigestError(_("The last day must not be before the first."))
    if first_day < EARLIEST_DIGEST_DAY:
        raise DigestError(
            _("Digests cover days from %(day)s on.")
            % {"day": date_format(EARLIEST_DIGEST_DAY, "j F Y")}
        )
    if first_day > timezone.localdate():
        raise DigestError(_("The period has not started yet."))
    if (last_day - first_day).days >= MAX_PERIOD_DAYS:
        raise DigestError(_("A digest covers at most a year."))
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first_day, time.min), tz)
    end = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min), tz)
    return start, end


def _enqueue_compile(digest_id: int) -> None:
    from .tasks import compile_digest

    compile_digest.delay_on_commit(digest_id=digest_id)


@transaction.atomic
def digest_request(
    *, kind: str, period_start: datetime, period_end: datetime, requested_by=None
) -> Digest:
    """Ask for the digest of a period: the one row for (kind, period) is created, or re-queued
    if it is ready or failed (its figures are then replaced). Side effects: compile_digest is
    enqueued on commit; an audit row when a person asked."""
    if period_end <= period_start:
        raise DigestError(_("The period must end after it starts."))
    if period_end - period_start > timedelta(days=MAX_PERIOD_DAYS):
        raise DigestError(_("A digest covers at most a year."))
    if period_start > timezone.now():
        raise DigestError(_("The period has not started yet."))
    now = timezone.now()
    digest, created = Digest.objects.get_or_create(
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        defaults={"requested_by": requested_by, "queued_at": now},
    )
    queued = created or bool(
        Digest.objects.filter(
            pk=digest.pk, status__in=[DigestStatus.READY, DigestStatus.FAILED]
        ).update(status=DigestStatus.QUEUED, queued_at=now, error="", attempts=0)
    )
    if queued:
        _enqueue_compile(digest.pk)
    if requested_by is not None:
        audit_record(
            actor=requested_by,
            action="digest.request",
            object_type="reports.digest",
            object_id=digest.pk,
            details={"kind": kind, "requeued": queued and not created},
        )
    digest.refresh_from_db()
    return digest


def digest_compile(*, digest_id: int) -> bool:
    """Compile a queued digest. Returns False, having done nothing, when another worker has
    claimed it (or it is not queued). Not atomic as a whole on purpose: the claim commits at
    once so a concurrent worker sees it. Side effects: DigestQuote rows; on success the
    send_digest task; OperationalError re-raised (digest back to queued) for a retry."""
    claimed = Digest.objects.filter(pk=digest_id, status=DigestStatus.QUEUED).update(
        status=DigestStatus.COMPILING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    from . import selectors
    from .rendering import render_digest_html
    from .tasks import send_digest

    try:
        with transaction.atomic():
            digest = Digest.objects.get(pk=digest_id)
            figures = selectors.digest_figures(start=digest.period_start, end=digest.period_end)
            html = render_digest_html(digest, figures)
            finished = Digest.objects.filter(pk=digest_id, status=DigestStatus.COMPILING).update(
                status=DigestStatus.READY,
                figures=figures,
                html=html,
                error="",
                finished_at=timezone.now(),
                revised_at=None,
            )
            if finished:
                DigestQuote.objects.filter(digest_id=digest_id).delete()
                DigestQuote.objects.bulk_create(
                    DigestQuote(digest_id=digest_id, feedback_id=quote["feedback_id"])
                    for quote in figures["quotes"]
                )
                send_digest.delay_on_commit(digest_id=digest_id)
    except OperationalError:
        # Transient (lost connection, lock timeout, serialization): let the task retry.
        Digest.objects.filter(pk=digest_id, status=DigestStatus.COMPILING).update(
            status=DigestStatus.QUEUED
        )
        raise
    except Exception as exc:
        logger.exception("Digest %s failed to compile", digest_id)
        digest_mark_failed(digest_id=digest_id, error=f"{type(exc).__name__}: {exc}")
        return True
    # Consent withdrawn while we compiled: the revision task found nothing to revise then.
    digest_drop_withdrawn_quotes(digest_id=digest_id)
    return True


def digest_mark_failed(*, digest_id: int, error: str) -> None:
    Digest.objects.filter(
        pk=digest_id, status__in=[DigestStatus.COMPILING, DigestStatus.QUEUED]
    ).update(status=DigestStatus.FAILED, error=error[:2000], finished_at=timezone.now())


def digest_requeue_stale(*, now: datetime | None = None) -> list[int]:
    """Digests whose worker died mid-compile (compiling too long) go back to the queue, and
    queued digests whose message was lost are enqueued again. Both are safe: the compile
    claim lets one worker through."""
    now = now or timezone.now()
    stale_before = now - timedelta(minutes=settings.DIGEST_STALE_AFTER_MINUTES)
    ids = []
    stale = Digest.objects.filter(status=DigestStatus.COMPILING, started_at__lt=stale_before)
    # A digest whose every attempt kills its worker (memory, time limit) stops here, failed
    # with a reason staff can read, instead of being re-queued for ever.
    given_up = stale.filter(attempts__gte=settings.DIGEST_MAX_ATTEMPTS).update(
        status=DigestStatus.FAILED,
        finished_at=now,
        error=_(
            "Compiling stopped %(count)d times without finishing. Ask for the digest again to "
            "retry, or for a shorter period."
        )
        % {"count": settings.DIGEST_MAX_ATTEMPTS},
    )
    if given_up:
        logger.error(
            "Gave up on %s digest(s) after %s attempts", given_up, settings.DIGEST_MAX_ATTEMPTS
        )
    for digest_id in stale.values_list("id", flat=True):
        requeued = Digest.objects.filter(
            pk=digest_id, status=DigestStatus.COMPILING, started_at__lt=stale_before
        ).update(status=DigestStatus.QUEUED, queued_at=now)
        if requeued:
            ids.append(digest_id)
    lost = Digest.objects.filter(status=DigestStatus.QUEUED, queued_at__lt=stale_before)
    for digest_id in lost.values_list("id", flat=True):
        if Digest.objects.filter(pk=digest_id, status=DigestStatus.QUEUED).update(queued_at=now):
            ids.append(digest_id)
    for digest_id in ids:
        logger.warning("Re-queueing stale digest %s", digest_id)
        _enqueue_compile(digest_id)
    return ids


@transaction.atomic
def digest_drop_withdrawn_quotes(*, digest_id: int) -> bool:
    """Re-render a stored digest without quotes whose consent was withdrawn or whose feedback
    was deleted, and record that it was revised. Returns whether anything changed.

    Whatever its status: a ready digest asked for again keeps its old figures and HTML while
    queued, and for good if the new compile fails. A compile that is running overwrites
    these figures with fresh ones (without the quote) and then calls this again."""
    from engagement.models import Feedback, QuoteStatus

    from .rendering import render_digest_html

    digest = Digest.objects.select_for_update().filter(pk=digest_id).first()
    if digest is None:
        return False
    quotes = digest.figures.get("quotes", [])
    quoted_ids = [quote["feedback_id"] for quote in quotes]
    still_approved = set(
        Feedback.objects.filter(
            pk__in=quoted_ids, quote_status=QuoteStatus.APPROVED, quote_consent=True
        ).values_list("id", flat=True)
    )
    kept = [quote for quote in quotes if quote["feedback_id"] in still_approved]
    # The excerpt may have been changed since (re-approved): keep what the digest said.
    if len(kept) == len(quotes):
        return False
    digest.figures["quotes"] = kept
    digest.html = render_digest_html(digest, digest.figures)
    digest.revised_at = timezone.now()
    digest.save(update_fields=["figures", "html", "revised_at"])
    DigestQuote.objects.filter(digest=digest).exclude(feedback_id__in=still_approved).delete()
    return True


def digest_revise_orphaned_quotes() -> list[int]:
    """Safety net, run by the beat sweep: revise digests quoting feedback that is gone or no
    longer quotable by any path that skipped the revision task (e.g. a deleted account, whose
    feedback the database deletes by cascade). DigestQuote is small: a dozen rows a digest."""
    from django.db.models import Exists, OuterRef

    from engagement.models import Feedback, QuoteStatus

    quotable = Feedback.objects.filter(
        pk=OuterRef("feedback_id"), quote_status=QuoteStatus.APPROVED, quote_consent=True
    )
    digest_ids = (
        DigestQuote.objects.filter(~Exists(quotable)).values_list("digest_id", flat=True).distinct()
    )
    return [
        digest_id
        for digest_id in list(digest_ids)
        if digest_drop_withdrawn_quotes(digest_id=digest_id)
    ]


def digests_quoting(*, feedback_id: int) -> list[int]:
    return list(
        DigestQuote.objects.filter(feedback_id=feedback_id).values_list("digest_id", flat=True)
    )


def _claim_delivery(digest: Digest, recipient) -> DigestDelivery | None:
    """The unique (digest, recipient) row is the claim: create it, or take back a failed one."""
    now = timezone.now()
    try:
        with transaction.atomic():
            return DigestDelivery.objects.create(
                digest=digest, recipient=recipient, status=DeliveryStatus.SENDING, claimed_at=now
            )
    except IntegrityError:
        retaken = DigestDelivery.objects.filter(
            digest=digest, recipient=recipient, status=DeliveryStatus.FAILED
        ).update(status=DeliveryStatus.SENDING, claimed_at=now, error="")
        if retaken:
            return DigestDelivery.objects.get(digest=digest, recipient=recipient)
        return None


def digest_send(*, digest_id: int) -> int:
    """Email a ready digest to every subscriber who has not had it. Each recipient's delivery
    row is claimed before the email goes out, so running this twice sends nothing twice (a
    crash between claim and send loses that email rather than doubling it). Returns the
    number of emails sent."""
    from afa_platform.mail import send_templated_email

    from . import selectors
    from .rendering import digest_charts, digest_context

    digest = Digest.objects.filter(pk=digest_id, status=DigestStatus.READY).first()
    if digest is None:
        return 0
    already = DigestDelivery.objects.filter(digest=digest).exclude(status=DeliveryStatus.FAILED)
    recipients = selectors.digest_subscribers().exclude(pk__in=already.values("recipient_id"))
    charts = digest_charts(digest.figures)
    attachments = [(chart.filename, str(chart.svg), "image/svg+xml") for chart in charts]
    context = digest_context(digest, digest.figures)
    sent = 0
    for recipient in recipients.iterator():
        delivery = _claim_delivery(digest, recipient)
        if delivery is None:
            continue
        try:
            send_templated_email(
                to=[recipient.email],
                subject=_("AfA feedback digest: %(start)s to %(end)s")
                % {"start": f"{digest.first_day:%d %b %Y}", "end": f"{digest.last_day:%d %b %Y}"},
                template="reports/email/digest",
                context={**context, "recipient": recipient},
                attachments=attachments,
            )
        except Exception as exc:
            logger.exception("Digest %s to user %s failed", digest_id, recipient.pk)
            DigestDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:300]
            )
            continue
        DigestDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now()
        )
        sent += 1
    return sent


@transaction.atomic
def digest_subscription_set(*, user, subscribed: bool) -> bool:
    """Opt in or out of receiving digests by email. Side effect: an audit row."""
    if subscribed:
        DigestSubscription.objects.get_or_create(user=user)
    else:
        DigestSubscription.objects.filter(user=user).delete()
    audit_record(
        actor=user,
        action="digest.subscribe" if subscribed else "digest.unsubscribe",
        object_type="accounts.user",
        object_id=user.pk,
    )
    return subscribed
