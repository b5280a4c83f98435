from django.conf import settings
from django.http import HttpRequest

from accounts.permissions import is_mci_staff, is_organiser
from harms.selectors import footer_support_resources


def site(request: HttpRequest) -> dict:
    """What every page's shell needs: the user's roles for the navigation and the footer's help."""
    user = request.user
    return {
        "nav_is_organiser": is_organiser(user),
        "nav_is_staff": is_mci_staff(user),
        "footer_support_resources": footer_support_resources(),
        "quick_exit_url": settings.QUICK_EXIT_URL,
        "pdpa_notice_version": settings.PDPA_NOTICE_VERSION,
        "support_email": settings.SUPPORT_EMAIL,
    }
