"""Writes for exports: the audit trail of every export, and the lifecycle of export jobs.

Export job lifecycle: export_job_create() stores the request and enqueues build_export_job on
commit. export_job_build() claims the job with a lease (afa_platform.leases): a second
delivery of the task does nothing while the first run's heartbeat keeps the lease, and takes
the job over once it ran out (the worker died). It writes the XLSX into a private directory
(never under a public URL), records rows written as it goes, then marks the job ready with an
expiry date, writes the audit row and the "ready" email (the outbox sends it once, retrying a
failing mail server). Any error marks it failed, with an audit row too. Beat: every minute
export_jobs_resume() re-queues jobs whose lease ran out (or fails them after
EXPORT_JOB_MAX_ATTEMPTS, audited); hourly exports_expire() deletes files past their date.
"""

import logging
import secrets
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import has_second_factor
from accounts.roles import Role
from afa_platform.db_router import reading_from_replica
from afa_platform.leases import (
    LeaseLost,
    lease_claim,
    lease_deadline,
    lease_heartbeat,
    lease_sweep,
)
from audit.models import AuditEvent
from audit.services import access_record, audit_record
from outbox.services import Email, email_queue
from reports.filters import ReportFilters

# tasks imports this module too: both name each other only inside functions' bodies, at
# call time, so either can be imported first.
from . import tasks
from .datasets import DATASETS, Dataset, ProgressCounter, export_filename, write_xlsx
from .models import EXPORT_JOB_TRANSITIONS, ExportJob, ExportJobStatus

logger = logging.getLogger(__name__)

# The kind keeps the name it had in reports: outbox rows written before the move still send.
EXPORT_READY_EMAIL = "reports.export_ready"


class ExportError(Exception):
    """A refusal whose message is safe to show staff."""


