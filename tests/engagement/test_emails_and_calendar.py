from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from engagement import services, tasks
from engagement.ics import session_uid
from engagement.models import EngagementSession, Registration, SessionMode
from harms.models import HarmCategory
from tests.factories import EngagementSessionFactory

pytestmark = pytest.mark.django_db
SGT = ZoneInfo("Asia/Singapore")


def _parse(content: bytes):
    calendar = Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    return event


def _future_8_march():
    year = timezone.localtime().year + 1
    return datetime(year, 3, 8, 15, 0, tzinfo=SGT)


def test_calendar_file_parses_with_stable_uid_times_and_location(client):
    starts = _future_8_march()
    session = EngagementSessionFactory(
        starts_at=starts, ends_at=starts + timedelta(hours=2), venue="Central Public Library"
    )
    first = client.get(f"/sessions/{session.slug}/calendar.ics")
    assert first.status_code == 200
    assert "attachment" in first["Content-Disposition"]
    event = _parse(first.content)
    assert str(event["uid"]) == session_uid(session)
    assert event.decoded("dtstart") == starts.astimezone(UTC)
    assert event.decoded("dtend") == (starts + timedelta(hours=2)).astimezone(UTC)
    assert str(event["location"]) == "Central Public Library"
    assert str(event["url"]).endswith(f"/sessions/s/{session.pk}/")
    # Stable: a second download (or an update after an edit) keeps the same UID.
    assert str(_parse(client.get(f"/sessions/{session.slug}/calendar.ics").content)["uid"]) == (
        session_uid(session)
    )


def test_calendar_text_is_neutral_and_online_sessions_say_online(client, organiser):
    # Made as an organiser makes it, so the slug comes from the harm-naming title.
    starts = timezone.now() + timedelta(days=10)
    session = services.session_create(
        created_by=organiser,
        details=services.SessionDetails(
            title="Image-based sexual abuse: what helps",
            summary="A conversation",
            description="",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            mode=SessionMode.ONLINE,
            venue="",
            venue_details="",
            online_link="https://meet.example.sg/secret-room",
            facilitators="",
            harm_categories=[],
            capacity=10,
            registration_opens_at=timezone.now(),
            registration_closes_at=starts - timedelta(hours=1),
        ),
    )
    services.session_publish(session=session, organiser=organiser)
    assert "abuse" in session.slug
    content = client.get(f"/sessions/{session.slug}/calendar.ics").content.decode()
    event = _parse(content.encode())
    assert str(event["location"]) == "Online"
    assert str(event["summary"]) == "AfA engagement session"
    assert "abuse" not in content.lower() and "image" not in content.lower()
    assert "secret-room" not in content
    assert str(event["url"]).endswith(f"/sessions/s/{session.pk}/")


