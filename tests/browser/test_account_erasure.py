"""In Chromium: a participant deletes their account, keeping their ideas, and their kept idea
then shows "Anonymous participant" instead of their name (issue 13, item 2)."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from initiatives.models import IdeaStatus
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import PASSWORD, IdeaFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_participant_erases_their_account_and_their_kept_idea_turns_anonymous(live_server, page):
    person = UserFactory(email="farah@example.com", display_name="Farah Binte Osman")
    idea = IdeaFactory(author=person, status=IdeaStatus.APPROVED, title="Consent lessons")
    sign_in(page, live_server.url, person)
    page.goto(f"{live_server.url}{idea.get_absolute_url()}")
    expect(page.get_by_text("Farah Binte Osman").first).to_be_visible()

    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("link", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Delete my account")).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_label("Keep them, shown as “Anonymous participant”").check()
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    # Said twice, as on every form: in the summary (focused) and beside the password box.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="That password is not right.")).to_be_visible()
    expect(page.get_by_text("That password is not right.")).to_have_count(2)

    page.get_by_label("Keep them, shown as “Anonymous participant”").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account has been deleted")).to_be_visible()
    assert User.objects.get(pk=person.pk).is_erased
    assert [message.to for message in mail.outbox] == [["farah@example.com"]]

    page.goto(f"{live_server.url}{idea.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Consent lessons")).to_be_visible()
    expect(page.get_by_text("Anonymous participant").first).to_be_visible()
    expect(page.get_by_text("Farah Binte Osman")).to_have_count(0)
