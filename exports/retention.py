"""exports' retention rule (audit.retention): export files are deleted after
EXPORT_FILE_DAYS (each job's expiry, set when its file was written)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.retention import Rule, register

from . import services


def _notice() -> str:
    days = settings.EXPORT_FILE_DAYS
    return ngettext(
        "Export files that MCI staff prepare are deleted %(days)d day after they are made.",
        "Export files that MCI staff prepare are deleted %(days)d days after they are made.",
        days,
    ) % {"days": days}


register(
    Rule(
        key="export_files",
        label=_("export files"),
        apply=services.export_files_expire,
        notice=_notice,
        order=20,
    )
)
