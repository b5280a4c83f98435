from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from audit.models import AuditEvent
from engagement import services
from engagement.models import (
    EngagementSession,
    Registration,
    RegistrationStatus,
    SessionMode,
    SessionStatus,
)
from harms.models import HarmCategory
from tests.factories import EngagementSessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _statuses(session):
    return list(session.registrations.order_by("id").values_list("status", "waitlist_position"))


def test_registration_with_a_free_seat_is_confirmed(session, participant, register):
    registration = register(session, participant, access_needs="  captions please ")
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.waitlist_position is None
    assert registration.access_needs == "captions please"
    session.refresh_from_db()
    assert session.seats_taken == 1


def test_full_session_puts_registrants_on_waitlist_in_order(register):
    session = EngagementSessionFactory(capacity=2)
    regs = [register(session) for _ in range(5)]
    assert [r.status for r in regs] == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert [r.waitlist_position for r in regs[2:]] == [1, 2, 3]
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (2, 3)


def test_cancelling_a_seat_promotes_the_first_waitlisted_in_the_same_transaction(register):
    session = EngagementSessionFactory(capacity=1)
    first = register(session)
    second, third = register(session), register(session)
    services.registration_cancel(registration=first, cancelled_by=first.participant)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED
    assert second.waitlist_position is None
    assert third.status == RegistrationStatus.WAITLISTED
    assert third.waitlist_position == 1
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (1, 1)


def test_leaving_the_waitlist_closes_the_gap(register):
    session = EngagementSessionFactory(capacity=1)
    register(session)
    a, b, c = register(session), register(session), register(session)
    services.registration_cancel(registration=b, cancelled_by=b.participant)
    a.refresh_from_db()
    c.refresh_from_db()
    assert (a.waitlist_position, c.waitlist_position) == (1, 2)
    session.refresh_from_db()
    assert session.waitlist_length == 2


def test_promotion_follows_queue_order_across_several_cancellations(register):
    session = EngagementSessionFactory(capacity=2)
    seated = [register(session), register(session)]
    waiting = [register(session) for _ in range(3)]
    for registration in seated:
        services.registration_cancel(
            registration=registration, cancelled_by=registration.participant
        )
    for registration in waiting:
        registration.refresh_from_db()
    assert [r.status for r in waiting] == ["confirmed", "confirmed", "waitlisted"]
    assert waiting[2].waitlist_position == 1


def test_registering_twice_is_refused_and_changes_nothing(session, participant, register):
    register(session, participant)
    with pytest.raises(services.RegistrationError, match="already registered"):
        register(session, participant)
    assert session.registrations.count() == 1
    session.refresh_from_db()
    assert session.seats_taken == 1


def test_registering_again_after_cancelling_is_allowed(session, participant, register):
    first = register(session, participant)
    services.registration_cancel(registration=first, cancelled_by=participant)
    again = register(session, participant)
    assert again.status == RegistrationStatus.CONFIRMED
    assert session.registrations.count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": SessionStatus.DRAFT}, "not open for registration"),
        ({"status": SessionStatus.CANCELLED}, "has been cancelled"),
        (
            {
                "registration_opens_at": timezone.now() + timedelta(days=1),
                "registration_closes_at": timezone.now() + timedelta(days=2),
            },
            "has not opened yet",
        ),
        (
            {
                "registration_opens_at": timezone.now() - timedelta(days=3),
                "registration_closes_at": timezone.now() - timedelta(days=1),
            },
            "has closed",
        ),
        (
            {
                "starts_at": timezone.now() - timedelta(days=2),
                "ends_at": timezone.now() - timedelta(days=2) + timedelta(hours=2),
                "registration_opens_at": timezone.now() - timedelta(days=9),
                "registration_closes_at": timezone.now() - timedelta(days=3),
            },
            "has closed|already started",
        ),
    ],
    ids=["draft", "cancelled", "not-yet-open", "closed", "past"],
)
@pytest.mark.parametrize("by", ["session", "slug"])
def test_registration_is_refused_outside_an_open_published_session(
    changes, message, by, participant
):
    session = EngagementSessionFactory(**changes)
    with pytest.raises(services.RegistrationError, match=message):
        _register_by(by, session, participant)
    assert not Registration.objects.exists()
    session.refresh_from_db()
    assert session.seats_taken == 0


def _register_by(by: str, session, participant):
    """The two entry points: by session object (demo, tests) and by slug (the page)."""
    if by == "slug":
        return services.registration_create_by_slug(
            slug=session.slug, participant=participant, registered_by=participant
        )
    return services.registration_create(
        session=session, participant=participant, registered_by=participant
    )


def test_registration_by_an_unknown_slug_says_the_session_does_not_exist(participant):
    with pytest.raises(services.RegistrationError, match="does not exist"):
        services.registration_create_by_slug(
            slug="no-such-session", participant=participant, registered_by=participant
        )
    assert not Registration.objects.exists()


