"""The audit floor's one task: the daily retention job (audit.retention)."""

from celery import shared_task

from . import retention


@shared_task(soft_time_limit=30 * 60, time_limit=31 * 60)
def apply_retention() -> dict[str, int]:
    """Beat, daily at RETENTION_HOUR: apply every retention rule. Safe to run twice."""
    return {key: len(ids) for key, ids in retention.retention_apply().items()}
