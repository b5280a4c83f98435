"""Sign-ups that race for one new email: the loser is answered exactly as a repeat sign-up is
(the "verification sent" page, and the same emails: allauth's "account already exists", which
its confirm_email rate limit holds back right after the first sign-up), never with the
IntegrityError of accounts_user_email_key."""

import time
from unittest import mock

import pytest
from allauth.account.internal import flows
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.test_signup import signup_data
from tests.threads import run_at_once


def _repeat_signup(client) -> tuple[str, list[str]]:
    """Where a sign-up with an address already taken is sent, and the subjects mailed."""
    mail.outbox.clear()
    response = client.post(reverse("account_signup"), signup_data(display_name="Again"))
    assert response.status_code == 302
    return response["Location"], [message.subject for message in mail.outbox]


@pytest.mark.django_db
def test_a_signup_that_loses_the_race_for_its_email_is_answered_as_a_repeat_signup(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data())
    with django_capture_on_commit_callbacks(execute=True):
        repeat = _repeat_signup(Client())
    # The race: allauth's "is this email free?" ran before the winner committed.
    free = mock.patch(
        "allauth.account.internal.flows.manage_email.email_already_exists",
        side_effect=lambda email, **kwargs: (email, False),
    )
    with free, django_capture_on_commit_callbacks(execute=True):
        raced = _repeat_signup(Client())
    assert raced == repeat
    assert raced[0] == reverse("account_email_verification_sent")
    assert User.objects.get(email="mei@example.com").display_name == "Mei"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_signups_at_once_with_one_new_email_make_one_account_and_no_error():
    real_check = flows.manage_email.email_already_exists

    def slow_check(email, **kwargs):
        # Widen the window between allauth's check and the insert, so that every sign-up
        # checks before any inserts (without the fix, three of the four were then a 500).
        answer = real_check(email, **kwargs)
        time.sleep(0.3)
        return answer

    for attempt in range(2):
        email = f"mei{attempt}@example.com"
        with mock.patch.object(flows.manage_email, "email_already_exists", slow_check):
            results, errors = run_at_once([lambda e=email: _post(e) for _ in range(4)])
        assert errors == []
        assert results == [(302, reverse("account_email_verification_sent"))] * 4
        assert User.objects.filter(email=email).count() == 1


def _post(email: str) -> tuple[int, str | None]:
    client = Client(raise_request_exception=False)
    response = client.post(reverse("account_signup"), signup_data(email=email))
    return response.status_code, response.get("Location")
