"""Sign-in rate limits count each client behind the compose stack's TLS proxy, not the proxy
itself, and a client cannot escape them by sending an X-Forwarded-For of its own."""

import itertools
import re

import pytest
import yaml
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import PASSWORD
from tests.settings_env import settings_with_env

PROXY = "10.0.0.2"
TOO_MANY = "Too many failed login attempts"
_emails = (f"nobody{n}@example.com" for n in itertools.count())


def _compose_trusted_proxy_count() -> int:
    """ALLAUTH_TRUSTED_PROXY_COUNT as settings.py makes it from the web service's environment
    in docker-compose.yml (its ${NAME:-default} values taken at their defaults)."""
    compose = yaml.safe_load((django_settings.BASE_DIR / "docker-compose.yml").read_text())
    environment = {
        name: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))
        for name, value in compose["services"]["web"]["environment"].items()
        if name == "TRUSTED_PROXY_COUNT"
    }
    return getattr(settings_with_env(**environment), "ALLAUTH_TRUSTED_PROXY_COUNT", 0)


def _through_proxy(client, client_address: str, data: dict, *, sent_by_client: str = ""):
    """A POST to the sign-in form as the proxy forwards it: the connection comes from the
    proxy, which appends the address it saw to whatever X-Forwarded-For the client sent."""
    forwarded = ", ".join(part for part in (sent_by_client, client_address) if part)
    return client.post(
        reverse("account_login"), data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )


def _bad_password(client, client_address: str, **kwargs):
    # A new email each time, so only the per-address limit (10 a minute) is in play.
    data = {"login": next(_emails), "password": "wrong"}
    return _through_proxy(client, client_address, data, **kwargs)


def _use_up_budget(client, client_address: str) -> None:
    for _ in range(10):
        assert TOO_MANY not in _bad_password(client, client_address).content.decode()
    assert TOO_MANY in _bad_password(client, client_address).content.decode()


def _signs_in(client, client_address: str, user) -> bool:
    response = _through_proxy(client, client_address, {"login": user.email, "password": PASSWORD})
    return response.status_code == 302 and response["Location"] == reverse("accounts:profile")


@pytest.mark.django_db
def test_login_failures_behind_the_compose_proxy_are_counted_per_client_address(
    client, participant, settings
):
    # Control: a server that trusts no proxy sees every client as the proxy, so ten bad
    # passwords from one person block everyone.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    _use_up_budget(client, "203.0.113.7")
    assert not _signs_in(client, "198.51.100.9", participant)

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = _compose_trusted_proxy_count()
    _use_up_budget(client, "203.0.113.7")
    # Someone else behind the same proxy has a budget of their own.
    assert _signs_in(client, "198.51.100.9", participant)


@pytest.mark.django_db
def test_a_spoofed_x_forwarded_for_entry_does_not_escape_the_limit(client, participant, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = _compose_trusted_proxy_count()
    _use_up_budget(client, "203.0.113.7")
    for spoofed in ("198.51.100.77", "198.51.100.78, 192.0.2.1", "203.0.113.8"):
        response = _bad_password(client, "203.0.113.7", sent_by_client=spoofed)
        assert TOO_MANY in response.content.decode(), spoofed
    # The spoofed entries were not counted: the person really at one of those addresses
    # signs in.
    assert _signs_in(client, "198.51.100.77", participant)
