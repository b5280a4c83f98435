"""Calendar feeds (issue 16, item 5): a public .ics of every listed upcoming session, and a
person's own registrations behind a secret address they can reset. Both valid per RFC 5545,
parsed with the icalendar library."""

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from engagement import selectors, services
from engagement.ics import session_uid
from engagement.models import (
    CalendarFeed,
    EngagementSession,
    RegistrationStatus,
    SessionAccess,
    SessionMode,
    SessionStatus,
)
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

PUBLIC = "/sessions/calendar.ics"
ROLES = ["anonymous", "participant", "other_participant", "organiser", "staff"]


def _valid_calendar(content: bytes) -> Calendar:
    """Parse and check what RFC 5545 requires of what we publish."""
    for line in content.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line  # folded at 75 octets (3.1)
    assert content.endswith(b"\r\n") and b"\n" not in content.replace(b"\r\n", b"")
    calendar = Calendar.from_ical(content)
    assert calendar.name == "VCALENDAR"
    assert str(calendar["PRODID"]) and str(calendar["VERSION"]) == "2.0"
    for event in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND"):
            assert required in event, required
        for name in ("DTSTAMP", "DTSTART", "DTEND"):
            value = event[name]
            # In UTC (a trailing Z) or with a TZID.
            assert value.dt.utcoffset() == timedelta(0) or "TZID" in value.params
            assert value.to_ical().endswith(b"Z") or "TZID" in value.params
        assert event.decoded("DTEND") > event.decoded("DTSTART")
    return calendar


def _events(content: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in _valid_calendar(content).walk("VEVENT")}


def _feed_path(feed: CalendarFeed) -> str:
    return reverse("engagement:calendar_personal", args=[feed.token])


# --- The public feed --------------------------------------------------------------------


def test_public_feed_has_every_listed_upcoming_session_and_nothing_else(client):
    open_session = EngagementSessionFactory()
    by_invitation = EngagementSessionFactory(access=SessionAccess.INVITATION)
    cancelled = EngagementSessionFactory(status=SessionStatus.CANCELLED)
    unlisted = EngagementSessionFactory(access=SessionAccess.UNLISTED)
    draft = EngagementSessionFactory(status=SessionStatus.DRAFT)
    past = EngagementSessionFactory(starts_at=timezone.now() - timedelta(days=2))
    response = client.get(PUBLIC)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "max-age" in response["Cache-Control"] and "public" in response["Cache-Control"]
    events = _events(response.content)
    assert set(events) == {session_uid(s) for s in (open_session, by_invitation, cancelled)}
    for hidden in (unlisted, draft, past):
        assert session_uid(hidden) not in events
    # A cancelled session stays, marked so, so subscribed calendars drop it.
    assert str(events[session_uid(cancelled)]["STATUS"]) == "CANCELLED"
    assert str(events[session_uid(open_session)]["STATUS"]) == "CONFIRMED"
    event = events[session_uid(open_session)]
    # iCalendar times are to the second.
    starts = open_session.starts_at.astimezone(UTC).replace(microsecond=0)
    assert event.decoded("DTSTART") == starts


def test_public_feed_is_neutral_and_never_carries_a_joining_link(client):
    session = EngagementSessionFactory(
        title="Image-based abuse: what helps",
        slug="image-based-abuse-what-helps",
        online_link="https://meet.example.sg/secret-room",
    )
    content = client.get(PUBLIC).content.decode()
    assert "abuse" not in content.lower()
    assert "secret-room" not in content
    event = _events(content.encode())[session_uid(session)]
    assert str(event["URL"]).endswith(f"/sessions/s/{session.pk}/")


def test_feed_text_is_escaped(client):
    session = EngagementSessionFactory(venue="Hall 3, Level 2; East wing\\annexe")
    raw = client.get(PUBLIC).content
    unfolded = raw.replace(b"\r\n ", b"")
    assert b"LOCATION:Hall 3\\, Level 2\\; East wing\\\\annexe" in unfolded
    event = _events(raw)[session_uid(session)]
    assert str(event["LOCATION"]) == "Hall 3, Level 2; East wing\\annexe"
    # The description's line break is escaped too, never a bare newline.
    assert b"DESCRIPTION:" in unfolded


