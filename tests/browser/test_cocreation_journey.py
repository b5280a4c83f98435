"""Issue 17, drafting together, end to end in Chromium: two co-creators open the same section
of an initiative's working draft in two browser contexts (one on a phone), both edit it; the
second to save is told of the conflict with both texts shown, merges them and saves; the
organiser publishes that version and the initiative page shows it; a person who followed the
initiative from its page gets the day's email about the new version, with its one-click
unsubscribe header."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.roles import Role
from initiatives import services
from initiatives.models import DraftVersion
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import CoCreatorFactory, DraftVersionFactory, InitiativeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _open_section(page, base: str, slug: str, label: str) -> None:
    page.goto(f"{base}/initiatives/{slug}/draft/")
    page.get_by_text(f"Edit “{label}”").click()
    # The pointer leaves the button it opened, so axe reads its resting colours.
    page.mouse.move(0, 0)


def publish_journey(browser, base, organiser, initiative) -> None:
    """The organiser publishes the latest version from the history; the public page shows
    it. (Kept apart so the lead can add the follower's email after it.)"""
    desk = browser.new_context()
    page = desk.new_page()
    sign_in(page, base, organiser)
    page.goto(f"{base}/initiatives/{initiative.slug}/draft/history/")
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Publish version 3").click()
    expect(page.get_by_text("Version 3 is now the initiative's public text.")).to_be_visible()
    desk.close()

    public = browser.new_context(viewport=PHONE).new_page()
    public.goto(f"{base}/initiatives/{initiative.slug}/")
    published = public.locator("[data-published-text]")
    expect(published).to_contain_text("Version 3, published on")
    expect(published.locator("strong")).to_have_text("Lessons in four languages")
    expect(published).to_contain_text("Pilot in two schools")
    assert_no_serious_axe_violations(public)


def test_two_co_creators_edit_one_section_one_merges_the_conflict_the_organiser_publishes(
    live_server, browser, settings
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    organiser = UserFactory(display_name="Oscar Organiser", roles=[Role.ORGANISER], mfa=True)
    initiative = InitiativeFactory(title="Safer Campuses", leads=[organiser])
    aisha = CoCreatorFactory(initiative=initiative, user=UserFactory(display_name="Aisha")).user
    wei = CoCreatorFactory(initiative=initiative, user=UserFactory(display_name="Wei")).user
    DraftVersionFactory(initiative=initiative, author=aisha, proposal="Workshops in schools.")
    follower = UserFactory(display_name="Farah Follower")
    watching = browser.new_context(viewport=PHONE).new_page()
    sign_in(watching, base, follower)
    watching.goto(f"{base}{initiative.get_absolute_url()}")
    watching.get_by_role("button", name="Follow", exact=True).click()
    expect(watching.get_by_role("button", name="Unfollow")).to_be_visible()

    first = browser.new_context().new_page()
    second = browser.new_context(viewport=PHONE).new_page()
    sign_in(first, base, aisha)
    sign_in(second, base, wei)
    # Both open "What we propose" on version 1.
    _open_section(first, base, initiative.slug, "What we propose")
    _open_section(second, base, initiative.slug, "What we propose")
    assert_no_serious_axe_violations(second)

    first.locator("#id_proposal").fill("**Lessons in four languages** in schools.")
    first.get_by_role("button", name="Save a new version").first.click()
    expect(first.get_by_text("Saved as version 2 of the draft.")).to_be_visible()

    second.locator("#id_proposal").fill("Workshops in schools.\n\nPilot in two schools.")
    second.locator("#section-proposal").get_by_role("button", name="Save a new version").click()
    conflict = second.locator("[data-conflict=proposal]")
    expect(conflict).to_be_visible()
    expect(second.get_by_text("Someone saved version 2 while you were editing")).to_be_visible()
    expect(conflict.locator("[data-theirs]")).to_have_text(
        "**Lessons in four languages** in schools."
    )
    expect(conflict.locator("[data-yours]")).to_contain_text("Pilot in two schools.")
    expect(conflict.locator("ins").first).to_contain_text("Added:")
    assert_no_serious_axe_violations(second)
    # Wei's text is still in the box: merged with Aisha's, saved on version 2.
    expect(second.locator("#id_proposal")).to_have_value(
        re.compile("Pilot in two schools", re.MULTILINE)
    )
    second.locator("#id_proposal").fill(
        "**Lessons in four languages** in schools.\n\nPilot in two schools."
    )
    second.locator("#section-proposal").get_by_role("button", name="Save a new version").click()
    expect(second.get_by_text("Saved as version 3 of the draft.")).to_be_visible()
    assert DraftVersion.objects.filter(initiative=initiative).count() == 3

    publish_journey(browser, base, organiser, initiative)

    # The follower hears of the published version once, in the day's email.
    mail.outbox.clear()
    assert services.follow_digests_queue() == 1
    assert services.follow_digests_queue() == 0
    (email,) = [m for m in mail.outbox if m.to == [follower.email]]
    assert "Safer Campuses" in email.body
    assert "A new version of the initiative's text was published" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.extra_headers["List-Unsubscribe"].startswith(f"<{base}/following/unsubscribe/")