def can_export_personal_data(user) -> bool:
    """The permission, used in a session that passed two-factor sign-in."""
    return has_second_factor(user) and user.has_perm("exports.export_personal_data")


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
    row count, with or without personal data, and why. A personal-data export also records
    every person it includes (audit.AccessRecord)."""
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
    event = audit_record(
        actor=actor,
        action="export_failed" if failed else "export",
        object_type="dataset",
        object_id=dataset.slug,
        details=details,
    )
    if personal and not failed:
        # Who the file names: each of them sees this export in "Download my data".
        access_record(event=event, role=Role.STAFF, person_ids=dataset.person_ids(filters))
    return event


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
    check_personal_export(user, personal, purpose)
    EXPORT_JOB_TRANSITIONS.check_initial(ExportJobStatus.QUEUED)  # the model's default
    job = ExportJob.objects.create(
        requested_by=user,
        dataset=dataset.slug,
        file_format=file_format,
        filters=filters.as_dict(),
        include_personal_data=personal,
        purpose=purpose.strip() if personal else "",
        rows_total=rows_total,
        # Still queued after this, its message was lost: the sweep enqueues it again.
        lease_expires_at=lease_deadline(),
    )
    tasks.build_export_job.delay_on_commit(job_id=job.pk)
    return job


# Export files live in the private store (STORAGES["private"], afa_platform/storage.py)
# under this prefix; a job's file_path is the name after it.
EXPORT_PREFIX = "exports/"


def export_storage():
    """Private: no URL maps to it; files leave it only through the download view."""
    return storages["private"]


def export_storage_name(relative: str) -> str:
    return EXPORT_PREFIX + relative


def export_job_build(*, job_id: int, rows_per_sheet: int | None = None) -> bool:
    """Build one job's file. Returns False when another run holds the job (its lease is
    alive) or it is done.

    The run claims the job with a lease (queued, or running with an expired lease: its worker
    died) and a heartbeat keeps it while the file is written; every later write is
    conditional on the run's token, so a run that lost the job to another writes nothing.
    A restarted build starts the file again from the first row: the partial file of a dead
    run is deleted, and only a finished file is ever recorded on the job.

    Side effects: the file in the private store, progress on the row, an audit row (export or
    export_failed), and when ready the "ready" email through the outbox, in the transaction
    that marks it ready (so it is written once, by the one run that finished).
    """
    token = lease_claim(
        ExportJob,
        pk=job_id,
        transitions=EXPORT_JOB_TRANSITIONS,
        queued=ExportJobStatus.QUEUED,
        running=ExportJobStatus.RUNNING,
        started_at=timezone.now(),
        rows_written=0,
    )
    if token is None:
        return False
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    mine = ExportJob.objects.filter(pk=job.pk, status=ExportJobStatus.RUNNING, lease_token=token)
    dataset = DATASETS[job.dataset]
    filters = ReportFilters.from_dict(job.filters)
    personal = job.include_personal_data
    storage = export_storage()
    relative = f"{job.pk}-{secrets.token_hex(16)}.{job.file_format}"

    with lease_heartbeat(ExportJob, pk=job.pk, token=token) as heartbeat:

        def report(rows_written: int) -> None:
            heartbeat.check()
            if not mine.update(rows_written=rows_written):
                raise LeaseLost(f"ExportJob {job.pk}")

        rows = ProgressCounter(
            dataset.rows(filters, personal=personal),
            report=report,
            # Once per chunk read: the status page moves, and a taken-over run stops soon.
            every=settings.EXPORT_CHUNK_SIZE,
        )
        try:
            # The file is built in an unnamed temporary file (gone with the process, even
            # one killed half-way) and stored whole: the store never holds a partial file.
            # The rows are read from the replica when there is one.
            with tempfile.TemporaryFile() as handle, reading_from_replica():
                written = write_xlsx(
                    handle,
                    dataset.columns(personal=personal, filters=filters),
                    rows,
                    **({"rows_per_sheet": rows_per_sheet} if rows_per_sheet else {}),
                )
                heartbeat.check()
                handle.seek(0)
                name = storage.save(export_storage_name(relative), File(handle))
                relative = name.removeprefix(EXPORT_PREFIX)
        except LeaseLost:
            logger.warning("Export job %s was taken over by another run; this one stops", job.pk)
            return False
        except Exception as exc:
            logger.exception("Export job %s failed", job.pk)
            with transaction.atomic():
                failed = EXPORT_JOB_TRANSITIONS.update(
                    mine,
                    to=ExportJobStatus.FAILED,
                    error=_("The file could not be written. Please ask for it again."),
                    rows_written=rows.count,
                    finished_at=timezone.now(),
                    lease_expires_at=None,
                )
                if failed:
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
        ready = EXPORT_JOB_TRANSITIONS.update(
            mine,
            to=ExportJobStatus.READY,
            rows_written=written,
            file_path=relative,
            file_name=export_filename(dataset, job.file_format, personal=personal, on=finished),
            finished_at=finished,
            expires_at=finished + timedelta(days=settings.EXPORT_FILE_DAYS),
            lease_expires_at=None,
        )
        if not ready:
            # Another run took the job over, or the sweep gave it up for lost (and audited
            # it), while this one ran: its file belongs to no job, so it goes.
            storage.delete(export_storage_name(relative))
            return False
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
        email_queue(
            Email(kind=EXPORT_READY_EMAIL, recipient_id=job.requested_by_id, params={"job": job.pk})
        )
    return True


def export_job_file(job: ExportJob) -> str | None:
    """The job's file's name in the private store, when it is ready, unexpired and still
    stored (open it with export_storage().open(name))."""
    if job.status != ExportJobStatus.READY or not job.file_path:
        return None
    if job.expires_at is not None and job.expires_at <= timezone.now():
        return None
    name = export_storage_name(job.file_path)
    return name if export_storage().exists(name) else None


def exports_expire(*, now=None) -> dict[str, int]:
    """Beat, hourly: delete files past their expiry (the job says so). Safe to run twice:
    each job is moved by a conditional UPDATE."""
    return {"expired": len(export_files_expire(now=now or timezone.now()))}


def export_files_expire(*, now, dry_run: bool = False) -> list[int]:
    """Delete the files of ready jobs past their expiry and mark the jobs expired; also the
    daily retention rule (audit.retention). Returns the jobs' ids (with dry_run, those it
    would expire, changing nothing)."""
    due = list(
        ExportJob.objects.filter(status=ExportJobStatus.READY, expires_at__lte=now)
        .order_by("pk")
        .values_list("pk", "file_path")
    )
    if dry_run:
        return [job_id for job_id, _relative in due]
    expired = []
    for job_id, relative in due:
        if relative:
            export_storage().delete(export_storage_name(relative))
        if EXPORT_JOB_TRANSITIONS.update(
            ExportJob.objects.filter(pk=job_id),
            to=ExportJobStatus.EXPIRED,
            among={ExportJobStatus.READY},
            file_path="",
        ):
            expired.append(job_id)
    return expired


def export_job_give_up(*, job_id: int) -> bool:
    """Fail a job whose worker died once too often (its lease ran out), with an audit row.
    Conditional, so a run that got it back meanwhile keeps it."""
    now = timezone.now()
    with transaction.atomic():
        moved = EXPORT_JOB_TRANSITIONS.update(
            ExportJob.objects.filter(pk=job_id, lease_expires_at__lt=now),
            to=ExportJobStatus.FAILED,
            among={ExportJobStatus.RUNNING},
            error=_("The export was interrupted. Please ask for it again."),
            finished_at=now,
            lease_token="",
            lease_expires_at=None,
        )
        if not moved:
            return False
        job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
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
    return True


def export_jobs_resume(*, now=None) -> list[int]:
    """Beat, every minute: jobs whose worker died (lease ran out) are queued and built again
    from the start, or failed and audited after EXPORT_JOB_MAX_ATTEMPTS; queued jobs whose
    message was lost are enqueued again. Returns the ids enqueued."""
    return lease_sweep(
        ExportJob,
        transitions=EXPORT_JOB_TRANSITIONS,
        queued=ExportJobStatus.QUEUED,
        running=ExportJobStatus.RUNNING,
        max_attempts=settings.EXPORT_JOB_MAX_ATTEMPTS,
        enqueue=lambda job_id: tasks.build_export_job.delay_on_commit(job_id=job_id),
        give_up=lambda job_id: export_job_give_up(job_id=job_id),
        now=now,
    )
