"""Export tasks. Thin adapters over reports.export_services; each is safe to run twice (the
job is claimed with a conditional update, expiry moves each job once)."""

from celery import shared_task

from . import export_services

# Half a million rows of XLSX take well over the default two minutes.
BUILD_SOFT_TIME_LIMIT = 30 * 60


@shared_task(soft_time_limit=BUILD_SOFT_TIME_LIMIT, time_limit=BUILD_SOFT_TIME_LIMIT + 60)
def build_export_job(*, job_id: int) -> bool:
    return export_services.export_job_build(job_id=job_id)


@shared_task
def delete_expired_exports() -> dict[str, int]:
    """Beat, hourly: delete export files past their expiry; fail jobs whose worker died."""
    return export_services.exports_expire()
