"""Celery tasks of the initiatives app: thin adapters that take ids and call a service. Each is
safe to run twice or at once (the services claim their work with conditional updates and
write outbox rows with unique keys)."""

from celery import shared_task

from . import services


@shared_task
def alert_urgent_report(*, kind: str, report_id: int) -> int:
    """Enqueued when an urgent report commits: email the organisers on duty, once."""
    return services.urgent_report_alert(kind=kind, report_id=report_id)


@shared_task
def sweep_urgent_reports() -> int:
    """Beat, every minute: lost alerts, and escalation of urgent reports left untouched."""
    return services.urgent_reports_sweep()


@shared_task
def queue_moderation_summaries() -> int:
    """Beat, each morning: the summary for organisers who opted in."""
    return services.moderation_summaries_queue()


@shared_task
def queue_follow_digests() -> int:
    """Beat, daily at FOLLOW_DIGEST_HOUR: one email to each follower with something new."""
    return services.follow_digests_queue()
