from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from engagement import services
from engagement.models import EngagementSession, Registration, RegistrationStatus, SessionStatus
from harms.models import HarmCategory
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "other_participant", "organiser", "staff"]


@pytest.fixture
def as_role(client, request):
    def _as(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return _as


def _is_login_redirect(response):
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


# --- Role matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_are_open_to_everyone(role, as_role, session):
    client = as_role(role)
    assert client.get(reverse("engagement:session_list")).status_code == 200
    assert client.get(reverse("engagement:session_list") + "?when=past").status_code == 200
    assert client.get(session.get_absolute_url()).status_code == 200
    calendar = client.get(reverse("engagement:session_calendar", args=[session.slug]))
    assert calendar.status_code == 200
    assert calendar["Content-Type"].startswith("text/calendar")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 404),
        ("participant", 404),
        ("other_participant", 404),
        ("organiser", 200),
        ("staff", 404),
    ],
)
def test_draft_session_is_visible_only_to_organisers(role, status, as_role):
    draft = EngagementSessionFactory(status=SessionStatus.DRAFT)
    client = as_role(role)
    assert client.get(draft.get_absolute_url()).status_code == status
    assert (
        client.get(reverse("engagement:session_calendar", args=[draft.slug])).status_code == status
    )
    assert draft.title not in client.get(reverse("engagement:session_list")).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_register_needs_sign_in_and_registers_the_signed_in_user(role, as_role, session):
    client = as_role(role)
    response = client.post(reverse("engagement:session_register", args=[session.slug]))
    if role == "anonymous":
        assert _is_login_redirect(response)
        assert not Registration.objects.exists()
    else:
        assert response.status_code == 302
        assert Registration.objects.get().participant.display_name != ""


@pytest.mark.parametrize("role", ROLES)
def test_my_sessions_needs_sign_in_and_shows_only_own(
    role, as_role, session, participant, register
):
    register(session, participant)
    response = as_role(role).get(reverse("engagement:my_sessions"))
    if role == "anonymous":
        assert _is_login_redirect(response)
        return
    assert response.status_code == 200
    shows = session.title in response.content.decode()
    assert shows == (role == "participant")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 302),
        ("other_participant", 404),
        ("organiser", 404),
        ("staff", 404),
    ],
)
def test_cancel_is_only_for_the_registrations_owner(
    role, expected, as_role, session, participant, register
):
    registration = register(session, participant)
    response = as_role(role).post(reverse("engagement:registration_cancel", args=[registration.pk]))
    registration.refresh_from_db()
    if expected == "login":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == expected
    cancelled = registration.status == RegistrationStatus.CANCELLED
    assert cancelled == (role == "participant")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 200),
        ("other_participant", 404),
        ("organiser", 404),
        ("staff", 404),
    ],
)
def test_cancel_confirmation_page_is_only_for_the_owner_and_changes_nothing(
    role, expected, as_role, session, participant, register
):
    registration = register(session, participant)
    response = as_role(role).get(reverse("engagement:registration_cancel", args=[registration.pk]))
    if expected == "login":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == expected
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_cancel_asks_first_then_a_post_cancels(client, participant, session, register):
    registration = register(session, participant)
    url = reverse("engagement:registration_cancel", args=[registration.pk])
    client.force_login(participant)
    assert f'href="{url}"' in client.get(reverse("engagement:my_sessions")).content.decode()
    page = client.get(url).content.decode()
    assert "Cancel your place?" in page
    assert "Your seat will go to the first person on the waiting list." in page
    assert "(Singapore time)</span>." in page  # the sentence ends on the time, no stray space
    assert client.post(url).status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    again = client.get(url, follow=True)
    assert "This registration is already cancelled." in again.content.decode()


