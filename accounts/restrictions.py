"""A suspended or blocked person: what they may still do, and the hooks other apps add.

accounts.services.person_block sets the restriction; every service through which a person
takes part (an idea, a comment, a support, a report, a registration, feedback, joining an
initiative) asks `restriction_refusal` first and refuses with its message, whatever the entry
point; accounts.middleware.RestrictedPersonMiddleware sends a restricted person's requests to
the page that explains it (RESTRICTED_PATH), leaving open only RESTRICTED_OPEN_PATHS.

The apps above accounts add what a block does to their own rows (hide the person's published
content, cancel their registrations) in their own `restrictions` module, found by
autodiscovery as `personal_data` is: accounts never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Restriction

RESTRICTED_PATH = "/accounts/profile/restricted/"
# What a suspended or blocked person can still open: the explanation, their data, deleting
# their account, the privacy notice, stopping follow emails, signing out, support services
# and the language switcher.
RESTRICTED_OPEN_PATHS = (
    RESTRICTED_PATH,
    "/accounts/logout/",
    "/accounts/login/",
    "/accounts/2fa/authenticate/",
    "/accounts/profile/my-data/",
    "/accounts/profile/delete/",
    "/accounts/profile/notice/",
    "/following/unsubscribe/",
    "/accounts/profile/stay-signed-in/",
    "/privacy/",
    "/accessibility/",
    "/support/",
    "/i18n/",
    "/healthz",
    "/favicon",
)


@dataclass(frozen=True)
class RestrictionEffects:
    """What the apps' hooks did for one block or suspension."""

    hidden_items: int = 0
    cancelled_registrations: int = 0


# Each hook: (person, by, reason, hide_content, cancel_registrations) -> RestrictionEffects.
_hooks: list[Callable[..., RestrictionEffects]] = []


def restriction_hook(hook: Callable[..., RestrictionEffects]) -> Callable[..., RestrictionEffects]:
    """Register what a block or suspension does to an app's rows (called inside
    person_block's transaction, keyword arguments only)."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def restriction_hooks() -> list[Callable[..., RestrictionEffects]]:
    return list(_hooks)


def restriction_end_label(until) -> str:
    return date_format(timezone.localtime(until), "j F Y, g:i A")


def restriction_refusal(user, now=None) -> str | None:
    """The message a service refuses a restricted person with, or None. Costs no query: the
    restriction is on the user row the request loaded."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    state = user.restriction_in_force(now)
    if state == Restriction.BLOCKED:
        return _(
            "Your account is blocked, so you cannot do this. Your account page says why and "
            "how to ask for a review."
        )
    if state == Restriction.SUSPENDED:
        return _(
            "Your account is suspended until %(date)s (Singapore time), so you cannot do this "
            "until then."
        ) % {"date": restriction_end_label(user.restricted_until)}
    return None
