"""Digest tasks. Thin adapters: they take ids and call reports.services; each is safe to run
twice (the compile lease and the revision are idempotent; emails go through the outbox)."""

import logging

from celery import shared_task
from django.db import OperationalError

from audit.periods import last_closed_weekly_period

from . import services
from .models import DigestKind

logger = logging.getLogger(__name__)

COMPILE_MAX_RETRIES = 5


def retry_countdown(retries: int) -> int:
    """Exponential backoff: 2, 4, 8, 16, 32 seconds."""
    return 2 ** (retries + 1)


@shared_task(bind=True, max_retries=COMPILE_MAX_RETRIES, soft_time_limit=600, time_limit=660)
def compile_digest(self, *, digest_id: int) -> bool:
    """Compile one digest. Transient database errors are retried with backoff (the service
    has put the digest back to queued); once retries run out the digest is marked failed."""
    try:
        return services.digest_compile(digest_id=digest_id)
    except OperationalError as exc:
        if self.request.retries >= self.max_retries:
            services.digest_mark_failed(
                digest_id=digest_id, error=f"Database unavailable after retries: {exc}"
            )
            raise
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc


@shared_task
def sweep_stale_digests() -> list[int]:
    """Beat, every JOB_SWEEP_SECONDS: re-queue digests whose worker died mid-compile (their
    lease ran out), and take out quotes whose feedback went away without the revision task
    (a deleted account)."""
    revised = services.digest_revise_orphaned_quotes()
    if revised:
        logger.info("Removed quotes of deleted feedback from digests %s", revised)
    return services.digest_requeue_stale()


@shared_task
def queue_weekly_digest() -> int:
    """Beat, weekly at DIGEST_WEEKDAY / DIGEST_HOUR: the digest of the week that just closed."""
    start, end = last_closed_weekly_period()
    return services.digest_request(kind=DigestKind.WEEKLY, period_start=start, period_end=end).pk


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def revise_digests_quoting(*, feedback_id: int) -> list[int]:
    """After consent to be quoted was withdrawn (or the feedback deleted): re-render every
    stored digest that quoted it, without the quote."""
    revised = [
        digest_id
        for digest_id in services.digests_quoting(feedback_id=feedback_id)
        if services.digest_drop_withdrawn_quotes(digest_id=digest_id)
    ]
    if revised:
        logger.info("Removed a withdrawn quote from digests %s", revised)
    return revised