@pytest.mark.parametrize("by", ["session", "slug"])
def test_registering_twice_is_refused_and_leaves_the_counters_alone(by, participant):
    session = EngagementSessionFactory(capacity=1)
    _register_by(by, session, participant)
    with pytest.raises(services.RegistrationError, match="already registered"):
        _register_by(by, session, participant)
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (1, 0)
    assert session.registrations.count() == 1


def test_registering_someone_else_is_refused(session, participant, other_participant):
    with pytest.raises(services.RegistrationError, match="only register yourself"):
        services.registration_create(
            session=session, participant=other_participant, registered_by=participant
        )
    assert not Registration.objects.exists()


def test_cancelling_someone_elses_registration_is_refused(
    session, participant, other_participant, register
):
    registration = register(session, participant)
    with pytest.raises(services.RegistrationError, match="only cancel your own"):
        services.registration_cancel(registration=registration, cancelled_by=other_participant)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_cancelling_twice_is_refused(session, participant, register):
    registration = register(session, participant)
    services.registration_cancel(registration=registration, cancelled_by=participant)
    with pytest.raises(services.RegistrationError, match="already cancelled"):
        services.registration_cancel(registration=registration, cancelled_by=participant)
    session.refresh_from_db()
    assert session.seats_taken == 0


def test_cancelling_after_the_session_started_is_refused(session, participant, register):
    registration = register(session, participant)
    EngagementSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5),
        registration_opens_at=timezone.now() - timedelta(days=3),
        registration_closes_at=timezone.now() - timedelta(hours=1),
    )
    with pytest.raises(services.RegistrationError, match="already started"):
        services.registration_cancel(registration=registration, cancelled_by=participant)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_the_database_refuses_more_seats_than_capacity(session):
    with pytest.raises(IntegrityError):
        EngagementSession.objects.filter(pk=session.pk).update(seats_taken=session.capacity + 1)


def test_the_database_refuses_two_active_registrations(session, participant):
    Registration.objects.create(session=session, participant=participant, status="confirmed")
    with pytest.raises(IntegrityError):
        Registration.objects.create(session=session, participant=participant, status="confirmed")


def _details(**overrides):
    starts = timezone.now() + timedelta(days=10)
    values = {
        "title": "A conversation",
        "summary": "Summary",
        "description": "",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "mode": SessionMode.ONLINE,
        "venue": "",
        "venue_details": "",
        "online_link": "https://meet.example.sg/x",
        "facilitators": "",
        "harm_categories": list(HarmCategory.objects.all()[:1]),
        "capacity": 20,
        "registration_opens_at": timezone.now(),
        "registration_closes_at": starts - timedelta(hours=1),
    }
    values.update(overrides)
    return services.SessionDetails(**values)


def test_session_create_makes_a_draft_with_a_unique_slug_and_audit_row(organiser):
    first = services.session_create(created_by=organiser, details=_details())
    second = services.session_create(created_by=organiser, details=_details())
    assert first.status == SessionStatus.DRAFT
    assert first.slug != second.slug
    assert first.harm_categories.count() == 1
    assert AuditEvent.objects.filter(action="engagement.session_create").count() == 2


def test_session_with_end_before_start_is_refused(organiser):
    starts = timezone.now() + timedelta(days=3)
    with pytest.raises(services.SessionError, match="end after it starts"):
        services.session_create(
            created_by=organiser,
            details=_details(starts_at=starts, ends_at=starts - timedelta(hours=1)),
        )
    assert not EngagementSession.objects.exists()


def test_in_person_session_needs_a_venue(organiser):
    with pytest.raises(services.SessionError, match="venue"):
        services.session_create(
            created_by=organiser, details=_details(mode=SessionMode.IN_PERSON, venue="")
        )


def test_capacity_below_confirmed_count_is_refused(organiser, register):
    session = EngagementSessionFactory(capacity=3)
    for _ in range(3):
        register(session)
    details = _details(
        capacity=2,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        registration_opens_at=session.registration_opens_at,
        registration_closes_at=session.registration_closes_at,
    )
    with pytest.raises(services.SessionError, match="cannot go below 3"):
        services.session_update(session=session, editor=organiser, details=details)
    session.refresh_from_db()
    assert session.capacity == 3
    assert session.title != "A conversation"


