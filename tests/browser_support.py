"""Signing in through the real pages, for the Chromium tests."""

import re

from playwright.sync_api import expect

from .factories import PASSWORD, current_totp_code


def sign_in(page, base_url: str, user) -> None:
    """Email and password, then the TOTP code when the user has one (UserFactory(mfa=True))."""
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    secret = getattr(user, "totp_secret", None)
    if secret:
        page.locator("input[name=code]").fill(current_totp_code(secret))
        page.locator("main form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa)/"))
