"""Chromium: the calendar feed section of My sessions and the cancel link's pages, checked
with axe-core at a phone's width (issue 16, items 3 and 5)."""

import re

import pytest
from playwright.sync_api import expect

from engagement import services
from engagement.cancel_links import cancel_link_path
from engagement.models import Registration, RegistrationStatus
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_participant_creates_and_resets_the_calendar_feed(live_server, page):
    participant = UserFactory(display_name="Pat Feeds")
    RegistrationFactory(participant=participant, session=EngagementSessionFactory())
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, participant)
    page.goto(f"{live_server.url}/sessions/mine/")
    page.get_by_role("button", name="Create my calendar feed").click()
    address = page.get_by_label("Your private feed address")
    expect(address).to_have_value(re.compile(r"/sessions/calendar/[-\w]{43}\.ics$"))
    assert_no_serious_axe_violations(page)
    first = address.input_value()
    page.get_by_role("button", name="Reset the address").click()
    expect(page.get_by_text("The old one no longer works.")).to_be_visible()
    assert page.get_by_label("Your private feed address").input_value() != first


def test_signed_out_person_cancels_from_the_email_link(live_server, page):
    person = UserFactory()
    # Through the service, so the session's seat counter matches.
    registration = services.registration_create(
        session=EngagementSessionFactory(title="Evening talk"),
        participant=person,
        registered_by=person,
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + cancel_link_path(registration))
    expect(page.get_by_role("heading", name="Cancel your place?", level=1)).to_be_visible()
    expect(page.get_by_text("Evening talk", exact=False)).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Yes, cancel my place").click()
    expect(page.get_by_role("heading", name="Your place is cancelled", level=1)).to_be_visible()
    assert_no_serious_axe_violations(page)
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CANCELLED
    page.goto(live_server.url + cancel_link_path(registration)[:-3] + "/")
    expect(page.get_by_role("heading", name="This link cannot cancel a place")).to_be_visible()
    assert_no_serious_axe_violations(page)
