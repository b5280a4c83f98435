"""The administrators' view of exports: the audit log and export jobs, read-only in the admin
site, with the whole audit log downloadable as CSV from there."""

import pytest

from audit.models import AuditEvent
from exports import services as export_services
from exports.datasets import DATASETS
from exports.models import ExportJobStatus
from reports.filters import ReportFilters
from tests.factories import ExportJobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def audit_event(staff):
    return export_services.export_audit(
        actor=staff,
        dataset=DATASETS["feedback"],
        file_format="csv",
        filters=ReportFilters(),
        row_count=3,
        personal=True,
        purpose="Inviting attendees to the launch event",
    )


@pytest.fixture
def job(staff):
    return ExportJobFactory(
        requested_by=staff,
        dataset="ideas",
        file_format="xlsx",
        include_personal_data=True,
        purpose="Inviting attendees to the launch event",
        status=ExportJobStatus.READY,
        rows_written=25000,
        file_path="secret-name.xlsx",
    )


def test_administrators_read_the_audit_log_in_the_admin_and_reach_its_csv(
    admin_client, audit_event
):
    page = admin_client.get("/admin/audit/auditevent/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "/reports/audit.csv" in content
    assert "Download the audit log as CSV" in content
    assert "/admin/audit/auditevent/add/" not in content

    detail = admin_client.get(f"/admin/audit/auditevent/{audit_event.pk}/change/")
    assert detail.status_code == 200
    assert "Inviting attendees to the launch event" in detail.content.decode()
    assert "<textarea" not in detail.content.decode()  # read-only: nothing to edit

    response = admin_client.get("/reports/audit.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_the_audit_log_cannot_be_added_to_changed_or_deleted_in_the_admin(
    admin_client, audit_event
):
    assert admin_client.get("/admin/audit/auditevent/add/").status_code == 403
    response = admin_client.post(
        f"/admin/audit/auditevent/{audit_event.pk}/change/", {"action": "nothing"}
    )
    assert response.status_code == 403
    assert (
        admin_client.post(
            f"/admin/audit/auditevent/{audit_event.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    audit_event.refresh_from_db()
    assert audit_event.action == "export"


def test_administrators_see_export_jobs_read_only_without_the_file(admin_client, job):
    page = admin_client.get("/admin/exports/exportjob/")
    assert page.status_code == 200
    assert "25000" in page.content.decode()

    detail = admin_client.get(f"/admin/exports/exportjob/{job.pk}/change/")
    assert detail.status_code == 200
    content = detail.content.decode()
    assert "Inviting attendees to the launch event" in content
    assert "secret-name.xlsx" not in content  # the stored file's name stays private
    assert "<textarea" not in content

    assert admin_client.get("/admin/exports/exportjob/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/exports/exportjob/{job.pk}/change/", {"status": "queued"})
    ).status_code == 403
    assert (
        admin_client.post(f"/admin/exports/exportjob/{job.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    job.refresh_from_db()
    assert job.status == ExportJobStatus.READY


def test_mci_staff_cannot_open_the_admin_audit_log(client, staff, audit_event):
    client.force_login(staff)
    response = client.get("/admin/audit/auditevent/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert AuditEvent.objects.count() == 1


def test_export_page_links_administrators_to_the_audit_log(admin_client):
    page = admin_client.get("/reports/exports/").content.decode()
    assert 'href="/reports/audit.csv"' in page
    assert 'href="/admin/audit/auditevent/"' in page