def _console_requests(session, registration):
    return [
        ("get", reverse("engagement:console"), {}),
        ("get", reverse("engagement:console_session_create"), {}),
        ("get", reverse("engagement:console_session_edit", args=[session.pk]), {}),
        ("get", reverse("engagement:console_session_cancel", args=[session.pk]), {}),
        ("get", reverse("engagement:console_roster", args=[session.pk]), {}),
        ("get", reverse("engagement:console_roster_csv", args=[session.pk]), {}),
        ("get", reverse("engagement:console_registration_move", args=[registration.pk]), {}),
        ("post", reverse("engagement:console_session_publish", args=[session.pk]), {}),
        (
            "post",
            reverse("engagement:console_attendance", args=[registration.pk]),
            {"attended": "on"},
        ),
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 403),
        ("other_participant", 403),
        ("organiser", "ok"),
        ("staff", 403),
    ],
)
def test_organiser_console_is_for_organisers_only(
    role, expected, as_role, session, participant, register
):
    registration = register(session, participant)
    client = as_role(role)
    for method, url, data in _console_requests(session, registration):
        response = getattr(client, method)(url, data)
        if expected == "login":
            assert _is_login_redirect(response), url
        elif expected == "ok":
            assert response.status_code in (200, 302), url
            assert not _is_login_redirect(response), url
        else:
            assert response.status_code == expected, url


def test_organiser_without_mfa_is_sent_to_set_it_up(client, organiser_without_mfa):
    client.force_login(organiser_without_mfa)
    response = client.get(reverse("engagement:console"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


# --- What the session page shows ---------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("anonymous", False),
        ("stranger", False),
        ("waitlisted", False),
        ("cancelled", False),
        ("confirmed", True),
    ],
)
def test_online_link_and_venue_details_show_only_to_confirmed_registrants(
    client, who, shown, register
):
    session = EngagementSessionFactory(capacity=1)
    confirmed = register(session)
    waitlisted = register(session)
    cancelled_person = UserFactory()
    cancelled = register(EngagementSessionFactory(slug="other"), cancelled_person)
    users = {
        "stranger": UserFactory(),
        "waitlisted": waitlisted.participant,
        "confirmed": confirmed.participant,
        "cancelled": cancelled_person,
    }
    if who == "cancelled":
        # A cancelled place at this session: register, then cancel (seat is full, so waitlist).
        cancelled = register(session, cancelled_person)
        services.registration_cancel(registration=cancelled, cancelled_by=cancelled_person)
    if who in users:
        client.force_login(users[who])
    html = client.get(session.get_absolute_url()).content.decode()
    assert ("https://meet.example.sg/secret-room" in html) == shown
    assert ("Room 3, basement" in html) == shown
    assert "Central Public Library" in html  # the public venue is for everyone


def test_session_page_shows_sgt_time_seats_and_harm_links_with_warnings(client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    starts = datetime(2031, 3, 8, 15, 0, tzinfo=ZoneInfo("Asia/Singapore"))
    session = EngagementSessionFactory(
        starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=3
    )
    harm = HarmCategory.objects.get(slug="online-grooming")
    session.harm_categories.add(harm)
    html = client.get(session.get_absolute_url()).content.decode()
    assert "Saturday 8 March 2031, 3:00 PM" in html
    assert "Singapore time" in html
    assert "3 seats left" in html
    assert harm.get_absolute_url() in html
    assert harm.content_warning in html


def test_full_session_page_offers_the_waiting_list(client, participant, register):
    session = EngagementSessionFactory(capacity=1)
    register(session)
    client.force_login(participant)
    html = client.get(session.get_absolute_url()).content.decode()
    assert "Full: join the waiting list" in html
    assert "Join the waiting list" in html


def test_list_filters_by_category_and_mode_and_splits_past(client):
    harm = HarmCategory.objects.get(slug="doxxing")
    tagged = EngagementSessionFactory(title="Tagged online", mode="online")
    tagged.harm_categories.add(harm)
    EngagementSessionFactory(title="Untagged in person", mode="in_person")
    EngagementSessionFactory(
        title="Long ago",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30) + timedelta(hours=2),
        registration_opens_at=timezone.now() - timedelta(days=40),
        registration_closes_at=timezone.now() - timedelta(days=31),
    )
    url = reverse("engagement:session_list")
    by_child = client.get(url, {"category": "doxxing"}).content.decode()
    assert "Tagged online" in by_child and "Untagged in person" not in by_child
    by_parent = client.get(url, {"category": "non-consensual-publication"}).content.decode()
    assert "Tagged online" in by_parent
    by_mode = client.get(url, {"mode": "in_person"}).content.decode()
    assert "Untagged in person" in by_mode and "Tagged online" not in by_mode
    assert "Long ago" not in client.get(url).content.decode()
    assert "Long ago" in client.get(url, {"when": "past"}).content.decode()


