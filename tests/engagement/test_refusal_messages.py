"""Every refusal the engagement services give says exactly what the person sees, and leaves
the database as it was: no session, registration, counter or audit row changes."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from engagement import services
from engagement.models import EngagementSession, Registration, SessionMode, SessionStatus
from harms.models import HarmCategory
from tests.factories import EngagementSessionFactory

pytestmark = pytest.mark.django_db


def _exactly(message: str) -> str:
    """A pytest.raises pattern matching the whole message and nothing else."""
    return f"^{re.escape(message)}$"


def _state(session: EngagementSession | None = None) -> dict:
    """What a refusal must not change, read fresh from the database."""
    state = {
        "sessions": EngagementSession.objects.count(),
        "registrations": Registration.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }
    if session is not None:
        state["session"] = EngagementSession.objects.filter(pk=session.pk).values().get()
        state["harm_categories"] = sorted(
            EngagementSession.objects.get(pk=session.pk).harm_categories.values_list(
                "pk", flat=True
            )
        )
        state["registration_rows"] = list(
            Registration.objects.filter(session_id=session.pk).order_by("pk").values()
        )
    return state


def _details(**overrides) -> services.SessionDetails:
    """Valid details for an in-person session ten days away, unlike any factory session."""
    now = timezone.now()
    starts = now + timedelta(days=10)
    values = {
        "title": "A renamed conversation",
        "summary": "New summary",
        "description": "New description",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "mode": SessionMode.IN_PERSON,
        "venue": "Community Club",
        "venue_details": "Hall B",
        "online_link": "",
        "facilitators": "New facilitators",
        "harm_categories": list(HarmCategory.objects.all()[:1]),
        "capacity": 20,
        "registration_opens_at": now - timedelta(hours=1),
        "registration_closes_at": starts - timedelta(hours=1),
    }
    values.update(overrides)
    return services.SessionDetails(**values)


def _opens_after_it_closes():
    closes = timezone.now() + timedelta(days=2)
    return {"registration_opens_at": closes + timedelta(hours=1), "registration_closes_at": closes}


def _opens_when_it_closes():
    moment = timezone.now() + timedelta(days=2)
    return {"registration_opens_at": moment, "registration_closes_at": moment}


def _closes_after_the_start():
    starts = timezone.now() + timedelta(days=10)
    return {
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "registration_closes_at": starts + timedelta(minutes=1),
    }


INVALID_DETAILS = [
    pytest.param(
        _opens_after_it_closes, "Registration must close after it opens.", id="closes-before-opens"
    ),
    pytest.param(
        _opens_when_it_closes, "Registration must close after it opens.", id="closes-as-it-opens"
    ),
    pytest.param(
        _closes_after_the_start,
        "Registration must close before the session starts.",
        id="closes-after-start",
    ),
    pytest.param(lambda: {"capacity": 0}, "A session needs at least one seat.", id="no-seats"),
    pytest.param(
        lambda: {"capacity": -3}, "A session needs at least one seat.", id="negative-seats"
    ),
    pytest.param(
        lambda: {"mode": SessionMode.IN_PERSON, "venue": ""},
        "Give a venue for a session held in person.",
        id="in-person-no-venue",
    ),
    pytest.param(
        lambda: {"mode": SessionMode.HYBRID, "venue": "   "},
        "Give a venue for a session held in person.",
        id="hybrid-blank-venue",
    ),
]


# --- Session details ---------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "message"), INVALID_DETAILS)
def test_creating_a_session_with_invalid_details_is_refused_and_saves_nothing(
    organiser, overrides, message
):
    before = _state()
    with pytest.raises(services.SessionError, match=_exactly(message)):
        services.session_create(created_by=organiser, details=_details(**overrides()))
    assert _state() == before
    assert not EngagementSession.objects.exists()


@pytest.mark.parametrize("hours_ago", [0, 2], ids=["now", "two-hours-ago"])
def test_creating_a_session_that_starts_in_the_past_is_refused_and_saves_nothing(
    organiser, hours_ago
):
    starts = timezone.now() - timedelta(hours=hours_ago)
    details = _details(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_opens_at=starts - timedelta(days=2),
        registration_closes_at=starts - timedelta(hours=1),
    )
    before = _state()
    with pytest.raises(
        services.SessionError, match=_exactly("A new session must start in the future.")
    ):
        services.session_create(created_by=organiser, details=details)
    assert _state() == before


@pytest.mark.parametrize(("overrides", "message"), INVALID_DETAILS)
def test_editing_a_session_with_invalid_details_is_refused_and_changes_nothing(
    organiser, register, overrides, message
):
    session = EngagementSessionFactory(capacity=5)
    register(session)
    before = _state(session)
    with pytest.raises(services.SessionError, match=_exactly(message)):
        services.session_update(session=session, editor=organiser, details=_details(**overrides()))
    assert _state(session) == before


def test_editing_a_session_so_it_ends_before_it_starts_is_refused_and_changes_nothing(
    organiser,
):
    session = EngagementSessionFactory()
    starts = timezone.now() + timedelta(days=10)
    before = _state(session)
    with pytest.raises(
        services.SessionError, match=_exactly("The session must end after it starts.")
    ):
        services.session_update(
            session=session,
            editor=organiser,
            details=_details(starts_at=starts, ends_at=starts),
        )
    assert _state(session) == before


def test_editing_a_cancelled_session_is_refused_and_changes_nothing(organiser, register):
    session = EngagementSessionFactory(capacity=5)
    register(session)
    services.session_cancel(session=session, organiser=organiser, reason="Venue flooded")
    before = _state(session)
    with pytest.raises(
        services.SessionError,
        match=_exactly("This session was cancelled and can no longer be changed."),
    ):
        services.session_update(session=session, editor=organiser, details=_details())
    assert _state(session) == before
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert session.cancellation_reason == "Venue flooded"


# --- Registering -------------------------------------------------------------------------


def _register_by(by: str, session, participant):
    """The two entry points: by session object and by slug (the register page)."""
    if by == "slug":
        return services.registration_create_by_slug(
            slug=session.slug, participant=participant, registered_by=participant
        )
    return services.registration_create(
        session=session, participant=participant, registered_by=participant
    )


@pytest.mark.parametrize("by", ["session", "slug"])
def test_an_inactive_account_cannot_register_and_nothing_is_claimed(
    participant, by, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory(capacity=1)
    User.objects.filter(pk=participant.pk).update(is_active=False)
    participant.refresh_from_db()
    before = _state(session)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(services.RegistrationError, match=_exactly("This account cannot register.")),
    ):
        _register_by(by, session, participant)
    assert callbacks == []
    assert _state(session) == before
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (0, 0)


# --- Cancelling a session ----------------------------------------------------------------


def test_cancelling_a_session_twice_is_refused_and_keeps_the_first_reason(organiser, register):
    session = EngagementSessionFactory(capacity=5)
    register(session)
    services.session_cancel(session=session, organiser=organiser, reason="Venue flooded")
    before = _state(session)
    with pytest.raises(services.SessionError, match=_exactly("This session is already cancelled.")):
        services.session_cancel(session=session, organiser=organiser, reason="Second thoughts")
    assert _state(session) == before
    session.refresh_from_db()
    assert session.cancellation_reason == "Venue flooded"


def test_cancelling_a_session_that_has_taken_place_is_refused_and_changes_nothing(
    organiser, register
):
    session = EngagementSessionFactory(capacity=5)
    register(session)
    now = timezone.now()
    EngagementSession.objects.filter(pk=session.pk).update(
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
        registration_opens_at=now - timedelta(days=3),
        registration_closes_at=now - timedelta(hours=4),
    )
    before = _state(session)
    with pytest.raises(
        services.SessionError, match=_exactly("This session has already taken place.")
    ):
        services.session_cancel(session=session, organiser=organiser, reason="Too late")
    assert _state(session) == before
    session.refresh_from_db()
    assert session.status == SessionStatus.PUBLISHED
    assert session.cancelled_at is None


@pytest.mark.parametrize("reason", ["", "   \n\t"], ids=["empty", "whitespace"])
def test_cancelling_a_session_without_a_reason_is_refused_and_changes_nothing(
    organiser, register, reason
):
    session = EngagementSessionFactory(capacity=5)
    register(session)
    before = _state(session)
    with pytest.raises(
        services.SessionError,
        match=_exactly("Give a reason: it is sent to everyone registered."),
    ):
        services.session_cancel(session=session, organiser=organiser, reason=reason)
    assert _state(session) == before
    session.refresh_from_db()
    assert session.status == SessionStatus.PUBLISHED


# --- Moving someone from the waiting list ------------------------------------------------


def _full_session_with_a_queue(register):
    """One seat, taken; two people waiting. Returns (session, seated, first, second)."""
    session = EngagementSessionFactory(capacity=1)
    seated = register(session)
    first, second = register(session), register(session)
    return session, seated, first, second


def _free_a_seat(session):
    EngagementSession.objects.filter(pk=session.pk).update(capacity=2)


def test_moving_someone_with_a_seat_from_the_waiting_list_is_refused(organiser, register):
    session, seated, _first, _second = _full_session_with_a_queue(register)
    _free_a_seat(session)
    before = _state(session)
    with pytest.raises(
        services.RegistrationError, match=_exactly("This person is not on the waiting list.")
    ):
        services.registration_move_from_waitlist(
            registration=seated, organiser=organiser, reason="Speaker"
        )
    assert _state(session) == before


def test_moving_a_cancelled_registration_from_the_waiting_list_is_refused(organiser, register):
    session, _seated, first, _second = _full_session_with_a_queue(register)
    services.registration_cancel(registration=first, cancelled_by=first.participant)
    _free_a_seat(session)
    before = _state(session)
    with pytest.raises(
        services.RegistrationError, match=_exactly("This person is not on the waiting list.")
    ):
        services.registration_move_from_waitlist(
            registration=first, organiser=organiser, reason="Speaker"
        )
    assert _state(session) == before


def _start_the_session(session):
    now = timezone.now()
    EngagementSession.objects.filter(pk=session.pk).update(
        starts_at=now - timedelta(minutes=5),
        registration_opens_at=now - timedelta(days=3),
        registration_closes_at=now - timedelta(hours=1),
    )


def _make_draft(session):
    EngagementSession.objects.filter(pk=session.pk).update(status=SessionStatus.DRAFT)


def _cancel(session):
    EngagementSession.objects.filter(pk=session.pk).update(
        status=SessionStatus.CANCELLED, cancellation_reason="Unwell", cancelled_at=timezone.now()
    )


@pytest.mark.parametrize(
    "make_unmovable",
    [_start_the_session, _make_draft, _cancel],
    ids=["started", "draft", "cancelled"],
)
def test_moving_from_the_waiting_list_of_a_started_or_unpublished_session_is_refused(
    organiser, register, make_unmovable
):
    session, _seated, first, _second = _full_session_with_a_queue(register)
    _free_a_seat(session)  # a seat is free, so only the session's state refuses the move
    make_unmovable(session)
    before = _state(session)
    with pytest.raises(
        services.RegistrationError,
        match=_exactly("Places can only be moved before a published session starts."),
    ):
        services.registration_move_from_waitlist(
            registration=first, organiser=organiser, reason="Speaker"
        )
    assert _state(session) == before


def test_moving_from_the_waiting_list_with_no_free_seat_is_refused(organiser, register):
    session, _seated, first, second = _full_session_with_a_queue(register)
    before = _state(session)
    with pytest.raises(
        services.RegistrationError,
        match=_exactly(
            "Every seat is taken. Raise the capacity first, with “Give new seats to the "
            "waiting list” unticked, then move this person."
        ),
    ):
        services.registration_move_from_waitlist(
            registration=second, organiser=organiser, reason="Speaker"
        )
    assert _state(session) == before
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.waitlist_position, second.waitlist_position) == (1, 2)
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (1, 2)


@pytest.mark.parametrize("reason", ["", "  \n "], ids=["empty", "whitespace"])
def test_moving_from_the_waiting_list_without_a_reason_is_refused(organiser, register, reason):
    session, _seated, first, _second = _full_session_with_a_queue(register)
    _free_a_seat(session)
    before = _state(session)
    with pytest.raises(
        services.RegistrationError,
        match=_exactly("Give a reason for moving this person from the waiting list."),
    ):
        services.registration_move_from_waitlist(
            registration=first, organiser=organiser, reason=reason
        )
    assert _state(session) == before
