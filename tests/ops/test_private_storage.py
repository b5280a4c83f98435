"""Export files go through the private store (STORAGES["private"]): a different backend (an
S3-compatible bucket in production) is a setting, not a code change."""

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import InMemoryStorage, storages
from django.utils import timezone

from afa_platform.storage import PrivateFileSystemStorage
from exports import services as export_services
from exports.models import ExportJob, ExportJobStatus
from exports.services import export_job_build, exports_expire
from tests.exports.reading import read_xlsx
from tests.factories import ExportJobFactory, FeedbackFactory
from tests.settings_env import settings_with_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_memory_store(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    store = storages["private"]
    assert isinstance(store, InMemoryStorage)
    return store


def test_an_export_job_writes_its_file_through_the_private_store(in_memory_store, client):
    FeedbackFactory.create_batch(2)
    job = ExportJobFactory()
    assert export_job_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJobStatus.READY
    name = f"exports/{job.file_path}"
    assert in_memory_store.exists(name)
    with in_memory_store.open(name, "rb") as handle:
        assert len(read_xlsx(handle.read())["data"]) == 3  # the header and two rows

    # The download reads it back from the same store.
    client.force_login(job.requested_by)
    response = client.get(f"/reports/exports/jobs/{job.pk}/download")
    assert response.status_code == 200
    assert (
        len(read_xlsx(b"".join(response.streaming_content))["data"]) == 3
    )  # the header and two rows


def test_expiry_deletes_the_file_from_the_private_store(in_memory_store):
    job = ExportJobFactory()
    assert export_job_build(job_id=job.pk)
    job.refresh_from_db()
    name = f"exports/{job.file_path}"
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert exports_expire() == {"expired": 1}
    assert not in_memory_store.exists(name)
    assert export_services.export_job_file(ExportJob.objects.get(pk=job.pk)) is None


def test_on_disk_private_files_are_readable_by_the_process_user_only(settings, tmp_path):
    settings.PRIVATE_ROOT = str(tmp_path / "private")
    job = ExportJobFactory()
    assert export_job_build(job_id=job.pk)
    job.refresh_from_db()
    stored = Path(settings.PRIVATE_ROOT) / "exports" / job.file_path
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700


def test_the_private_store_is_on_disk_by_default_and_s3_by_setting():
    default = settings_with_env()
    assert default.STORAGES["private"]["BACKEND"] == "afa_platform.storage.PrivateFileSystemStorage"
    s3 = settings_with_env(
        PRIVATE_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="afa-private",
        AWS_S3_ENDPOINT_URL="https://s3.example.sg",
    )
    assert s3.STORAGES["private"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3.STORAGES["private"]["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"]) == (
        "afa-private",
        "https://s3.example.sg",
    )
    assert options["default_acl"] == "private"


def test_the_private_store_follows_private_root(settings, tmp_path):
    store = PrivateFileSystemStorage()
    settings.PRIVATE_ROOT = str(tmp_path / "one")
    assert store.location == str(tmp_path / "one")
    settings.PRIVATE_ROOT = str(tmp_path / "two")
    assert store.location == str(tmp_path / "two")