# --- Bad input ------------------------------------------------------------------------


def test_forged_session_slug_is_404_and_creates_nothing(client, participant):
    client.force_login(participant)
    response = client.post(reverse("engagement:session_register", args=["no-such-session"]))
    assert response.status_code == 404
    assert not Registration.objects.exists()


def test_forged_registration_id_is_404(client, participant):
    client.force_login(participant)
    response = client.post(reverse("engagement:registration_cancel", args=[999999]))
    assert response.status_code == 404


def test_someone_elses_registration_id_is_404_and_changes_nothing(
    client, other_participant, participant, session, register
):
    registration = register(session, participant)
    client.force_login(other_participant)
    response = client.post(reverse("engagement:registration_cancel", args=[registration.pk]))
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_post_after_the_window_closed_gets_a_message_and_changes_nothing(client, participant):
    session = EngagementSessionFactory(
        registration_opens_at=timezone.now() - timedelta(days=3),
        registration_closes_at=timezone.now() - timedelta(minutes=1),
    )
    client.force_login(participant)
    response = client.post(reverse("engagement:session_register", args=[session.slug]), follow=True)
    assert response.status_code == 200
    assert "Registration for this session has closed." in response.content.decode()
    assert not Registration.objects.exists()


def test_registering_twice_through_the_page_shows_a_message(client, participant, session):
    client.force_login(participant)
    url = reverse("engagement:session_register", args=[session.slug])
    client.post(url)
    response = client.post(url, follow=True)
    assert "You are already registered for this session." in response.content.decode()
    assert Registration.objects.count() == 1


def test_get_on_register_is_not_allowed(client, participant, session):
    client.force_login(participant)
    response = client.get(reverse("engagement:session_register", args=[session.slug]))
    assert response.status_code == 405


def _form_data(session, **overrides):
    fmt = "%Y-%m-%dT%H:%M"
    local = timezone.localtime
    data = {
        "title": session.title,
        "summary": session.summary,
        "description": session.description,
        "starts_at": local(session.starts_at).strftime(fmt),
        "ends_at": local(session.ends_at).strftime(fmt),
        "mode": session.mode,
        "venue": session.venue,
        "venue_details": session.venue_details,
        "online_link": session.online_link,
        "facilitators": session.facilitators,
        "capacity": session.capacity,
        "registration_opens_at": local(session.registration_opens_at).strftime(fmt),
        "registration_closes_at": local(session.registration_closes_at).strftime(fmt),
    }
    data.update(overrides)
    return data


def test_edit_with_capacity_below_confirmed_is_refused_with_a_message(client, organiser, register):
    session = EngagementSessionFactory(capacity=3)
    for _ in range(3):
        register(session)
    client.force_login(organiser)
    response = client.post(
        reverse("engagement:console_session_edit", args=[session.pk]),
        _form_data(session, capacity=2, title="Changed"),
    )
    assert response.status_code == 400
    assert "3 people already hold a seat" in response.content.decode()
    session.refresh_from_db()
    assert (session.capacity, session.title) != (2, "Changed")
    assert session.capacity == 3


def test_create_with_end_before_start_is_refused_with_a_message(client, organiser):
    template = EngagementSessionFactory.build()
    client.force_login(organiser)
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(
        reverse("engagement:console_session_create"),
        _form_data(
            template,
            ends_at=timezone.localtime(template.starts_at - timedelta(hours=1)).strftime(fmt),
        ),
    )
    assert response.status_code == 400
    assert "The session must end after it starts." in response.content.decode()
    assert not EngagementSession.objects.exists()


@pytest.mark.parametrize("typed", ["0001-01-01T01:00", "9999-12-31T23:00", "1999-12-31T10:00"])
def test_create_with_a_date_out_of_range_is_refused_with_a_message(client, organiser, typed):
    template = EngagementSessionFactory.build()
    client.force_login(organiser)
    response = client.post(
        reverse("engagement:console_session_create"), _form_data(template, starts_at=typed)
    )
    assert response.status_code == 400
    assert "Enter a date between 2020 and 2100." in response.content.decode()
    assert not EngagementSession.objects.exists()


