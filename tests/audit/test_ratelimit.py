"""One rate limit for general feedback, ideas and comments: a person's own rows over a rolling
window, counted in the database (so it neither forgets on a cache flush nor lets a burst
through at a clock hour's boundary)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from audit.ratelimit import rate_limit_reached
from feedback import services
from feedback.models import Feedback
from harms.models import HarmCategory

pytestmark = pytest.mark.django_db


def details() -> services.FeedbackDetails:
    return services.FeedbackDetails(
        harm_categories=[HarmCategory.objects.get(slug="doxxing")],
        experience="Someone posted my old address in a group chat.",
    )


def test_limit_counts_only_the_persons_rows_inside_the_window(participant, other_participant):
    services.feedback_create(participant=participant, details=details())
    services.feedback_create(participant=other_participant, details=details())
    mine = Feedback.objects.filter(participant=participant)
    assert rate_limit_reached(person=participant, recent=mine, limit=1, window=timedelta(hours=1))
    assert not rate_limit_reached(
        person=participant, recent=mine, limit=2, window=timedelta(hours=1)
    )
    mine.update(created_at=timezone.now() - timedelta(minutes=61))
    assert not rate_limit_reached(
        person=participant, recent=mine, limit=1, window=timedelta(hours=1)
    )


def test_general_feedback_limit_is_a_rolling_hour_of_the_feedback_itself(settings, participant):
    settings.FEEDBACK_RATE_LIMIT = (2, 3600)
    services.feedback_create(participant=participant, details=details())
    services.feedback_create(participant=participant, details=details())
    Feedback.objects.update(created_at=timezone.now() - timedelta(minutes=59))
    with pytest.raises(services.FeedbackError, match="wait a while"):
        services.feedback_create(participant=participant, details=details())
    Feedback.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    services.feedback_create(participant=participant, details=details())
    assert Feedback.objects.filter(participant=participant).count() == 3


def test_general_feedback_limit_holds_when_the_cache_forgets(settings, participant):
    settings.FEEDBACK_RATE_LIMIT = (1, 3600)
    services.feedback_create(participant=participant, details=details())
    cache.clear()  # a Redis restart, or an outage the cache answers as empty
    with pytest.raises(services.FeedbackError, match="wait a while"):
        services.feedback_create(participant=participant, details=details())
