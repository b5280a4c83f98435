"""The site in Chinese and Tamil in Chromium (issue 14, "Tests that must exist"): axe-core
finds no violation on the home, session, idea form and sign-up pages; Tamil (long words,
tall letters) reflows at 320 px, and so does every language; the switcher works by keyboard
without script. Needs the translated catalogues (locale/{zh_Hans,ms,ta})."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect

from initiatives.models import IdeaStatus
from tests.browser.test_axe_crawl import AXE_RUN, WCAG_TAGS
from tests.browser.test_layout import OVERFLOWING
from tests.browser_support import sign_in
from tests.factories import EngagementSessionFactory, IdeaFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 800}
PAGE_SCROLLS_SIDEWAYS = (
    "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
)


def _context(browser, live_server, language, **kwargs):
    context = browser.new_context(**kwargs)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"}]
    )
    return context


@pytest.mark.parametrize("language", ["zh-hans", "ta"])
def test_no_axe_violation_in_chinese_and_tamil(live_server, browser, language):
    session = EngagementSessionFactory()
    participant = UserFactory(preferred_language=language)
    problems = []
    for viewport in (PHONE, DESKTOP):
        context = _context(browser, live_server, language, viewport=viewport)
        context.add_init_script(script=Axe().axe_script)
        page = context.new_page()
        for path in ["/", session.get_absolute_url(), "/accounts/signup/"]:
            page.goto(live_server.url + path)
            assert page.locator("html").get_attribute("lang") == language
            problems += [
                f"{path}: {v['id']} {v['help']}" for v in page.evaluate(AXE_RUN, WCAG_TAGS)
            ]
        sign_in(page, live_server.url, participant)
        page.goto(live_server.url + "/ideas/new/")
        assert page.locator("html").get_attribute("lang") == language
        problems += [f"idea form: {v['id']} {v['help']}" for v in page.evaluate(AXE_RUN, WCAG_TAGS)]
        # The switcher open, over the page.
        page.locator(".lang-switch__summary").click()
        problems += [f"switcher: {v['id']} {v['help']}" for v in page.evaluate(AXE_RUN, WCAG_TAGS)]
        context.close()
    assert problems == []


def test_tamil_pages_reflow_on_a_320_pixel_screen(live_server, browser):
    session = EngagementSessionFactory()
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    participant = UserFactory(preferred_language="ta")
    context = _context(browser, live_server, "ta", viewport=PHONE)
    page = context.new_page()
    public = [
        "/",
        "/sessions/",
        session.get_absolute_url(),
        "/ideas/",
        idea.get_absolute_url(),
        "/initiatives/",
        "/harms/",
        "/support/",
        "/privacy/",
        "/accessibility/",
        "/accounts/signup/",
        "/accounts/login/",
        "/accounts/password/reset/",
    ]
    for path in public:
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "ta"
        assert page.evaluate(OVERFLOWING) == [], path
        assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS), path
    # Tamil text is set with more room between lines.
    line_height = page.evaluate(
        "() => parseFloat(getComputedStyle(document.body).lineHeight) / "
        "parseFloat(getComputedStyle(document.body).fontSize)"
    )
    assert line_height >= 1.75
    sign_in(page, live_server.url, participant)
    for path in ["/ideas/new/", "/accounts/profile/", "/sessions/mine/", "/feedback/new/"]:
        page.goto(live_server.url + path)
        assert page.evaluate(OVERFLOWING) == [], path
    # The switcher's list, open, fits the screen too.
    page.locator(".lang-switch__summary").click()
    assert page.evaluate(OVERFLOWING) == []
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans", "ms"])
def test_other_languages_reflow_on_a_320_pixel_screen(live_server, browser, language):
    session = EngagementSessionFactory()
    context = _context(browser, live_server, language, viewport=PHONE)
    page = context.new_page()
    for path in ["/", session.get_absolute_url(), "/ideas/", "/accounts/signup/"]:
        page.goto(live_server.url + path)
        assert page.evaluate(OVERFLOWING) == [], path
    page.locator(".lang-switch__summary").click()
    assert page.evaluate(OVERFLOWING) == []
    context.close()


def test_switcher_works_by_keyboard_without_script(live_server, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/sessions/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".lang-switch__summary").focus()
    page.keyboard.press("Enter")
    # English is the page's language (marked, not a button): Tab reaches 简体中文 first.
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent, document.activeElement.lang]"
    )
    assert focused == ["简体中文", "zh-hans"]
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.lang") == "ta"
    # The form posts and comes back to /sessions/, the URL it left: wait for the new page's
    # language, not for the URL (which already matches before the round trip).
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "ta")
    assert page.url == live_server.url + "/sessions/"
    context.close()
