from datetime import date, datetime

from django import template

register = template.Library()


@register.filter
def iso_date(value: str) -> date | None:
    """A date stored as ISO text in a digest's figures."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def iso_datetime(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def signed(value) -> str:
    """+3, 0, −2: the change from the previous period."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    if number > 0:
        return f"+{number}"
    if number < 0:
        return f"\u2212{-number}"
    return "0"


@register.filter
def absolute(value) -> int:
    try:
        return abs(int(value))
    except (TypeError, ValueError):
        return 0
