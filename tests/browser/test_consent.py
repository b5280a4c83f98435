"""In Chromium: after the privacy notice changes, a participant signs in, is shown the new
notice with what changed, accepts it and goes on to where they were going (issue 13, item 3)."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.models import ConsentRecord
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_participant_accepts_the_new_notice_and_goes_on(live_server, page):
    person = UserFactory(pdpa_consent_version="2025-01")
    sign_in(page, live_server.url, person)
    expect(page).to_have_url(re.compile(r"/privacy/\?next="))
    expect(page.get_by_role("heading", name="The privacy notice has changed")).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.get_by_role("button", name=re.compile("I accept version")).click()
    expect(page).to_have_url(f"{live_server.url}/accounts/profile/")
    expect(page.get_by_text("you have accepted the current privacy notice")).to_be_visible()
    expect(page.get_by_role("cell", name="Accepting an updated notice")).to_be_visible()
    assert ConsentRecord.objects.filter(
        user=person, notice_version=settings.PDPA_NOTICE_VERSION
    ).exists()
