from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from accounts.middleware import idle_timeout_seconds
from accounts.permissions import is_mci_staff, is_organiser, needs_mfa, needs_second_factor_now
from harms.selectors import footer_support_resources


def site(request: HttpRequest) -> dict:
    """What every page's shell needs: the user's roles for the navigation and the footer's help."""
    user = request.user
    return {
        "nav_is_organiser": is_organiser(user),
        "nav_is_staff": is_mci_staff(user),
        "nav_second_factor_url": _second_factor_url(user),
        **_session_timeout(user),
        "footer_support_resources": footer_support_resources(),
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "pdpa_notice_version": settings.PDPA_NOTICE_VERSION,
        "support_email": settings.SUPPORT_EMAIL,
    }


def _second_factor_url(user) -> str | None:
    """Where a privileged person must go before the role's menus appear."""
    if needs_mfa(user):
        return reverse("mfa_activate_totp")
    if needs_second_factor_now(user):
        return reverse("mfa_reauthenticate")
    return None


def _session_timeout(user) -> dict:
    idle = idle_timeout_seconds(user) if user.is_authenticated else None
    if idle is None:
        return {"session_idle_seconds": None}
    return {"session_idle_seconds": idle, "session_idle_minutes": idle // 60}
