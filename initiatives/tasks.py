"""Emails about ideas and initiatives. Each task takes ids, is enqueued on commit, and claims
each message with a unique SentNotification row, so running it twice sends nothing twice."""

from celery import shared_task

RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "retry_kwargs": {"max_retries": 5}}


@shared_task(**RETRY)
def send_moderation_notice(log_id: int) -> None:
    """Tell an author what a moderator (or the reports) did to their idea or comment."""
    from .notifications import moderation_notice_send

    moderation_notice_send(log_id=log_id)


@shared_task(**RETRY)
def send_report_acknowledgement(report_id: int) -> None:
    from .notifications import report_acknowledgement_send

    report_acknowledgement_send(report_id=report_id)


@shared_task(**RETRY)
def send_initiative_update(update_id: int) -> None:
    """Email one initiative update to each of its co-creators."""
    from .notifications import initiative_update_send

    initiative_update_send(update_id=update_id)
