"""Sign-up keeps the thread: someone who meets "Sign in to register" on a session page signs
up, confirms the email (from any device) and signs in, and lands back on that session page.
The verification email and allauth's pages speak in the site's voice, in sentence case."""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import EngagementSessionFactory

from .test_signup import signup_data

PASSWORD = "kopi-siew-dai-2026"


def confirmation_link(body: str) -> str:
    """The path and query of the verification link in an email body."""
    url = re.search(r"https?://\S+/accounts/confirm-email/\S+", body).group(0)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.mark.django_db
def test_signing_up_from_a_session_page_returns_to_it_after_verifying_and_signing_in(
    client, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory(title="Keeping teens safe online")
    session_path = reverse("engagement:session_detail", args=[session.slug])

    # The session page sends a signed-out person to sign in, carrying the page.
    detail = client.get(session_path).content.decode()
    login_href = f"{reverse('account_login')}?next={session_path}"
    assert login_href in detail

    # The sign-in page's "sign up" link carries it on, and the sign-up form keeps it.
    login_page = client.get(login_href).content.decode()
    assert f"{reverse('account_signup')}?next={session_path.replace('/', '%2F')}" in login_page
    signup_page = client.get(reverse("account_signup"), {"next": session_path}).content.decode()
    assert f'name="next" value="{session_path}"' in signup_page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), {**signup_data(), "next": session_path})
    assert response.status_code == 302
    assert len(mail.outbox) == 1

    # The link works in a browser that never saw the sign-up (a phone opening the email).
    client.cookies.clear()
    link = confirmation_link(mail.outbox[0].body)
    confirm_page = client.get(link)
    assert confirm_page.status_code == 200
    sign_in_next = f"{reverse('account_login')}?next={session_path}"
    assert f'name="next" value="{sign_in_next}"' in confirm_page.content.decode()

    confirmed = client.post(link.split("?")[0], {"next": sign_in_next})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == sign_in_next

    signed_in = client.post(
        confirmed["Location"],
        {"login": "mei@example.com", "password": PASSWORD, "next": session_path},
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == session_path
    assert "_auth_user_id" in client.session
    assert "Register" in client.get(session_path).content.decode()


@pytest.mark.django_db
def test_a_first_sign_in_before_verifying_resends_a_link_that_keeps_the_thread(
    client, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory()
    session_path = reverse("engagement:session_detail", args=[session.slug])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data())
    mail.outbox.clear()
    client.cookies.clear()
    cache.clear()  # allauth resends a link at most once in three minutes

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_login"),
            {"login": "mei@example.com", "password": PASSWORD, "next": session_path},
        )
    assert len(mail.outbox) == 1
    link = confirmation_link(mail.outbox[0].body)
    path, query = link.split("?")
    confirmed = client.post(path, {"next": parse_qs(query)["next"][0]})
    assert confirmed["Location"] == f"{reverse('account_login')}?next={session_path}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "javascript:alert(1)",
        "http://testserver/sessions/",
    ],
)
def test_a_next_to_another_site_is_neither_mailed_nor_followed(
    client, participant, django_capture_on_commit_callbacks, target
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {**signup_data(), "next": target})
    body = mail.outbox[0].body
    assert "evil.example" not in body
    assert "next=" not in confirmation_link(body)

    signed_in = client.post(
        reverse("account_login"),
        {"login": participant.email, "password": FACTORY_PASSWORD, "next": target},
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("accounts:profile")


@pytest.mark.django_db
def test_the_verification_email_speaks_in_the_sites_voice(
    client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data(display_name="Mei Ling"))
    message = mail.outbox[0]
    assert message.subject == "AfA Platform: Confirm your email address"
    body = message.body
    assert "Thank you for signing up to the AfA Platform" in body
    assert "The link works for 3 days." in body
    assert "has given your email address" not in body
    assert "Mei Ling" not in body
    assert "testserver" not in body  # links are built on SITE_URL, not the request's host
    assert body.count(f"{settings.SITE_URL}/accounts/confirm-email/") == 1
    assert body.count(settings.SITE_URL) == 1


class _Headings(HTMLParser):
    """The page title and the text of every h1-h3 and button."""

    TAGS = {"title", "h1", "h2", "h3", "button"}

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.open.append("")

    def handle_endtag(self, tag):
        if tag in self.TAGS and self.open:
            self.texts.append(" ".join(self.open.pop().split()))

    def handle_data(self, data):
        if self.open:
            self.open[-1] += data


# Words that keep their capital wherever they stand.
PROPER = {"AfA", "Platform", "TOTP", "Singapore", "SGT", "I", "Shift", "MCI"}
# The language switcher names each language in itself: "Bahasa Melayu" is a name.
PROPER |= {"Melayu"}


def title_case_words(text: str) -> list[str]:
    text = text.split(" · ")[0]  # the page title's suffix is the platform's name
    words = re.findall(r"[A-Za-z][\w'-]*", text)
    return [word for word in words[1:] if word[0].isupper() and word not in PROPER]


ANONYMOUS_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]
SIGNED_IN_PAGES = [
    "account_logout",
    "account_change_password",
    "account_email",
    "mfa_index",
    "mfa_activate_totp",
    "account_reauthenticate",
]


