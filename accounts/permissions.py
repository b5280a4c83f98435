"""Who may do what. Views ask here; nothing else decides roles."""

from collections.abc import Callable
from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .roles import MFA_REQUIRED_ROLES, Role


def user_role_names(user) -> frozenset[str]:
    """The names of the user's role groups, read once per request object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_afa_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._afa_role_names = cached
    return cached


def has_role(user, role: Role) -> bool:
    """Superusers (administrators) hold every role."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or role.value in user_role_names(user)


def is_organiser(user) -> bool:
    return has_role(user, Role.ORGANISER)


def is_mci_staff(user) -> bool:
    return has_role(user, Role.STAFF)


def needs_mfa(user) -> bool:
    """True when the user's role requires two-factor sign-in and they have not set it up."""
    if not user.is_authenticated:
        return False
    privileged = (
        user.is_superuser
        or user.is_staff
        or any(role.value in user_role_names(user) for role in MFA_REQUIRED_ROLES)
    )
    return privileged and not is_mfa_enabled(user)


def redirect_to_mfa_setup(request: HttpRequest) -> HttpResponse:
    messages.warning(
        request,
        _(
            "This area holds other people's information, so it needs two-factor sign-in. "
            "Set up an authenticator app to continue."
        ),
    )
    return redirect("mfa_activate_totp")


def role_required(*roles: Role) -> Callable:
    """Let in users holding any of `roles`; others get 403, and privileged users without MFA
    are sent to set it up first."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(has_role(user, role) for role in roles):
                raise PermissionDenied
            if needs_mfa(user):
                return redirect_to_mfa_setup(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
