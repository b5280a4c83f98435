"""Writes for exports: the audit trail of every export, and the lifecycle of export jobs.

Export job lifecycle: export_job_create() stores the request and enqueues build_export_job on
commit. export_job_build() claims the job with a conditional UPDATE (queued -> running), so a
second delivery of the task does nothing; it writes the XLSX into a private directory (never
under a public URL), records rows written as it goes, then marks the job ready with an expiry
date, writes the audit row and (on commit) queues send_export_ready_email, which retries a
failed email with backoff and sends it once. Any error marks it failed, with an audit row
too. exports_expire() (beat) deletes files past their date and fails jobs whose worker died.
"""

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import has_second_factor
from afa_platform.mail import send_templated_email

from .exports import DATASETS, Dataset, ProgressCounter, export_filename, write_xlsx
from .filters import ReportFilters
from .models import AuditEvent, ExportJob, ExportJobStatus
from .services import audit_record

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 5000


class ExportError(Exception):
    """A refusal whose message is safe to show staff."""


def can_export_personal_data(user) -> bool:
    """The permission, used in a session that passed two-factor sign-in."""
    return has_second_factor(user) and user.has_perm("reports.export_personal_data")


def export_audit(
    *,
    actor,
    dataset: Dataset,
    file_format: str,
    filters: ReportFilters,
    row_count: int,
    personal: bool,
    purpose: str = "",
    failed: bool = False,
    error: str = "",
    job: ExportJob | None = None,
) -> AuditEvent:
    """One audit row for one export (or one failed export): who, dataset, format, filters,
    row count, with or without personal data, and why."""
    details = {
        "dataset": dataset.slug,
        "format": file_format,
        "filters": filters.as_dict(),
        "row_count": row_count,
        "personal_data": personal,
        "purpose": purpose,
    }
    if job is not None:
        details["job"] = job.pk
    if failed:
        details["error"] = error
    return audit_record(
        actor=actor,
        action="export_failed" if failed else "export",
        object_type="dataset",
        object_id=dataset.slug,
        details=details,
    )


def check_personal_export(user, personal: bool, purpose: str) -> None:
    """Names and emails need the permission and a stated purpose; raises ExportError."""
    if personal and not can_export_personal_data(user):
        raise ExportError(_("You do not have permission to export names and emails."))
    if personal and not purpose.strip():
        raise ExportError(_("State why you need names and emails."))


@transaction.atomic
def export_job_create(
    *,
    user,
    dataset: Dataset,
    file_format: str,
    filters: ReportFilters,
    personal: bool = False,
    purpose: str = "",
    rows_total: int = 0,
) -> ExportJob:
    """Queue an export to be built by a worker. Side effect: build_export_job on commit."""
    from .export_tasks import build_export_job

    check_personal_export(user, personal, purpose)
    job = ExportJob.objects.create(
        requested_by=user,
        dataset=dataset.slug,
        file_format=file_format,
        filters=filters.as_dict(),
        include_personal_data=personal,
        purpose=purpose.strip() if personal else "",
        rows_total=rows_total,
    )
    build_export_job.delay_on_commit(job_id=job.pk)
    return job


def export_directory() -> Path:
    """Private: only the process's user can read it, and no URL maps to it."""
    directory = Path(settings.EXPORT_ROOT)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def export_job_build(*, job_id: int, rows_per_sheet: int | None = None) -> bool:
    """Build one job's file. Returns False when another worker has it (or it is done).

    Side effects: the file under EXPORT_ROOT, progress on the row, an audit row (export or
    export_failed), and when ready send_export_ready_email queued on commit.
    """
    from .export_tasks import send_export_ready_email

    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJobStatus.QUEUED).update(
        status=ExportJobStatus.RUNNING, started_at=now
    )
    if not claimed:
        return False
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    dataset = DATASETS[job.dataset]
    filters = ReportFilters.from_dict(job.filters)
    personal = job.include_personal_data
    relative = f"{job.pk}-{secrets.token_hex(16)}.{job.file_format}"
    path = export_directory() / relative
    partial = path.with_suffix(".part")

    def report(rows_written: int) -> None:
        ExportJob.objects.filter(pk=job.pk, status=ExportJobStatus.RUNNING).update(
            rows_written=rows_written
        )

    rows = ProgressCounter(
        dataset.rows(filters, personal=personal), report=report, every=PROGRESS_EVERY
    )
    try:
        with open(partial, "wb") as handle:
            os.chmod(partial, 0o600)
            written = write_xlsx(
                handle,
                dataset.columns(personal=personal),
                rows,
                **({"rows_per_sheet": rows_per_sheet} if rows_per_sheet else {}),
            )
        os.replace(partial, path)
    except Exception as exc:
        logger.exception("Export job %s failed", job.pk)
        partial.unlink(missing_ok=True)
        with transaction.atomic():
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJobStatus.FAILED,
                error=_("The file could not be written. Please ask for it again."),
                rows_written=rows.count,
                finished_at=timezone.now(),
            )
            export_audit(
                actor=job.requested_by,
                dataset=dataset,
                file_format=job.file_format,
                filters=filters,
                row_count=rows.count,
                personal=personal,
                purpose=job.purpose,
                failed=True,
                error=exc.__class__.__name__,
                job=job,
            )
        return True

    finished = timezone.now()
    with transaction.atomic():
        ready = ExportJob.objects.filter(pk=job.pk, status=ExportJobStatus.RUNNING).update(
            status=ExportJobStatus.READY,
            rows_written=written,
            file_path=relative,
            file_name=export_filename(dataset, job.file_format, personal=personal, on=finished),
            finished_at=finished,
            expires_at=finished + timedelta(days=settings.EXPORT_FILE_DAYS),
        )
        if not ready:
            # The sweep gave this job up for lost (and audited it) while it ran: its file
            # belongs to no job, so it goes.
            path.unlink(missing_ok=True)
            return True
        export_audit(
            actor=job.requested_by,
            dataset=dataset,
            file_format=job.file_format,
            filters=filters,
            row_count=written,
            personal=personal,
            purpose=job.purpose,
            job=job,
        )
        # Robust: the file is ready and the status page says so whatever becomes of the email
        # (or of the broker, when queueing it).
        transaction.on_commit(lambda: send_export_ready_email.delay(job_id=job.pk), robust=True)
    return True


