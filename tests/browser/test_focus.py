"""Focus you can see (WCAG 2.2 AA: 1.4.11 non-text contrast, 2.4.7 focus visible, and the
2.4.13 focus appearance the Government's standard asks for): Chromium tabs through the main
pages and, for every element the keyboard reaches, measures the focus indicator against what
lies behind it."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from initiatives.models import IdeaStatus
from tests.browser_support import sign_in
from tests.factories import EngagementSessionFactory, IdeaFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How many Tab presses a page may take before the test gives up on reaching its end.
MAX_TAB_STOPS = 250

# The focused element's indicator: its outline (or, without one, its box shadow) and the colour
# of the nearest ancestor with a background, since the outline is drawn outside the element.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const parse = (value) => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const parts = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  let background = null;
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = parse(getComputedStyle(node).backgroundColor);
    if (colour && colour[3] > 0) { background = colour; break; }
  }
  const style = getComputedStyle(el);
  const label = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '')
    .trim().slice(0, 40);
  return {
    id: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${label}"`,
    key: el.outerHTML.slice(0, 200) + el.getBoundingClientRect().top,
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColour: parse(style.outlineColor),
    shadowColour: style.boxShadow === 'none' ? null : parse(style.boxShadow),
    background: background || [255, 255, 255, 1],
  };
}"""


def _over(colour, background):
    """The colour as seen: an alpha colour composited over an opaque background."""
    alpha = colour[3]
    return [alpha * c + (1 - alpha) * b for c, b in zip(colour[:3], background[:3], strict=True)]


def _luminance(rgb) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _indicator_problem(focused: dict) -> str | None:
    background = _over(focused["background"], [255, 255, 255, 1])
    has_outline = focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2
    colour = focused["outlineColour"] if has_outline else focused["shadowColour"]
    if colour is None:
        return "no visible focus indicator (no outline of 2px or more, no box shadow)"
    ratio = contrast(_over(colour, background), background)
    if ratio < 3:
        return f"indicator {colour} on {focused['background']} is {ratio:.2f}:1, under 3:1"
    return None


def tab_through(page) -> tuple[list[str], list[str]]:
    """Press Tab from the top of the page until focus leaves it or comes round again; give
    the elements reached, and the problems found with their focus indicators."""
    page.locator("body").focus()
    reached, problems, seen = [], [], set()
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or focused["key"] in seen:
            break
        seen.add(focused["key"])
        reached.append(focused["id"])
        problem = _indicator_problem(focused)
        if problem:
            problems.append(f"{focused['id']}: {problem}")
    else:
        pytest.fail(f"{page.url}: still tabbing after {MAX_TAB_STOPS} stops")
    return reached, problems


def test_contrast_helper_matches_the_wcag_formula():
    assert contrast([0, 0, 0], [255, 255, 255]) == pytest.approx(21)
    assert contrast([255, 255, 255], [255, 255, 255]) == pytest.approx(1)
    # Bootstrap's pale focus ring, a quarter-opaque blue, on white: the walk's 1.4:1.
    assert contrast(_over([13, 110, 253, 0.25], [255, 255, 255]), [255, 255, 255]) < 1.5


def test_every_element_the_keyboard_reaches_shows_a_strong_focus_indicator(live_server, browser):
    session = EngagementSessionFactory(title="Safer one-to-one messaging")
    IdeaFactory(status=IdeaStatus.APPROVED, title="Helplines in every gaming chat")
    participant = UserFactory()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    anonymous_pages = [
        "/",
        "/sessions/",
        session.get_absolute_url(),
        "/ideas/",
        "/accounts/login/",
        "/accounts/signup/",
    ]
    problems: dict[str, list[str]] = {}
    for path in anonymous_pages:
        page.goto(live_server.url + path)
        reached, found = tab_through(page)
        assert len(reached) > 5, f"{path}: the keyboard reached only {reached}"
        problems[path] = found
    sign_in(page, live_server.url, participant)
    for path in ["/feedback/new/", session.get_absolute_url(), "/ideas/"]:
        page.goto(live_server.url + path)
        reached, found = tab_through(page)
        assert len(reached) > 5, f"{path}: the keyboard reached only {reached}"
        problems[f"{path} (participant)"] = found
    context.close()
    assert not any(problems.values()), "\n".join(
        f"{path}: {problem}" for path, found in problems.items() for problem in found
    )


def test_the_phone_menu_and_its_links_show_the_same_indicator(live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Show or hide the menu").click()
    expect(page.get_by_role("link", name="Sessions", exact=True)).to_be_visible()
    reached, problems = tab_through(page)
    assert any('"Sessions"' in element for element in reached)
    assert not problems, "\n".join(problems)
    context.close()


def test_leave_this_site_quickly_is_the_first_tab_stop_on_every_page(live_server, browser):
    organiser = UserFactory(roles=[Role.ORGANISER], mfa=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for path in ["/", "/sessions/", "/accounts/login/", "/no/such/page/"]:
        page.goto(live_server.url + path)
        page.locator("body").focus()
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text("Leave this site quickly")
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text("Skip to main content")
    sign_in(page, live_server.url, organiser)
    page.goto(live_server.url + "/organise/")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Leave this site quickly")
    context.close()
