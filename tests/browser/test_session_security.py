"""In Chromium: the idle sign-out warns before it happens and one button keeps the session
(WCAG 2.2.1), and an organiser who enrols TOTP in this session may act at once."""

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.browser_support import sign_in
from tests.factories import PASSWORD, UserFactory, current_totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organiser_is_warned_before_the_idle_sign_out_and_can_stay(live_server, page, settings):
    # One minute idle: the two-minute warning is due at once.
    settings.PRIVILEGED_IDLE_MINUTES = 1
    organiser = UserFactory(roles=[Role.ORGANISER], mfa=True)
    sign_in(page, live_server.url, organiser)
    page.goto(f"{live_server.url}/organise/")
    warning = page.get_by_role("alert").filter(has_text="You will be signed out in 2 minutes")
    expect(warning).to_be_visible()
    stay = page.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    with page.expect_response(re.compile(r"/stay-signed-in/$")) as answer:
        stay.click()
    assert answer.value.status == 204
    expect(page).to_have_url(f"{live_server.url}/organise/")


def test_an_organiser_who_sets_up_totp_now_can_moderate_at_once(live_server, page):
    organiser = UserFactory(roles=[Role.ORGANISER])
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(organiser.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/moderation/")
    # allauth asks for the password again before an authenticator is added.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(current_totp_code(secret))
    page.locator("main form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/totp/activate/"))
    page.goto(f"{live_server.url}/moderation/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Moderation")
