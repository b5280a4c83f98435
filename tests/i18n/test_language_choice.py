"""The language switcher, the profile's language and bad input (issue 14, items 1 and "Bad
input"). These pass without the translated catalogues: they check which language is active
(`<html lang>`), not the words."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from tests.accounts.test_signup import signup_data
from tests.factories import UserFactory

from .page_chrome import html_lang

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME
SET_LANGUAGE = "/i18n/setlang/"


def page_lang(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return html_lang(response.content.decode())


def test_languages_are_the_four_official_ones_named_in_themselves():
    assert settings.LANGUAGES == [
        ("en", "English"),
        ("zh-hans", "简体中文"),
        ("ms", "Bahasa Melayu"),
        ("ta", "தமிழ்"),
    ]
    assert reverse("set_language") == SET_LANGUAGE


def test_every_page_header_has_the_switcher_as_a_plain_form(client):
    client.cookies[COOKIE] = "ta"
    html = client.get("/sessions/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    form = re.search(r'<form class="lang-switch__panel" method="post" action="([^"]+)">', header)
    assert form and form.group(1) == SET_LANGUAGE
    assert 'name="csrfmiddlewaretoken"' in header
    assert '<input type="hidden" name="next" value="/sessions/">' in header
    # One button per other language, each named in itself with its own lang; the current one
    # is marked, not a button.
    buttons = re.findall(
        r'<button type="submit" class="lang-switch__option" name="language" value="([^"]+)" '
        r'lang="([^"]+)">([^<]+)</button>',
        header,
    )
    assert buttons == [
        ("en", "en", "English"),
        ("zh-hans", "zh-hans", "简体中文"),
        ("ms", "ms", "Bahasa Melayu"),
    ]
    assert re.search(r'lang="ta" aria-current="true">தமிழ்</span>', header)


def test_switcher_sets_the_cookie_and_goes_back_to_the_page(client):
    response = client.post(SET_LANGUAGE, {"language": "zh-hans", "next": "/ideas/?sort=new"})
    assert response.status_code == 302
    assert response["Location"] == "/ideas/?sort=new"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "zh-hans"
    assert cookie["samesite"] == "Lax" and cookie["httponly"]
    assert page_lang(client, "/ideas/") == "zh-hans"
    # And back to English.
    client.post(SET_LANGUAGE, {"language": "en", "next": "/"})
    assert page_lang(client) == "en"


def test_switcher_round_trip_is_remembered_on_the_profile(client, participant):
    client.force_login(participant)
    client.post(SET_LANGUAGE, {"language": "ta", "next": "/"})
    participant.refresh_from_db()
    assert participant.preferred_language == "ta"
    assert page_lang(client) == "ta"
    # On another device (no cookie), signing in brings the language back, and the cookie
    # follows so that it stays after signing out.
    other_device = type(client)()
    other_device.force_login(participant)
    response = other_device.get("/")
    assert html_lang(response.content.decode()) == "ta"
    assert response.cookies[COOKIE].value == "ta"
    other_device.post(reverse("account_logout"))
    assert page_lang(other_device) == "ta"


def test_the_profile_language_wins_over_an_old_cookie(client):
    user = UserFactory(preferred_language="ms")
    client.cookies[COOKIE] = "zh-hans"
    client.force_login(user)
    assert page_lang(client, "/sessions/") == "ms"


def test_profile_form_changes_the_language(client, participant):
    client.force_login(participant)
    response = client.get(reverse("accounts:profile"))
    html = response.content.decode()
    assert '<option value="ta" lang="ta">தமிழ்</option>' in html
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": participant.display_name,
            "background": participant.background,
            "organisation": "",
            "content_warning_display": participant.content_warning_display,
            "preferred_language": "ta",
        },
        follow=True,
    )
    participant.refresh_from_db()
    assert participant.preferred_language == "ta"
    assert html_lang(response.content.decode()) == "ta"


def test_profile_form_refuses_an_unknown_language_with_a_message(client, participant):
    client.force_login(participant)
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": participant.display_name,
            "background": participant.background,
            "organisation": "",
            "preferred_language": "xx-klingon",
        },
    )
    assert response.status_code == 200
    assert "Choose one of the languages listed." in response.content.decode()
    participant.refresh_from_db()
    assert participant.preferred_language == "en"


def test_sign_up_records_the_page_language(client):
    client.cookies[COOKIE] = "ms"
    client.post(reverse("account_signup"), signup_data(email="siti@example.com"))
    assert User.objects.get(email="siti@example.com").preferred_language == "ms"


def test_sign_up_in_english_records_english(client):
    client.post(reverse("account_signup"), signup_data(email="ann@example.com"))
    assert User.objects.get(email="ann@example.com").preferred_language == "en"


def test_the_switcher_stays_open_while_a_new_privacy_notice_waits(client):
    user = UserFactory(pdpa_consent_version="2020-01")
    client.force_login(user)
    response = client.post(SET_LANGUAGE, {"language": "ta", "next": "/privacy/"})
    assert response["Location"] == "/privacy/"
    user.refresh_from_db()
    assert user.preferred_language == "ta"


# --- Bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["xx", "", "zh", "zh-hant", "EN", "ta<script>", "de" * 300])
def test_an_unknown_code_posted_falls_back_to_english(client, code):
    client.cookies[COOKIE] = "ta"
    response = client.post(SET_LANGUAGE, {"language": code, "next": "/"})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "en"
    assert page_lang(client) == "en"


def test_an_unknown_code_posted_by_a_signed_in_person_stores_english(client):
    user = UserFactory(preferred_language="ta")
    client.force_login(user)
    client.post(SET_LANGUAGE, {"language": "xx"})
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_no_language_at_all_is_english(client):
    response = client.post(SET_LANGUAGE, {})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[COOKIE].value == "en"


def test_a_cookie_naming_another_chinese_gets_the_nearest_one(client):
    """Django's own rule for a variant: a Traditional Chinese reader gets Simplified Chinese."""
    client.cookies[COOKIE] = "zh-hant-tw"
    assert page_lang(client) == "zh-hans"


@pytest.mark.parametrize("cookie", ["xx", "", "klingon-tlh", "ta;drop", "%E0%AE%B5" * 50])
def test_an_unknown_cookie_is_english_without_an_error(client, cookie):
    client.cookies[COOKIE] = cookie
    assert page_lang(client) == "en"


def test_an_unknown_language_stored_on_a_profile_is_english(client):
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(preferred_language="xx")
    client.force_login(user)
    assert page_lang(client) == "en"


@pytest.mark.parametrize(
    "target", ["https://elsewhere.example/", "//elsewhere.example", "javascript:alert(1)"]
)
def test_next_elsewhere_goes_home(client, target):
    response = client.post(SET_LANGUAGE, {"language": "ms", "next": target})
    assert response["Location"] == "/"


def test_set_language_answers_only_post(client):
    assert client.get(SET_LANGUAGE).status_code == 405


def test_the_url_carries_no_language():
    assert reverse("engagement:session_list") == "/sessions/"
    assert not any(
        getattr(pattern, "pattern", None).__class__.__name__ == "LocalePrefixPattern"
        for pattern in __import__("afa_platform.urls", fromlist=["urlpatterns"]).urlpatterns
    )
