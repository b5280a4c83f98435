import io

import pytest
from django.core.management import call_command

from engagement.models import EngagementSession, Registration

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_2021_sessions_and_upcoming_ones_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    sessions = EngagementSession.objects.count()
    registrations = Registration.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert EngagementSession.objects.count() == sessions
    assert Registration.objects.count() == registrations

    past = EngagementSession.objects.filter(slug__startswith="afa-engagement-session-2021")
    assert sorted(s.starts_at.date().isoformat() for s in past) == ["2021-02-22", "2021-03-08"]
    for session in past:
        assert "Sim Ann" in session.facilitators
        assert session.is_past
        assert session.registrations.filter(attended=True).exists()
    upcoming = [s for s in EngagementSession.objects.all() if not s.is_past]
    assert len(upcoming) >= 3
    assert any(s.capacity - s.seats_taken == 1 for s in upcoming)
    for session in EngagementSession.objects.all():
        assert session.seats_taken == session.registrations.filter(status="confirmed").count()
