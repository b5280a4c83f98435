"""Issue 17, item 4 in Chromium: a participant answers a session's own questions on a 390 px
phone (radio groups and checkboxes in fieldsets with their legends), a required one left
empty is caught with everything kept, and axe finds nothing serious on the form."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import Feedback, QuestionKind
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import (
    EngagementSessionFactory,
    RegistrationFactory,
    SessionQuestionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_participant_answers_a_sessions_questions_on_a_phone(live_server, browser):
    base = live_server.url
    participant = UserFactory(display_name="Pat Participant")
    session = EngagementSessionFactory(
        title="Safer chats", starts_at=timezone.now() - timedelta(hours=3)
    )
    RegistrationFactory(session=session, participant=participant, status="confirmed")
    SessionQuestionFactory(
        session=session, kind=QuestionKind.SCALE, text="How safe did you feel?", required=True
    )
    SessionQuestionFactory(
        session=session,
        kind=QuestionKind.SEVERAL_CHOICES,
        text="What helped?",
        choices=["Talks", "Stories"],
    )
    SessionQuestionFactory(session=session, kind=QuestionKind.SHORT_TEXT, text="Anything else?")

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, participant)
    page.goto(f"{base}/feedback/sessions/{session.slug}/")
    questions = page.get_by_test_id("session-questions")
    expect(questions.get_by_role("group", name="How safe did you feel?")).to_be_visible()
    expect(questions.get_by_role("group", name=re.compile("What helped"))).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_label("Doxxing").check()
    page.get_by_label("What have you seen or experienced? (optional)").fill("Kind moderators.")
    questions.get_by_label("Stories").check()
    questions.get_by_label(re.compile("Anything else")).fill("More of this.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("it is required")
    expect(questions.get_by_label(re.compile("Anything else"))).to_have_value("More of this.")
    expect(questions.get_by_label("Stories")).to_be_checked()
    assert_no_serious_axe_violations(page)

    questions.get_by_role("group", name="How safe did you feel?").get_by_label("4").check()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Thank you. Your feedback has been sent.")).to_be_visible()
    assert Feedback.objects.get(participant=participant).answers.count() == 3
    context.close()
