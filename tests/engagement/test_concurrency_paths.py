"""Real threads against PostgreSQL on the paths production takes: the register page's
registration by slug (one statement claims the place and inserts the row) and the reminder
task run by overlapping beat ticks. SQLite serialises writers, so these are skipped there."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from engagement import services, tasks
from engagement.models import Registration, RegistrationStatus
from tests.factories import EngagementSessionFactory, UserFactory
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(calls):
    return run_at_once(calls, refusals=(services.RegistrationError,))


def _due_session(**kwargs):
    """A session starting in about 20 hours, so due a reminder, still open for registration
    until an hour before it starts (as in test_emails_and_calendar)."""
    starts = timezone.now() + timedelta(hours=20)
    return EngagementSessionFactory(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_opens_at=timezone.now() - timedelta(days=2),
        registration_closes_at=starts - timedelta(hours=1),
        **kwargs,
    )


def _register_by_slug_call(session, participant):
    return lambda: services.registration_create_by_slug(
        slug=session.slug, participant=participant, registered_by=participant
    )


def test_fifty_participants_registering_by_slug_at_once_fill_ten_seats_and_queue_forty(
    mailoutbox,
):
    session = EngagementSessionFactory(capacity=10)
    people = UserFactory.create_batch(50, password="!")
    results, errors = _run_at_once([_register_by_slug_call(session, p) for p in people])
    assert errors == []
    assert not [r for r in results if isinstance(r, Exception)]
    assert len(results) == 50
    statuses = Counter(session.registrations.values_list("status", flat=True))
    assert statuses == {RegistrationStatus.CONFIRMED: 10, RegistrationStatus.WAITLISTED: 40}
    assert set(session.registrations.values_list("participant_id", flat=True)) == {
        p.pk for p in people
    }
    waiting = list(session.registrations.filter(status="waitlisted").order_by("waitlist_position"))
    assert [r.waitlist_position for r in waiting] == list(range(1, 41))
    # First come, first queued: positions follow the order the rows were inserted.
    assert [r.pk for r in waiting] == sorted(r.pk for r in waiting)
    assert not session.registrations.filter(status="confirmed", confirmed_at__isnull=True).exists()
    assert not session.registrations.filter(
        status="waitlisted", confirmed_at__isnull=False
    ).exists()
    # What each caller was told matches the row the statement wrote.
    told = {(r.pk, r.status, r.waitlist_position) for r in results}
    stored = set(session.registrations.values_list("pk", "status", "waitlist_position"))
    assert told == stored
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (10, 40)
    # The outbox drains that ran alongside sent each registrant exactly one first email.
    assert Counter(m.to[0] for m in mailoutbox) == Counter(p.email for p in people)
    assert not session.registrations.filter(notice_due=True).exists()


def test_one_participant_firing_ten_registrations_by_slug_at_once_gets_one_place():
    session = EngagementSessionFactory(capacity=10)
    person = UserFactory()
    results, errors = _run_at_once([_register_by_slug_call(session, person) for _ in range(10)])
    assert errors == []
    assert Registration.objects.filter(session=session, participant=person).count() == 1
    refusals = [r for r in results if isinstance(r, services.RegistrationError)]
    assert len(refusals) == 9
    assert {str(r) for r in refusals} == {"You are already registered for this session."}
    registered = [r for r in results if isinstance(r, Registration)]
    assert len(registered) == 1
    assert registered[0].status == RegistrationStatus.CONFIRMED
    session.refresh_from_db()
    # The refused attempts' claims were rolled back with them.
    assert (session.seats_taken, session.waitlist_length) == (1, 0)


def test_reminder_runs_overlapping_send_each_confirmed_participant_one_reminder(
    monkeypatch, mailoutbox
):
    # Keep the first emails out of the way: only reminders should reach the outbox.
    monkeypatch.setattr(tasks, "request_registration_notices", lambda: None)
    session = _due_session(capacity=8)
    people = UserFactory.create_batch(10, password="!")
    for person in people:
        services.registration_create(session=session, participant=person, registered_by=person)
    confirmed = list(session.registrations.filter(status="confirmed").select_related("participant"))
    assert len(confirmed) == 8
    later = EngagementSessionFactory()  # a week away: no reminder yet
    services.registration_create(session=later, participant=people[0], registered_by=people[0])
    assert mailoutbox == []

    results, errors = _run_at_once([tasks.send_due_reminders.run for _ in range(4)])

    assert errors == []
    assert sum(results) == 8
    assert Counter(m.to[0] for m in mailoutbox) == Counter(r.participant.email for r in confirmed)
    assert all(m.subject.startswith("Reminder: your AfA session on ") for m in mailoutbox)
    assert not session.registrations.filter(
        status="confirmed", reminder_sent_at__isnull=True
    ).exists()
    assert not session.registrations.filter(
        status="waitlisted", reminder_sent_at__isnull=False
    ).exists()
    assert not later.registrations.filter(reminder_sent_at__isnull=False).exists()
