"""Export tasks. Thin adapters over reports.export_services; each is safe to run twice (the
job and its email are claimed with conditional updates, expiry moves each job once)."""

from celery import shared_task

from . import export_services

# Half a million rows of XLSX take well over the default two minutes.
BUILD_SOFT_TIME_LIMIT = 30 * 60


@shared_task(soft_time_limit=BUILD_SOFT_TIME_LIMIT, time_limit=BUILD_SOFT_TIME_LIMIT + 60)
def build_export_job(*, job_id: int) -> bool:
    return export_services.export_job_build(job_id=job_id)


# An unreachable or refusing mail server (smtplib's errors are OSErrors too) is worth trying
# again: after 30 s, 1, 2, 4, 8 and 10 minutes (with jitter), about half an hour in all.
EMAIL_MAX_RETRIES = 6


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=10 * 60,
    retry_jitter=True,
    max_retries=EMAIL_MAX_RETRIES,
)
def send_export_ready_email(*, job_id: int) -> bool:
    """Tell the requester their file is ready. Sends at most once, however often it runs."""
    return export_services.export_job_notify(job_id=job_id)


@shared_task
def delete_expired_exports() -> dict[str, int]:
    """Beat, hourly: delete export files past their expiry; fail jobs whose worker died."""
    return export_services.exports_expire()
