"""A newcomer who meets "Sign in to register" on a session page signs up, opens the link in
the verification email, signs in and is back on that session page, ready to register."""

import re

import pytest
from django.core import mail

from tests.factories import EngagementSessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_from_a_session_page_comes_back_to_it(live_server, page, settings):
    settings.SITE_URL = live_server.url
    session = EngagementSessionFactory(title="Keeping teens safe online", slug="teens-online")

    page.goto(f"{live_server.url}/sessions/{session.slug}/")
    page.get_by_role("link", name="Sign in to register").click()
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=.+"))
    assert page.get_by_role("heading", name="Sign in", exact=True).is_visible()
    page.get_by_role("main").get_by_role("link", name="sign up").click()
    page.wait_for_url(re.compile(r".*/accounts/signup/\?next=.+"))
    assert page.get_by_role("heading", name="Sign up", exact=True).is_visible()

    page.get_by_label("Email").fill("nur@example.com")
    page.get_by_label("Display name").fill("Nur")
    page.get_by_label("Which best describes you?").select_option("ihl_student")
    page.get_by_label("I am 18 or older").check()
    page.get_by_label("I have read the privacy notice").check()
    page.locator("#id_password1").fill("teh-tarik-kosong-77")
    page.locator("#id_password2").fill("teh-tarik-kosong-77")
    page.get_by_role("button", name="Sign up", exact=True).click()
    page.wait_for_url("**/accounts/confirm-email/")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "AfA Platform: Confirm your email address"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[0].body).group(0)
    page.context.clear_cookies()  # as if opened on another device
    page.goto(link)
    page.get_by_role("button", name="Confirm my email address").click()
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=.+"))

    page.get_by_label("Email").fill("nur@example.com")
    page.get_by_label("Password").fill("teh-tarik-kosong-77")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"**/sessions/{session.slug}/")
    assert page.get_by_role("heading", name="Keeping teens safe online").is_visible()
    page.get_by_role("button", name="Register").click()
    assert page.get_by_test_id("registration-status").inner_text() == "Your seat is confirmed."
