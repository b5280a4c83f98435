"""Chromium end to end (issue 15): a participant reports the person behind a comment, the
organiser on duty gets the alert, opens the person's history from the People tab, suspends
them with a reason, and the suspended person sees the page that explains it, and nothing
else."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from initiatives.models import IdeaStatus
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import CommentFactory, IdeaFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_alert_history_suspension_and_the_explanation(live_server, browser):
    base = live_server.url
    organiser = UserFactory(display_name="Oona Organiser", roles=["Organiser"], mfa=True)
    harasser = UserFactory(display_name="Harold Harasser")
    reporter = UserFactory(display_name="Rina Reporter")
    idea = IdeaFactory(status=IdeaStatus.APPROVED, title="Safer group chats")
    comment = CommentFactory(
        idea=idea, author=harasser, body="Send me your photos, you are 14 right?"
    )

    # The participant reports the person, from the name beside their comment.
    as_reporter = browser.new_context().new_page()
    sign_in(as_reporter, base, reporter)
    as_reporter.goto(base + idea.get_absolute_url())
    as_reporter.locator(f"#comment-{comment.pk}").get_by_role(
        "link", name="Report this person"
    ).click()
    expect(as_reporter.get_by_role("heading", name="Report a person")).to_be_visible()
    assert_no_serious_axe_violations(as_reporter)
    as_reporter.get_by_label("Contacting a minor").check()
    as_reporter.get_by_role("button", name="Send report").click()
    expect(as_reporter.get_by_text("we have received your report")).to_be_visible()

    # The organiser on duty was alerted, discreetly, with a link to the person.
    alerts = [m for m in mail.outbox if m.to == [organiser.email]]
    assert [m.subject for m in alerts] == ["An urgent report is waiting for an organiser"]
    assert "Harold" not in alerts[0].body and "photos" not in alerts[0].body
    link = re.search(r"/moderation/people/\d+/", alerts[0].body).group(0)

    as_organiser = browser.new_context().new_page()
    sign_in(as_organiser, base, organiser)
    as_organiser.goto(base + "/moderation/people/")
    expect(as_organiser.get_by_role("link", name="Harold Harasser")).to_be_visible()
    assert_no_serious_axe_violations(as_organiser)
    as_organiser.goto(base + link)
    expect(as_organiser.get_by_text("Contacting a minor")).to_be_visible()
    expect(as_organiser.get_by_text("Send me your photos")).to_be_visible()
    assert_no_serious_axe_violations(as_organiser)
    as_organiser.get_by_label("Suspend their account until a date").check()
    until = timezone.localdate() + timedelta(days=14)
    as_organiser.locator("#person-until").fill(until.isoformat())
    as_organiser.get_by_label("Reason").fill("Asking a young person for photos.")
    as_organiser.get_by_label("Also hide all their published ideas and comments").check()
    as_organiser.get_by_role("button", name="Confirm decision").click()
    expect(as_organiser.get_by_text("Harold Harasser is suspended.")).to_be_visible()

    # The suspended person signs in and sees why, until when, and how to ask for a review.
    as_harasser = browser.new_context().new_page()
    sign_in(as_harasser, base, harasser)
    as_harasser.goto(base + "/ideas/new/")
    expect(as_harasser).to_have_url(re.compile(r"/accounts/profile/restricted/$"))
    expect(as_harasser.get_by_role("heading", name="Your account is suspended")).to_be_visible()
    expect(as_harasser.get_by_text("Asking a young person for photos.")).to_be_visible()
    expect(as_harasser.get_by_test_id("restriction-end")).to_contain_text(str(until.year))
    expect(as_harasser.get_by_role("link", name="Download a copy of your data")).to_be_visible()
    assert_no_serious_axe_violations(as_harasser)
    as_harasser.goto(base + idea.get_absolute_url())
    expect(as_harasser).to_have_url(re.compile(r"/accounts/profile/restricted/$"))
