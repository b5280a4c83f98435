"""Sessions and registrations move only along their tables (engagement.models): a move taken
out of the table is refused by the service that makes it, and nothing is written."""

import pytest

from afa_platform.states import TransitionError
from engagement import models, services
from engagement.models import Registration, RegistrationStatus, SessionStatus
from tests.factories import EngagementSessionFactory
from tests.state_tables import without

pytestmark = pytest.mark.django_db

R, S = RegistrationStatus, SessionStatus


def test_publishing_follows_the_session_table(organiser, monkeypatch):
    session = EngagementSessionFactory(status=S.DRAFT)
    table = without(models.SESSION_TRANSITIONS, S.DRAFT, S.PUBLISHED)
    monkeypatch.setattr(services, "SESSION_TRANSITIONS", table)
    with pytest.raises(services.SessionError, match="Only a draft session can be published."):
        services.session_publish(session=session, organiser=organiser)
    session.refresh_from_db()
    assert session.status == S.DRAFT


def test_cancelling_follows_the_session_table(organiser, monkeypatch):
    session = EngagementSessionFactory(status=S.PUBLISHED)
    table = without(models.SESSION_TRANSITIONS, S.PUBLISHED, S.CANCELLED)
    monkeypatch.setattr(services, "SESSION_TRANSITIONS", table)
    with pytest.raises(services.SessionError):
        services.session_cancel(session=session, organiser=organiser, reason="Venue flooded")
    session.refresh_from_db()
    assert session.status == S.PUBLISHED


def test_a_cancelled_session_is_final(organiser):
    session = EngagementSessionFactory(status=S.CANCELLED)
    assert models.SESSION_TRANSITIONS.targets_of(S.CANCELLED) == frozenset()
    with pytest.raises(services.SessionError, match="already cancelled"):
        services.session_cancel(session=session, organiser=organiser, reason="Again")
    assert not session.can_be_published and not session.can_be_cancelled


def test_cancelling_a_registration_follows_the_registration_table(
    session, participant, register, monkeypatch
):
    registration = register(session, participant)
    table = without(models.REGISTRATION_TRANSITIONS, R.CONFIRMED, R.CANCELLED)
    monkeypatch.setattr(services, "REGISTRATION_TRANSITIONS", table)
    with pytest.raises(services.RegistrationError, match="already cancelled"):
        services.registration_cancel(registration=registration, cancelled_by=participant)
    registration.refresh_from_db()
    assert registration.status == R.CONFIRMED


def test_promotion_from_the_waiting_list_follows_the_registration_table(
    organiser, register, monkeypatch
):
    session = EngagementSessionFactory(capacity=1)
    first, waiting = register(session), register(session)
    table = without(models.REGISTRATION_TRANSITIONS, R.WAITLISTED, R.CONFIRMED)
    monkeypatch.setattr(services, "REGISTRATION_TRANSITIONS", table)
    with pytest.raises(TransitionError, match="waitlisted may not become confirmed"):
        services.registration_cancel(registration=first, cancelled_by=first.participant)
    # The whole cancellation rolled back with the refused promotion.
    assert list(
        Registration.objects.filter(session=session).order_by("pk").values_list("status", flat=True)
    ) == [R.CONFIRMED, R.WAITLISTED]
    assert waiting.pk


def test_templates_ask_the_session_and_registration_what_their_status_allows(session, register):
    registration = register(session)
    assert session.is_published and session.is_open_for_registration
    assert session.can_be_cancelled and not session.can_be_published
    assert registration.is_confirmed and registration.is_active and not registration.is_waitlisted