def test_create_with_a_start_in_the_past_is_refused_with_a_message(client, organiser):
    template = EngagementSessionFactory.build()
    fmt = "%Y-%m-%dT%H:%M"
    past = timezone.localtime(timezone.now() - timedelta(days=2))
    client.force_login(organiser)
    response = client.post(
        reverse("engagement:console_session_create"),
        _form_data(
            template,
            starts_at=past.strftime(fmt),
            ends_at=(past + timedelta(hours=2)).strftime(fmt),
            registration_opens_at=(past - timedelta(days=5)).strftime(fmt),
            registration_closes_at=(past - timedelta(days=1)).strftime(fmt),
        ),
    )
    assert response.status_code == 400
    assert "A new session must start in the future." in response.content.decode()
    assert not EngagementSession.objects.exists()


def test_organiser_creates_publishes_and_cancels_a_session(
    client, organiser, register, mailoutbox, django_capture_on_commit_callbacks
):
    template = EngagementSessionFactory.build(title="Brand new session")
    client.force_login(organiser)
    response = client.post(reverse("engagement:console_session_create"), _form_data(template))
    assert response.status_code == 302
    session = EngagementSession.objects.get(title="Brand new session")
    assert session.status == SessionStatus.DRAFT
    assert session.created_by == organiser
    client.post(reverse("engagement:console_session_publish", args=[session.pk]))
    session.refresh_from_db()
    assert session.status == SessionStatus.PUBLISHED
    register(session)
    mailoutbox.clear()
    missing_reason = client.post(
        reverse("engagement:console_session_cancel", args=[session.pk]), {"reason": ""}
    )
    assert missing_reason.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("engagement:console_session_cancel", args=[session.pk]),
            {"reason": "The facilitator is unwell"},
        )
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert len(mailoutbox) == 1


def test_organiser_marks_attendance_from_the_roster(client, organiser, register):
    session = EngagementSessionFactory()
    registration = register(session)
    EngagementSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=10)
    )
    client.force_login(organiser)
    response = client.post(
        reverse("engagement:console_attendance", args=[registration.pk]), {"attended": "on"}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True
    client.post(reverse("engagement:console_attendance", args=[registration.pk]), {})
    registration.refresh_from_db()
    assert registration.attended is False


def test_attendance_on_a_cancelled_session_is_refused(client, organiser, register):
    session = EngagementSessionFactory()
    registration = register(session)
    services.session_cancel(session=session, organiser=organiser, reason="Venue closed")
    EngagementSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=10)
    )
    client.force_login(organiser)
    response = client.post(
        reverse("engagement:console_attendance", args=[registration.pk]),
        {"attended": "on"},
        follow=True,
    )
    assert "This session was cancelled, so there is no attendance to mark." in (
        response.content.decode()
    )
    registration.refresh_from_db()
    assert registration.attended is False


def test_cancelling_with_the_broker_down_still_cancels_and_shows_no_error_page(
    client, participant, other_participant, register, monkeypatch, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from kombu.exceptions import OperationalError

    from outbox import tasks

    def broker_down(**kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    session = EngagementSessionFactory(capacity=1)
    seat = register(session, participant)
    waiting = register(session, other_participant)
    mailoutbox.clear()
    monkeypatch.setattr(tasks.send_outbound_emails, "delay", broker_down)
    client.force_login(participant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("engagement:registration_cancel", args=[seat.pk]))
    assert response.status_code == 302
    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert (seat.status, waiting.status) == ("cancelled", "confirmed")
    assert not mailoutbox
    # The beat sweep sends both emails once the broker is back.
    monkeypatch.undo()
    assert tasks.send_outbound_emails.run() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [seat.participant.email, waiting.participant.email]
    )


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        ("anonymous", SessionStatus.PUBLISHED, 302),
        ("participant", SessionStatus.PUBLISHED, 302),
        ("anonymous", SessionStatus.DRAFT, 404),
        ("participant", SessionStatus.DRAFT, 404),
        ("staff", SessionStatus.DRAFT, 404),
        ("organiser", SessionStatus.DRAFT, 302),
    ],
)
def test_neutral_short_link_leads_to_the_session_page_for_those_who_may_see_it(
    role, status, expected, as_role
):
    session = EngagementSessionFactory(status=status)
    response = as_role(role).get(reverse("engagement:session_short_link", args=[session.pk]))
    assert response.status_code == expected
    if expected == 302:
        assert response.url == session.get_absolute_url()


