"""Chromium end to end: a participant registers, finds the session in My sessions, downloads
the calendar file and cancels; an organiser marks attendance. axe-core checks each page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from engagement.models import EngagementSession, Registration, RegistrationStatus
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_participant_registers_and_cancels_and_organiser_marks_attendance(live_server, page):
    participant = UserFactory(display_name="Pat Browser")
    organiser = UserFactory(display_name="Oscar Browser", roles=[Role.ORGANISER], mfa=True)
    upcoming = EngagementSessionFactory(title="Safer messaging conversation", capacity=5)
    ongoing = EngagementSessionFactory(
        title="Today's conversation",
        starts_at=timezone.now() - timedelta(minutes=15),
        ends_at=timezone.now() + timedelta(hours=1),
        registration_opens_at=timezone.now() - timedelta(days=5),
        registration_closes_at=timezone.now() - timedelta(hours=1),
    )
    attendee = UserFactory(display_name="Ada Attendee")
    RegistrationFactory(session=ongoing, participant=attendee, status=RegistrationStatus.CONFIRMED)
    EngagementSession.objects.filter(pk=ongoing.pk).update(seats_taken=1)

    base = live_server.url
    sign_in(page, base, participant)

    page.goto(f"{base}/sessions/")
    expect(page.get_by_role("heading", name="Engagement sessions", level=1)).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="Safer messaging conversation").click()
    expect(
        page.get_by_role("heading", name="Safer messaging conversation", level=1)
    ).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Access needs (optional)").fill("Captions, please")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Your seat is confirmed.").first).to_be_visible()
    expect(page.get_by_test_id("online-link")).to_be_visible()

    page.get_by_role("button", name="My account").click()
    page.get_by_role("link", name="My sessions", exact=True).click()
    expect(page.get_by_role("heading", name="My sessions", level=1)).to_be_visible()
    expect(page.get_by_test_id("my-status")).to_contain_text("Seat confirmed")
    assert_no_serious_axe_violations(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Calendar file")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    assert b"BEGIN:VCALENDAR" in open(download.path(), "rb").read()  # noqa: SIM115

    page.get_by_role("link", name=re.compile("^Cancel my place")).click()
    expect(page.get_by_role("heading", name="Cancel your place?")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Yes, cancel my place").click()
    expect(page.get_by_text("Your registration is cancelled.")).to_be_visible()
    expect(page.get_by_test_id("my-status")).to_contain_text("Cancelled")
    assert Registration.objects.get(session=upcoming, participant=participant).status == (
        RegistrationStatus.CANCELLED
    )

    page.context.clear_cookies()
    sign_in(page, base, organiser)
    page.goto(f"{base}/organise/")
    page.get_by_role("link", name="Today's conversation").click()
    page.get_by_role("button", name=re.compile("^Mark attended")).click()
    expect(page.get_by_text("Ada Attendee marked as attended.")).to_be_visible()
    assert Registration.objects.get(session=ongoing, participant=attendee).attended is True
