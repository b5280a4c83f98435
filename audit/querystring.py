"""Reading query parameters safely: the one way every view reads `request.GET`.

A query string is whatever a browser, a crawler or a fuzzer sends. A NUL character is refused
by PostgreSQL (a 500 if it reaches a query), a 10,000-character value costs a search, and
bytes that are not UTF-8 arrive as U+FFFD. Each helper here returns a value a view can use
as it is, or the default: a bad filter is ignored, never an error page. Bottom layer: it
imports nothing from the apps, so every app may use it.
"""

import re
from collections.abc import Iterable

from django.http import QueryDict

TEXT_MAX_LENGTH = 200
# The largest id a BigAutoField (and SQLite's INTEGER) can hold.
MAX_ID = 2**63 - 1
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")


def clean_text(value: str, *, max_length: int = TEXT_MAX_LENGTH) -> str:
    """`value` without NUL characters, cut to `max_length`."""
    return value.replace("\x00", "")[:max_length]


def text_param(query: QueryDict, name: str, *, max_length: int = TEXT_MAX_LENGTH) -> str:
    """Free text (a search), without NULs and at most `max_length` characters."""
    return clean_text(query.get(name, ""), max_length=max_length).strip()


def as_id(text: str) -> int | None:
    """`text` as a database id, or None when it cannot be one (forged, garbled, too big)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def id_param(query: QueryDict, name: str) -> int | None:
    return as_id(query.get(name, ""))


def id_list_param(query: QueryDict, name: str, *, limit: int = 100) -> list[int]:
    """The valid ids among the repeated parameter `name` (at most `limit` of them)."""
    ids = (as_id(value) for value in query.getlist(name)[:limit])
    return [pk for pk in ids if pk is not None]


def choice_param(query: QueryDict, name: str, choices: Iterable[str], default: str = "") -> str:
    """The value when it is one of `choices`, else `default`."""
    value = query.get(name, "")
    return value if value in set(choices) else default


def slug_param(query: QueryDict, name: str) -> str:
    """A slug (letters, digits, - and _), else ""."""
    value = query.get(name, "")
    return value if _SLUG.fullmatch(value) else ""


# Past any list's last page: Paginator.get_page shows the last page for it.
PAST_THE_LAST_PAGE = "999999999"


def page_param(query: QueryDict, name: str = "page") -> str:
    """A page number for Paginator.get_page: digits, else "" (the first page). Page 0 is the
    first page; a number past the last page, however long (?page=99999999999), is the last
    page, as get_page makes any number past the end."""
    value = query.get(name, "")
    if not (value.isascii() and value.isdigit()) or not value.strip("0"):
        return ""
    return value if len(value) <= len(PAST_THE_LAST_PAGE) else PAST_THE_LAST_PAGE


def cleaned(query: QueryDict, *, max_length: int = TEXT_MAX_LENGTH) -> QueryDict:
    """A copy of `query` with every value cleaned as clean_text does, for a bound form (its
    fields then refuse a bad value with a message, as they would any other)."""
    copy = QueryDict(mutable=True)
    for name, values in query.lists():
        copy.setlist(
            clean_text(name, max_length=max_length),
            [clean_text(value, max_length=max_length) for value in values],
        )
    return copy


def urlencode_without(query: QueryDict, *names: str) -> str:
    """The cleaned query string without `names` (e.g. "page"), for links that keep the rest."""
    copy = cleaned(query)
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()