def test_short_link_for_an_unknown_session_is_404(client):
    assert client.get("/sessions/s/999999999/").status_code == 404


def test_roster_csv_download_is_audited(client, organiser, session, register):
    register(session)
    client.force_login(organiser)
    response = client.post(
        reverse("engagement:console_roster_csv", args=[session.pk]),
        {"purpose": "to run the session"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert AuditEvent.objects.filter(
        action="engagement.roster_export", actor=organiser, object_id=str(session.pk)
    ).exists()


def test_forged_ids_in_the_console_are_404(client, organiser):
    client.force_login(organiser)
    assert client.get(reverse("engagement:console_roster", args=[424242])).status_code == 404
    assert client.post(reverse("engagement:console_attendance", args=[424242])).status_code == 404


# --- Query counts --------------------------------------------------------------------


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _make_sessions(n):
    harms = list(HarmCategory.objects.all()[:2])
    for _ in range(n):
        EngagementSessionFactory().harm_categories.set(harms)


def test_session_list_runs_the_same_queries_for_3_and_300_rows(client, participant):
    client.force_login(participant)
    url = reverse("engagement:session_list")
    _make_sessions(3)
    few = _count_queries(client, url)
    _make_sessions(297)
    many = _count_queries(client, url)
    assert few == many


def _fill_roster(session, n):
    # Bulk-created with an unusable password: hashing 300 passwords would dominate the test.
    start = User.objects.count()
    people = User.objects.bulk_create(
        User(email=f"roster{start + i}@example.com", display_name=f"Roster {i}", password="!")
        for i in range(n)
    )
    Registration.objects.bulk_create(
        Registration(session=session, participant=person, status=RegistrationStatus.CONFIRMED)
        for person in people
    )
    EngagementSession.objects.filter(pk=session.pk).update(
        seats_taken=session.registrations.filter(status="confirmed").count()
    )


def test_roster_runs_the_same_queries_for_3_and_300_rows(client, organiser):
    session = EngagementSessionFactory(capacity=400)
    client.force_login(organiser)
    url = reverse("engagement:console_roster", args=[session.pk])
    _fill_roster(session, 3)
    few = _count_queries(client, url)
    _fill_roster(session, 297)
    many = _count_queries(client, url)
    assert few == many


def test_my_sessions_runs_the_same_queries_for_3_and_30_rows(client, participant):
    client.force_login(participant)
    url = reverse("engagement:my_sessions")

    def make(n):
        for _ in range(n):
            RegistrationFactory(
                session=EngagementSessionFactory(), participant=participant, status="confirmed"
            )

    make(3)
    few = _count_queries(client, url)
    make(27)
    many = _count_queries(client, url)
    assert few == many


def test_console_runs_the_same_queries_for_3_and_300_rows(client, organiser):
    client.force_login(organiser)
    url = reverse("engagement:console")
    _make_sessions(3)
    few = _count_queries(client, url)
    _make_sessions(297)
    many = _count_queries(client, url)
    assert few == many


def test_register_on_a_draft_is_404_for_participants_and_a_message_for_organisers(
    client, participant, organiser
):
    draft = EngagementSessionFactory(status=SessionStatus.DRAFT)
    url = reverse("engagement:session_register", args=[draft.slug])
    client.force_login(participant)
    assert client.post(url).status_code == 404
    client.force_login(organiser)
    response = client.post(url, follow=True)
    assert "This session is not open for registration." in response.content.decode()
    assert not Registration.objects.exists()


def test_a_registration_runs_the_same_few_queries_for_a_seat_and_for_the_waiting_list(
    client, django_assert_max_num_queries
):
    """The register button's request: session, user, the claiming UPDATE, the INSERT (and
    savepoint/transaction statements on SQLite). No session row is read before the claim."""
    session = EngagementSessionFactory(capacity=1)
    for person in UserFactory.create_batch(2):
        client.force_login(person)
        with django_assert_max_num_queries(6):
            response = client.post(reverse("engagement:session_register", args=[session.slug]))
        assert response.status_code == 302
        assert response["Location"] == session.get_absolute_url()
    assert list(session.registrations.values_list("status", flat=True).order_by("pk")) == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]


def test_oversized_access_needs_get_a_message_and_register_nothing(client, participant, session):
    client.force_login(participant)
    url = reverse("engagement:session_register", args=[session.slug])
    response = client.post(url, {"access_needs": "x" * 1001}, follow=True)
    assert response.status_code == 400  # the form again, with its error summary
    assert "Please keep your access needs under 1,000 characters." in response.content.decode()
    assert not Registration.objects.exists()
    session.refresh_from_db()
    assert session.seats_taken == 0
    response = client.post(url, {"access_needs": "ramp\x00please"}, follow=True)
    assert "Null characters are not allowed." in response.content.decode()
    assert not Registration.objects.exists()
    # The same on a session that does not exist is still a 404.
    missing = reverse("engagement:session_register", args=["no-such-session"])
    assert client.post(missing, {"access_needs": "x" * 1001}).status_code == 404


def test_only_an_upcoming_published_session_offers_the_calendar_file(client, organiser):
    upcoming = EngagementSessionFactory()
    past = EngagementSessionFactory(
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
        registration_opens_at=timezone.now() - timedelta(days=10),
        registration_closes_at=timezone.now() - timedelta(days=4),
    )
    cancelled = EngagementSessionFactory()
    services.session_cancel(session=cancelled, organiser=organiser, reason="Venue closed")
    assert 'data-testid="calendar-link"' in client.get(upcoming.get_absolute_url()).content.decode()
    for session in (past, cancelled):
        page = client.get(session.get_absolute_url()).content.decode()
        assert 'data-testid="calendar-link"' not in page, session.title


def test_wide_organiser_tables_are_keyboard_scrollable_regions(client, organiser, register):
    session = EngagementSessionFactory()
    register(session)
    client.force_login(organiser)
    for url in (
        reverse("engagement:console"),
        reverse("engagement:console_roster", args=[session.pk]),
    ):
        page = client.get(url).content.decode()
        assert 'class="table-responsive" tabindex="0" role="region" aria-label="' in page, url


def test_attendance_redirect_keeps_only_a_real_page_number(client, organiser, register):
    session = EngagementSessionFactory()
    registration = register(session)
    EngagementSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=10)
    )
    client.force_login(organiser)
    url = reverse("engagement:console_attendance", args=[registration.pk])
    anchor = f"#registration-{registration.pk}"
    kept = client.post(url, {"attended": "on", "page": "3"})
    assert kept.url.endswith(f"?status=confirmed&page=3{anchor}")
    forged = client.post(url, {"attended": "on", "page": "1&status=x#frag"})
    assert forged.url.endswith(f"?status=confirmed{anchor}")


