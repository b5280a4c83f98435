"""A digest's page shows its status, from the digest itself (issue 12, item 7): queued,
compiling, ready or failed. No "being compiled" flash: one shown on the page the request
lands on stayed above the finished digest when it compiled at once."""

import re

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from reports import services
from reports.models import DigestKind, DigestStatus
from tests.factories import DigestFactory, sgt

pytestmark = pytest.mark.django_db


def _status_panel(page: str) -> str:
    found = re.search(r'<p[^>]*id="digest-status"[^>]*>(.*?)</p>', page, re.S)
    assert found, "the page has no status panel"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()


def _digest(**fields):
    return DigestFactory(
        kind=DigestKind.ON_DEMAND,
        period_start=sgt(2026, 11, 1),
        period_end=sgt(2026, 11, 8),
        queued_at=timezone.now(),
        **fields,
    )


def test_a_digest_that_compiled_at_once_shows_ready_without_the_compiling_flash(
    client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:digest_request"),
            {"first_day": "2026-11-01", "last_day": "2026-11-07"},
        )
    # The compile ran before the browser followed the redirect, as an eager or quick worker.
    page = client.get(response.url).content.decode()
    assert "being compiled" not in page
    assert _status_panel(page).startswith("Status: Ready.")
    assert "Print or save as PDF" in page


def test_a_digest_still_queued_after_the_request_says_queued(client, staff):
    client.force_login(staff)
    # The compile task is enqueued on commit, which this test never runs.
    response = client.post(
        reverse("reports:digest_request"),
        {"first_day": "2026-11-01", "last_day": "2026-11-07"},
        follow=True,
    )
    page = response.content.decode()
    assert "being compiled" not in page
    assert _status_panel(page).startswith("Status: Queued.")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (DigestStatus.QUEUED, "Status: Queued. This page will show the digest as soon as it is"),
        (DigestStatus.COMPILING, "Status: Compiling. This page will show the digest as soon as"),
        (DigestStatus.FAILED, "Status: Failed. This digest could not be compiled."),
    ],
)
def test_each_unfinished_status_is_named_on_the_page(client, staff, status, expected):
    digest = _digest(status=status, error="The database went away.")
    client.force_login(staff)
    panel = _status_panel(client.get(digest.get_absolute_url()).content.decode())
    assert panel.startswith(expected)


def test_a_ready_digest_says_when_it_was_compiled(client, staff):
    digest = _digest()
    services.digest_compile(digest_id=digest.pk)
    digest.refresh_from_db()
    client.force_login(staff)
    page = client.get(digest.get_absolute_url()).content.decode()
    when = dateformat.format(timezone.localtime(digest.finished_at), "j F Y, g:i A")
    assert _status_panel(page) == f"Status: Ready. Compiled on {when} (Singapore time)."
    # The finished digest is not topped by a note that it is being compiled.
    assert "being compiled" not in page


def test_compiling_again_shows_the_status_not_a_flash(client, staff):
    digest = _digest()
    services.digest_compile(digest_id=digest.pk)
    client.force_login(staff)
    response = client.post(reverse("reports:digest_recompile", args=[digest.pk]), follow=True)
    page = response.content.decode()
    assert "being compiled again" not in page
    assert _status_panel(page).startswith("Status: Queued.")
