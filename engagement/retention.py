"""engagement's retention rule (audit.retention): access needs are erased a while after the
session ends."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.retention import Rule, register

from . import services


def _notice() -> str:
    days = settings.RETENTION_ACCESS_NEEDS_DAYS
    return ngettext(
        "Access needs you give when you register are erased %(days)d day after the session ends.",
        "Access needs you give when you register are erased %(days)d days after the session ends.",
        days,
    ) % {"days": days}


register(
    Rule(
        key="access_needs",
        label=_("registrations (their access needs)"),
        apply=services.access_needs_erase,
        notice=_notice,
        order=10,
    )
)


# --- Invitations (issue 16, item 2) --------------------------------------------------------
def _invitations_notice() -> str:
    days = settings.RETENTION_INVITATIONS_DAYS
    return ngettext(
        "Invitations to sessions (the address, name and organisation an organiser gave) are "
        "deleted %(days)d day after the session ends.",
        "Invitations to sessions (the address, name and organisation an organiser gave) are "
        "deleted %(days)d days after the session ends.",
        days,
    ) % {"days": days}


register(
    Rule(
        key="invitations",
        label=_("invitations to sessions"),
        apply=services.invitations_erase,
        notice=_invitations_notice,
        order=11,
    )
)
