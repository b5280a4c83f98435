"""The organiser's roster on a phone (issue 12 item 5), in Chromium at 390 px: a list of
cards with the attendance button in reach, a name search that works without script, and
"Mark attended" and its undo that come back to the same card instead of the top."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from engagement.models import EngagementSession, Registration, RegistrationStatus
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

CARD_LAYOUT = """() => [...document.querySelectorAll('[data-testid=roster-row]')].map((row) => {
  const button = row.querySelector('button');
  const box = button ? button.getBoundingClientRect() : null;
  return {
    display: getComputedStyle(row).display,
    buttonInside: box ? box.left >= 0 && box.right <= document.documentElement.clientWidth : null,
  };
})"""

PAGE_SCROLLS_SIDEWAYS = (
    "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
)

IN_VIEW = """(id) => {
  const box = document.getElementById(id).getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def _ongoing_session_with(people: int) -> tuple[EngagementSession, list[Registration]]:
    session = EngagementSessionFactory(
        title="Tonight's conversation on scams",
        capacity=people,
        starts_at=timezone.now() - timedelta(minutes=15),
        ends_at=timezone.now() + timedelta(hours=1),
        registration_opens_at=timezone.now() - timedelta(days=5),
        registration_closes_at=timezone.now() - timedelta(hours=1),
    )
    registrations = [
        RegistrationFactory(
            session=session,
            participant=UserFactory(display_name=f"Guest {n:02d}"),
            status=RegistrationStatus.CONFIRMED,
            access_needs="Captions, please" if n == 1 else "",
        )
        for n in range(1, people + 1)
    ]
    EngagementSession.objects.filter(pk=session.pk).update(seats_taken=people)
    return session, registrations


def test_roster_on_a_phone_is_cards_with_search_and_mark_and_undo_keep_the_place(
    live_server, browser
):
    organiser = UserFactory(roles=[Role.ORGANISER], mfa=True)
    session, registrations = _ongoing_session_with(18)
    target = registrations[14]  # far down the page
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, organiser)
    roster = f"{live_server.url}/organise/sessions/{session.pk}/"
    page.goto(roster)

    # Cards: every row is a block, its button inside the screen, nothing scrolls sideways.
    layout = page.evaluate(CARD_LAYOUT)
    assert len(layout) == 18
    assert {row["display"] for row in layout} == {"block"}
    assert all(row["buttonInside"] for row in layout)
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    expect(page.get_by_test_id("roster-counts")).to_contain_text("Confirmed")
    expect(page.get_by_text("Captions, please")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # Mark one far down the list: the page comes back at that card, not at the top.
    card_id = f"registration-{target.pk}"
    card = page.locator(f"#{card_id}")
    card.get_by_role("button", name=re.compile("^Mark attended")).click()
    expect(page).to_have_url(re.compile(f"#{card_id}$"))
    expect(card.get_by_test_id("attended")).to_be_visible()
    # (Bootstrap scrolls smoothly: wait for the card to arrive in view.)
    page.wait_for_function(IN_VIEW, arg=card_id, timeout=5000)
    assert page.evaluate("() => window.scrollY") > 0
    target.refresh_from_db()
    assert target.attended is True

    # Undo, from the same card, comes back there too.
    card.get_by_role("button", name=re.compile("^Undo: mark absent")).click()
    expect(card.get_by_role("button", name=re.compile("^Mark attended"))).to_be_visible()
    page.wait_for_function(IN_VIEW, arg=card_id, timeout=5000)
    assert page.evaluate("() => window.scrollY") > 0
    target.refresh_from_db()
    assert target.attended is False

    # Search by name, then mark from the results: the search is kept.
    page.get_by_label("Search by name or email").fill("Guest 07")
    page.get_by_label("Search by name or email").press("Enter")
    expect(page.get_by_test_id("roster-row")).to_have_count(1)
    expect(page.get_by_test_id("roster-search-result")).to_contain_text("1 person matches")
    page.get_by_role("button", name=re.compile("^Mark attended")).click()
    expect(page).to_have_url(re.compile(r"[?&]q=Guest\+07.*#registration-\d+$"))
    expect(page.get_by_test_id("roster-row")).to_have_count(1)
    assert Registration.objects.get(participant__display_name="Guest 07").attended is True

    # The CSV asks what it is for first (prefilled), then downloads with the access needs.
    page.get_by_role("link", name="Export roster (CSV)").click()
    expect(page.get_by_label(re.compile("What is the roster for"))).to_have_value(
        re.compile(r"^to run the session on \d{1,2} \w+ \d{4}$")
    )
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the roster (CSV)").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "access_needs" in content.splitlines()[0]
    assert "Captions, please" in content
    context.close()


def test_search_works_without_javascript_on_a_phone(live_server, browser):
    organiser = UserFactory(roles=[Role.ORGANISER], mfa=True)
    session, _registrations = _ongoing_session_with(4)
    scriptless = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = scriptless.new_page()
    sign_in(page, live_server.url, organiser)
    page.goto(f"{live_server.url}/organise/sessions/{session.pk}/")
    page.get_by_label("Search by name or email").fill("Guest 03")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_test_id("roster-row")).to_have_count(1)
    expect(page.get_by_test_id("roster-row")).to_contain_text("Guest 03")
    scriptless.close()
