"""Real threads against PostgreSQL: the row lock and the seat counter hold under a burst.
SQLite serialises writers anyway, so these are skipped there (see tests/conftest.py)."""

import time
from collections import Counter

import pytest

from engagement import services, tasks
from engagement.models import Registration, RegistrationStatus
from tests.factories import EngagementSessionFactory, UserFactory
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(calls):
    return run_at_once(calls, refusals=(services.RegistrationError,))


def _register_call(session, participant):
    return lambda: services.registration_create(
        session=session, participant=participant, registered_by=participant
    )


def test_fifty_participants_at_once_fill_ten_seats_and_queue_the_rest_in_order():
    session = EngagementSessionFactory(capacity=10)
    people = UserFactory.create_batch(50, password="!")
    results, errors = _run_at_once([_register_call(session, person) for person in people])
    assert errors == []
    assert not [r for r in results if isinstance(r, Exception)]
    statuses = Counter(session.registrations.values_list("status", flat=True))
    assert statuses == {RegistrationStatus.CONFIRMED: 10, RegistrationStatus.WAITLISTED: 40}
    positions = sorted(
        session.registrations.filter(status="waitlisted").values_list(
            "waitlist_position", flat=True
        )
    )
    assert positions == list(range(1, 41))
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (10, 40)
    # First come, first promoted: the order of positions is the order of arrival.
    waiting = list(session.registrations.filter(status="waitlisted").order_by("waitlist_position"))
    assert [r.pk for r in waiting] == sorted(r.pk for r in waiting)


def test_one_participant_firing_ten_requests_ends_with_one_registration():
    session = EngagementSessionFactory(capacity=10)
    person = UserFactory()
    results, errors = _run_at_once([_register_call(session, person) for _ in range(10)])
    assert errors == []
    assert Registration.objects.filter(session=session, participant=person).count() == 1
    refusals = [r for r in results if isinstance(r, services.RegistrationError)]
    assert len(refusals) == 9
    assert all("already registered" in str(r) for r in refusals)
    session.refresh_from_db()
    assert session.seats_taken == 1


def test_concurrent_cancellations_promote_each_waiting_person_once():
    session = EngagementSessionFactory(capacity=5)
    people = UserFactory.create_batch(10, password="!")
    registrations = [
        services.registration_create(session=session, participant=p, registered_by=p)
        for p in people
    ]
    seated = registrations[:5]
    results, errors = _run_at_once(
        [
            (lambda r=r: services.registration_cancel(registration=r, cancelled_by=r.participant))
            for r in seated
        ]
    )
    assert errors == []
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (5, 0)
    assert set(session.registrations.filter(status="confirmed").values_list("pk", flat=True)) == {
        r.pk for r in registrations[5:]
    }


def test_control_without_the_lock_and_counter_the_session_is_overbooked(monkeypatch):
    """The guard matters: replace the conditional UPDATE on the seat counter (and the row
    lock it takes) with a naive count-then-insert, and the same burst confirms more people
    than there are seats."""
    session = EngagementSessionFactory(capacity=10)
    people = UserFactory.create_batch(30, password="!")

    def count_then_insert(key, value, participant, access_needs, now, invited):
        confirmed = Registration.objects.filter(
            session_id=session.pk, status=RegistrationStatus.CONFIRMED
        ).count()
        time.sleep(0.05)  # widen the window between the check and the insert
        waiting = Registration.objects.filter(session_id=session.pk, status="waitlisted").count()
        seat = confirmed < session.capacity
        return Registration.objects.create(
            session_id=session.pk,
            participant=participant,
            status=RegistrationStatus.CONFIRMED if seat else RegistrationStatus.WAITLISTED,
            waitlist_position=None if seat else waiting + 1,
        )

    monkeypatch.setattr(services, "_claim_and_insert", count_then_insert)
    results, errors = _run_at_once([_register_call(session, person) for person in people])
    assert errors == []
    confirmed = session.registrations.filter(status="confirmed").count()
    assert confirmed > session.capacity


def test_the_one_statement_claim_writes_the_row_the_orm_would(participant, monkeypatch):
    """On PostgreSQL the claim and insert are hand-written SQL listing every column: each
    column it does not set from the request must hold the model field's default."""
    # Keep the first email in the outbox, to see the row as the statement wrote it.
    monkeypatch.setattr(tasks, "request_registration_notices", lambda: None)
    session = EngagementSessionFactory(capacity=1)
    returned = services.registration_create(
        session=session, participant=participant, registered_by=participant, access_needs=" x "
    )
    row = Registration.objects.get(pk=returned.pk)
    set_by_the_claim = {
        "id", "session_id", "participant_id", "status", "waitlist_position",
        "access_needs", "created_at", "confirmed_at", "notice_due", "check_in_code",
    }  # fmt: skip
    for field in Registration._meta.concrete_fields:
        if field.attname not in set_by_the_claim:
            assert getattr(row, field.attname) == field.get_default(), field.name
    assert (row.status, row.waitlist_position, row.access_needs) == ("confirmed", None, "x")
    assert row.created_at == row.confirmed_at == returned.created_at
    assert row.notice_due is True and returned.notice_due is True
    assert len(row.check_in_code) == 8 and row.check_in_code == returned.check_in_code
    assert (returned.status, returned.waitlist_position) == (row.status, row.waitlist_position)


def test_drains_running_at_once_send_each_first_email_exactly_once(monkeypatch, mailoutbox):
    # Keep the first emails in the outbox, then let four drains race for them.
    monkeypatch.setattr(tasks, "request_registration_notices", lambda: None)
    session = EngagementSessionFactory(capacity=5)
    people = UserFactory.create_batch(12, password="!")
    for person in people:
        _register_call(session, person)()
    results, errors = _run_at_once([tasks.send_registration_notices.run for _ in range(4)])
    assert errors == []
    assert sum(results) == 12
    assert sorted(m.to[0] for m in mailoutbox) == sorted(person.email for person in people)
    assert not session.registrations.filter(notice_due=True).exists()
