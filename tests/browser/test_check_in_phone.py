"""Check-in at the door on a phone (issue 16, item 4), in Chromium at 390 px: the organiser
types a code as people read it out (lower case, a space), sees the person's name, confirms,
sees the count move, and undoes it; a code typed twice says when; a QR code read by the
camera (where the browser has BarcodeDetector) does the typing; without script the two
steps still work."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from accounts.roles import Role
from engagement.models import Registration, RegistrationStatus
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

PAGE_SCROLLS_SIDEWAYS = (
    "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
)

# Every control on the check-in page at least 24 by 24 CSS pixels (WCAG 2.2, 2.5.8).
SMALL_TARGETS = """() => [...document.querySelectorAll(
  '.check-in button:not([hidden]), .check-in a.btn, .check-in input:not([type=hidden])'
)].filter((el) => el.offsetParent !== null).map((el) => {
  const box = el.getBoundingClientRect();
  return {text: el.textContent.trim() || el.name, width: box.width, height: box.height};
}).filter((box) => box.width < 24 || box.height < 24)"""

# A camera and a QR reader for a browser that has neither: the detector "reads" the code
# from the first frame, as a phone's would.
FAKE_SCANNER = """(code) => {
  window.BarcodeDetector = class {
    constructor(options) { this.options = options; }
    detect() { return Promise.resolve([{ rawValue: code, format: "qr_code" }]); }
  };
  navigator.mediaDevices.getUserMedia = () => {
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 64;
    canvas.getContext("2d").fillRect(0, 0, 64, 64);
    return Promise.resolve(canvas.captureStream(5));
  };
}"""


def _door(*names):
    session = EngagementSessionFactory(
        title="Evening conversation at the library",
        starts_at=timezone.now() + timedelta(minutes=20),
        registration_opens_at=timezone.now() - timedelta(days=3),
        registration_closes_at=timezone.now() - timedelta(minutes=5),
    )
    people = [
        RegistrationFactory(session=session, participant=UserFactory(display_name=name))
        for name in names
    ]
    return session, people


def _typed(code: str) -> str:
    return f"{code[:4].lower()} {code[4:].lower()}"


def test_typing_a_code_shows_the_name_then_confirm_and_undo_on_a_phone(live_server, browser):
    organiser = UserFactory(roles=[Role.ORGANISER], mfa=True)
    session, (mei, _other) = _door("Mei Ling Tan", "Arjun Pillai")
    waiting = RegistrationFactory(
        session=session,
        participant=UserFactory(display_name="Wai Ting"),
        status=RegistrationStatus.WAITLISTED,
    )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, organiser)
    page.goto(f"{live_server.url}/organise/sessions/{session.pk}/")
    page.get_by_role("link", name="Check in at the door").click()
    expect(page.get_by_role("heading", name="Check people in")).to_be_visible()
    expect(page.get_by_test_id("check-in-count")).to_have_text("0 of 2 confirmed people checked in")
    # Headless Chromium on Linux has no BarcodeDetector: no "Scan" button, typing only.
    has_scanner = page.evaluate(
        "() => 'BarcodeDetector' in window && !!(navigator.mediaDevices"
        " && navigator.mediaDevices.getUserMedia)"
    )
    expect(page.get_by_role("button", name="Scan a QR code")).to_have_count(1 if has_scanner else 0)
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    assert page.evaluate(SMALL_TARGETS) == []
    assert_no_serious_axe_violations(page)

    # Step 1: the code as it was read out. Nothing is written yet.
    field = page.get_by_label("Check-in code")
    expect(field).to_be_focused()  # ready for the next person without a tap
    field.fill(_typed(mei.check_in_code))
    page.get_by_role("button", name="Find").click()
    found = page.get_by_test_id("check-in-found")
    expect(found.get_by_test_id("check-in-name")).to_have_text("Mei Ling Tan")
    expect(found).not_to_contain_text("@")
    mei.refresh_from_db()
    assert mei.checked_in_at is None
    assert page.evaluate(SMALL_TARGETS) == []
    assert_no_serious_axe_violations(page)

    # Step 2: confirm. Back to an empty field, the count moved, the undo offered.
    page.get_by_role("button", name="Confirm check-in").click()
    expect(page.get_by_role("status").first).to_contain_text("Mei Ling Tan is checked in.")
    expect(page.get_by_test_id("check-in-count")).to_have_text("1 of 2 confirmed people checked in")
    expect(page.get_by_test_id("check-in-last")).to_contain_text("Mei Ling Tan, at")
    expect(page.get_by_label("Check-in code")).to_have_value("")
    mei.refresh_from_db()
    assert mei.attended is True and mei.checked_in_at is not None
    at = date_format(timezone.localtime(mei.checked_in_at), "g:i A")

    # The same code again: said plainly, with the time, not as an error.
    page.get_by_label("Check-in code").fill(mei.check_in_code)
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_test_id("check-in-found")).to_contain_text(f"Already checked in at {at}.")
    expect(page.get_by_text("There is a problem")).to_have_count(0)

    # Undo (a wrong person confirmed): neither attended nor checked in.
    page.get_by_role("button", name=re.compile("^Undo check-in")).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Check-in undone: Mei Ling Tan is not checked in."
    )
    expect(page.get_by_test_id("check-in-count")).to_have_text("0 of 2 confirmed people checked in")
    mei.refresh_from_db()
    assert (mei.attended, mei.checked_in_at) == (False, None)

    # A code on the waiting list, and a mistyped one: a message by the field, nothing done.
    for typed, message in (
        (waiting.check_in_code, "is on the waiting list"),
        ("abcd 0O1I", "except I, L and O"),
    ):
        page.get_by_label("Check-in code").fill(typed)
        page.get_by_role("button", name="Find").click()
        summary = page.locator("[data-error-summary]")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text(message)
        expect(page).to_have_title(re.compile("^Error: "))
        assert_no_serious_axe_violations(page)
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()
    context.close()


def test_a_scanned_qr_code_finds_the_person(live_server, browser):
    organiser = UserFactory(roles=[Role.ORGANISER], mfa=True)
    session, (arjun,) = _door("Arjun Pillai")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, organiser)
    page.add_init_script(f"({FAKE_SCANNER})({arjun.check_in_code!r})")
    page.goto(f"{live_server.url}/organise/sessions/{session.pk}/check-in/")
    scan = page.get_by_role("button", name="Scan a QR code")
    expect(scan).to_be_visible()
    scan.click()
    expect(page.get_by_test_id("check-in-name")).to_have_text("Arjun Pillai")
    page.get_by_role("button", name="Confirm check-in").click()
    expect(page.get_by_test_id("check-in-count")).to_have_text("1 of 1 confirmed person checked in")
    arjun.refresh_from_db()
    assert arjun.attended is True
    context.close()


def test_check_in_works_without_javascript(live_server, browser):
    organiser = UserFactory(roles=[Role.ORGANISER], mfa=True)
    session, (mei,) = _door("Mei Ling Tan")
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, organiser)
    page.goto(f"{live_server.url}/organise/sessions/{session.pk}/check-in/")
    expect(page.get_by_role("button", name="Scan a QR code")).to_be_hidden()
    page.get_by_label("Check-in code").fill(f"{mei.check_in_code[:4]}-{mei.check_in_code[4:]}")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_test_id("check-in-name")).to_have_text("Mei Ling Tan")
    page.get_by_role("button", name="Confirm check-in").click()
    expect(page.get_by_test_id("check-in-last")).to_contain_text("Mei Ling Tan")
    page.get_by_role("button", name=re.compile("^Undo check-in")).click()
    expect(page.get_by_test_id("check-in-count")).to_have_text("0 of 1 confirmed person checked in")
    mei.refresh_from_db()
    assert mei.checked_in_at is None
    context.close()
