from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from engagement import services, tasks
from engagement.ics import session_uid
from engagement.models import EngagementSession, SessionMode
from harms.models import HarmCategory

from .factories import EngagementSessionFactory

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
    assert str(event["url"]).endswith(session.get_absolute_url())
    # Stable: a second download (or an update after an edit) keeps the same UID.
    assert str(_parse(client.get(f"/sessions/{session.slug}/calendar.ics").content)["uid"]) == (
        session_uid(session)
    )


def test_calendar_text_is_neutral_and_online_sessions_say_online(client):
    session = EngagementSessionFactory(
        title="Image-based sexual abuse: what helps",
        mode=SessionMode.ONLINE,
        venue="",
        online_link="https://meet.example.sg/secret-room",
    )
    content = client.get(f"/sessions/{session.slug}/calendar.ics").content.decode()
    event = _parse(content.encode())
    assert str(event["location"]) == "Online"
    assert str(event["summary"]) == "AfA engagement session"
    assert "abuse" not in content.lower()
    assert "secret-room" not in content


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


def test_beat_schedules_the_reminder_task():
    from django.conf import settings

    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "engagement.tasks.send_due_reminders" in tasks_scheduled
