"""The one rate limit: at most `limit` of one person's own rows in a rolling window.

Counted from the rows themselves (their `created_at`), with the person's row locked first, so
two requests from one person are counted one after the other; no burst of twice the limit
across a clock hour's boundary, nothing to lose when a cache is flushed or Redis is down.
Used for general feedback (feedback.services), ideas and comments (initiatives.services).
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone


@transaction.atomic
def rate_limit_reached(*, person, recent: QuerySet, limit: int, window: timedelta) -> bool:
    """Whether `person` already has `limit` rows of `recent` (their own rows) created within
    `window`. Side effect: locks the person's row until the caller's transaction ends, so the
    caller's insert after a False is counted by the next request. Call it inside the
    transaction that inserts the row."""
    users = get_user_model().objects.select_for_update()
    list(users.filter(pk=person.pk).values_list("pk"))
    since = timezone.now() - window
    return recent.filter(created_at__gte=since).count() >= limit
