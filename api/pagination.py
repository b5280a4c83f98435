"""Cursor pagination over a stable order: a page is the `limit` rows after the cursor.

A cursor is the sort key of the last row of the previous page, signed (so a changed or
invented cursor is refused with a clear 400, never a database error) and bound to the list
it came from. Because the next page starts after a key rather than at an offset, rows added
while someone pages through never shift later pages: nothing is skipped or shown twice, and
each page costs the same whatever its depth (the order's columns are indexed).
"""

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db.models import Q, QuerySet

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
SALT = "api.cursor"


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Order:
    """The columns a list is ordered by, the last one unique (the id); descending or not."""

    fields: tuple[str, ...]
    descending: bool


def encode(list_name: str, values: tuple) -> str:
    payload = [list_name, [v.isoformat() if isinstance(v, datetime) else v for v in values]]
    return signing.dumps(payload, salt=SALT, compress=True)


def decode(list_name: str, cursor: str, order: Order) -> tuple:
    try:
        name, values = signing.loads(cursor, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadCursor("This cursor is not one the API gave out.") from error
    if name != list_name or not isinstance(values, list) or len(values) != len(order.fields):
        raise BadCursor("This cursor belongs to another list.")
    decoded = []
    for field, value in zip(order.fields, values, strict=True):
        if field.endswith("_at") and isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError as error:
                raise BadCursor("This cursor is not one the API gave out.") from error
        decoded.append(value)
    return tuple(decoded)


def _after(order: Order, values: tuple) -> Q:
    """Rows strictly after `values` in the order (a row-value comparison, spelled out)."""
    op = "lt" if order.descending else "gt"
    condition = Q()
    for i, field in enumerate(order.fields):
        equal = Q(**dict(zip(order.fields[:i], values[:i], strict=True)))
        condition |= equal & Q(**{f"{field}__{op}": values[i]})
    return condition


def page(
    rows: QuerySet, *, list_name: str, order: Order, cursor: str | None, limit: int
) -> tuple[list, str | None]:
    """The page's rows and the cursor of the next page (None on the last)."""
    prefix = "-" if order.descending else ""
    rows = rows.order_by(*(prefix + f for f in order.fields))
    if cursor:
        rows = rows.filter(_after(order, decode(list_name, cursor, order)))
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    found = found[:limit]
    last = found[-1]
    return found, encode(list_name, tuple(_value(last, f) for f in order.fields))


def _value(row, field: str):
    value = row
    for part in field.split("__"):
        value = getattr(value, part)
    return value