def test_public_feed_costs_the_same_queries_for_3_sessions_or_30(client):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PUBLIC).status_code == 200
        return len(queries)

    EngagementSessionFactory.create_batch(3)
    few = count()
    EngagementSessionFactory.create_batch(27)
    assert count() == few
    assert len(_events(client.get(PUBLIC).content)) == 30


def test_public_feed_is_bounded_to_the_soonest_sessions(client, monkeypatch):
    monkeypatch.setattr(selectors, "CALENDAR_FEED_MAX_EVENTS", 3)
    soon = [
        EngagementSessionFactory(starts_at=timezone.now() + timedelta(days=d)) for d in (1, 2, 3)
    ]
    EngagementSessionFactory(starts_at=timezone.now() + timedelta(days=9))
    assert set(_events(client.get(PUBLIC).content)) == {session_uid(s) for s in soon}
    assert selectors.CALENDAR_FEED_MAX_EVENTS == 3


def test_session_list_links_the_public_feed(client):
    page = client.get(reverse("engagement:session_list")).content.decode()
    assert f'href="{PUBLIC}"' in page


@pytest.mark.parametrize("role", ROLES)
def test_public_feed_is_open_to_every_role(client, request, role):
    EngagementSessionFactory()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    assert client.get(PUBLIC).status_code == 200


# --- The personal feed ------------------------------------------------------------------


def test_personal_feed_has_the_persons_own_upcoming_places_and_no_name_or_email(
    client, participant, other_participant
):
    seat = RegistrationFactory(
        participant=participant, session=EngagementSessionFactory(mode=SessionMode.ONLINE)
    )
    waiting = RegistrationFactory(participant=participant, status=RegistrationStatus.WAITLISTED)
    cancelled = RegistrationFactory(participant=participant, status=RegistrationStatus.CANCELLED)
    past = RegistrationFactory(
        participant=participant,
        session=EngagementSessionFactory(starts_at=timezone.now() - timedelta(days=3)),
    )
    called_off = RegistrationFactory(
        participant=participant, session=EngagementSessionFactory(status=SessionStatus.CANCELLED)
    )
    someone_elses = RegistrationFactory(participant=other_participant)
    feed = services.calendar_feed_reset(user=participant)
    response = client.get(_feed_path(feed))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    content = response.content.decode()
    events = _events(response.content)
    assert set(events) == {session_uid(r.session) for r in (seat, waiting, called_off)}, (
        "own confirmed and waiting places (and a called-off session, as CANCELLED)"
    )
    for absent in (cancelled, past, someone_elses):
        assert session_uid(absent.session) not in events
    assert str(events[session_uid(seat.session)]["STATUS"]) == "CONFIRMED"
    assert str(events[session_uid(waiting.session)]["STATUS"]) == "TENTATIVE"
    assert str(events[session_uid(called_off.session)]["STATUS"]) == "CANCELLED"
    # The joining link only for the confirmed seat.
    assert seat.session.online_link in str(events[session_uid(seat.session)]["DESCRIPTION"])
    assert waiting.session.online_link not in str(
        events[session_uid(waiting.session)]["DESCRIPTION"]
    )
    assert "secret-room" not in str(events[session_uid(called_off.session)]["DESCRIPTION"])
    for personal in (participant.email, participant.display_name, seat.session.title):
        assert personal not in content


def test_personal_feed_works_for_any_client_holding_the_secret(client, request, participant):
    RegistrationFactory(participant=participant)
    feed = services.calendar_feed_reset(user=participant)
    for role in ROLES:
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        assert client.get(_feed_path(feed)).status_code == 200, role


