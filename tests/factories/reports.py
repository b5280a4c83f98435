from datetime import timedelta

import factory
from django.utils import timezone

from reports.models import (
    Digest,
    DigestKind,
    DigestSubscription,
    SessionSummary,
    SessionSummaryStatus,
)

from .accounts import UserFactory
from .base import sgt
from .engagement import EngagementSessionFactory


class DigestFactory(factory.django.DjangoModelFactory):
    """A weekly digest queued now, for the week from Monday 2 November 2026, 08:00 SGT."""

    class Meta:
        model = Digest

    kind = DigestKind.WEEKLY
    period_start = sgt(2026, 11, 2, 8)
    period_end = factory.LazyAttribute(lambda o: o.period_start + timedelta(days=7))
    queued_at = factory.LazyFunction(timezone.now)


class DigestSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DigestSubscription

    user = factory.SubFactory(UserFactory)


class SessionSummaryFactory(factory.django.DjangoModelFactory):
    """A draft "What we heard" of a session that ended yesterday; `status="published"` sets
    `published_at` (the services set the figures and send the emails; this does neither)."""

    class Meta:
        model = SessionSummary

    session = factory.SubFactory(
        EngagementSessionFactory,
        starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1, hours=2)),
    )
    status = SessionSummaryStatus.DRAFT
    body = "We heard about **reporting** that takes too long."
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == SessionSummaryStatus.PUBLISHED else None
    )
