"""Chromium end to end: MCI staff sign in with two-factor, ask for an on-demand digest, watch
the page notice by itself when it is ready, and open it; a participant gives feedback.
axe-core checks the feedback form and the digest pages."""

from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from feedback.models import Feedback
from reports import services
from reports.models import Digest, DigestStatus
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import FeedbackFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_request_a_digest_watch_it_become_ready_and_open_it(live_server, page):
    staff = UserFactory(display_name="Sam Browser", roles=[Role.STAFF], mfa=True)
    author = UserFactory()
    today = timezone.localdate()
    FeedbackFactory(
        participant=author,
        created_at=timezone.now(),
        harm_categories=["doxxing"],
        suggestions=["regulation"],
        quote_excerpt="Take it down within a day.",
        quote_reviewed_at=timezone.now(),
    )
    base = live_server.url
    sign_in(page, base, staff)

    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name="Digests").click()
    expect(page.get_by_role("heading", name="Feedback digests", level=1)).to_be_visible()
    assert_no_serious_axe_violations(page)

    # No broker in this test: hold the compile back, as a busy worker would, so the page
    # has to notice the change by polling.
    with mock.patch("reports.tasks.compile_digest.delay_on_commit") as enqueue:
        page.get_by_label("From").fill(today.replace(day=1).isoformat())
        page.get_by_label("To (inclusive)").fill(today.isoformat())
        page.get_by_role("button", name="Compile digest").click()
        expect(page.locator("#digest-status")).to_contain_text("Queued")
        enqueue.assert_called_once()
    assert_no_serious_axe_violations(page)

    digest = Digest.objects.get()
    assert services.digest_compile(digest_id=digest.pk) is True  # the "worker"
    expect(page.get_by_role("heading", name="AfA feedback digest", level=1)).to_be_visible(
        timeout=20_000
    )
    assert Digest.objects.get().status == DigestStatus.READY
    expect(page.get_by_text("Take it down within a day.")).to_be_visible()
    expect(page.get_by_role("img", name="Feedback by harm and solution area")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # The printable layout leaves out the site's navigation and the buttons.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    expect(page.get_by_role("heading", name="AfA feedback digest", level=1)).to_be_visible()


def test_participant_gives_feedback_through_an_accessible_form(live_server, page):
    participant = UserFactory(display_name="Pat Feedback")
    base = live_server.url
    sign_in(page, base, participant)
    page.goto(f"{base}/feedback/")
    page.get_by_role("link", name="Give general feedback").click()
    expect(page.get_by_role("heading", name="Give feedback", level=1)).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_label("Doxxing").check()
    page.get_by_label("What have you seen or experienced? (optional)").fill(
        "A group shared where a classmate lives."
    )
    page.get_by_label("Your suggestion on regulation (optional)").fill("Fine the platforms.")
    page.get_by_label("You may quote me anonymously in reports").check()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Thank you. Your feedback has been sent.")).to_be_visible()
    assert_no_serious_axe_violations(page)
    feedback = Feedback.objects.get()
    assert feedback.participant == participant
    assert feedback.quote_status == "pending"
