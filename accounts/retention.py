"""accounts' retention rules (audit.retention): "Download my data" files are deleted after
PERSONAL_DATA_FILE_DAYS; accounts with no sign-in for RETENTION_INACTIVE_ACCOUNT_MONTHS are
warned by email, and erased RETENTION_ERASURE_NOTICE_DAYS later unless the person signs in
(their ideas and comments kept as "Anonymous participant")."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.retention import Rule, register

from . import services


def _archive_notice() -> str:
    days = settings.PERSONAL_DATA_FILE_DAYS
    return ngettext(
        "A copy of your data that you download from My data is deleted %(days)d day after it "
        "is made.",
        "A copy of your data that you download from My data is deleted %(days)d days after it "
        "is made.",
        days,
    ) % {"days": days}


def _inactive_notice() -> str:
    months = settings.RETENTION_INACTIVE_ACCOUNT_MONTHS
    days = settings.RETENTION_ERASURE_NOTICE_DAYS
    return ngettext(
        "If you do not sign in for %(months)d months, we email you, and delete your account "
        "%(days)d day later unless you sign in.",
        "If you do not sign in for %(months)d months, we email you, and delete your account "
        "%(days)d days later unless you sign in.",
        days,
    ) % {"months": months, "days": days}


register(
    Rule(
        key="personal_data_files",
        label=_("personal data archive files"),
        apply=services.personal_data_archives_expire,
        notice=_archive_notice,
        order=21,
    ),
    Rule(
        key="inactive_accounts_warned",
        label=_("inactive accounts (warned by email)"),
        apply=services.inactive_accounts_warn,
        notice=_inactive_notice,
        order=30,
    ),
    Rule(
        key="inactive_accounts_erased",
        label=_("inactive accounts erased (ideas and comments kept, anonymous)"),
        apply=services.inactive_accounts_erase,
        # The sentence of the rule above says it.
        notice=lambda: "",
        order=31,
    ),
)
