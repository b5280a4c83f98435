"""Chromium: after a failed submit focus is on the error summary (GOV.UK), its links move to
the fields, and questions that apply only after another answer appear with it (and are all
there without JavaScript)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUMMARY = "[data-error-summary]"


def _focused_is_summary(page) -> bool:
    return page.evaluate("document.activeElement.hasAttribute('data-error-summary')")


def test_empty_sign_up_lands_on_the_error_summary(live_server, page):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_role("button", name=re.compile("sign up", re.IGNORECASE)).click()
    page.wait_for_selector(SUMMARY)
    assert _focused_is_summary(page)
    assert page.title().startswith("Error: ")
    summary = page.locator(SUMMARY)
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    # Focus at the top of the page, not 2,000 px down at the first field.
    assert summary.bounding_box()["y"] < page.viewport_size["height"]
    assert_no_serious_axe_violations(page)

    # A link moves to its field and shows the field's question with it.
    summary.get_by_role("link", name=re.compile("privacy notice")).click()
    assert page.evaluate("document.activeElement.id") == "id_pdpa_consent"
    expect(page.locator("label[for=id_pdpa_consent]")).to_be_in_viewport()


def test_enter_in_the_idea_title_submits_and_keeps_what_was_typed(live_server, page):
    author = UserFactory()
    sign_in(page, live_server.url, author)
    page.goto(f"{live_server.url}/ideas/new/")
    page.get_by_label("Your idea").fill("Workshops in every secondary school.")
    title = page.get_by_label("Title")
    title.fill("School workshops")
    title.press("Enter")
    page.wait_for_selector(SUMMARY)
    assert _focused_is_summary(page)
    assert page.title().startswith("Error: ")
    summary = page.locator(SUMMARY)
    expect(summary.get_by_role("link", name="Choose the harm your idea addresses.")).to_be_visible()
    expect(summary.get_by_role("link", name="Choose a solution area.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("School workshops")
    expect(page.get_by_label("Your idea")).to_have_value("Workshops in every secondary school.")
    assert_no_serious_axe_violations(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_harm_category"


def test_guardian_consent_appears_only_for_under_18(live_server, page):
    page.goto(f"{live_server.url}/accounts/signup/")
    consent = page.get_by_label("My parent or guardian has agreed to my taking part")
    expect(consent).to_be_hidden()
    page.get_by_label(re.compile("I am under 18")).check()
    expect(consent).to_be_visible()
    expect(page.get_by_text("Needed only if you are under 18.")).to_be_visible()
    under_18 = page.get_by_label(re.compile("I am under 18"))
    controlled = under_18.get_attribute("aria-controls")
    expect(page.locator(f"#{controlled} #id_guardian_consent")).to_have_count(1)
    page.get_by_label("I am 18 or older").check()
    expect(consent).to_be_hidden()

    # Under 18 and no consent: refused by the server, the box shown with its error.
    page.get_by_label(re.compile("I am under 18")).check()
    page.get_by_label("Email").fill("young@example.com")
    page.get_by_label("Display name").fill("Young")
    page.get_by_label("Which best describes you?").select_option("ihl_student")
    page.get_by_label("I have read the privacy notice").check()
    page.locator("#id_password1").fill("teh-tarik-kosong-77")
    page.locator("#id_password2").fill("teh-tarik-kosong-77")
    page.get_by_role("button", name=re.compile("sign up", re.IGNORECASE)).click()
    page.wait_for_selector(SUMMARY)
    assert _focused_is_summary(page)
    expect(page.get_by_label("My parent or guardian has agreed to my taking part")).to_be_visible()


def test_without_javascript_every_question_is_shown(live_server, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    expect(page.get_by_label("My parent or guardian has agreed to my taking part")).to_be_visible()
    expect(page.get_by_text("Needed only if you are under 18.")).to_be_visible()


def test_content_warning_text_appears_once_its_box_is_ticked(live_server, page):
    author = UserFactory()
    sign_in(page, live_server.url, author)
    page.goto(f"{live_server.url}/ideas/new/")
    note = page.get_by_label("Content warning (what readers should know first)")
    expect(note).to_be_hidden()
    page.get_by_label("My idea describes abuse and should carry a content warning").check()
    expect(note).to_be_visible()
    note.fill("Describes grooming")
    page.get_by_label("My idea describes abuse and should carry a content warning").uncheck()
    expect(note).to_be_hidden()


def test_personal_detail_is_named_beside_its_field_and_the_summary_links_there(live_server, page):
    author = UserFactory()
    sign_in(page, live_server.url, author)
    page.goto(f"{live_server.url}/feedback/new/")
    page.locator("#id_harm_categories_0").check()
    page.locator("#id_suggestion_regulation").fill("Fine them; call me on 9123 4567.")
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_selector(SUMMARY)
    assert _focused_is_summary(page)
    message = "Your suggestion on regulation seems to include a phone number (“9123 4567”)."
    field = page.locator("#div_id_suggestion_regulation")
    expect(field.get_by_text(re.compile(re.escape(message)))).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.locator(SUMMARY).get_by_role("link", name=re.compile(re.escape(message))).click()
    assert page.evaluate("document.activeElement.id") == "id_suggestion_regulation"
    # Support is beside the content warning, on this page, not 2,000 px below it.
    link = page.locator("#experience-warning").get_by_role("link", name="Need to talk to someone?")
    expect(link).to_be_visible()
    assert link.get_attribute("href") == "#support-heading"
