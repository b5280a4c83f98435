"""The one-click "I can no longer come" link (issue 16, item 3): signed, in every email about
a place someone holds; GET opens a confirm page that changes nothing (a mail scanner
following links cancels nothing), POST cancels; bad links get a clear page."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from engagement import services, tasks
from engagement.cancel_links import CANCEL_LINK_SALT, cancel_link_path
from engagement.models import EngagementSession, Registration, RegistrationStatus
from tests.factories import EngagementSessionFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/sessions/cancel/[^/\s]+/")


def _register(session, person=None):
    person = person or UserFactory()
    return services.registration_create(session=session, participant=person, registered_by=person)


@pytest.fixture
def seat(session, participant):
    return _register(session, participant)


def _status(registration) -> str:
    return Registration.objects.get(pk=registration.pk).status


def _path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


# --- In the emails ----------------------------------------------------------------------


def test_confirmation_email_carries_a_cancel_link_that_opens_the_confirm_page(
    client, session, participant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register(session, participant)
    (message,) = mailoutbox
    (url,) = LINK.findall(message.body)
    page = client.get(_path_of(url))
    assert page.status_code == 200
    assert "Cancel your place?" in page.content.decode()
    assert _status(registration) == RegistrationStatus.CONFIRMED


def test_every_email_about_a_place_still_held_has_the_link_and_the_others_do_not(
    organiser, mailoutbox, django_capture_on_commit_callbacks
):
    starts = timezone.now() + timedelta(hours=20)
    session = EngagementSessionFactory(
        capacity=1,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_opens_at=timezone.now() - timedelta(days=2),
        registration_closes_at=starts - timedelta(hours=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        seat = _register(session)  # confirmed
        _register(session)  # waitlisted
        tasks.send_due_reminders()  # reminder to the seat
        tasks.notify_promotion_closed()  # promotion closed, to the waiting list
    details = services.SessionDetails(
        **{
            **{
                f: getattr(session, f)
                for f in services.SessionDetails.__dataclass_fields__
                if f != "harm_categories"
            },
            "venue": "Another hall",
            "harm_categories": [],
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(session=session, editor=organiser, details=details)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=seat, cancelled_by=seat.participant)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=session, organiser=organiser, reason="Venue closed")
    links = {}
    for message in mailoutbox:
        if message.subject.startswith("Reminder"):
            kind = "reminder"
        elif message.subject.endswith("has been cancelled"):
            kind = "session cancelled"
        else:
            kind = message.subject.split(": ", 1)[1]
        links.setdefault(kind, set()).add(bool(LINK.search(message.body)))
    assert links == {
        "your seat is confirmed": {True},
        "you are on the waiting list": {True},
        "reminder": {True},
        "the waiting list has closed": {True},
        "details have changed": {True},
        "registration cancelled": {False},
        "session cancelled": {False},
    }


def test_promotion_email_carries_the_link(mailoutbox, django_capture_on_commit_callbacks):
    session = EngagementSessionFactory(capacity=1)
    seat, waiting = _register(session), _register(session)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=seat, cancelled_by=seat.participant)
    (promoted,) = [m for m in mailoutbox if m.to == [waiting.participant.email]]
    assert "a seat is now yours" in promoted.subject
    assert _path_of(LINK.search(promoted.body).group()) == cancel_link_path(waiting)


# --- The confirm page -------------------------------------------------------------------


def test_get_changes_nothing_and_shows_the_session_not_the_person(client, session, seat):
    page = client.get(cancel_link_path(seat))
    assert page.status_code == 200
    body = page.content.decode()
    assert session.title in body
    assert seat.participant.email not in body
    assert seat.participant.display_name not in body
    assert _status(seat) == RegistrationStatus.CONFIRMED
    session.refresh_from_db()
    assert session.seats_taken == 1


def test_post_cancels_signed_out_and_the_seat_goes_to_the_first_person_waiting(
    session, participant
):
    session.capacity = 1
    session.save(update_fields=["capacity"])
    seat = _register(session, participant)
    waiting = _register(session)
    # A real browser, signed out, with CSRF checks on: the page's own form works.
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(cancel_link_path(seat))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    response = browser.post(cancel_link_path(seat), {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 200
    assert "Your place is cancelled" in response.content.decode()
    assert _status(seat) == RegistrationStatus.CANCELLED
    assert _status(waiting) == RegistrationStatus.CONFIRMED


def test_post_after_the_cutoff_frees_the_seat_without_promoting(client):
    starts = timezone.now() + timedelta(hours=10)
    session = EngagementSessionFactory(
        capacity=1,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_opens_at=timezone.now() - timedelta(days=2),
    )
    seat, waiting = _register(session), _register(session)
    assert "will not be passed on" in client.get(cancel_link_path(seat)).content.decode()
    client.post(cancel_link_path(seat))
    assert _status(seat) == RegistrationStatus.CANCELLED
    assert _status(waiting) == RegistrationStatus.WAITLISTED


def test_a_waiting_list_place_can_be_given_up_too(client, session):
    session.capacity = 1
    session.save(update_fields=["capacity"])
    _register(session)
    waiting = _register(session)
    assert "leave the waiting list" in client.get(cancel_link_path(waiting)).content.decode()
    client.post(cancel_link_path(waiting))
    assert _status(waiting) == RegistrationStatus.CANCELLED


def test_already_cancelled_says_so(client, seat):
    services.registration_cancel(registration=seat, cancelled_by=seat.participant)
    for response in (client.get(cancel_link_path(seat)), client.post(cancel_link_path(seat))):
        assert response.status_code == 200
        assert "already cancelled" in response.content.decode()


def test_a_cancelled_session_says_there_is_nothing_to_give_up(client, organiser, seat):
    services.session_cancel(session=seat.session, organiser=organiser, reason="Venue closed")
    response = client.post(cancel_link_path(seat))
    assert "no place to give up" in response.content.decode()
    assert _status(seat) == RegistrationStatus.CONFIRMED


# --- Refused links ----------------------------------------------------------------------


def _tampered(path: str) -> str:
    token = path.rstrip("/").rsplit("/", 1)[1]
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return reverse("engagement:registration_cancel_link", args=[flipped])


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused_with_a_clear_page(client, seat, method):
    response = getattr(client, method)(_tampered(cancel_link_path(seat)))
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert _status(seat) == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        # The right payload signed for another purpose (another salt) is no cancel link.
        signing.dumps({"r": 1, "p": 1}, salt="something-else"),
        # A genuine signature over a payload of the wrong shape.
        signing.dumps(["r", 1], salt=CANCEL_LINK_SALT),
        signing.dumps({"r": "1", "p": "1"}, salt=CANCEL_LINK_SALT),
    ],
)
def test_forged_links_are_refused(client, seat, token):
    response = client.post(reverse("engagement:registration_cancel_link", args=[token]))
    assert response.status_code == 400
    assert _status(seat) == RegistrationStatus.CONFIRMED


def test_a_link_naming_another_persons_registration_is_refused(client, seat, other_participant):
    # Signed for this registration but another participant: not a link we ever sent.
    token = signing.dumps({"r": seat.pk, "p": other_participant.pk}, salt=CANCEL_LINK_SALT)
    response = client.post(reverse("engagement:registration_cancel_link", args=[token]))
    assert response.status_code == 400
    assert _status(seat) == RegistrationStatus.CONFIRMED


def test_an_expired_link_is_refused_once_the_session_has_started(client, seat):
    EngagementSession.objects.filter(pk=seat.session_id).update(
        starts_at=timezone.now() - timedelta(minutes=1)
    )
    for response in (client.get(cancel_link_path(seat)), client.post(cancel_link_path(seat))):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
    assert _status(seat) == RegistrationStatus.CONFIRMED


def test_someone_elses_link_is_refused_when_signed_in_as_another_person(
    client, seat, other_participant
):
    client.force_login(other_participant)
    for response in (client.get(cancel_link_path(seat)), client.post(cancel_link_path(seat))):
        assert response.status_code == 403
        assert "someone else's registration" in response.content.decode()
    assert _status(seat) == RegistrationStatus.CONFIRMED


def test_a_link_whose_registration_is_gone_is_refused(client, seat):
    path = cancel_link_path(seat)
    Registration.objects.filter(pk=seat.pk).delete()
    assert client.get(path).status_code == 400


# --- Role matrix ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "cancels"),
    [
        ("anonymous", 200, True),
        ("participant", 200, True),  # the person whose place it is
        ("other_participant", 403, False),
        ("organiser", 403, False),
        ("staff", 403, False),
    ],
)
def test_cancel_link_role_matrix(client, request, seat, role, status, cancels):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    assert client.get(cancel_link_path(seat)).status_code == status
    assert _status(seat) == RegistrationStatus.CONFIRMED
    assert client.post(cancel_link_path(seat)).status_code == status
    expected = RegistrationStatus.CANCELLED if cancels else RegistrationStatus.CONFIRMED
    assert _status(seat) == expected


def test_cancel_and_calendar_are_reserved_slugs():
    assert {"cancel", "calendar", "mine"} <= services.RESERVED_SLUGS
