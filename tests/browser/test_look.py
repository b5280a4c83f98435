"""The Singapore Government look and the small things the outside walk found (issue 12, item
13): the masthead, breadcrumbs, lead paragraphs, the home page's first screen on a phone and
the "Report this idea" link."""

import pytest
from playwright.sync_api import expect

from initiatives.models import IdeaStatus
from tests.browser_support import sign_in
from tests.factories import EngagementSessionFactory, IdeaFactory, UserFactory

from .test_focus import contrast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

RGB = "(colour) => colour.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number)"


def test_the_masthead_says_whose_site_it_is_and_opens_without_script(live_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/")
    banner = page.get_by_role("banner")
    expect(banner.get_by_text("A Singapore Government Agency Website")).to_be_visible()
    expect(banner.get_by_text("Official website links end with .gov.sg")).to_be_hidden()
    banner.get_by_text("How to identify").click()
    expect(banner.get_by_text("Official website links end with .gov.sg")).to_be_visible()
    expect(banner.get_by_text("Secure websites use HTTPS")).to_be_visible()
    context.close()


def test_the_exit_stays_in_view_as_a_long_page_scrolls(live_server, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.mouse.wheel(0, 3000)
    page.wait_for_function("window.scrollY > 1000")
    exit_box = page.get_by_role("link", name="Leave this site quickly").bounding_box()
    assert 0 <= exit_box["y"] < 100
    context.close()


def test_a_breadcrumb_never_starts_a_line_with_its_separator(live_server, browser):
    """At 320 px a long title wraps under "Ideas": the "/" stays at the end of "Ideas"."""
    idea = IdeaFactory(
        status=IdeaStatus.APPROVED,
        title="A single reporting channel shared by every one of the major platforms",
    )
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live_server.url + idea.get_absolute_url())
    crumbs = page.locator(".breadcrumb-item")
    expect(crumbs).to_have_count(2)
    first, last = crumbs.nth(0), crumbs.nth(1)
    # The title takes lines of its own under "Ideas /".
    assert last.bounding_box()["y"] > first.bounding_box()["y"]
    separator = first.evaluate("(el) => getComputedStyle(el, '::after').content")
    assert separator == '"/"'
    assert last.evaluate("(el) => getComputedStyle(el, '::before').content") in ("none", "normal")
    context.close()


def test_lead_paragraphs_are_in_body_weight_and_colour(live_server, page):
    page.goto(live_server.url + "/sessions/")
    lead = page.locator("p.lead").first
    weight = int(lead.evaluate("(el) => getComputedStyle(el).fontWeight"))
    assert weight >= 400
    colour = page.evaluate(RGB, lead.evaluate("(el) => getComputedStyle(el).color"))
    assert contrast(colour, [255, 255, 255]) >= 7


def test_the_home_intro_leaves_room_on_a_phones_first_screen(live_server, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/")
    intro = page.locator("main p.lead").bounding_box()
    # Banner, menu, heading and intro take no more than 60% of the first screen...
    assert intro["y"] + intro["height"] <= 0.6 * PHONE["height"]
    # ...so what to do next starts on it.
    how_it_works = page.get_by_role("heading", name="How it works").bounding_box()
    assert how_it_works["y"] + how_it_works["height"] < PHONE["height"]
    context.close()


def test_report_this_idea_lines_up_with_the_text_when_it_wraps(live_server, browser):
    idea = IdeaFactory(status=IdeaStatus.APPROVED, title="Helplines in every gaming chat")
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    sign_in(page, live_server.url, UserFactory())
    page.goto(live_server.url + idea.get_absolute_url())
    text_left = page.get_by_role("heading", name=idea.title).bounding_box()["x"]
    report = page.get_by_role("link", name="Report this idea")
    support = page.get_by_role("button", name="Support this idea").bounding_box()
    report_box = report.bounding_box()
    if report_box["y"] > support["y"] + support["height"] / 2:
        # On a line of its own: it starts where the text starts.
        assert abs(report_box["x"] - text_left) <= 1
    else:
        # Beside the button: the gap is the row's gap, with no padding inside the link.
        assert report_box["x"] - (support["x"] + support["width"]) <= 10
    text_start = report.evaluate(
        "(el) => { const r = document.createRange(); r.selectNodeContents(el);"
        " return r.getBoundingClientRect().left - el.getBoundingClientRect().left; }"
    )
    assert text_start <= 1
    context.close()


def test_pages_use_the_vendored_design_system_and_no_other_stylesheet(live_server, page):
    EngagementSessionFactory()
    page.goto(live_server.url + "/sessions/")
    sheets = page.evaluate("() => [...document.styleSheets].map((s) => s.href)")
    assert [href.removeprefix(live_server.url) for href in sheets if href] == [
        "/static/vendor/sgds/sgds.css",
        "/static/css/site.css",
        "/static/css/print.css",
    ]
