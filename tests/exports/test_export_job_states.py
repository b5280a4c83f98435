"""Export jobs move only along EXPORT_JOB_TRANSITIONS (exports.models), through the services
and the lease helpers alike: a move taken out of the table is refused, nothing is written."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from afa_platform.states import TransitionError
from exports import models, services
from exports.models import ExportJob, ExportJobStatus
from tests.state_tables import without

pytestmark = pytest.mark.django_db

E = ExportJobStatus


@pytest.fixture(autouse=True)
def private_export_root(settings, tmp_path):
    settings.PRIVATE_ROOT = str(tmp_path)


def _job(staff, **fields) -> ExportJob:
    return ExportJob.objects.create(
        requested_by=staff, dataset="feedback", file_format="xlsx", **fields
    )


def _drop(monkeypatch, source, target):
    monkeypatch.setattr(
        services, "EXPORT_JOB_TRANSITIONS", without(models.EXPORT_JOB_TRANSITIONS, source, target)
    )


def test_the_build_claim_follows_the_table(staff, monkeypatch):
    job = _job(staff)
    _drop(monkeypatch, E.QUEUED, E.RUNNING)
    with pytest.raises(TransitionError, match="queued may not become running"):
        services.export_job_build(job_id=job.pk)
    assert ExportJob.objects.get(pk=job.pk).status == E.QUEUED


def test_finishing_a_build_follows_the_table(staff, monkeypatch):
    job = _job(staff)
    _drop(monkeypatch, E.RUNNING, E.READY)
    # Its conditional UPDATE finds no status the table lets become ready: the run records
    # nothing and deletes its file, as when it lost its lease.
    assert services.export_job_build(job_id=job.pk) is False
    job.refresh_from_db()
    assert (job.status, job.file_path) == (E.RUNNING, "")
    exports = Path(settings.PRIVATE_ROOT) / "exports"
    assert not exports.exists() or not any(exports.iterdir())


def test_expiry_follows_the_table(staff, monkeypatch):
    job = _job(staff, status=E.READY, expires_at=timezone.now() - timedelta(minutes=1))
    _drop(monkeypatch, E.READY, E.EXPIRED)
    with pytest.raises(TransitionError, match="ready may not become expired"):
        services.exports_expire()
    assert ExportJob.objects.get(pk=job.pk).status == E.READY


def test_the_sweep_follows_the_table(staff, monkeypatch):
    job = _job(staff, lease_expires_at=timezone.now() - timedelta(seconds=1))
    _drop(monkeypatch, E.QUEUED, E.QUEUED)
    with (
        mock.patch("exports.tasks.build_export_job.delay_on_commit"),
        pytest.raises(TransitionError, match="queued may not become queued"),
    ):
        services.export_jobs_resume()
    assert ExportJob.objects.get(pk=job.pk).status == E.QUEUED


def test_a_ready_job_past_its_expiry_reads_as_expired(staff):
    job = _job(staff, status=E.READY, expires_at=timezone.now() - timedelta(minutes=1))
    assert job.is_ready and job.is_expired
    assert not _job(staff, status=E.READY, expires_at=timezone.now() + timedelta(days=1)).is_expired
    assert _job(staff, status=E.EXPIRED).is_expired