def test_confirmation_email_has_a_discreet_subject_and_the_calendar_file(
    participant, mailoutbox, django_capture_on_commit_callbacks
):
    starts = _future_8_march()
    session = EngagementSessionFactory(
        title="Online grooming and harassment",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    session.harm_categories.set(HarmCategory.objects.all())
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(
            session=session, participant=participant, registered_by=participant
        )
    (message,) = mailoutbox
    assert message.subject == "Your AfA session on 8 March: your seat is confirmed"
    assert message.to == [participant.email]
    harm_words = [h.name.lower() for h in HarmCategory.objects.all()] + ["grooming", "abuse"]
    assert not any(word in message.subject.lower() for word in harm_words)
    (filename, content, mimetype) = message.attachments[0]
    assert mimetype == "text/calendar"
    assert str(_parse(content.encode() if isinstance(content, str) else content)["uid"]) == (
        session_uid(session)
    )
    assert "&quot;" not in message.body and "&#x27;" not in message.body


def test_each_registration_event_sends_its_email(
    participant, other_participant, mailoutbox, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        seat = services.registration_create(
            session=session, participant=participant, registered_by=participant
        )
        services.registration_create(
            session=session, participant=other_participant, registered_by=other_participant
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=seat, cancelled_by=participant)
    subjects = [(m.to[0], m.subject.split(": ", 1)[-1]) for m in mailoutbox]
    assert subjects == [
        (participant.email, "your seat is confirmed"),
        (other_participant.email, "you are on the waiting list"),
        (other_participant.email, "a seat is now yours"),
        (participant.email, "registration cancelled"),
    ]
    assert "in place 1" in mailoutbox[1].body
    assert mailoutbox[2].attachments


def _due_session(**kwargs):
    starts = timezone.now() + timedelta(hours=20)
    return EngagementSessionFactory(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_opens_at=timezone.now() - timedelta(days=2),
        registration_closes_at=starts - timedelta(hours=1),
        **kwargs,
    )


def test_reminder_task_run_twice_sends_one_reminder_per_registration(
    register, mailoutbox, django_capture_on_commit_callbacks
):
    session = _due_session(capacity=2)
    seated = [register(session), register(session)]
    register(session)  # waitlisted: no reminder
    later = EngagementSessionFactory()  # more than a day away: not yet
    register(later)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_due_reminders.delay().get() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_due_reminders.delay().get() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.participant.email for r in seated)
    assert all(m.subject.startswith("Reminder: your AfA session on ") for m in mailoutbox)
    for registration in seated:
        registration.refresh_from_db()
        assert registration.reminder_sent_at is not None


def test_reminder_claim_is_granted_once(register):
    registration = register(_due_session())
    assert services.registration_claim_reminder(registration_id=registration.pk) is True
    assert services.registration_claim_reminder(registration_id=registration.pk) is False


def test_cancelled_session_gets_no_reminders(
    register, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    session = _due_session()
    register(session)
    services.session_cancel(session=session, organiser=organiser, reason="Unwell")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_due_reminders.delay()
    assert mailoutbox == []
    assert EngagementSession.objects.get(pk=session.pk).status == "cancelled"


def _moved_to(session, starts_at) -> services.SessionDetails:
    """The session's details as they are, but starting at `starts_at` (for two hours)."""
    kept = {
        field: getattr(session, field)
        for field in services.SessionDetails.__dataclass_fields__
        if field not in ("starts_at", "ends_at", "harm_categories")
    }
    return services.SessionDetails(
        **kept, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), harm_categories=[]
    )


def test_moving_a_session_after_its_reminder_reminds_again_for_the_new_time(
    register, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    session = _due_session(capacity=2)
    registration = register(session)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_due_reminders.delay().get() == 1
    later = session.starts_at + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=session,
            editor=organiser,
            details=_moved_to(session, later),
        )
    registration.refresh_from_db()
    assert registration.reminder_sent_at is None
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_due_reminders.delay().get() == 1
    (reminder,) = mailoutbox
    assert reminder.subject.startswith("Reminder: ")


def test_a_change_emails_everyone_with_one_task_and_only_seats_get_the_calendar(
    register, organiser, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory(capacity=1)
    seat, waiting = register(session), register(session)
    from outbox.models import OutboundEmail
    from outbox.tasks import send_outbound_emails

    published = []
    real_delay = send_outbound_emails.delay
    monkeypatch.setattr(
        send_outbound_emails,
        "delay",
        lambda **kwargs: published.append(kwargs) or real_delay(**kwargs),
    )
    mailoutbox.clear()
    later = session.starts_at + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=session,
            editor=organiser,
            details=_moved_to(session, later),
        )
    (publish,) = published  # one drain task for the whole change
    emails = OutboundEmail.objects.filter(pk__in=publish["email_ids"])
    assert sorted(e.params["registration"] for e in emails) == sorted([seat.pk, waiting.pk])
    assert {e.params["kind"] for e in emails} == {"session_changed"}
    by_person = {m.to[0]: m for m in mailoutbox}
    assert by_person[seat.participant.email].attachments
    assert not by_person[waiting.participant.email].attachments


def test_beat_schedules_the_reminder_task_and_the_first_email_sweep():
    from django.conf import settings

    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "engagement.tasks.send_due_reminders" in tasks_scheduled
    assert "engagement.tasks.send_registration_notices" in tasks_scheduled


# --- The first-email outbox ---------------------------------------------------------------


def _subjects(outbox):
    return [(m.to[0], m.subject.split(": ", 1)[-1]) for m in outbox]


def test_first_emails_wait_in_the_outbox_and_a_drain_run_twice_sends_each_once(
    register, mailoutbox, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory(capacity=2)
    with django_capture_on_commit_callbacks(execute=False):
        people = [register(session) for _ in range(3)]
    assert mailoutbox == []
    assert Registration.objects.filter(notice_due=True).count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_registration_notices.delay().get() == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_registration_notices.delay().get() == 0
    assert _subjects(mailoutbox) == [
        (people[0].participant.email, "your seat is confirmed"),
        (people[1].participant.email, "your seat is confirmed"),
        (people[2].participant.email, "you are on the waiting list"),
    ]
    assert not Registration.objects.filter(notice_due=True).exists()


def test_a_burst_of_registrations_queues_one_drain_until_it_starts(
    register, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.send_registration_notices, "delay", lambda: queued.append(1))
    session = EngagementSessionFactory(capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            register(session)
    assert len(queued) == 1
    tasks.send_registration_notices.run()  # the drain starts: the next registration queues again
    with django_capture_on_commit_callbacks(execute=True):
        register(session)
    assert len(queued) == 2


def test_a_full_batch_queues_the_next_drain(
    register, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "NOTICE_BATCH", 2)
    session = EngagementSessionFactory(capacity=10)
    for _ in range(3):
        register(session)  # no commit in this test: nothing queued yet
    # The drain sends two and queues another, which sends the third.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_registration_notices.delay().get() == 2
    assert len(mailoutbox) == 3


def test_promotion_or_cancellation_before_the_drain_replaces_the_first_email(
    register, mailoutbox, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory(capacity=1)
    with django_capture_on_commit_callbacks(execute=False):
        seated, waiting = register(session), register(session)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=seated, cancelled_by=seated.participant)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_registration_notices.delay().get() == 0
    assert _subjects(mailoutbox) == [
        (waiting.participant.email, "a seat is now yours"),
        (seated.participant.email, "registration cancelled"),
    ]


def test_a_session_cancelled_before_the_drain_sends_no_confirmation(
    register, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory()
    with django_capture_on_commit_callbacks(execute=False):
        registration = register(session)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=session, organiser=organiser, reason="Venue closed")
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_registration_notices.delay().get() == 0
    assert [m.to[0] for m in mailoutbox] == [registration.participant.email]
    assert mailoutbox[0].subject.endswith("has been cancelled")


def test_a_registration_stands_when_its_email_cannot_be_queued_and_the_sweep_sends_it(
    client, participant, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def broker_down():
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_registration_notices, "delay", broker_down)
    session = EngagementSessionFactory()
    client.force_login(participant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("engagement:session_register", args=[session.slug]))
    assert response.status_code == 302
    assert response.url == session.get_absolute_url()
    registration = Registration.objects.get(session=session, participant=participant)
    assert registration.status == "confirmed" and registration.notice_due is True
    assert mailoutbox == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_registration_notices.delay().get() == 1  # the beat's sweep
    assert _subjects(mailoutbox) == [(participant.email, "your seat is confirmed")]
