"""A TOTP code typed in the last seconds of its 30-second step arrives in the next one: it is
still accepted (MFA_TOTP_TOLERANCE = 1), but a code two steps old is not."""

from types import SimpleNamespace

import pytest
from allauth.mfa.totp.internal import auth as totp_auth
from django.urls import reverse

from tests.factories import PASSWORD, TOTP_PERIOD

# One second into a step: the code of the step before was shown on the phone a moment ago.
STEP = 59_000_000
NOW = STEP * TOTP_PERIOD + 1


@pytest.fixture
def clock(monkeypatch):
    """allauth's TOTP check reads the time through its own module's `time`; only that is set."""
    monkeypatch.setattr(totp_auth, "time", SimpleNamespace(time=lambda: NOW))


def _code(secret: str, step: int) -> str:
    return totp_auth.format_hotp_value(totp_auth.hotp_value(secret, step))


def _password_step(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")


@pytest.mark.django_db
def test_a_code_from_the_previous_step_signs_in(client, organiser, clock):
    _password_step(client, organiser)
    response = client.post(
        reverse("mfa_authenticate"), {"code": _code(organiser.totp_secret, STEP - 1)}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(organiser.pk)


@pytest.mark.django_db
def test_a_code_two_steps_old_is_refused(client, organiser, clock):
    _password_step(client, organiser)
    response = client.post(
        reverse("mfa_authenticate"), {"code": _code(organiser.totp_secret, STEP - 2)}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
