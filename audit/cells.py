"""Cells that are safe to open in a spreadsheet, and times written the same way in every file
(the exports, the audit log, an organiser's roster).

Foundation code that several apps write files with: it imports no other app."""

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

from django.utils import timezone

# A spreadsheet runs a cell that starts with one of these as a formula (or a DDE command).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"


def neutralise(text: str) -> str:
    """Prefix text a spreadsheet would run with an apostrophe, so it stays text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def safe_row(row: Iterable) -> list:
    return [neutralise(cell) if cell.__class__ is str else cell for cell in row]


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in Singapore time (the site's zone), to the second: 2021-02-22T10:00:00+08:00."""
    if moment is None:
        return None
    return moment.astimezone(_site_zone()).isoformat(timespec="seconds")


@lru_cache(maxsize=1)
def _site_zone():
    # The settings' zone, not the request's "current" one (looked up per call, which costs
    # more than the conversion itself on a 500,000-row export).
    return timezone.get_default_timezone()
