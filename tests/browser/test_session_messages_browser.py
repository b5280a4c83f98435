"""Message a session in Chromium (issue 16, item 1): from the roster to the compose page, a
field error for a subject of spaces, the preview as one recipient sees it, send, and back on
the roster with the message listed. Every page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from engagement.models import RegistrationStatus, SessionMessage
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organiser_previews_and_sends_a_message_from_the_roster(live_server, browser, tmp_path):
    organiser = UserFactory(roles=[Role.ORGANISER], mfa=True)
    session = EngagementSessionFactory(title="Conversation on scams")
    RegistrationFactory(session=session, participant=UserFactory(display_name="Guest One"))
    RegistrationFactory(session=session)
    RegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED)
    page = browser.new_page()
    sign_in(page, live_server.url, organiser)
    page.goto(f"{live_server.url}/organise/sessions/{session.pk}/")
    page.get_by_role("link", name="Message this session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Message this session")
    assert_no_serious_axe_violations(page)

    page.get_by_label(re.compile(r"People with a confirmed seat \(2 people\)")).check()
    page.locator("#id_subject").fill("   ")
    page.locator("#id_body").fill("Please bring <b>water</b>.\nSee you soon.")
    page.get_by_role("button", name="Preview the email").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Write a subject.")
    assert_no_serious_axe_violations(page)

    page.locator("#id_subject").fill("What to bring")
    page.get_by_role("button", name="Preview the email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the email before sending")
    expect(page.get_by_test_id("preview-text")).to_contain_text("Please bring <b>water</b>.")
    expect(page.get_by_test_id("preview-subject")).to_contain_text(": What to bring")
    assert_no_serious_axe_violations(page)
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)

    page.get_by_role("button", name="Send to 2 people").click()
    expect(page.get_by_text("Message sent to 2 people.")).to_be_visible()
    row = page.get_by_test_id("session-message")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("What to bring")
    expect(row).to_contain_text(organiser.display_name)
    assert_no_serious_axe_violations(page)
    message = SessionMessage.objects.get()
    assert message.body == "Please bring <b>water</b>.\nSee you soon."
    assert message.recipient_count == 2
    page.close()
