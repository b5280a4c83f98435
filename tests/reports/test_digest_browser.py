"""Chromium end to end: MCI staff sign in with two-factor, ask for an on-demand digest, watch
the page notice by itself when it is ready, and open it; a participant gives feedback.
axe-core checks the feedback form and the digest pages."""

import re
import time
from unittest import mock

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from engagement.models import Feedback
from reports import services
from reports.models import Digest, DigestStatus
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import PASSWORD, UserFactory

from .digest_data import make_feedback, reseed_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    reseed_reference_data()


def _sign_in(page, base_url, user, totp_secret=None):
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    if totp_secret:
        code = format_hotp_value(hotp_value(totp_secret, int(time.time()) // 30))
        page.locator("input[name=code]").fill(code)
        page.locator("form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa)/"))


def test_staff_request_a_digest_watch_it_become_ready_and_open_it(
    reference_data, live_server, page
):
    staff = UserFactory(display_name="Sam Browser", roles=[Role.STAFF], mfa=True)
    author = UserFactory()
    today = timezone.localdate()
    make_feedback(
        participant=author,
        created_at=timezone.now(),
        categories=["doxxing"],
        suggestions=["regulation"],
        quote="Take it down within a day.",
        quote_reviewed_at=timezone.now(),
    )
    base = live_server.url
    _sign_in(page, base, staff, staff.totp_secret)

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


def test_participant_gives_feedback_through_an_accessible_form(reference_data, live_server, page):
    participant = UserFactory(display_name="Pat Feedback")
    base = live_server.url
    _sign_in(page, base, participant)
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
