from datetime import timedelta

import factory
from django.utils import timezone

from reports.models import Digest, DigestKind, DigestSubscription

from .accounts import UserFactory
from .base import sgt


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
