from datetime import timedelta

import factory
from django.utils import timezone

from engagement.models import (
    EngagementSession,
    Invitation,
    MessageAudience,
    Registration,
    RegistrationStatus,
    SessionAccess,
    SessionMessage,
    SessionMode,
    SessionStatus,
)

from .accounts import UserFactory
from .base import DatedFactory
from .harms import set_harm_categories


class EngagementSessionFactory(factory.django.DjangoModelFactory):
    """A published session a week away, open for registration now. A session given a start in
    the past opened for registration the day before it started."""

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
    registration_opens_at = factory.LazyAttribute(
        lambda o: min(timezone.now(), o.starts_at) - timedelta(days=1)
    )
    registration_closes_at = factory.LazyAttribute(lambda o: o.starts_at - timedelta(hours=1))
    status = SessionStatus.PUBLISHED

    @factory.post_generation
    def harm_categories(obj, create, extracted, **kwargs):
        set_harm_categories(obj, create, extracted)


class RegistrationFactory(DatedFactory):
    """A row as the registration service leaves it, written straight to the table: it does not
    move the session's seat count (tests that need the count go through the service)."""

    class Meta:
        model = Registration

    session = factory.SubFactory(EngagementSessionFactory)
    participant = factory.SubFactory(UserFactory)
    status = RegistrationStatus.CONFIRMED
    attended = False
    waitlist_position = factory.LazyAttribute(
        lambda o: 1 if o.status == RegistrationStatus.WAITLISTED else None
    )
    confirmed_at = factory.LazyAttribute(
        lambda o: (
            (o.created_at or timezone.now()) if o.status == RegistrationStatus.CONFIRMED else None
        )
    )
    cancelled_at = factory.LazyAttribute(
        lambda o: (
            (o.created_at or timezone.now()) + timedelta(days=1)
            if o.status == RegistrationStatus.CANCELLED
            else None
        )
    )


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation to a session by invitation, not yet sent."""

    class Meta:
        model = Invitation

    session = factory.SubFactory(EngagementSessionFactory, access=SessionAccess.INVITATION)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    name = factory.Sequence(lambda n: f"Invitee {n}")
    organisation = "Community Org"


class SessionMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionMessage

    session = factory.SubFactory(EngagementSessionFactory)
    audience = MessageAudience.CONFIRMED
    subject = "Room change"
    body = "We have moved to Room 4."
    recipient_count = 1
