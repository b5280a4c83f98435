"""Export tasks. Thin adapters over exports.services; each is safe to run twice (the
job is claimed with a lease, expiry moves each job once, the sweep moves rows conditionally).
The "ready" email goes through the outbox (outbox.tasks)."""

from celery import shared_task

from . import services

# Half a million rows of XLSX take well over the default two minutes. The broker's
# visibility timeout (settings) must stay above the hard limit.
BUILD_SOFT_TIME_LIMIT = 30 * 60
BUILD_TIME_LIMIT = BUILD_SOFT_TIME_LIMIT + 60


@shared_task(soft_time_limit=BUILD_SOFT_TIME_LIMIT, time_limit=BUILD_TIME_LIMIT)
def build_export_job(*, job_id: int) -> bool:
    return services.export_job_build(job_id=job_id)


@shared_task
def resume_export_jobs() -> list[int]:
    """Beat, every JOB_SWEEP_SECONDS: take over jobs whose worker died (lease ran out)."""
    return services.export_jobs_resume()


@shared_task
def delete_expired_exports() -> dict[str, int]:
    """Beat, hourly: delete export files past their expiry."""
    return services.exports_expire()