@pytest.mark.parametrize(("ticked", "promoted"), [(True, True), (False, False)])
def test_raising_seats_on_the_edit_page_fills_them_from_the_queue_unless_unticked(
    client, organiser, register, ticked, promoted
):
    session = EngagementSessionFactory(capacity=1)
    register(session)
    waiting = register(session)
    client.force_login(organiser)
    url = reverse("engagement:console_session_edit", args=[session.pk])
    assert 'name="fill_from_waiting_list"' in client.get(url).content.decode()
    data = _form_data(session, capacity=2)
    if ticked:
        data["fill_from_waiting_list"] = "on"
    assert client.post(url, data).status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status == RegistrationStatus.CONFIRMED) is promoted
    if not promoted:
        # The seat was kept free: the organiser can give it to someone out of turn.
        services.registration_move_from_waitlist(
            registration=waiting, organiser=organiser, reason="Speaker's assistant"
        )
        waiting.refresh_from_db()
        assert waiting.status == RegistrationStatus.CONFIRMED


def test_roster_warns_when_an_online_session_has_no_joining_link(client, organiser):
    without = EngagementSessionFactory(mode="online", venue="", online_link="")
    with_link = EngagementSessionFactory(mode="online", venue="", online_link="https://meet.x/y")
    client.force_login(organiser)
    warning = "has no joining link yet"
    page = client.get(reverse("engagement:console_roster", args=[without.pk])).content.decode()
    assert warning in page
    page = client.get(reverse("engagement:console_roster", args=[with_link.pk])).content.decode()
    assert warning not in page
