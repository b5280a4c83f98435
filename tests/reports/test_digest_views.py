"""Digest pages: staff only, on-demand requests, the status endpoint the page polls, the
email opt-in, and an archive whose query count does not grow with its size."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AuditEvent
from reports import services
from reports.models import Digest, DigestKind, DigestStatus, DigestSubscription
from tests.factories import DigestFactory, FeedbackFactory, sgt

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "other_participant", "organiser", "staff"]
STAFF_ONLY = {
    "anonymous": "login",
    "participant": 403,
    "other_participant": 403,
    "organiser": 403,
    "staff": 200,
}


@pytest.fixture
def as_role(client, request):
    def _as(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return _as


def _status(response):
    if response.status_code == 302 and response.url.startswith(reverse("account_login")):
        return "login"
    return response.status_code


@pytest.fixture
def digest(participant):
    FeedbackFactory(
        participant=participant, created_at=sgt(2026, 11, 3), harm_categories=["doxxing"]
    )
    digest = DigestFactory(
        kind=DigestKind.WEEKLY,
        period_start=sgt(2026, 11, 2, 8),
        period_end=sgt(2026, 11, 9, 8),
        queued_at=timezone.now(),
    )
    services.digest_compile(digest_id=digest.pk)
    digest.refresh_from_db()
    return digest


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_see_digests(role, as_role, digest):
    client = as_role(role)
    expected = STAFF_ONLY[role]
    assert _status(client.get(reverse("reports:digest_list"))) == expected
    detail = client.get(digest.get_absolute_url())
    assert _status(detail) == expected
    assert _status(client.get(reverse("reports:digest_status", args=[digest.pk]))) == expected
    if expected == 200:
        assert "AfA feedback digest" in detail.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_may_request_or_recompile_a_digest(role, as_role, digest):
    client = as_role(role)
    request = client.post(
        reverse("reports:digest_request"), {"first_day": "2026-11-01", "last_day": "2026-11-07"}
    )
    recompile = client.post(reverse("reports:digest_recompile", args=[digest.pk]))
    subscribe = client.post(reverse("reports:digest_subscription"), {"subscribe": "1"})
    expected = STAFF_ONLY[role]
    for response in (request, recompile, subscribe):
        assert _status(response) == (302 if expected == 200 else expected)
    assert Digest.objects.count() == (2 if role == "staff" else 1)


def test_unknown_digest_is_not_found(client, staff):
    client.force_login(staff)
    assert client.get(reverse("reports:digest_detail", args=[9999])).status_code == 404


def test_staff_request_an_on_demand_digest_and_it_compiles(
    client, staff, participant, django_capture_on_commit_callbacks
):
    FeedbackFactory(
        participant=participant, created_at=sgt(2026, 11, 3, 12), harm_categories=["doxxing"]
    )
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:digest_request"), {"first_day": "2026-11-01", "last_day": "2026-11-07"}
        )
    digest = Digest.objects.get()
    assert response.url == digest.get_absolute_url()
    assert (digest.kind, digest.status, digest.requested_by) == (
        DigestKind.ON_DEMAND,
        DigestStatus.READY,
        staff,
    )
    # Whole days in Singapore time: 1 Nov 00:00 to 8 Nov 00:00.
    assert (digest.period_start, digest.period_end) == (sgt(2026, 11, 1), sgt(2026, 11, 8))
    assert digest.figures["feedback"]["total"] == 1
    assert AuditEvent.objects.filter(action="digest.request", actor=staff).exists()
    status = json.loads(client.get(reverse("reports:digest_status", args=[digest.pk])).content)
    assert status == {
        "status": "ready",
        "label": "Ready",
        "done": True,
        "url": digest.get_absolute_url(),
    }
    page = client.get(digest.get_absolute_url()).content.decode()
    assert "Print or save as PDF" in page
    assert f"Asked for by {escape(staff.display_name)}." in page


def test_a_queued_digest_page_polls_its_status(client, staff):
    digest = DigestFactory(
        kind=DigestKind.ON_DEMAND,
        period_start=sgt(2026, 11, 1),
        period_end=sgt(2026, 11, 8),
        queued_at=timezone.now(),
    )
    client.force_login(staff)
    page = client.get(digest.get_absolute_url()).content.decode()
    assert f'data-digest-status-url="{reverse("reports:digest_status", args=[digest.pk])}"' in page
    assert "js/digest.js" in page
    status = client.get(reverse("reports:digest_status", args=[digest.pk]))
    assert json.loads(status.content)["done"] is False
    assert "no-cache" in status["Cache-Control"]


@pytest.mark.parametrize(
    "data",
    [
        {"first_day": "2026-11-07", "last_day": "2026-11-01"},
        {"first_day": "not a date", "last_day": "2026-11-01"},
        {"first_day": "2020-01-01", "last_day": "2026-11-01"},
        {"first_day": "2099-01-01", "last_day": "2099-01-02"},
        # Days at the calendar's edges once overflowed the date arithmetic into a 500.
        {"first_day": "9999-12-31", "last_day": "9999-12-31"},
        {"first_day": "0001-01-01", "last_day": "0001-01-01"},
        {"first_day": "0001-01-01", "last_day": "9999-12-31"},
        {"first_day": "2019-12-31", "last_day": "2020-01-02"},
        {"first_day": "2026-02-30", "last_day": "2026-03-01"},
        {},
    ],
)
def test_bad_requests_get_a_message_not_an_error(client, staff, data):
    client.force_login(staff)
    response = client.post(reverse("reports:digest_request"), data)
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode() or "alert" in response.content.decode()
    assert not Digest.objects.exists()


def test_staff_opt_in_and_out_of_digest_emails(client, staff):
    client.force_login(staff)
    client.post(reverse("reports:digest_subscription"), {"subscribe": "1"})
    assert DigestSubscription.objects.filter(user=staff).exists()
    assert "Stop emailing me digests" in client.get(reverse("reports:digest_list")).content.decode()
    client.post(reverse("reports:digest_subscription"), {"subscribe": "0"})
    assert not DigestSubscription.objects.filter(user=staff).exists()


def test_archive_costs_the_same_queries_for_one_or_many_digests(client, staff, digest):
    client.force_login(staff)
    url = reverse("reports:digest_list")

    def count():
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        return len(context), response.content.decode()

    few, page = count()
    assert '<td class="text-end">1</td>' in page  # the headline feedback count
    for day in range(1, 40):
        DigestFactory(
            kind=DigestKind.ON_DEMAND,
            period_start=sgt(2025, 1, 1),
            period_end=sgt(2025, 1, 1 + day % 28 + 1, day % 24),
            queued_at=timezone.now(),
            figures=digest.figures,
            status=DigestStatus.READY,
        )
    many, _page = count()
    assert many == few


def test_staff_navigation_links_to_digests(client, staff):
    client.force_login(staff)
    assert reverse("reports:digest_list") in client.get("/").content.decode()