@pytest.mark.parametrize(
    "secret",
    [
        "a" * 43,
        "x",
        "calendar",
        "b" * 80,  # longer than any secret we issue
    ],
)
def test_a_forged_secret_is_a_404(client, participant, secret):
    services.calendar_feed_reset(user=participant)
    assert client.get(reverse("engagement:calendar_personal", args=[secret])).status_code == 404


def test_reset_makes_the_old_address_404_and_the_new_one_work(client, participant):
    old = services.calendar_feed_reset(user=participant).token
    new = services.calendar_feed_reset(user=participant).token
    assert new != old and len(new) >= 43
    assert client.get(reverse("engagement:calendar_personal", args=[old])).status_code == 404
    assert client.get(reverse("engagement:calendar_personal", args=[new])).status_code == 200
    assert CalendarFeed.objects.filter(user=participant).count() == 1


def test_the_feed_of_an_account_that_cannot_sign_in_is_a_404(client, participant):
    feed = services.calendar_feed_reset(user=participant)
    participant.is_active = False
    participant.save(update_fields=["is_active"])
    assert client.get(_feed_path(feed)).status_code == 404


def test_personal_feed_costs_the_same_queries_for_2_places_or_20(client, participant):
    feed = services.calendar_feed_reset(user=participant)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_feed_path(feed)).status_code == 200
        return len(queries)

    RegistrationFactory.create_batch(2, participant=participant)
    few = count()
    RegistrationFactory.create_batch(18, participant=participant)
    assert count() == few


# --- My sessions: create, show, reset ---------------------------------------------------


def test_my_sessions_offers_to_create_the_feed_then_shows_it_and_resets_it(client, participant):
    client.force_login(participant)
    mine = reverse("engagement:my_sessions")
    page = client.get(mine).content.decode()
    assert "Create my calendar feed" in page
    response = client.post(reverse("engagement:calendar_feed_reset"))
    assert response.status_code == 302 and response.url == mine + "#calendar-feed"
    feed = CalendarFeed.objects.get(user=participant)
    page = client.get(mine).content.decode()
    assert _feed_path(feed) in page
    assert "webcal://" in page and "Reset the address" in page
    old = feed.token
    client.post(reverse("engagement:calendar_feed_reset"))
    feed.refresh_from_db()
    assert feed.token != old
    page = client.get(mine).content.decode()
    assert old not in page and feed.token in page
    assert "The old one no longer works" in page


def test_feed_address_uses_the_site_url_for_https_and_webcal(client, participant, settings):
    settings.SITE_URL = "https://afa.example.sg"
    client.force_login(participant)
    client.post(reverse("engagement:calendar_feed_reset"))
    feed = CalendarFeed.objects.get(user=participant)
    page = client.get(reverse("engagement:my_sessions")).content.decode()
    assert f'value="https://afa.example.sg{_feed_path(feed)}"' in page
    assert f'href="webcal://afa.example.sg{_feed_path(feed)}"' in page


@pytest.mark.parametrize("role", ROLES)
def test_feed_reset_role_matrix(client, request, role):
    url = reverse("engagement:calendar_feed_reset")
    if role == "anonymous":
        response = client.post(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
        assert not CalendarFeed.objects.exists()
        return
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert CalendarFeed.objects.filter(user=user).count() == 1
    assert CalendarFeed.objects.count() == 1


def test_unlisted_sessions_never_appear_even_when_cancelled(client):
    EngagementSessionFactory(access=SessionAccess.UNLISTED, status=SessionStatus.CANCELLED)
    assert _events(client.get(PUBLIC).content) == {}
    assert EngagementSession.objects.count() == 1


def test_a_waiting_place_in_the_personal_feed_says_so_in_its_summary(client):
    person = UserFactory()
    waiting = RegistrationFactory(participant=person, status=RegistrationStatus.WAITLISTED)
    feed = services.calendar_feed_reset(user=person)
    event = _events(client.get(_feed_path(feed)).content)[session_uid(waiting.session)]
    assert str(event["SUMMARY"]) == "AfA engagement session (waiting list)"
