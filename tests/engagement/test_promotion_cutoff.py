"""The waiting list's cut-off (issue 16, item 3): no automatic promotion later than
PROMOTION_CUTOFF_HOURS before the start; the waiting list is told once that promotion has
closed, however many times the beat task runs."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from engagement import services, tasks
from engagement.models import EngagementSession, RegistrationStatus
from outbox.models import OutboundEmail
from tests.factories import EngagementSessionFactory, UserFactory
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db


def _session_starting_in(hours: float, **kwargs) -> EngagementSession:
    starts = timezone.now() + timedelta(hours=hours)
    return EngagementSessionFactory(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_opens_at=timezone.now() - timedelta(days=2),
        registration_closes_at=starts - timedelta(minutes=30),
        **kwargs,
    )


def _register(session, person=None):
    person = person or UserFactory()
    return services.registration_create(session=session, participant=person, registered_by=person)


def test_default_cutoff_is_24_hours_and_beat_runs_the_notice_every_5_minutes():
    assert settings.PROMOTION_CUTOFF_HOURS == 24
    entry = settings.CELERY_BEAT_SCHEDULE["engagement-notify-promotion-closed"]
    assert entry == {"task": "engagement.tasks.notify_promotion_closed", "schedule": 300}


def test_seat_freed_after_the_cutoff_is_not_given_to_the_waiting_list(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = _session_starting_in(20, capacity=1)
    seat = _register(session)
    waiting = _register(session)
    assert waiting.is_waitlisted
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=seat, cancelled_by=seat.participant)
    waiting.refresh_from_db()
    session.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert waiting.waitlist_position == 1
    # The seat is simply free; the waiting list stays as it was.
    assert (session.seats_taken, session.waitlist_length) == (0, 1)
    assert [m.subject.split(": ", 1)[-1] for m in mailoutbox] == ["registration cancelled"]


def test_seat_freed_before_the_cutoff_still_goes_to_the_first_person_waiting():
    session = _session_starting_in(30, capacity=1)
    seat = _register(session)
    waiting = _register(session)
    services.registration_cancel(registration=seat, cancelled_by=seat.participant)
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_the_cutoff_follows_the_setting(settings):
    settings.PROMOTION_CUTOFF_HOURS = 2
    session = _session_starting_in(20, capacity=1)
    seat = _register(session)
    waiting = _register(session)
    services.registration_cancel(registration=seat, cancelled_by=seat.participant)
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_an_organiser_can_still_move_someone_up_after_the_cutoff(organiser):
    session = _session_starting_in(20, capacity=1)
    seat = _register(session)
    waiting = _register(session)
    services.registration_cancel(registration=seat, cancelled_by=seat.participant)
    services.registration_move_from_waitlist(
        registration=waiting, organiser=organiser, reason="Asked to come"
    )
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_waiting_list_is_told_once_even_when_the_task_runs_twice(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = _session_starting_in(20, capacity=1)
    seat = _register(session)
    first, second, gone = _register(session), _register(session), _register(session)
    services.registration_cancel(registration=gone, cancelled_by=gone.participant)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notify_promotion_closed() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notify_promotion_closed() == 0
        assert services.session_promotion_closed_notify(session_id=session.pk) == 0
    told = sorted(m.to[0] for m in mailoutbox)
    assert told == sorted([first.participant.email, second.participant.email])
    assert seat.participant.email not in told
    (subject,) = {m.subject for m in mailoutbox}
    assert subject.endswith(": the waiting list has closed")
    assert session.title not in subject
    assert "no longer passed on from the waiting list" in mailoutbox[0].body
    session.refresh_from_db()
    assert session.promotion_closed_notified_at is not None
    assert OutboundEmail.objects.filter(kind=services.PROMOTION_CLOSED_EMAIL).count() == 2


def test_sessions_before_their_cutoff_started_or_cancelled_are_not_told(organiser):
    early = _session_starting_in(30, capacity=1)
    cancelled = _session_starting_in(20, capacity=1)
    for session in (early, cancelled):
        _register(session)
        _register(session)
    services.session_cancel(session=cancelled, organiser=organiser, reason="Venue closed")
    started = _session_starting_in(1, capacity=1)
    EngagementSession.objects.filter(pk=started.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )
    assert tasks.notify_promotion_closed() == 0
    for session in (early, cancelled, started):
        session.refresh_from_db()
        assert session.promotion_closed_notified_at is None
    # The early one is told once it passes its cut-off.
    later = timezone.now() + timedelta(hours=7)
    assert services.session_promotion_closed_notify(session_id=early.pk, now=later) == 1


def test_someone_who_left_the_waiting_list_before_the_email_went_is_not_sent_it(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = _session_starting_in(20, capacity=1)
    _register(session)
    waiting = _register(session)
    mailoutbox.clear()
    # Queued, but the drain runs only after the person has left the waiting list.
    tasks.notify_promotion_closed()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=waiting, cancelled_by=waiting.participant)
    subjects = [m.subject for m in mailoutbox]
    assert not any(s.endswith("the waiting list has closed") for s in subjects)


def test_session_page_tells_waitlisted_people_that_promotion_has_closed(client):
    session = _session_starting_in(20, capacity=1)
    _register(session)
    waiting = _register(session)
    client.force_login(waiting.participant)
    page = client.get(session.get_absolute_url()).content.decode()
    assert 'data-testid="promotion-closed"' in page
    assert "no longer passed on from the waiting list" in page


def test_session_page_says_nothing_of_it_before_the_cutoff(client):
    session = _session_starting_in(30, capacity=1)
    _register(session)
    waiting = _register(session)
    client.force_login(waiting.participant)
    assert (
        'data-testid="promotion-closed"'
        not in client.get(session.get_absolute_url()).content.decode()
    )


def test_joining_the_waiting_list_after_the_cutoff_says_no_seat_will_be_passed_on(
    mailoutbox, django_capture_on_commit_callbacks
):
    session = _session_starting_in(20, capacity=1)
    _register(session)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        late = _register(session)
    (message,) = [m for m in mailoutbox if m.to == [late.participant.email]]
    assert "no longer passed on from the waiting list automatically" in message.body
    assert "If a seat frees up" not in message.body


def test_the_notice_goes_in_the_persons_language(mailoutbox, django_capture_on_commit_callbacks):
    session = _session_starting_in(20, capacity=1)
    _register(session)
    waiting = _register(session, UserFactory(preferred_language="ms"))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.notify_promotion_closed()
    (message,) = mailoutbox
    assert message.to == [waiting.participant.email]
    assert message.subject.endswith(": senarai menunggu telah ditutup")


# --- Real threads (PostgreSQL) ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_notice_tasks_running_at_once_tell_the_waiting_list_once():
    session = _session_starting_in(20, capacity=1)
    _register(session)
    waiting = [_register(session) for _ in range(3)]
    results, errors = run_at_once([tasks.notify_promotion_closed for _ in range(5)])
    assert errors == []
    assert sorted(results) == [0, 0, 0, 0, 3]
    rows = OutboundEmail.objects.filter(kind=services.PROMOTION_CLOSED_EMAIL)
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(
        r.participant_id for r in waiting
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cancellations_at_once_after_the_cutoff_free_every_seat_and_promote_nobody():
    session = _session_starting_in(20, capacity=4)
    seats = [_register(session) for _ in range(4)]
    waiting = [_register(session) for _ in range(3)]
    results, errors = run_at_once(
        [
            (lambda r=r: services.registration_cancel(registration=r, cancelled_by=r.participant))
            for r in seats
        ],
        refusals=(services.RegistrationError,),
    )
    assert errors == []
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (0, 3)
    assert list(
        session.registrations.filter(status=RegistrationStatus.WAITLISTED)
        .order_by("waitlist_position")
        .values_list("pk", "waitlist_position")
    ) == [(r.pk, n) for n, r in enumerate(waiting, 1)]