def test_raising_capacity_gives_the_new_seats_to_the_waiting_list_in_order(
    organiser, register, mailoutbox, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory(capacity=1)
    register(session)
    first, second, third = register(session), register(session), register(session)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=session,
            editor=organiser,
            details=_details(
                capacity=3,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                registration_opens_at=session.registration_opens_at,
                registration_closes_at=session.registration_closes_at,
            ),
        )
    for registration in (first, second, third):
        registration.refresh_from_db()
    assert [first.status, second.status] == [RegistrationStatus.CONFIRMED] * 2
    assert (third.status, third.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (3, 1)
    promoted = [m.to[0] for m in mailoutbox if m.subject.endswith("a seat is now yours")]
    assert sorted(promoted) == sorted([first.participant.email, second.participant.email])
    event = AuditEvent.objects.filter(action="engagement.session_update").latest("pk")
    assert event.details["promoted_from_waiting_list"] == 2
    # Newcomers queue behind the people already waiting.
    newcomer = register(session)
    assert (newcomer.status, newcomer.waitlist_position) == (RegistrationStatus.WAITLISTED, 2)


def test_move_from_waitlist_needs_a_free_seat_and_a_reason(organiser, register):
    session = EngagementSessionFactory(capacity=1)
    register(session)
    waiting = register(session)
    with pytest.raises(services.RegistrationError, match="reason"):
        services.registration_move_from_waitlist(
            registration=waiting, organiser=organiser, reason=" "
        )
    with pytest.raises(services.RegistrationError, match="Every seat is taken"):
        services.registration_move_from_waitlist(
            registration=waiting, organiser=organiser, reason="Speaker"
        )
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED


def test_move_from_waitlist_records_the_reason_in_the_audit_log(organiser, register):
    session = EngagementSessionFactory(capacity=1)
    first = register(session)
    waiting = [register(session), register(session)]
    # A seat frees up while the queue holds: cancel then raise capacity by hand.
    EngagementSession.objects.filter(pk=session.pk).update(capacity=2)
    services.registration_move_from_waitlist(
        registration=waiting[1], organiser=organiser, reason="Needs interpreter seat"
    )
    waiting[1].refresh_from_db()
    assert waiting[1].status == RegistrationStatus.CONFIRMED
    assert waiting[1].promotion_note == "Needs interpreter seat"
    event = AuditEvent.objects.get(action="engagement.registration_move_from_waitlist")
    assert event.details["reason"] == "Needs interpreter seat"
    assert first.pk != waiting[1].pk


def test_publish_only_from_draft(organiser):
    session = EngagementSessionFactory(status=SessionStatus.DRAFT)
    services.session_publish(session=session, organiser=organiser)
    assert session.status == SessionStatus.PUBLISHED
    with pytest.raises(services.SessionError, match="Only a draft"):
        services.session_publish(session=session, organiser=organiser)


def test_cancel_session_needs_a_reason_and_notifies_active_registrants(
    organiser, register, mailoutbox, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory(capacity=1)
    seated, waiting = register(session), register(session)
    gone = register(session)
    services.registration_cancel(registration=gone, cancelled_by=gone.participant)
    with pytest.raises(services.SessionError, match="Give a reason"):
        services.session_cancel(session=session, organiser=organiser, reason="")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=session, organiser=organiser, reason="Venue flooded")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted([seated.participant.email, waiting.participant.email])
    assert all("Venue flooded" in m.body for m in mailoutbox)


def test_changing_the_time_emails_registrants_but_a_title_edit_does_not(
    organiser, register, mailoutbox, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory(capacity=5)
    register(session)
    common = {
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "registration_opens_at": session.registration_opens_at,
        "registration_closes_at": session.registration_closes_at,
        "mode": session.mode,
        "venue": session.venue,
        "venue_details": session.venue_details,
        "online_link": session.online_link,
    }
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=session, editor=organiser, details=_details(**common, title="New title")
        )
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=session,
            editor=organiser,
            details=_details(**{**common, "ends_at": session.ends_at + timedelta(hours=1)}),
        )
    assert len(mailoutbox) == 1
    assert "details have changed" in mailoutbox[0].subject


def test_attendance_only_for_confirmed_and_after_start(organiser, register):
    session = EngagementSessionFactory(capacity=1)
    seated, waiting = register(session), register(session)
    with pytest.raises(services.RegistrationError, match="once the session has started"):
        services.registration_mark_attendance(
            registration=seated, organiser=organiser, attended=True
        )
    EngagementSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1)
    )
    seated.refresh_from_db()
    services.registration_mark_attendance(registration=seated, organiser=organiser, attended=True)
    seated.refresh_from_db()
    assert seated.attended is True
    waiting.refresh_from_db()
    with pytest.raises(services.RegistrationError, match="confirmed seat"):
        services.registration_mark_attendance(
            registration=waiting, organiser=organiser, attended=True
        )


def test_roster_export_lists_names_and_emails_and_is_audited(organiser, register):
    session = EngagementSessionFactory(capacity=1)
    person = UserFactory(display_name="=HYPERLINK(evil)")
    register(session, person)
    register(session, UserFactory(email="-2+3@example.com"))
    content = services.roster_export_csv(
        session=session, organiser=organiser, purpose="to run the session"
    )
    lines = content.strip().splitlines()
    assert lines[0] == "name,email,status,waitlist_position,attended,access_needs"
    assert len(lines) == 3
    assert "'=HYPERLINK(evil)" in content
    assert ",'-2+3@example.com," in content  # a valid address can start a formula too
    assert person.email in content
    event = AuditEvent.objects.get(action="engagement.roster_export")
    assert event.actor == organiser
    assert event.object_id == str(session.pk)
    assert event.details["rows"] == 2
