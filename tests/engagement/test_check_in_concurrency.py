"""Real threads against PostgreSQL (issue 16, item 4): two phones at the door confirming one
code at the same moment check the person in once, and both are told the same time."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from engagement import services
from engagement.models import Registration, RegistrationStatus, SessionStatus
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PHONES = 6


def _door():
    starts = timezone.now() + timedelta(minutes=10)
    session = EngagementSessionFactory(
        starts_at=starts,
        registration_opens_at=starts - timedelta(days=2),
        registration_closes_at=starts - timedelta(minutes=30),
    )
    return session, RegistrationFactory(session=session)


def _confirm_calls(session, code, organiser):
    return [
        lambda: services.registration_check_in(session=session, code=code, by=organiser)
        for _ in range(PHONES)
    ]


def _outcomes(results, registration):
    registration.refresh_from_db()
    assert not [r for r in results if isinstance(r, Exception)]
    return sorted(r.already for r in results), {r.registration.checked_in_at for r in results}


def test_phones_confirming_one_code_at_once_check_in_once_with_one_time():
    organiser = UserFactory()
    session, registration = _door()
    results, errors = run_at_once(
        _confirm_calls(session, registration.check_in_code, organiser),
        refusals=(services.CheckInError,),
    )
    assert errors == []
    already, times = _outcomes(results, registration)
    assert already == [False] + [True] * (PHONES - 1)
    assert times == {registration.checked_in_at}


def _every_phone_reads_first(monkeypatch):
    """Every phone passes the read ("not yet checked in") before any of them writes."""
    everyone_has_read = threading.Barrier(PHONES)
    real_find = services.check_in_find
    first_read = threading.local()

    def find_and_wait(**kwargs):
        found = real_find(**kwargs)
        if not getattr(first_read, "done", False):
            first_read.done = True
            everyone_has_read.wait(timeout=30)
        return found

    monkeypatch.setattr(services, "check_in_find", find_and_wait)


def test_even_when_every_phone_read_it_unchecked_only_one_update_wins(monkeypatch):
    """The conditional UPDATE alone keeps it to one check-in and one time."""
    organiser = UserFactory()
    session, registration = _door()
    _every_phone_reads_first(monkeypatch)
    results, errors = run_at_once(
        _confirm_calls(session, registration.check_in_code, organiser),
        refusals=(services.CheckInError,),
    )
    assert errors == []
    already, times = _outcomes(results, registration)
    assert already == [False] + [True] * (PHONES - 1)
    assert times == {registration.checked_in_at}


def test_control_with_the_session_condition_through_a_join_several_phones_check_in(
    monkeypatch,
):
    """The same UPDATE with the session's status read through a join, which Django writes as
    `WHERE id IN (SELECT ... JOIN ...)`: PostgreSQL does not re-check the subquery on the
    row another phone has just updated, so more than one phone checks the person in and the
    time is overwritten. This is why _check_in_claim keeps every condition on the row."""

    def claim_through_a_join(*, registration_id, session_id, now):
        return Registration.objects.filter(
            pk=registration_id,
            session__status=SessionStatus.PUBLISHED,
            status=RegistrationStatus.CONFIRMED,
            checked_in_at__isnull=True,
        ).update(attended=True, checked_in_at=now)

    organiser = UserFactory()
    session, registration = _door()
    _every_phone_reads_first(monkeypatch)
    monkeypatch.setattr(services, "_check_in_claim", claim_through_a_join)
    results, errors = run_at_once(
        _confirm_calls(session, registration.check_in_code, organiser),
        refusals=(services.CheckInError,),
    )
    assert errors == []
    already, _times = _outcomes(results, registration)
    assert already.count(False) > 1
