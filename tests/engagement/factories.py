from datetime import timedelta

import factory
from django.utils import timezone

from engagement.models import EngagementSession, SessionMode, SessionStatus


class EngagementSessionFactory(factory.django.DjangoModelFactory):
    """A published session a week away, open for registration now."""

    class Meta:
        model = EngagementSession
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Conversation {n}")
    slug = factory.Sequence(lambda n: f"conversation-{n}")
    summary = "A facilitated conversation."
    description = "Details."
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    mode = SessionMode.HYBRID
    venue = "Central Public Library"
    venue_details = "Room 3, basement"
    online_link = "https://meet.example.sg/secret-room"
    facilitators = "AfA facilitators"
    capacity = 10
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    registration_closes_at = factory.LazyAttribute(lambda o: o.starts_at - timedelta(hours=1))
    status = SessionStatus.PUBLISHED
