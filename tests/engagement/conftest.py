import pytest

from engagement import services
from engagement.models import EngagementSession
from tests.factories import EngagementSessionFactory, UserFactory


@pytest.fixture
def session(db) -> EngagementSession:
    return EngagementSessionFactory()


@pytest.fixture
def register():
    """Register a participant through the service, as the view does."""

    def _register(session, participant=None, **kwargs):
        participant = participant or UserFactory()
        return services.registration_create(
            session=session, participant=participant, registered_by=participant, **kwargs
        )

    return _register
