"""Who may do what. Views and permission helpers ask here; nothing else decides roles.

Two questions, never to be mixed up:
- `holds_role`: is the person a member of the role? For choosing email recipients, for the menu's
  "complete two-factor sign-in" prompt, and for deciding what to ask of them next.
- `has_role` (and `is_organiser`, `is_mci_staff`): may this person *act* in the role in this
  request? For the roles whose areas hold other people's data that needs two-factor sign-in
  completed in this very session, with an authenticator the person still has. Every access
  decision goes through this, so a password-only session of an organiser sees no more than a
  participant does, wherever the check is made.
"""

from collections.abc import Callable
from functools import wraps

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .roles import MFA_REQUIRED_ROLES, Role

# Set on request.user by SecondFactorMiddleware: did this session pass a second factor?
SECOND_FACTOR_ATTR = "_afa_second_factor_in_session"


def user_role_names(user) -> frozenset[str]:
    """The names of the user's role groups, read once per request object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_afa_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._afa_role_names = cached
    return cached


def holds_role(user, role: Role) -> bool:
    """Membership only. Superusers (administrators) hold every role."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or role.value in user_role_names(user)


def is_privileged(user) -> bool:
    """Holds a role (or the admin's flags) whose area shows other people's data."""
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or user.is_staff
        or any(role.value in user_role_names(user) for role in MFA_REQUIRED_ROLES)
    )


def _mfa_enabled(user) -> bool:
    cached = getattr(user, "_afa_mfa_enabled", None)
    if cached is None:
        cached = is_mfa_enabled(user)
        user._afa_mfa_enabled = cached
    return cached


def mark_second_factor(request: HttpRequest, user) -> None:
    """Record on the request's user whether this session passed a second factor (allauth
    writes an "mfa" authentication record on sign-in, reauthentication, and, through
    accounts.signals, when an authenticator is set up in the session)."""
    if user.is_authenticated:
        records = get_authentication_records(request, user)
        setattr(user, SECOND_FACTOR_ATTR, any(r.get("method") == "mfa" for r in records))


def has_second_factor(user) -> bool:
    """This request's session passed two-factor sign-in, and the authenticator is still set
    up. A user object that did not come from a request (a task, a shell) never has it."""
    return (
        user.is_authenticated
        and getattr(user, SECOND_FACTOR_ATTR, False) is True
        and _mfa_enabled(user)
    )


def has_role(user, role: Role) -> bool:
    """May `user` act in `role` in this request? The roles of MFA_REQUIRED_ROLES (and any role
    an administrator acts in) need two-factor sign-in completed in this session."""
    if not holds_role(user, role):
        return False
    if role in MFA_REQUIRED_ROLES or user.is_superuser:
        return has_second_factor(user)
    return True


def is_organiser(user) -> bool:
    return has_role(user, Role.ORGANISER)


def is_mci_staff(user) -> bool:
    return has_role(user, Role.STAFF)


def needs_mfa(user) -> bool:
    """True when the user's role requires two-factor sign-in and they have not set it up."""
    return is_privileged(user) and not _mfa_enabled(user)


def needs_second_factor_now(user) -> bool:
    """Privileged, with an authenticator, but this session has not used it (signed in before
    the authenticator was set up elsewhere, for example)."""
    return is_privileged(user) and _mfa_enabled(user) and not has_second_factor(user)


def redirect_to_mfa_setup(request: HttpRequest) -> HttpResponse:
    messages.warning(
        request,
        _(
            "This area holds other people's information, so it needs two-factor sign-in. "
            "Set up an authenticator app to continue."
        ),
    )
    return redirect("mfa_activate_totp")


def redirect_to_second_factor(request: HttpRequest) -> HttpResponse:
    messages.warning(
        request,
        _(
            "This area holds other people's information. Enter a code from your "
            "authenticator app to continue."
        ),
    )
    return redirect(
        f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}"
    )


def second_factor_response(request: HttpRequest) -> HttpResponse | None:
    """Where a privileged person without a second factor in this session must go first."""
    if needs_mfa(request.user):
        return redirect_to_mfa_setup(request)
    if needs_second_factor_now(request.user):
        return redirect_to_second_factor(request)
    return None


def role_required(*roles: Role) -> Callable:
    """Let in users acting in any of `roles`; members without two-factor sign-in in this
    session are sent to set it up or to enter a code; everyone else gets 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(holds_role(user, role) for role in roles):
                raise PermissionDenied
            if not any(has_role(user, role) for role in roles):
                detour = second_factor_response(request)
                if detour is None:
                    raise PermissionDenied
                return detour
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
