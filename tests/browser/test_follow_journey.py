"""Following an initiative in Chromium: a participant follows from the initiative page, a lead
posts an update, the daily digest reaches them with its unsubscribe link; the link's page asks
first, and one click stops the emails (issue 17, item 3)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from initiatives import services
from initiatives.models import Follow
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import InitiativeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_follow_get_the_digest_and_unsubscribe_from_its_link(live_server, browser, settings):
    settings.SITE_URL = live_server.url
    base = live_server.url
    follower = UserFactory(display_name="Farah Follower")
    lead = UserFactory(display_name="Lee Lead")
    initiative = InitiativeFactory(title="Helplines together", leads=[lead])

    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, follower)
    page.goto(f"{base}{initiative.get_absolute_url()}")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("button", name="Unfollow")).to_be_visible()
    assert_no_serious_axe_violations(page)

    services.initiative_update_post(
        initiative=initiative, author=lead, title="Volunteers trained", body="Twelve so far."
    )
    assert services.follow_digests_queue() == 1
    (email,) = [m for m in mail.outbox if m.to == [follower.email]]
    assert "Volunteers trained" in email.body
    link = re.search(r"Stop following this initiative: (\S+)", email.body).group(1)

    # Signed out, as from a mail app on another device.
    stranger = browser.new_context().new_page()
    stranger.goto(link)
    expect(stranger.get_by_role("heading", name="Stop these emails?")).to_be_visible()
    assert Follow.objects.filter(user=follower).exists()
    assert_no_serious_axe_violations(stranger)
    stranger.get_by_role("button", name="Yes, stop the emails").click()
    expect(stranger.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    assert not Follow.objects.filter(user=follower).exists()

    page.goto(f"{base}/following/")
    expect(page.get_by_text("You do not follow any initiative yet.")).to_be_visible()
