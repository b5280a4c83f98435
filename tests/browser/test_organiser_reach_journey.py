"""Issue 16 end to end in Chromium: an organiser invites two people to a session by invitation
with a CSV; one of them, with no account yet, signs up through the link in the invitation
email and lands back on the invitation, registers; the organiser messages the session, and
at the door checks the person in by the code from My sessions, on a phone."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from engagement.models import Registration, SessionAccess, SessionMessage
from tests.browser_support import sign_in
from tests.factories import EngagementSessionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PASSWORD = "teh-tarik-kosong-77"


def _link_in_email_to(address: str, pattern: str) -> str:
    body = next(m.body for m in reversed(mail.outbox) if m.to == [address])
    return re.search(pattern, body).group(0)


def test_invite_by_csv_sign_up_through_the_link_message_and_check_in_on_a_phone(
    live_server, browser, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    organiser = UserFactory(display_name="Oscar Organiser", roles=[Role.ORGANISER], mfa=True)
    starts = timezone.now() + timedelta(minutes=30)  # check-in opens an hour before
    session = EngagementSessionFactory(
        title="Legal round table",
        access=SessionAccess.INVITATION,
        capacity=10,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_closes_at=starts - timedelta(minutes=5),
    )

    # The organiser invites two people with a CSV.
    desk = browser.new_context()
    organiser_page = desk.new_page()
    sign_in(organiser_page, base, organiser)
    organiser_page.goto(f"{base}/organise/sessions/{session.pk}/")
    organiser_page.get_by_test_id("invitations-link").click()
    invitees = tmp_path / "invitees.csv"
    invitees.write_bytes(
        b"email,name,organisation\r\nnur@example.org,Nur Aisyah,Legal Aid\r\n"
        b"ravi@example.org,Ravi,Law Society\r\n"
    )
    organiser_page.locator("#id_file").set_input_files(str(invitees))
    organiser_page.get_by_role("button", name="Upload and invite").click()
    expect(organiser_page.get_by_test_id("invitation-report")).to_contain_text(
        "2 invitations added."
    )
    assert {m.to[0] for m in mail.outbox} == {"nur@example.org", "ravi@example.org"}

    # Nur has no account: the link leads to sign up, and back to the invitation after.
    link = _link_in_email_to("nur@example.org", r"https?://\S+/sessions/invitation/\S+/")
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name=re.compile("Legal round table"))).to_be_visible()
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("nur@example.org")
    page.get_by_label("Display name").fill("Nur Aisyah")
    page.get_by_label("Which best describes you?").select_option("ihl_student")
    page.get_by_label("I am 18 or older").check()
    page.get_by_label("I have read the privacy notice").check()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up", exact=True).click()
    page.wait_for_url("**/accounts/confirm-email/")
    confirm = _link_in_email_to("nur@example.org", r"https?://\S+/accounts/confirm-email/\S+")
    page.goto(confirm)
    page.get_by_role("button", name="Confirm my email address").click()
    page.get_by_label("Email").fill("nur@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r".*/sessions/invitation/\S+/$"))
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Your seat is confirmed.").first).to_be_visible()
    registration = Registration.objects.get(session=session, participant__email="nur@example.org")
    assert registration.is_confirmed

    # Her code is in My sessions, printed and as a QR code.
    page.goto(f"{base}/sessions/mine/")
    code_box = page.get_by_test_id("check-in-code")
    expect(code_box.locator("svg")).to_have_count(1)
    printed = code_box.locator(".font-monospace").inner_text()
    assert printed.replace(" ", "").replace("-", "") == registration.check_in_code

    # The organiser messages the people with a seat.
    organiser_page.goto(f"{base}/organise/sessions/{session.pk}/")
    organiser_page.get_by_role("link", name="Message this session").click()
    organiser_page.get_by_label(re.compile(r"People with a confirmed seat")).check()
    organiser_page.locator("#id_subject").fill("Room change")
    organiser_page.locator("#id_body").fill("We have moved to Room 4, level 2.")
    organiser_page.get_by_role("button", name="Preview the email").click()
    organiser_page.get_by_role("button", name=re.compile(r"^Send to 1 ")).click()
    expect(organiser_page.get_by_test_id("session-message")).to_contain_text("Room change")
    assert SessionMessage.objects.get(session=session).recipient_count == 1
    message = next(m for m in mail.outbox if m.subject.endswith(": Room change"))
    assert message.to == ["nur@example.org"] and "Room 4, level 2" in message.body

    # At the door, on the organiser's phone: the code she reads out, her name, confirm.
    at_door = organiser_page
    at_door.set_viewport_size(PHONE)
    at_door.goto(f"{base}/organise/sessions/{session.pk}/")
    at_door.get_by_role("link", name="Check in at the door").click()
    at_door.get_by_label("Check-in code").fill(printed.lower())
    at_door.get_by_role("button", name="Find").click()
    expect(at_door.get_by_test_id("check-in-name")).to_have_text("Nur Aisyah")
    at_door.get_by_role("button", name="Confirm check-in").click()
    expect(at_door.get_by_role("status").first).to_contain_text("Nur Aisyah is checked in.")
    registration.refresh_from_db()
    assert registration.attended and registration.checked_in_at is not None
    desk.close()
    phone.close()
