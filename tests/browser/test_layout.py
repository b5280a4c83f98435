"""Reflow (WCAG 2.1 AA, 1.4.10): at 320 CSS pixels nothing scrolls sideways; on a laptop
the menu of someone with every role still fits on one line."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from harms.models import HarmCategory
from initiatives.models import IdeaStatus
from tests.browser_support import sign_in
from tests.factories import EngagementSessionFactory, IdeaFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .map((el) => `${el.tagName}.${el.className}`);
}"""


def test_public_pages_reflow_on_a_320_pixel_screen(live_server, browser):
    session = EngagementSessionFactory(title="A conversation on safer messaging")
    idea = IdeaFactory(status=IdeaStatus.APPROVED, title="Helplines in every gaming chat")
    category = HarmCategory.objects.filter(parent__isnull=True).first()
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for path in [
        "/",
        "/sessions/",
        session.get_absolute_url(),
        "/ideas/",
        idea.get_absolute_url(),
        "/initiatives/",
        category.get_absolute_url(),
        "/support/",
        "/accounts/signup/",
    ]:
        page.goto(live_server.url + path)
        assert page.evaluate(OVERFLOWING) == [], path
    context.close()


def test_the_menu_of_someone_with_every_role_fits_a_laptop_screen(live_server, browser):
    admin = UserFactory(
        is_staff=True, is_superuser=True, roles=[Role.ORGANISER, Role.STAFF], mfa=True
    )
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    sign_in(page, live_server.url, admin)
    page.goto(live_server.url + "/")
    assert page.evaluate(OVERFLOWING) == []
    # The role menus open, and their links are there to follow.
    page.get_by_role("button", name="Reports").click()
    expect(page.get_by_role("link", name="Exports")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="My account").click()
    expect(page.get_by_role("link", name="Administration")).to_be_visible()
    context.close()


PAGE_SCROLLS_SIDEWAYS = (
    "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
)


def test_organiser_pages_do_not_scroll_sideways_on_a_phone(live_server, browser):
    """Wide tables scroll inside their own box, and a title typed as one long word wraps."""
    from engagement import services

    organiser = UserFactory(roles=[Role.ORGANISER], mfa=True)
    session = EngagementSessionFactory(title="Session " + "x" * 100, capacity=1)
    for person in UserFactory.create_batch(3):
        services.registration_create(session=session, participant=person, registered_by=person)
    IdeaFactory(status=IdeaStatus.SUBMITTED, title="A buddy scheme for new users")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, organiser)
    roster = f"/organise/sessions/{session.pk}/"
    for path in [
        "/organise/",
        roster,
        roster + "?status=waitlisted",
        f"/organise/sessions/{session.pk}/edit/",
        session.get_absolute_url(),
        "/moderation/",
    ]:
        page.goto(live_server.url + path)
        assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS), path
    context.close()
