"""Writes in reports: feedback digests (request, compile, revise, send).

Digest lifecycle: digest_request() creates or re-queues the one row for (kind, period) and
enqueues compile_digest on commit. digest_compile() claims it with a lease
(afa_platform.leases: queued, or compiling with an expired lease -> compiling) and keeps it
with a heartbeat; the loser of a race returns having done nothing. Transient database errors
put it back to queued for the task's retry; anything else marks it failed with the error.
The beat sweep (every minute) re-queues a digest whose lease ran out (its worker died) or
fails it after DIGEST_MAX_ATTEMPTS. Each subscriber's email is an outbox row written in the
transaction that marks the digest ready, keyed by digest and recipient so it goes once.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from afa_platform.leases import LeaseLost, lease_claim, lease_deadline, lease_heartbeat, lease_sweep
from audit.periods import MAX_PERIOD_DAYS
from audit.services import audit_record
from feedback.models import Feedback, QuoteStatus
from harms.models import HarmCategory, SolutionArea
from outbox.services import Email, email_queue

from . import figures as engine

# tasks imports this module too: both name each other only inside functions' bodies, at
# call time, so either can be imported first (as in exports.services).
from . import selectors, tasks
from .models import (
    DIGEST_TRANSITIONS,
    SESSION_SUMMARY_BODY_MAX,
    SESSION_SUMMARY_TRANSITIONS,
    Digest,
    DigestQuote,
    DigestStatus,
    DigestSubscription,
    SessionSummary,
    SessionSummaryStatus,
)
from .rendering import render_digest_html

logger = logging.getLogger(__name__)


class DigestError(Exception):
    """A refusal whose message is safe to show staff."""


def _enqueue_compile(digest_id: int) -> None:
    tasks.compile_digest.delay_on_commit(digest_id=digest_id)


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
    DIGEST_TRANSITIONS.check_initial(DigestStatus.QUEUED)  # the model's default
    digest, created = Digest.objects.get_or_create(
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        defaults={
            "requested_by": requested_by,
            "queued_at": now,
            # Still queued after this, its message was lost: the sweep enqueues it again.
            "lease_expires_at": lease_deadline(now),
        },
    )
    queued = created or bool(
        DIGEST_TRANSITIONS.update(
            Digest.objects.filter(pk=digest.pk),
            to=DigestStatus.QUEUED,
            among={DigestStatus.READY, DigestStatus.FAILED},
            queued_at=now,
            error="",
            attempts=0,
            lease_token="",
            lease_expires_at=lease_deadline(now),
        )
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


DIGEST_EMAIL = "reports.digest"


def digest_compile(*, digest_id: int) -> bool:
    """Compile a queued digest (or one whose compiling worker died: its lease ran out).
    Returns False, having done nothing, when another run holds it (or it is not queued).
    Not atomic as a whole on purpose: the claim commits at once so a concurrent worker sees
    it, and the heartbeat renews the lease from its own connection while the figures are
    computed. Side effects: DigestQuote rows; on success one outbox email per subscriber;
    OperationalError re-raised (digest back to queued) for a retry."""
    token = lease_claim(
        Digest,
        pk=digest_id,
        transitions=DIGEST_TRANSITIONS,
        queued=DigestStatus.QUEUED,
        running=DigestStatus.COMPILING,
        started_at=timezone.now(),
    )
    if token is None:
        return False
    mine = Digest.objects.filter(pk=digest_id, status=DigestStatus.COMPILING, lease_token=token)
    try:
        with (
            lease_heartbeat(Digest, pk=digest_id, token=token) as heartbeat,
            transaction.atomic(),
        ):
            digest = Digest.objects.get(pk=digest_id)
            figures = selectors.digest_figures(start=digest.period_start, end=digest.period_end)
            html = render_digest_html(digest, figures)
            heartbeat.check()
            finished = DIGEST_TRANSITIONS.update(
                mine,
                to=DigestStatus.READY,
                figures=figures,
                html=html,
                error="",
                finished_at=timezone.now(),
                revised_at=None,
                lease_expires_at=None,
            )
            if not finished:
                raise LeaseLost(f"Digest {digest_id}")
            DigestQuote.objects.filter(digest_id=digest_id).delete()
            DigestQuote.objects.bulk_create(
                DigestQuote(digest_id=digest_id, feedback_id=quote["feedback_id"])
                for quote in figures["quotes"]
            )
            _queue_digest_emails(digest_id)
    except LeaseLost:
        logger.warning("Digest %s was taken over by another run; this one stops", digest_id)
        return False
    except OperationalError:
        # Transient (lost connection, lock timeout, serialization): let the task retry.
        DIGEST_TRANSITIONS.update(
            mine, to=DigestStatus.QUEUED, lease_token="", lease_expires_at=lease_deadline()
        )
        raise
    except Exception as exc:
        logger.exception("Digest %s failed to compile", digest_id)
        DIGEST_TRANSITIONS.update(
            mine,
            to=DigestStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
            lease_expires_at=None,
        )
        return True
    # Consent withdrawn while we compiled: the revision task found nothing to revise then.
    digest_drop_withdrawn_quotes(digest_id=digest_id)
    return True


def _queue_digest_emails(digest_id: int) -> None:
    """One outbox email per subscriber, keyed by digest and recipient: a digest compiled
    again (asked for again) is not sent again to whoever had it (or has it coming)."""
    email_queue(
        *(
            Email(
                kind=DIGEST_EMAIL,
                recipient_id=recipient_id,
                params={"digest": digest_id},
                key=f"digest:{digest_id}:{recipient_id}",
            )
            for recipient_id in selectors.digest_subscribers().values_list("pk", flat=True)
        )
    )


def digest_mark_failed(*, digest_id: int, error: str) -> None:
    DIGEST_TRANSITIONS.update(
        Digest.objects.filter(pk=digest_id),
        to=DigestStatus.FAILED,
        among={DigestStatus.COMPILING, DigestStatus.QUEUED},
        error=error[:2000],
        finished_at=timezone.now(),
        lease_token="",
        lease_expires_at=None,
    )


def _digest_give_up(digest_id: int) -> bool:
    # A digest whose every attempt kills its worker (memory, time limit) stops here, failed
    # with a reason staff can read, instead of being re-queued for ever.
    return bool(
        DIGEST_TRANSITIONS.update(
            Digest.objects.filter(pk=digest_id, lease_expires_at__lt=timezone.now()),
            to=DigestStatus.FAILED,
            among={DigestStatus.COMPILING},
            finished_at=timezone.now(),
            lease_token="",
            lease_expires_at=None,
            error=_(
                "Compiling stopped %(count)d times without finishing. Ask for the digest again "
                "to retry, or for a shorter period."
            )
            % {"count": settings.DIGEST_MAX_ATTEMPTS},
        )
    )


def digest_requeue_stale(*, now: datetime | None = None) -> list[int]:
    """Digests whose worker died mid-compile (the lease ran out) go back to the queue, and
    queued digests whose message was lost are enqueued again; after DIGEST_MAX_ATTEMPTS
    claims a dead one is failed. Safe: the compile claim lets one worker through."""
    return lease_sweep(
        Digest,
        transitions=DIGEST_TRANSITIONS,
        queued=DigestStatus.QUEUED,
        running=DigestStatus.COMPILING,
        max_attempts=settings.DIGEST_MAX_ATTEMPTS,
        enqueue=_enqueue_compile,
        give_up=_digest_give_up,
        now=now,
    )


@transaction.atomic
def digest_drop_withdrawn_quotes(*, digest_id: int) -> bool:
    """Re-render a stored digest without quotes whose consent was withdrawn or whose feedback
    was deleted, and record that it was revised. Returns whether anything changed.

    Whatever its status: a ready digest asked for again keeps its old figures and HTML while
    queued, and for good if the new compile fails. A compile that is running overwrites
    these figures with fresh ones (without the quote) and then calls this again."""
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


# --- "What we heard" (issue 17, item 2) ----------------------------------------------------

SESSION_SUMMARY_EMAIL = "reports.session_summary_published"


class SummaryError(Exception):
    """A refusal of a "What we heard" change whose message is safe to show organisers."""


def summary_refusal(session) -> str | None:
    """Why a summary cannot be written or published for this session yet, or None."""
    if session.is_cancelled:
        return _("This session was cancelled, so there is nothing to summarise.")
    if not session.is_published:
        return _("Only a published session that has taken place can have a summary.")
    if not session.is_past:
        return _("A summary can be written once the session is over.")
    return None


def _chosen(model_ids, allowed, *, what_error: str) -> list[int]:
    wanted = {int(pk) for pk in model_ids}
    found = set(allowed.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise SummaryError(what_error)
    return sorted(found)


@transaction.atomic
def summary_save(
    *,
    session,
    organiser,
    body: str,
    harm_category_ids=(),
    solution_area_ids=(),
    idea_ids=(),
    quote_ids=(),
) -> SessionSummary:
    """Write a session's "What we heard" (creating it as a draft, or changing it). A change to
    a published summary takes it back to a draft until it is published again. Ideas must be
    published ones put forward at or after the session (selectors.summary_ideas); quotes must
    be this session's feedback approved in the quote review (selectors.summary_quotes).
    Side effects: an audit row (`session_summary.save`); a lock on the summary."""
    refusal = summary_refusal(session)
    if refusal:
        raise SummaryError(refusal)
    body = body.strip()
    if not body:
        raise SummaryError(_("Write what you heard before saving."))
    if len(body) > SESSION_SUMMARY_BODY_MAX:
        raise SummaryError(
            ngettext(
                "The summary can be at most %(limit)d character long; this one has %(length)d.",
                "The summary can be at most %(limit)d characters long; this one has %(length)d.",
                SESSION_SUMMARY_BODY_MAX,
            )
            % {"limit": SESSION_SUMMARY_BODY_MAX, "length": len(body)}
        )
    from_harms = _chosen(
        harm_category_ids,
        HarmCategory.objects.all(),
        what_error=_("One of the harm categories chosen no longer exists."),
    )
    from_areas = _chosen(
        solution_area_ids,
        SolutionArea.objects.all(),
        what_error=_("One of the solution areas chosen no longer exists."),
    )
    ideas = _chosen(
        idea_ids,
        selectors.summary_ideas(session),
        what_error=_(
            "One of the ideas chosen is not a published idea put forward at or after this "
            "session (it may have been hidden or withdrawn meanwhile)."
        ),
    )
    quotes = _chosen(
        quote_ids,
        selectors.summary_quotes(session),
        what_error=_(
            "One of the quotes chosen is not feedback about this session approved in the "
            "quote review (its consent may have been withdrawn meanwhile)."
        ),
    )
    summary = SessionSummary.objects.select_for_update().filter(session=session).first()
    created = summary is None
    if created:
        SESSION_SUMMARY_TRANSITIONS.check_initial(SessionSummaryStatus.DRAFT)
        summary = SessionSummary.objects.create(
            session=session, status=SessionSummaryStatus.DRAFT, body=body, written_by=organiser
        )
    else:
        fields = {"body": body, "written_by": organiser, "updated_at": timezone.now()}
        if summary.is_published:
            SESSION_SUMMARY_TRANSITIONS.check(summary.status, SessionSummaryStatus.DRAFT)
            fields["status"] = SessionSummaryStatus.DRAFT
        for name, value in fields.items():
            setattr(summary, name, value)
        summary.save(update_fields=list(fields))
    summary.harm_categories.set(from_harms)
    summary.solution_areas.set(from_areas)
    summary.ideas.set(ideas)
    summary.quotes.set(quotes)
    audit_record(
        actor=organiser,
        action="session_summary.save",
        object_type="engagement.engagementsession",
        object_id=session.pk,
        details={"created": created, "ideas": len(ideas), "quotes": len(quotes)},
    )
    return summary


@transaction.atomic
def summary_publish(*, summary: SessionSummary, organiser) -> SessionSummary:
    """Publish a draft summary on the session page, with the figures engine's figures for
    the session as they are now (figures.session_figures). Only once the session is over and
    not cancelled. The first publication emails the attendees (selectors.summary_attendees)
    through the outbox, once: `attendees_emailed_at` is set under the row lock, and each
    email's key (summary and recipient) is unique, so publishing again after an edit, or a
    retry, emails nobody twice. Side effects: outbox rows, an audit row
    (`session_summary.publish`), a lock on the summary."""
    summary = (
        SessionSummary.objects.select_for_update().select_related("session").get(pk=summary.pk)
    )
    refusal = summary_refusal(summary.session)
    if refusal:
        raise SummaryError(refusal)
    if not SESSION_SUMMARY_TRANSITIONS.allowed(summary.status, SessionSummaryStatus.PUBLISHED):
        raise SummaryError(_("This summary is already published."))
    now = timezone.now()
    fields = {
        "status": SessionSummaryStatus.PUBLISHED,
        "figures": engine.session_figures(summary.session_id),
        "published_at": now,
        "updated_at": now,
    }
    first_time = summary.attendees_emailed_at is None
    if first_time:
        fields["attendees_emailed_at"] = now
    SESSION_SUMMARY_TRANSITIONS.check(summary.status, SessionSummaryStatus.PUBLISHED)
    for name, value in fields.items():
        setattr(summary, name, value)
    summary.save(update_fields=list(fields))
    emailed = 0
    if first_time:
        emailed = len(
            email_queue(
                *(
                    Email(
                        kind=SESSION_SUMMARY_EMAIL,
                        recipient_id=recipient_id,
                        params={"summary": summary.pk},
                        key=f"session-summary:{summary.pk}:{recipient_id}",
                    )
                    for recipient_id in selectors.summary_attendees(summary.session).values_list(
                        "pk", flat=True
                    )
                )
            )
        )
    audit_record(
        actor=organiser,
        action="session_summary.publish",
        object_type="engagement.engagementsession",
        object_id=summary.session_id,
        details={"emailed": emailed, "first_time": first_time},
    )
    return summary


def summaries_drop_quote(*, feedback_id: int) -> int:
    """A withdrawn quote leaves every summary (reports.receivers, on quote_withdrawn).
    Returns how many summaries quoted it."""
    removed, _detail = SessionSummary.quotes.through.objects.filter(
        feedback_id=feedback_id
    ).delete()
    return removed
