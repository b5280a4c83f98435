"""Keyboard-only journeys (issue 12, "Tests that must exist"; WCAG 2.1.1 keyboard): after
`page.goto`, nothing but the keyboard: Tab and Shift+Tab to move, arrow keys and Space to
choose, typing into text fields, Enter to send. Each journey ends in the database: a seat
taken, an idea sent for review, an idea approved by an organiser signed in with TOTP."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from engagement.models import Registration, RegistrationStatus
from initiatives.models import Idea, IdeaStatus, ModerationLog
from tests.browser_support import sign_in
from tests.factories import EngagementSessionFactory, IdeaFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# How many Tab presses a journey may take to reach a control before the test gives up.
MAX_TABS = 120

# What has the keyboard focus: read only, to know when to stop pressing Tab.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  return {
    tag: el.tagName.toLowerCase(),
    type: el.getAttribute('type') || '',
    name: el.getAttribute('name') || '',
    value: el.value || '',
    text: (el.innerText || '').trim(),
  };
}"""


def tab_to(page, wanted, *, key: str = "Tab") -> dict:
    """Press Tab (or Shift+Tab) until the focused element has every property in `wanted`."""
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        if focused and all(focused.get(name) == value for name, value in wanted.items()):
            return focused
    raise AssertionError(f"{key} never reached {wanted}")


def test_a_participant_registers_for_a_session_with_the_keyboard_only(live_server, page):
    participant = UserFactory()
    session = EngagementSessionFactory(title="Safer one-to-one messaging")
    sign_in(page, live_server.url, participant)
    page.goto(live_server.url + session.get_absolute_url())

    tab_to(page, {"tag": "textarea", "name": "access_needs"})
    page.keyboard.type("Captions, please")
    tab_to(page, {"tag": "button", "text": "Register"})
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("registration-status")).to_have_text("Your seat is confirmed.")
    registration = Registration.objects.get(session=session, participant=participant)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.access_needs == "Captions, please"


def test_a_participant_submits_an_idea_with_the_keyboard_only(live_server, page):
    participant = UserFactory()
    sign_in(page, live_server.url, participant)
    page.goto(live_server.url + "/ideas/new/")

    tab_to(page, {"name": "title"})
    page.keyboard.type("Helplines in every gaming chat")
    tab_to(page, {"tag": "textarea", "name": "body"})
    page.keyboard.type("A human answering within the hour.")
    tab_to(page, {"tag": "select", "name": "harm_category"})
    page.keyboard.press("ArrowDown")  # the first harm, below "choose"
    tab_to(page, {"tag": "select", "name": "solution_area"})
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # the second area
    # Past the buttons to "Save as draft", then back to "Submit for review".
    tab_to(page, {"tag": "button", "name": "save_draft"})
    tab_to(page, {"tag": "button", "name": "submit_idea"}, key="Shift+Tab")
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_contain_text("Helplines in every gaming chat")
    idea = Idea.objects.get(author=participant)
    assert idea.title == "Helplines in every gaming chat"
    assert idea.body == "A human answering within the hour."
    assert idea.status == IdeaStatus.SUBMITTED
    assert idea.harm_category is not None
    assert idea.solution_area.order > min(
        type(idea.solution_area).objects.values_list("order", flat=True)
    )


def test_an_organiser_with_totp_approves_an_idea_with_the_keyboard_only(live_server, page):
    organiser = UserFactory(display_name="Oscar Organiser", roles=[Role.ORGANISER], mfa=True)
    idea = IdeaFactory(status=IdeaStatus.SUBMITTED, title="A buddy scheme for new users")
    sign_in(page, live_server.url, organiser)
    page.goto(live_server.url + f"/moderation/ideas/{idea.pk}/")

    focused = tab_to(page, {"tag": "input", "type": "radio", "name": "decision"})
    # The group's first choice is "Approve and publish"; from another, arrow up to it.
    for _ in range(5):
        if focused["value"] == "approve":
            break
        page.keyboard.press("ArrowUp")
        focused = page.evaluate(FOCUSED)
    assert focused["value"] == "approve"
    page.keyboard.press("Space")
    tab_to(page, {"tag": "button", "text": "Save decision"})
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/moderation/")
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.APPROVED
    assert ModerationLog.objects.get(idea=idea).actor == organiser
