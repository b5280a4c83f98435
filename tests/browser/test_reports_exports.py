"""Chromium end to end: MCI staff sign in with two-factor, filter the dashboard, download a
CSV export, start an XLSX job, watch it become ready and download it. axe-core checks the
dashboard, export and job pages."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from exports import services as export_services
from exports.models import ExportJob, ExportJobStatus
from exports.tasks import build_export_job
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.exports.reading import read_csv, read_xlsx
from tests.factories import UserFactory
from tests.scenarios import build_known_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_filter_the_dashboard_download_a_csv_and_an_xlsx_job(
    live_server, page, settings, tmp_path, monkeypatch
):
    settings.PRIVATE_ROOT = str(tmp_path)
    settings.EXPORT_XLSX_ASYNC_THRESHOLD = 2
    # Hold the job back so the page has to wait for it; the test plays the worker.
    queued: list[int] = []
    monkeypatch.setattr(
        build_export_job, "delay_on_commit", lambda **kwargs: queued.append(kwargs["job_id"])
    )
    known = build_known_data()
    staff = UserFactory(display_name="Sam Browser", roles=[Role.STAFF], mfa=True)
    base = live_server.url
    sign_in(page, base, staff)

    # The dashboard, then filtered to one session.
    page.goto(f"{base}/reports/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator('[data-figure="registrations"]')).to_have_text("3")
    assert_no_serious_axe_violations(page)
    page.get_by_label("Session", exact=True).select_option(value=str(known.later_session.pk))
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(rf"session={known.later_session.pk}"))
    expect(page.locator('[data-figure="registrations"]')).to_have_text("1")
    # One person attended it: the rate would say who came, so it is hidden.
    expect(page.locator('[data-figure="attendance_rate"]')).to_have_text("hidden")
    expect(
        page.get_by_role("table", name="Participants by background: the numbers")
    ).to_be_visible()
    assert_no_serious_axe_violations(page)

    # The export page keeps the filters; a CSV downloads at once.
    page.get_by_role("link", name="Export these data").click()
    expect(page.get_by_role("heading", name="Exports", level=1)).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Clear filters").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Feedback as CSV").click()
    download = download_info.value
    assert re.fullmatch(r"afa-feedback-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    rows = read_csv(Path(download.path()).read_bytes())
    assert [int(row["feedback_id"]) for row in rows] == [
        known.fb_alice.pk,
        known.fb_bala.pk,
        known.fb_citra.pk,
    ]
    assert rows[1]["participant"] == ""  # shared anonymously

    # An XLSX over the threshold: asked to confirm, then prepared in the background.
    page.get_by_role("link", name="Ideas as XLSX").click()
    expect(page.get_by_role("heading", name="Prepare a large export")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Prepare the XLSX file").click()
    expect(page).to_have_url(re.compile(r"/reports/exports/jobs/\d+/$"))
    expect(page.get_by_text("Your file is being prepared.")).to_be_visible()
    expect(page.locator("[data-export-status]")).to_have_text("Queued")
    download_link = page.get_by_role("link", name="Download the file")
    expect(download_link).to_be_hidden()
    assert_no_serious_axe_violations(page)

    assert len(queued) == 1
    assert export_services.export_job_build(job_id=queued[0])
    assert ExportJob.objects.get(pk=queued[0]).status == ExportJobStatus.READY
    # The page polls and shows the link without a reload.
    expect(page.locator("[data-export-status]")).to_have_text("Ready to download", timeout=15000)
    expect(page.locator("[data-export-rows]")).to_have_text("3 of 3 rows written")
    expect(download_link).to_be_visible()
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert re.fullmatch(r"afa-ideas-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    sheet = read_xlsx(Path(download.path()).read_bytes())["data"]
    assert sheet[0][:3] == ["Idea number", "Submitted on", "Title"]
    assert [row[0] for row in sheet[1:]] == [
        known.idea_alice.pk,
        known.idea_bala.pk,
        known.idea_merged.pk,
    ]
