"""'What we heard' end to end in Chromium: after a session, an organiser opens it from the
roster, writes the summary (with a script that must stay inert), previews it, publishes it;
the person who came gets one email, and the public session page shows the summary, its
approved quote and its idea, with no serious axe violation."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from initiatives.models import IdeaStatus
from reports.models import SessionSummary
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import (
    EngagementSessionFactory,
    FeedbackFactory,
    IdeaFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organiser_writes_and_publishes_and_the_session_page_shows_it(
    live_server, browser, settings
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    organiser = UserFactory(display_name="Oscar Organiser", roles=[Role.ORGANISER], mfa=True)
    starts = timezone.now() - timedelta(days=1)
    session = EngagementSessionFactory(
        title="Parents' circle", starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    came = RegistrationFactory(session=session, attended=True).participant
    FeedbackFactory(session=session, quote_excerpt="Tell us who to call, and when.")
    IdeaFactory(status=IdeaStatus.APPROVED, session=session, title="A helpline for parents")

    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, organiser)
    page.goto(f"{base}/organise/sessions/{session.pk}/")
    page.get_by_test_id("what-we-heard-link").click()
    assert_no_serious_axe_violations(page)
    page.get_by_label("What we heard").fill(
        "# Themes\n\nParents want **one number** to call.\n\n<script>window.pwned=1</script>"
    )
    page.get_by_label("A helpline for parents").check()
    page.get_by_label("“Tell us who to call, and when.”").check()
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_test_id("what-we-heard")).to_contain_text("Parents want one number")
    expect(page.get_by_test_id("summary-has-html")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_test_id("publish-summary").click()

    page.wait_for_url(f"**{session.get_absolute_url()}")
    summary = page.get_by_test_id("what-we-heard")
    expect(summary).to_contain_text("Parents want one number to call.")
    expect(summary).to_contain_text("<script>window.pwned=1</script>")  # shown as text
    expect(summary.get_by_test_id("summary-quote")).to_contain_text("Tell us who to call")
    expect(summary.get_by_test_id("summary-idea")).to_have_text("A helpline for parents")
    assert page.evaluate("window.pwned") is None
    assert SessionSummary.objects.get().is_published
    assert [m.to for m in mail.outbox] == [[came.email]]

    # The public, signed out, sees the same; and the page passes axe.
    public = browser.new_context().new_page()
    public.goto(f"{base}{session.get_absolute_url()}")
    expect(public.get_by_test_id("what-we-heard")).to_contain_text("Parents want one number")
    assert_no_serious_axe_violations(public)