@pytest.mark.django_db
def test_allauth_pages_use_sentence_case_for_titles_headings_and_buttons(client, participant):
    pages = [reverse(name) for name in ANONYMOUS_PAGES]
    pages.append(reverse("account_confirm_email", args=["not-a-key"]))
    pages.append(reverse("account_reset_password_from_key", args=["x", "not-a-key"]))
    found = {}
    for path in pages + [None, *[reverse(name) for name in SIGNED_IN_PAGES]]:
        if path is None:
            client.force_login(participant)
            continue
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        parser = _Headings()
        parser.feed(response.content.decode())
        assert parser.texts, path
        for text in parser.texts:
            if title_case_words(text):
                found[path] = text
    assert found == {}


def _title_cased(response) -> list[str]:
    parser = _Headings()
    parser.feed(response.content.decode())
    assert parser.texts
    return [text for text in parser.texts if title_case_words(text)]


@pytest.mark.django_db
def test_two_factor_pages_use_sentence_case_too(client, organiser):
    step = client.post(
        reverse("account_login"), {"login": organiser.email, "password": FACTORY_PASSWORD}
    )
    assert step["Location"] == reverse("mfa_authenticate")
    assert _title_cased(client.get(step["Location"])) == []

    client.force_login(organiser)
    for name in [
        "mfa_index",
        "mfa_deactivate_totp",
        "mfa_generate_recovery_codes",
    ]:
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 200, name
        assert _title_cased(response) == [], name


@pytest.mark.django_db
def test_allauth_form_labels_use_sentence_case(client, participant):
    login = client.get(reverse("account_login")).content.decode()
    assert "Remember me" in login and "Remember Me" not in login
    client.force_login(participant)
    change = client.get(reverse("account_change_password")).content.decode()
    assert "Current password" in change and "New password" in change
    assert "Current Password" not in change


@pytest.mark.django_db
def test_the_menus_sign_in_and_sign_up_links_carry_the_page_they_were_used_on(client):
    session = EngagementSessionFactory(title="Keeping teens safe online")
    session_path = reverse("engagement:session_detail", args=[session.slug])
    page = client.get(f"{session_path}?tab=about&x=1").content.decode()
    carried = "next=" + f"{session_path}%3Ftab%3Dabout%26x%3D1"
    assert f'href="{reverse("account_login")}?{carried}"' in page
    assert f'href="{reverse("account_signup")}?{carried}"' in page
    # Not from the home page or the sign-in pages themselves: nothing to come back to.
    for path in (reverse("home"), reverse("account_login"), reverse("account_signup")):
        page = client.get(path).content.decode()
        assert f'href="{reverse("account_login")}"' in page
        assert "?next=" not in page.split("<main")[0]
