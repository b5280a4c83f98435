import re

import pytest
from django.core import mail

from tests.conftest import assert_no_serious_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_newcomer_signs_up_verifies_logs_in_and_sees_profile(live_server, page, settings):
    settings.SITE_URL = live_server.url  # emails link to SITE_URL, whatever the request's host
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="Sign up").first.click()
    page.wait_for_url("**/accounts/signup/")
    assert_no_serious_axe_violations(page)

    page.get_by_label("Email").fill("nur@example.com")
    page.get_by_label("Display name").fill("Nur")
    page.get_by_label("Which best describes you?").select_option("ihl_student")
    page.get_by_label("I am 18 or older").check()
    page.get_by_label("I have read the privacy notice").check()
    page.locator("#id_password1").fill("teh-tarik-kosong-77")
    page.locator("#id_password2").fill("teh-tarik-kosong-77")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("nur@example.com")
    page.get_by_label("Password").fill("teh-tarik-kosong-77")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/profile/")
    assert page.get_by_role("heading", name="My profile").is_visible()
    assert page.get_by_text("Participant", exact=True).is_visible()
    assert_no_serious_axe_violations(page)

    page.goto(live_server.url + "/harms/online-grooming/")
    assert page.get_by_text("Content warning").is_visible()
    assert_no_serious_axe_violations(page)


def test_leave_this_site_quickly_replaces_the_page(live_server, page):
    # Keep the test on this machine: point the exit at a page of our own.
    page.route("https://www.weather.gov.sg/**", lambda route: route.fulfill(body="Weather"))
    page.goto(live_server.url + "/harms/")
    page.get_by_role("link", name="Leave this site quickly").click()
    page.wait_for_url("https://www.weather.gov.sg/**")
    assert page.content().count("Weather") >= 1
