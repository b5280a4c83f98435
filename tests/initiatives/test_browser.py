"""Chromium end to end: an idea from submission (with the privacy warning) through a request
for changes, resubmission and approval, to support, a comment, a merge into an initiative and
a co-creator joining it. axe-core checks the form, the queue, the board and the idea page."""

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from initiatives.models import CoCreator, Idea, IdeaStatus
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import IdeaFactory, InitiativeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_idea_journey_from_submission_to_initiative(live_server, page, new_context):
    base = live_server.url
    author = UserFactory(display_name="Mei Ling Browser")
    supporter = UserFactory(display_name="Nur Browser")
    organiser = UserFactory(display_name="Farah Browser", roles=[Role.ORGANISER], mfa=True)
    earlier = IdeaFactory(status=IdeaStatus.APPROVED, title="Helplines in gaming chats")

    # The author writes an idea with a phone number in it and is warned.
    sign_in(page, base, author)
    page.goto(f"{base}/ideas/new/")
    assert_no_serious_axe_violations(page)
    page.get_by_label("Title").fill("Privacy guides for parents")
    body = "Guides per app in four languages. Call me on 9123 4567 to help."
    page.get_by_label("Your idea").fill(body)
    page.get_by_label("Which harm does it address?").select_option(label="Doxxing")
    page.get_by_label("Solution area").select_option(label="Public education")
    page.get_by_role("button", name="Submit for review").click()
    warning = page.locator("#div_id_body .invalid-feedback")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Your idea seems to include a phone number")
    assert_no_serious_axe_violations(page)
    assert not Idea.objects.filter(title="Privacy guides for parents").exists()
    page.get_by_label("Your idea").fill("Guides per app in four languages.")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url("**/ideas/mine/")
    expect(page.get_by_text("Waiting for review")).to_be_visible()
    idea = Idea.objects.get(title="Privacy guides for parents")

    # The organiser asks for changes from the queue.
    organiser_page = new_context().new_page()
    sign_in(organiser_page, base, organiser)
    organiser_page.goto(f"{base}/moderation/")
    assert_no_serious_axe_violations(organiser_page)
    organiser_page.get_by_role("link", name="Privacy guides for parents").click()
    organiser_page.get_by_label("Request changes").check()
    organiser_page.get_by_label("Reason or note to the author").fill("Which apps first?")
    organiser_page.get_by_role("button", name="Save decision").click()
    organiser_page.wait_for_url("**/moderation/")

    # The author sees the note, edits and resubmits.
    page.goto(f"{base}/ideas/mine/")
    expect(page.get_by_text("Which apps first?")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Edit")).click()
    page.get_by_label("Your idea").fill("Guides for the five apps teens use most.")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url("**/ideas/mine/")
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED

    # The organiser approves it.
    organiser_page.goto(f"{base}/moderation/ideas/{idea.pk}/")
    organiser_page.get_by_label("Approve and publish").check()
    organiser_page.get_by_role("button", name="Save decision").click()
    organiser_page.wait_for_url("**/moderation/")
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.APPROVED

    # Another participant finds it on the board, supports it and comments.
    supporter_page = new_context().new_page()
    sign_in(supporter_page, base, supporter)
    supporter_page.goto(f"{base}/ideas/")
    assert_no_serious_axe_violations(supporter_page)
    supporter_page.get_by_role("link", name="Privacy guides for parents").click()
    assert_no_serious_axe_violations(supporter_page)
    supporter_page.get_by_role("button", name="Support this idea").click()
    expect(supporter_page.get_by_text("1 supporter", exact=True)).to_be_visible()
    supporter_page.get_by_label("Your comment").fill("Happy to help translate.")
    supporter_page.get_by_role("button", name="Post comment").click()
    expect(supporter_page.get_by_text("Happy to help translate.")).to_be_visible()

    # The organiser merges the two ideas into an initiative.
    organiser_page.goto(f"{base}/initiatives/new/")
    organiser_page.get_by_label("Title").fill("Parents Know How")
    organiser_page.get_by_label("Summary").fill("Guides and helplines for families.")
    organiser_page.get_by_label("Description").fill("Two ideas, one programme.")
    organiser_page.get_by_label("Solution area").select_option(label="Public education")
    organiser_page.get_by_label("Doxxing").check()
    organiser_page.get_by_label(re.compile("Privacy guides for parents")).check()
    organiser_page.get_by_label(re.compile("Helplines in gaming chats")).check()
    organiser_page.get_by_role("button", name="Create initiative").click()
    organiser_page.wait_for_url("**/initiatives/parents-know-how/")
    idea.refresh_from_db()
    earlier.refresh_from_db()
    assert idea.status == earlier.status == IdeaStatus.MERGED

    # A participant joins it as a co-creator.
    supporter_page.goto(f"{base}/initiatives/parents-know-how/")
    supporter_page.get_by_label("Subject expert").check()
    supporter_page.get_by_label("Your pledge (optional)").fill("Review the guides")
    supporter_page.get_by_role("button", name="Join as a co-creator").click()
    expect(supporter_page.get_by_text("Review the guides")).to_be_visible()
    assert CoCreator.objects.get().user == supporter


def test_queue_and_moderation_page_fit_a_phone_and_pass_axe(live_server, new_context):
    """On a 390 px phone the queue table scrolls in its own focusable box, not the page; the
    redact form's fields have their own labels."""
    base = live_server.url
    organiser = UserFactory(display_name="Farah Phone", roles=[Role.ORGANISER], mfa=True)
    idea = IdeaFactory(
        status=IdeaStatus.SUBMITTED,
        title="Consent lessons with a rather long title for a narrow screen",
        personal_data_kinds=["phone"],
        has_content_warning=True,
    )
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, base, organiser)
    page.goto(f"{base}/moderation/")
    region = page.get_by_role("region", name="Ideas waiting for review", exact=True)
    expect(region).to_be_visible()
    assert region.get_attribute("tabindex") == "0"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_serious_axe_violations(page)

    page.goto(f"{base}/moderation/ideas/{idea.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_label("Why (kept in the log)")).to_have_attribute("name", "redact-reason")
    expect(page.get_by_label("Reason or note to the author")).to_have_attribute("name", "reason")
    assert_no_serious_axe_violations(page)


def test_join_without_a_role_keeps_the_pledge_and_marks_the_radios(live_server, page):
    base = live_server.url
    InitiativeFactory(slug="phone-help", title="Phone help")
    sign_in(page, base, UserFactory(display_name="Pat Joiner"))
    page.goto(f"{base}/initiatives/phone-help/")
    page.get_by_label("Your pledge (optional)").fill("Translate the leaflets")
    page.get_by_role("button", name="Join as a co-creator").click()
    expect(
        page.locator(".invalid-feedback").get_by_text("Choose how you will help.")
    ).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.get_by_label("Your pledge (optional)")).to_have_value("Translate the leaflets")
    expect(page.get_by_label("Subject expert")).to_have_class(re.compile(r"\bis-invalid\b"))
    assert_no_serious_axe_violations(page)
    assert not CoCreator.objects.exists()
