"""Hooks into allauth's and django.contrib.auth's events (signals only for third-party events)."""

import time

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import LAST_SEEN, SIGNED_IN_AT


@receiver(authenticator_added)
def count_enrolment_as_second_factor(sender, request, user, authenticator, **kwargs) -> None:
    """Setting up TOTP means typing a code the new authenticator made: the session has
    proved the second factor, as a sign-in with it would. Without this, an organiser who
    has just enrolled would be asked for a code at once. (allauth records "mfa" itself on
    sign-in and reauthentication; record_authentication is its own helper for that.)"""
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        record_authentication(
            request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True
        )


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs) -> None:
    """A sign-in starts the idle and absolute clocks afresh (accounts.middleware)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now
