"""The admin's language tabs (issue 14, item 3) in Chromium: one tab per language, the arrow
keys, Home and End move between them as the ARIA tabs pattern says, every language is saved
although three are hidden, a language with errors opens first and says so, and axe-core finds
nothing on the tabbed form. Without script, the same form shows every language
(tests/harms/test_content_languages.py)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from harms.models import HarmCategory
from tests.browser_support import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_change_form(browser, live_server, category):
    superuser = UserFactory(is_staff=True, is_superuser=True, mfa=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, superuser)
    page.goto(f"{live_server.url}/admin/harms/harmcategory/{category.pk}/change/")
    return context, page


def test_language_tabs_work_by_keyboard_and_save_every_language(live_server, browser):
    category = HarmCategory.objects.get(slug="cyberstalking")
    context, page = open_change_form(browser, live_server, category)
    tabs = page.get_by_role("tab")
    expect(tabs).to_have_count(4)
    expect(page.get_by_role("tablist")).to_have_attribute("aria-label", "Languages")
    expect(tabs.nth(0)).to_have_attribute("aria-selected", "true")
    expect(page.locator("#id_name_en")).to_be_visible()
    expect(page.locator("#id_name_zh_hans")).to_be_hidden()
    expect(tabs.nth(1)).to_have_text("简体中文")
    expect(tabs.nth(1).locator("span")).to_have_attribute("lang", "zh-hans")

    tabs.nth(0).focus()
    page.keyboard.press("ArrowRight")
    expect(tabs.nth(1)).to_be_focused()
    expect(tabs.nth(1)).to_have_attribute("aria-selected", "true")
    expect(tabs.nth(0)).to_have_attribute("tabindex", "-1")
    expect(page.locator("#id_name_zh_hans")).to_be_visible()
    expect(page.locator("#id_name_en")).to_be_hidden()
    page.keyboard.press("End")
    expect(tabs.nth(3)).to_be_focused()
    page.keyboard.press("ArrowRight")  # wraps round
    expect(tabs.nth(0)).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(tabs.nth(3)).to_be_focused()
    expect(page.locator("#id_name_ta")).to_be_visible()
    # Tab moves from the tab into its panel.
    page.keyboard.press("Tab")
    expect(page.locator("#id_name_ta")).to_be_focused()
    page.locator("#id_name_ta").fill("இணையவழிப் பின்தொடர்தல் (புதியது)")
    page.keyboard.press("Home")  # in a text box, Home stays a text box's key
    expect(page.locator("#id_name_ta")).to_be_focused()

    tabs.nth(2).click()
    page.locator("#id_name_ms").fill("Penghendapan siber (baharu)")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    category.refresh_from_db()
    assert category.name_ta == "இணையவழிப் பின்தொடர்தல் (புதியது)"
    assert category.name_ms == "Penghendapan siber (baharu)"
    assert category.name_en == "Cyberstalking"
    context.close()


def test_the_language_with_an_error_opens_first_and_its_tab_says_so(live_server, browser):
    category = HarmCategory.objects.get(slug="cyberstalking")
    context, page = open_change_form(browser, live_server, category)
    page.locator("#id_name_en").fill("")
    page.get_by_role("tab").nth(3).click()
    page.locator("input[name=_continue]").click()
    tabs = page.get_by_role("tab")
    expect(tabs.nth(0)).to_have_attribute("aria-selected", "true")
    expect(tabs.nth(0)).to_contain_text("(has errors)")
    expect(tabs.nth(1)).not_to_contain_text("errors")
    expect(page.locator("#id_name_en")).to_be_visible()
    category.refresh_from_db()
    assert category.name_en == "Cyberstalking"

    problems = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
    assert [v["id"] for v in problems] == []
    context.close()


def test_tabbed_form_has_no_axe_findings(live_server, browser):
    category = HarmCategory.objects.get(slug="doxxing")
    context, page = open_change_form(browser, live_server, category)
    expect(page.get_by_role("tab")).to_have_count(4)
    problems = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
    assert [f"{v['id']}: {v['help']}" for v in problems] == []
    page.get_by_role("tab").nth(3).click()
    problems = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
    assert [f"{v['id']}: {v['help']}" for v in problems] == []
    context.close()
