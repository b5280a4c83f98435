"""accounts' retention rules (audit.retention): "Download my data" files are deleted after
PERSONAL_DATA_FILE_DAYS; accounts with no sign-in for RETENTION_INACTIVE_ACCOUNT_MONTHS are
warned by email, and are due for erasure RETENTION_ERASURE_NOTICE_DAYS later unless the
person signs in. The last rule lists the accounts due (accounts_due_for_erasure); it erases
nothing itself."""

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


def _due_for_erasure(*, now, dry_run: bool = False) -> list[int]:
    return list(
        services.accounts_due_for_erasure(now=now).order_by("pk").values_list("pk", flat=True)
    )


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
        key="accounts_due_for_erasure",
        label=_("accounts due for erasure (listed only: this job does not erase them)"),
        apply=_due_for_erasure,
        # The sentence of the rule above says it.
        notice=lambda: "",
        order=31,
        changes=False,
    ),
)
