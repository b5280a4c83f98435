"""Role matrix for the dashboard and every export URL."""

import pytest
from django.contrib.auth.models import Permission

from exports.models import ExportJobStatus
from tests.factories import ExportJobFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = None


@pytest.fixture
def job(staff):
    return ExportJobFactory(
        requested_by=staff, dataset="feedback", file_format="xlsx", status=ExportJobStatus.QUEUED
    )


def urls(job) -> list[str]:
    return [
        "/reports/",
        "/reports/exports/",
        "/reports/exports/feedback.csv",
        "/reports/exports/ideas.xlsx",
        "/reports/exports/registrations.csv",
        "/reports/exports/initiatives.xlsx",
        f"/reports/exports/jobs/{job.pk}/",
        f"/reports/exports/jobs/{job.pk}/download",
        "/reports/audit.csv",
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, job):
    for url in urls(job):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    response = client.post("/reports/exports/personal/", {})
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["participant", "other_participant", "organiser"])
def test_participants_and_organisers_cannot_reach_dashboard_or_exports(client, request, who, job):
    client.force_login(request.getfixturevalue(who))
    for url in urls(job):
        assert client.get(url).status_code == 403, url
    assert client.post("/reports/exports/personal/", {}).status_code == 403
    assert client.post("/reports/exports/feedback.xlsx", {}).status_code == 403


def test_staff_reach_dashboard_exports_and_their_own_jobs_but_not_the_audit_log(client, staff, job):
    client.force_login(staff)
    for url in urls(job)[:6]:
        assert client.get(url).status_code == 200, url
    assert client.get(f"/reports/exports/jobs/{job.pk}/").status_code == 200
    # Not ready yet: the download link leads back to the status page.
    assert client.get(f"/reports/exports/jobs/{job.pk}/download").status_code == 302
    assert client.get("/reports/audit.csv").status_code == 403
    # Names and emails need a permission the MCI Staff role does not carry.
    assert client.post("/reports/exports/personal/", {}).status_code == 403


def test_staff_with_the_personal_data_permission_may_post_the_personal_form(client, staff):
    staff.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    client.force_login(staff)
    response = client.post("/reports/exports/personal/", {})
    assert response.status_code == 400  # the form, with its errors
    assert client.get("/reports/exports/personal/").status_code == 405


def test_administrators_reach_everything_but_other_peoples_jobs(client, admin_user, job):
    client.force_login(admin_user)
    for url in urls(job):
        expected = 404 if "/jobs/" in url else 200
        assert client.get(url).status_code == expected, url


def test_staff_without_two_factor_are_sent_to_set_it_up(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(roles=["MCI Staff"]))
    response = client.get("/reports/exports/feedback.csv")
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]
