"""Tables that fit their box (issue 12 item 6), in Chromium at 390 and 1280 px: the moderation
queue's ideas table stacks on a phone so "Harm and area" and "Sent" are not cut; the
dashboard's wide tables (harm category by solution area) take the full width on a laptop, and
on a phone scroll inside a keyboard-focusable, named region."""

import pytest

from accounts.roles import Role
from initiatives.models import IdeaStatus
from tests.browser_support import sign_in
from tests.factories import FeedbackFactory, IdeaFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

# For every table in the page: does it overflow the box around it, is that box a focusable
# named scroll region, and how many of its visible cells reach past the box's right edge.
TABLES = """() => [...document.querySelectorAll('main table')].map((table) => {
  const box = table.parentElement;
  const named = box.getAttribute('aria-label') || box.getAttribute('aria-labelledby');
  const region = box.matches('[tabindex="0"][role=region]') && Boolean(named);
  const edge = box.getBoundingClientRect().right;
  const hiddenHead = (cell) => {
    const head = cell.closest('thead');
    return head !== null && head.getBoundingClientRect().width <= 1;
  };
  const clipped = [...table.querySelectorAll('th, td')]
    .filter((cell) => !hiddenHead(cell) && cell.getBoundingClientRect().right > edge + 1)
    .map((cell) => cell.textContent.trim().slice(0, 30));
  return {
    table: table.dataset.table || table.dataset.figure || table.className,
    overflows: box.scrollWidth > box.clientWidth + 1,
    region,
    clipped,
  };
})"""

PAGE_SCROLLS_SIDEWAYS = (
    "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
)


def _fits(tables: list[dict]) -> list[dict]:
    """The tables that overflow or cut a cell."""
    return [t for t in tables if t["overflows"] or t["clipped"]]


def _visit(browser, live_server, user, path, viewport) -> list[dict]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    sign_in(page, live_server.url, user)
    page.goto(live_server.url + path)
    tables = page.evaluate(TABLES)
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS), (path, viewport)
    context.close()
    assert tables, path
    return tables


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1280px"])
def test_moderation_queue_ideas_table_cuts_no_cell(live_server, browser, viewport):
    organiser = UserFactory(roles=[Role.ORGANISER], mfa=True)
    for title in (
        "Helplines in every gaming chat, with a human answering within the hour",
        "A buddy scheme for new users",
    ):
        IdeaFactory(status=IdeaStatus.SUBMITTED, title=title)
    tables = _visit(browser, live_server, organiser, "/moderation/", viewport)
    assert _fits(tables) == [], tables


def _feedback_in_every_area():
    for harm in ("non-consensual-publication", "unwelcome-interactions", "harmful-platforms"):
        FeedbackFactory(
            harm_categories=[harm], suggestions=["public-education", "partnerships", "regulation"]
        )


def test_dashboard_tables_fit_their_box_on_a_laptop(live_server, browser):
    staff = UserFactory(roles=[Role.STAFF], mfa=True)
    _feedback_in_every_area()
    tables = _visit(browser, live_server, staff, "/reports/", LAPTOP)
    assert "matrix" in {t["table"] for t in tables}
    assert _fits(tables) == [], tables


def test_dashboard_tables_on_a_phone_fit_or_scroll_in_a_focusable_named_region(
    live_server, browser
):
    staff = UserFactory(roles=[Role.STAFF], mfa=True)
    _feedback_in_every_area()
    tables = _visit(browser, live_server, staff, "/reports/", PHONE)
    assert [t for t in _fits(tables) if not t["region"]] == [], tables
