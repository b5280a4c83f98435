"""Two staff members adding overlapping phases at the same moment: exactly one succeeds, the
other is told why. The lock makes the second wait and then see the first; without the lock
(the control), the exclusion constraint on PostgreSQL still lets only one in, and its refusal
is a message, not a server error."""

import threading
from datetime import date

import pytest
from django.db import connection

from process import services
from process.models import Phase
from process.services import PhaseError
from tests.factories import UserFactory, phase_fields
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _create_both():
    staff = UserFactory.create_batch(2, roles=["MCI Staff"])
    calls = [
        lambda: services.phase_create(
            actor=staff[0], fields=phase_fields(date(2027, 1, 1), date(2027, 1, 31), title="A")
        ),
        lambda: services.phase_create(
            actor=staff[1], fields=phase_fields(date(2027, 1, 20), date(2027, 2, 20), title="B")
        ),
    ]
    return run_at_once(calls, refusals=(PhaseError,))


def test_two_overlapping_phases_created_at_once_cannot_both_succeed():
    results, errors = _create_both()
    assert errors == []
    assert sorted(type(r).__name__ for r in results) == ["Phase", "PhaseError"]
    assert Phase.objects.count() == 1
    refusal = next(r for r in results if isinstance(r, PhaseError))
    assert "overlap" in str(refusal)


def test_control_without_the_lock_the_exclusion_constraint_still_refuses_one(monkeypatch):
    monkeypatch.setattr(services, "_lock_phases", lambda: None)
    # Both checks run before either insert commits.
    original = services._validate

    barrier = threading.Barrier(2)

    def validate_then_wait(fields, *, phase):
        original(fields, phase=phase)
        barrier.wait(timeout=10)

    monkeypatch.setattr(services, "_validate", validate_then_wait)
    results, errors = _create_both()
    assert errors == []
    assert sorted(type(r).__name__ for r in results) == ["Phase", "PhaseError"]
    refusal = next(r for r in results if isinstance(r, PhaseError))
    assert "at the same moment" in str(refusal)  # the constraint's answer, not the check's
    assert Phase.objects.count() == 1


def test_the_exclusion_constraint_exists_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contype FROM pg_constraint WHERE conname = 'process_phase_no_overlap'"
        )
        assert cursor.fetchone() == ("x",)
