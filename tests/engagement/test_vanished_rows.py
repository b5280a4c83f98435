"""A row deleted between the page's fetch and the service's lock (another tab, an account
deleted meanwhile) is a refusal the person can read, never a server error."""

import pytest

from engagement import services
from engagement.models import Registration
from tests.factories import EngagementSessionFactory

pytestmark = pytest.mark.django_db


def _deleted_behind_its_back(row):
    """`row` as the view read it, after someone else deleted it."""
    type(row).objects.filter(pk=row.pk).delete()
    return row


@pytest.mark.parametrize(
    "call",
    [
        lambda stale, organiser: services.registration_cancel(
            registration=stale, cancelled_by=stale.participant
        ),
        lambda stale, organiser: services.registration_move_from_waitlist(
            registration=stale, organiser=organiser, reason="Speaker"
        ),
    ],
    ids=["cancel", "move_from_waitlist"],
)
def test_a_registration_service_given_a_deleted_registration_refuses(organiser, register, call):
    session = EngagementSessionFactory(capacity=1)
    register(session)
    stale = _deleted_behind_its_back(register(session))
    with pytest.raises(services.RegistrationError, match="no longer exists"):
        call(stale, organiser)
    assert not Registration.objects.filter(pk=stale.pk).exists()
