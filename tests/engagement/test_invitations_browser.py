"""Chromium end to end for sessions by invitation: an organiser invites people from the
roster (pasting, then a CSV with a bad row), withdraws one; the invitee opens the link from
the email, registers, and sees the session. axe-core checks each page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.roles import Role
from engagement.models import Invitation, InvitationStatus, Registration, SessionAccess
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import EngagementSessionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organiser_invites_and_the_invitee_registers_through_the_link(live_server, page, tmp_path):
    organiser = UserFactory(display_name="Oscar Browser", roles=[Role.ORGANISER], mfa=True)
    invitee = UserFactory(display_name="Ivy Invitee", email="ivy@example.org")
    session = EngagementSessionFactory(
        title="Advocates' circle", access=SessionAccess.UNLISTED, capacity=5
    )
    base = live_server.url

    sign_in(page, base, organiser)
    page.goto(f"{base}/organise/sessions/{session.pk}/")
    page.get_by_test_id("invitations-link").click()
    expect(page.get_by_role("heading", name="Invitations", level=1)).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_role("textbox", name=re.compile("^Email addresses")).fill(
        "Ivy <ivy@example.org>\nnot-an-address"
    )
    page.get_by_role("button", name="Invite", exact=True).click()
    report = page.get_by_test_id("invitation-report")
    expect(report).to_contain_text("1 invitation added.")
    expect(report).to_contain_text("Not a valid email address.")
    assert_no_serious_axe_violations(page)

    csv_file = tmp_path / "invitees.csv"
    csv_file.write_text("email,name\nleo@example.org,Leo\nivy@example.org,Ivy\n")
    page.locator("#id_file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and invite").click()
    expect(report).to_contain_text("1 invitation added.")
    expect(page.get_by_test_id("invitation-problems")).to_contain_text(
        "This person is already invited to the session."
    )
    leo = Invitation.objects.get(email="leo@example.org")
    page.locator(f"#invitation-{leo.pk}").get_by_role(
        "button", name=re.compile("^Withdraw")
    ).click()
    expect(page.get_by_text("Invitation withdrawn")).to_be_visible()
    assert Invitation.objects.get(pk=leo.pk).status == InvitationStatus.WITHDRAWN

    # The invitee follows the link in their email.
    body = next(m.body for m in mail.outbox if m.to == ["ivy@example.org"])
    path = re.search(r"https?://[^/\s]+(/sessions/invitation/\S+/)", body).group(1)
    page.context.clear_cookies()
    sign_in(page, base, invitee)
    page.goto(f"{base}{path}")
    expect(page.get_by_role("heading", name=re.compile("Advocates' circle"))).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Your seat is confirmed.").first).to_be_visible()
    assert Registration.objects.get(session=session, participant=invitee).is_confirmed
