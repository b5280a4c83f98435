"""Large XLSX exports as Celery jobs, private files, expiry; and the audit trail of every
export, failed ones included."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from exports import datasets as exports
from exports import services as export_services
from exports.models import ExportJob, ExportJobStatus
from exports.tasks import (
    build_export_job,
    delete_expired_exports,
    resume_export_jobs,
)
from outbox.models import OutboundEmail, OutboundEmailStatus
from outbox.services import outbox_drain
from tests.exports.reading import read_csv, read_xlsx, streamed
from tests.factories import ExportJobFactory, UserFactory
from tests.scenarios import KnownData, build_known_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(db) -> KnownData:
    return build_known_data()


@pytest.fixture(autouse=True)
def private_export_root(settings, tmp_path):
    settings.PRIVATE_ROOT = str(tmp_path)
    settings.EXPORT_XLSX_ASYNC_THRESHOLD = 2
    return tmp_path / "exports"


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def start_job(client, django_capture_on_commit_callbacks, dataset="feedback", query=""):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/exports/{dataset}.xlsx", _query_dict(query))
    job = ExportJob.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == f"/reports/exports/jobs/{job.pk}/"
    return job


def _query_dict(query: str) -> dict:
    return dict(part.split("=") for part in query.split("&") if part)


def test_large_xlsx_asks_first_then_builds_a_job_that_the_requester_downloads(
    staff_client, staff, known, django_capture_on_commit_callbacks, private_export_root
):
    response = staff_client.get("/reports/exports/feedback.xlsx")
    assert response.status_code == 200
    page = response.content.decode()
    assert "too many to build an XLSX file while you wait" in page
    assert "Prepare the XLSX file" in page
    assert "Only you can download it, for 7 days." in page
    assert not ExportJob.objects.exists()

    job = start_job(staff_client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ExportJobStatus.READY
    assert job.requested_by == staff
    assert job.rows_total == 3
    assert job.rows_written == 3
    assert job.file_name == f"afa-feedback-{timezone.localdate().isoformat()}.xlsx"
    assert job.expires_at - job.finished_at == timedelta(days=7)
    stored = private_export_root / job.file_path
    assert stored.is_file()
    assert stored.stat().st_mode & 0o077 == 0  # readable by the server's user alone

    # The requester is told: by email, and on the status page.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [staff.email]
    assert mail.outbox[0].subject == "Your AfA Platform export is ready"
    assert f"/reports/exports/jobs/{job.pk}/" in mail.outbox[0].body
    status = staff_client.get(f"/reports/exports/jobs/{job.pk}/", HTTP_ACCEPT="application/json")
    assert status.json() == {
        "status": "ready",
        "status_label": "Ready to download",
        "rows_written": 3,
        "rows_total": 3,
        "error": "",
        "download_url": f"/reports/exports/jobs/{job.pk}/download",
    }
    page = staff_client.get(f"/reports/exports/jobs/{job.pk}/").content.decode()
    assert "Ready to download" in page

    download = staff_client.get(f"/reports/exports/jobs/{job.pk}/download")
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{job.file_name}"'
    rows = read_xlsx(b"".join(download.streaming_content))["data"]
    assert rows[0][0] == "Feedback number"
    assert [row[0] for row in rows[1:]] == [known.fb_alice.pk, known.fb_bala.pk, known.fb_citra.pk]


def test_job_keeps_the_filters(staff_client, known, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_XLSX_ASYNC_THRESHOLD = 0
    job = start_job(
        staff_client, django_capture_on_commit_callbacks, query=f"session={known.session.pk}"
    )
    job.refresh_from_db()
    assert job.filters == {"session": known.session.pk}
    assert job.rows_written == 1


def test_only_the_requester_can_see_or_download_a_job(
    client, staff, admin_user, known, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    job = start_job(client, django_capture_on_commit_callbacks)
    other_staff = UserFactory(roles=["MCI Staff"], mfa=True)
    for outsider in (other_staff, admin_user):
        client.force_login(outsider)
        assert client.get(f"/reports/exports/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/reports/exports/jobs/{job.pk}/download").status_code == 404


def test_a_second_run_of_the_task_does_nothing(
    staff_client, known, django_capture_on_commit_callbacks
):
    job = start_job(staff_client, django_capture_on_commit_callbacks)
    path = ExportJob.objects.get(pk=job.pk).file_path
    assert build_export_job(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.file_path == path
    assert AuditEvent.objects.filter(action="export").count() == 1
    assert len(mail.outbox) == 1


def test_running_job_shows_progress_as_rows_written(staff, known, monkeypatch, settings):
    settings.EXPORT_CHUNK_SIZE = 1
    seen = []
    original = exports.write_xlsx

    def spy(target, columns, rows, **kwargs):
        def watched():
            for row in rows:
                yield row
                seen.append(ExportJob.objects.get().rows_written)

        return original(target, columns, watched(), **kwargs)

    monkeypatch.setattr(export_services, "write_xlsx", spy)
    job = ExportJobFactory(requested_by=staff, dataset="feedback", file_format="xlsx")
    assert export_services.export_job_build(job_id=job.pk)
    assert seen == [1, 2, 3]


def test_expired_files_are_deleted_and_their_link_says_so(
    staff_client, known, django_capture_on_commit_callbacks, private_export_root
):
    job = start_job(staff_client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    stored = private_export_root / job.file_path
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    # Past its date the link already refuses, before the sweep has run.
    response = staff_client.get(f"/reports/exports/jobs/{job.pk}/download")
    assert response.status_code == 410

    assert delete_expired_exports() == {"expired": 1}
    assert not stored.exists()
    job.refresh_from_db()
    assert job.status == ExportJobStatus.EXPIRED
    assert job.file_path == ""
    response = staff_client.get(f"/reports/exports/jobs/{job.pk}/download")
    assert response.status_code == 410
    assert "This file has expired" in response.content.decode()
    assert "kept for 7 days and then deleted" in response.content.decode()
    assert "Ask for a new export" in response.content.decode()
    status = staff_client.get(f"/reports/exports/jobs/{job.pk}/", HTTP_ACCEPT="application/json")
    assert status.json()["status"] == "expired"
    assert status.json()["download_url"] is None
    assert delete_expired_exports() == {"expired": 0}


def test_unexpired_files_survive_the_sweep(
    staff_client, known, django_capture_on_commit_callbacks, private_export_root
):
    job = start_job(staff_client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert delete_expired_exports() == {"expired": 0}
    assert (private_export_root / job.file_path).is_file()


def _dead_run(staff, *, attempts: int, **fields) -> ExportJob:
    """A job a worker claimed and then died on: its lease ran out a moment ago."""
    return ExportJobFactory(
        requested_by=staff,
        dataset="feedback",
        file_format="xlsx",
        status=ExportJobStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=1),
        lease_token="dead-run",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
        attempts=attempts,
        **fields,
    )


def test_a_job_whose_worker_died_is_taken_over_by_its_redelivery(staff, known, private_export_root):
    job = _dead_run(staff, attempts=1, rows_written=2)
    assert build_export_job(job_id=job.pk) is True
    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows_written) == (ExportJobStatus.READY, 2, 3)
    # Files are built in a temporary file and stored whole: the store holds only the job's.
    assert [p.name for p in private_export_root.iterdir()] == [job.file_path]
    assert len(read_xlsx((private_export_root / job.file_path).read_bytes())["data"]) == 4
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_a_redelivery_does_nothing_while_the_running_worker_holds_the_lease(staff, known):
    job = _dead_run(staff, attempts=1)
    ExportJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() + timedelta(seconds=30)
    )
    assert build_export_job(job_id=job.pk) is False
    job.refresh_from_db()
    assert (job.status, job.lease_token) == (ExportJobStatus.RUNNING, "dead-run")


def test_sweep_requeues_a_job_whose_lease_ran_out_and_it_is_built_once_with_one_email(
    staff, known, django_capture_on_commit_callbacks
):
    job = _dead_run(staff, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_export_jobs() == [job.pk]
    job.refresh_from_db()
    assert job.status == ExportJobStatus.READY
    assert resume_export_jobs() == []
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_a_job_that_keeps_losing_its_worker_is_failed_and_audited(staff, known, settings):
    settings.EXPORT_JOB_MAX_ATTEMPTS = 3
    job = _dead_run(staff, attempts=3, rows_written=5000)
    assert resume_export_jobs() == []
    job.refresh_from_db()
    assert job.status == ExportJobStatus.FAILED
    assert "interrupted" in job.error
    event = AuditEvent.objects.get(action="export_failed")
    assert event.details["job"] == job.pk
    assert event.details["row_count"] == 5000
    assert resume_export_jobs() == []
    assert AuditEvent.objects.filter(action="export_failed").count() == 1


def test_a_queued_job_whose_message_was_lost_is_enqueued_again_once(staff, known):
    job = ExportJobFactory(
        requested_by=staff,
        dataset="feedback",
        file_format="xlsx",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    with mock.patch("exports.tasks.build_export_job.delay_on_commit") as enqueue:
        assert resume_export_jobs() == [job.pk]
        assert resume_export_jobs() == []
    enqueue.assert_called_once_with(job_id=job.pk)


def test_beat_resumes_export_jobs_every_minute():
    from afa_platform.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["exports-resume-export-jobs"]
    assert entry["task"] == "exports.tasks.resume_export_jobs"
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= 60


def test_personal_data_job_keeps_its_purpose(
    client, staff, known, django_capture_on_commit_callbacks
):
    staff.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/exports/personal/",
            {
                "personal-dataset": "registrations",
                "personal-file_format": "xlsx",
                "personal-purpose": "Sending certificates of attendance",
            },
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert job.include_personal_data
    assert job.purpose == "Sending certificates of attendance"
    assert job.file_name.endswith("-with-personal-data.xlsx")
    rows = read_xlsx(
        b"".join(client.get(f"/reports/exports/jobs/{job.pk}/download").streaming_content)
    )["data"]
    assert "Email address" in rows[0]
    event = AuditEvent.objects.get(action="export")
    assert event.details["personal_data"] is True
    assert event.details["purpose"] == "Sending certificates of attendance"


# --- Audit ----------------------------------------------------------------------------------


def test_every_export_writes_an_audit_row(
    staff_client, staff, known, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_XLSX_ASYNC_THRESHOLD = 100
    streamed(staff_client.get(f"/reports/exports/feedback.csv?session={known.session.pk}"))
    staff_client.get("/reports/exports/registrations.xlsx")
    settings.EXPORT_XLSX_ASYNC_THRESHOLD = 1
    job = start_job(staff_client, django_capture_on_commit_callbacks, dataset="ideas")

    csv_event, xlsx_event, job_event = AuditEvent.objects.filter(action="export").order_by("id")
    assert csv_event.actor == staff
    assert csv_event.object_type == "dataset"
    assert csv_event.object_id == "feedback"
    assert csv_event.details == {
        "dataset": "feedback",
        "format": "csv",
        "filters": {"session": known.session.pk},
        "row_count": 1,
        "personal_data": False,
        "purpose": "",
    }
    assert xlsx_event.details["format"] == "xlsx"
    assert xlsx_event.details["row_count"] == 4
    assert job_event.details["job"] == job.pk
    assert job_event.details["row_count"] == 3


def test_personal_export_audit_row_records_the_purpose(client, staff, known):
    staff.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    client.force_login(staff)
    response = client.post(
        "/reports/exports/personal/",
        {
            "personal-dataset": "feedback",
            "personal-file_format": "csv",
            "personal-purpose": "Following up on a safeguarding concern",
            "personal-date_from": "2021-02-01",
        },
    )
    assert len(read_csv(streamed(response))) == 3
    event = AuditEvent.objects.get(action="export")
    assert event.details == {
        "dataset": "feedback",
        "format": "csv",
        "filters": {"date_from": "2021-02-01"},
        "row_count": 3,
        "personal_data": True,
        "purpose": "Following up on a safeguarding concern",
    }


def test_a_csv_export_that_fails_while_streaming_is_audited(
    staff_client, staff, known, monkeypatch
):
    dataset = exports.DATASETS["feedback"]
    original = type(dataset).rows

    def failing(self, filters, **kwargs):
        rows = original(self, filters, **kwargs)
        yield next(rows)
        raise RuntimeError("database went away")

    monkeypatch.setattr(type(dataset), "rows", failing)
    response = staff_client.get("/reports/exports/feedback.csv")
    with pytest.raises(RuntimeError):
        streamed(response)
    started = AuditEvent.objects.get(action="export")
    failed = AuditEvent.objects.get(action="export_failed")
    assert started.details["row_count"] == 3
    assert failed.actor == staff
    assert failed.details["row_count"] == 1
    assert failed.details["error"] == "RuntimeError"


def test_a_failed_job_is_marked_failed_and_audited(
    staff_client,
    staff,
    known,
    monkeypatch,
    django_capture_on_commit_callbacks,
    private_export_root,
):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export_services, "write_xlsx", broken)
    job = start_job(staff_client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ExportJobStatus.FAILED
    assert job.error == "The file could not be written. Please ask for it again."
    assert list(private_export_root.glob("*")) == []  # no half-written file left behind
    event = AuditEvent.objects.get(action="export_failed")
    assert event.actor == staff
    assert event.details["job"] == job.pk
    assert event.details["error"] == "OSError"
    assert not mail.outbox
    status = staff_client.get(f"/reports/exports/jobs/{job.pk}/", HTTP_ACCEPT="application/json")
    assert status.json()["status"] == "failed"
    assert staff_client.get(f"/reports/exports/jobs/{job.pk}/download").status_code == 302


def test_a_failed_small_xlsx_export_is_audited_and_explained(
    staff_client, known, monkeypatch, settings
):
    settings.EXPORT_XLSX_ASYNC_THRESHOLD = 100

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("exports.views.write_xlsx", broken)
    response = staff_client.get("/reports/exports/ideas.xlsx", follow=True)
    assert "The file could not be written. Please try again." in response.content.decode()
    assert AuditEvent.objects.get(action="export_failed").details["dataset"] == "ideas"


def test_administrators_download_the_audit_log_as_csv(client, admin_user, staff, known):
    client.force_login(staff)
    streamed(client.get("/reports/exports/feedback.csv"))
    client.force_login(admin_user)
    rows = read_csv(streamed(client.get("/reports/audit.csv")))
    actions = [row["action"] for row in rows]
    assert actions == ["export", "audit_log_export"]
    assert rows[0]["actor_email"] == staff.email
    assert '"dataset": "feedback"' in rows[0]["details"]
    assert rows[0]["when"].endswith("+08:00")


# --- The "ready" email ----------------------------------------------------------------------


def test_a_failed_ready_email_is_retried_with_backoff_and_sent_once(
    staff_client, staff, known, monkeypatch, django_capture_on_commit_callbacks
):
    from afa_platform import mail as platform_mail

    real_send = platform_mail.EmailMultiAlternatives.send
    attempts = []

    def flaky(message, *args, **kwargs):
        attempts.append(message.to)
        if len(attempts) < 3:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(platform_mail.EmailMultiAlternatives, "send", flaky)
    job = start_job(staff_client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ExportJobStatus.READY
    email = OutboundEmail.objects.get()
    assert (email.status, email.attempts, email.error) == (
        OutboundEmailStatus.PENDING,
        1,
        "SMTPServerDisconnected",
    )
    assert email.next_attempt_at > timezone.now()  # backoff: the sweep leaves it for now
    assert outbox_drain() == 0
    for _ in range(2):
        OutboundEmail.objects.update(next_attempt_at=timezone.now())
        outbox_drain()
    assert attempts == [[staff.email]] * 3
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get().status == OutboundEmailStatus.SENT


def test_ready_email_drained_twice_sends_one_email(
    staff_client, known, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(build_export_job, "delay_on_commit", lambda **kwargs: None)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post("/reports/exports/feedback.xlsx")
    job = ExportJob.objects.get()
    # Ready, its email written but not sent (the broker was down as it committed).
    assert export_services.export_job_build(job_id=job.pk)
    assert not mail.outbox
    email = OutboundEmail.objects.get(kind="reports.export_ready")
    assert outbox_drain(email_ids=[email.pk]) == 1
    assert outbox_drain(email_ids=[email.pk]) == 0
    assert outbox_drain() == 0
    assert len(mail.outbox) == 1


def test_a_ready_email_that_keeps_failing_does_not_fail_the_job(
    staff_client, known, monkeypatch, django_capture_on_commit_callbacks
):
    from afa_platform import mail as platform_mail

    def down(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(platform_mail.EmailMultiAlternatives, "send", down)
    job = start_job(staff_client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ExportJobStatus.READY
    status = staff_client.get(f"/reports/exports/jobs/{job.pk}/", HTTP_ACCEPT="application/json")
    assert status.json()["status"] == "ready"
    monkeypatch.undo()
    OutboundEmail.objects.update(next_attempt_at=timezone.now())
    assert outbox_drain() == 1
    assert len(mail.outbox) == 1


def test_no_ready_email_for_a_job_that_expired_before_it_went(staff, known):
    job = ExportJobFactory(requested_by=staff, dataset="feedback", file_format="xlsx")
    assert export_services.export_job_build(job_id=job.pk)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert outbox_drain() == 0
    assert OutboundEmail.objects.get().status == OutboundEmailStatus.DROPPED
    assert not mail.outbox


# --- Beat, and Excel's row limit ------------------------------------------------------------


def test_beat_deletes_expired_exports_hourly():
    from afa_platform.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["exports-delete-expired-exports"]
    assert entry["task"] == "exports.tasks.delete_expired_exports"
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= 60 * 60


def test_a_job_past_the_sheet_limit_continues_on_a_second_sheet(staff, known, private_export_root):
    job = ExportJobFactory(requested_by=staff, dataset="feedback", file_format="xlsx", rows_total=3)
    assert export_services.export_job_build(job_id=job.pk, rows_per_sheet=2)
    job.refresh_from_db()
    assert job.rows_written == 3
    sheets = read_xlsx((private_export_root / job.file_path).read_bytes())
    assert list(sheets) == ["data", "data 2", "columns and codes"]
    assert sheets["data"][0] == sheets["data 2"][0]  # each sheet has the header
    assert [row[0] for row in sheets["data"][1:] + sheets["data 2"][1:]] == [
        known.fb_alice.pk,
        known.fb_bala.pk,
        known.fb_citra.pk,
    ]


def test_jobs_split_at_excels_limit_of_1048576_rows_a_sheet():
    import inspect

    assert exports.XLSX_MAX_DATA_ROWS + 1 == 1_048_576  # the header takes one row
    default = inspect.signature(exports.write_xlsx).parameters["rows_per_sheet"].default
    assert default == exports.XLSX_MAX_DATA_ROWS


def test_a_job_given_up_for_lost_while_it_ran_leaves_no_file_and_no_export_row(
    staff, known, monkeypatch, private_export_root
):
    job = ExportJobFactory(requested_by=staff, dataset="feedback", file_format="xlsx")
    original = exports.write_xlsx

    def slow(*args, **kwargs):
        written = original(*args, **kwargs)
        # Meanwhile the beat sweep decided the worker had died.
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJobStatus.FAILED)
        return written

    monkeypatch.setattr(export_services, "write_xlsx", slow)
    assert export_services.export_job_build(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == ExportJobStatus.FAILED
    assert list(private_export_root.iterdir()) == []
    assert not AuditEvent.objects.filter(action="export").exists()
    assert not mail.outbox