def export_job_notify(*, job_id: int) -> bool:
    """Email the requester that their file is ready. Returns False when there is nothing to
    send: the job is not ready (or expired), or the email was sent (or is being sent).

    The job is claimed with a conditional UPDATE before sending, so two runs never send
    twice; a failed send releases the claim and re-raises, for the task to retry.
    """
    claimed_at = timezone.now()
    claimed = ExportJob.objects.filter(
        pk=job_id,
        status=ExportJobStatus.READY,
        expires_at__gt=claimed_at,
        ready_emailed_at__isnull=True,
    ).update(ready_emailed_at=claimed_at)
    if not claimed:
        return False
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    dataset = DATASETS.get(job.dataset)
    try:
        send_templated_email(
            to=[job.requested_by.email],
            # Discreet: the subject names neither the dataset nor any harm.
            subject=_("Your AfA Platform export is ready"),
            template="reports/email/export_ready",
            context={
                "job": job,
                "dataset": dataset,
                "rows": job.rows_written,
                "url": settings.SITE_URL + reverse("reports:exportjob_detail", args=[job.pk]),
                "days": settings.EXPORT_FILE_DAYS,
            },
        )
    except Exception:
        ExportJob.objects.filter(pk=job_id, ready_emailed_at=claimed_at).update(
            ready_emailed_at=None
        )
        raise
    return True


def export_job_file(job: ExportJob) -> Path | None:
    """The job's file, when it is ready, unexpired and still on disk."""
    if job.status != ExportJobStatus.READY or not job.file_path:
        return None
    if job.expires_at is not None and job.expires_at <= timezone.now():
        return None
    path = Path(settings.EXPORT_ROOT) / job.file_path
    return path if path.is_file() else None


def exports_expire(*, now=None) -> dict[str, int]:
    """Beat: delete files past their expiry (the job says so), and fail jobs left running by a
    worker that died. Safe to run twice: each job is moved by a conditional UPDATE."""
    now = now or timezone.now()
    expired = 0
    for job_id, relative in ExportJob.objects.filter(
        status=ExportJobStatus.READY, expires_at__lte=now
    ).values_list("pk", "file_path"):
        if relative:
            (Path(settings.EXPORT_ROOT) / relative).unlink(missing_ok=True)
        expired += ExportJob.objects.filter(pk=job_id, status=ExportJobStatus.READY).update(
            status=ExportJobStatus.EXPIRED, file_path=""
        )
    stale = 0
    for job in ExportJob.objects.filter(
        status=ExportJobStatus.RUNNING,
        started_at__lt=now - timedelta(minutes=settings.EXPORT_JOB_STALE_AFTER_MINUTES),
    ).select_related("requested_by"):
        with transaction.atomic():
            moved = ExportJob.objects.filter(pk=job.pk, status=ExportJobStatus.RUNNING).update(
                status=ExportJobStatus.FAILED,
                error=_("The export was interrupted. Please ask for it again."),
                finished_at=now,
            )
            if moved:
                stale += 1
                export_audit(
                    actor=job.requested_by,
                    dataset=DATASETS[job.dataset],
                    file_format=job.file_format,
                    filters=ReportFilters.from_dict(job.filters),
                    row_count=job.rows_written,
                    personal=job.include_personal_data,
                    purpose=job.purpose,
                    failed=True,
                    error="interrupted",
                    job=job,
                )
    return {"expired": expired, "stale": stale}
