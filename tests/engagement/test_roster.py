"""The organiser's roster (issue 12 item 5, issue 13 item 6): name search, mark and undo back at
the person's card, "Mark all present", counts, "Move to confirmed" refused up front on a full
session, and the roster CSV with access needs behind a stated purpose."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from engagement import services
from engagement.models import EngagementSession, Registration, RegistrationStatus
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _started(session: EngagementSession) -> EngagementSession:
    EngagementSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=10)
    )
    session.refresh_from_db()
    return session


def _roster(session, **query) -> str:
    url = reverse("engagement:console_roster", args=[session.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _csv_url(session) -> str:
    return reverse("engagement:console_roster_csv", args=[session.pk])


# --- Mark all present (service) ---------------------------------------------------------


def test_mark_all_present_marks_only_confirmed_registrations_and_is_audited(organiser, register):
    session = EngagementSessionFactory(capacity=3)
    first, second, already = (register(session) for _ in range(3))
    waiting = register(session)
    cancelled = register(session)
    services.registration_cancel(registration=cancelled, cancelled_by=cancelled.participant)
    _started(session)
    services.registration_mark_attendance(
        registration=Registration.objects.get(pk=already.pk), organiser=organiser, attended=True
    )

    marked = services.session_mark_all_attended(session=session, by=organiser)

    assert marked == 2
    attended = dict(session.registrations.values_list("pk", "attended"))
    assert attended[first.pk] and attended[second.pk] and attended[already.pk]
    assert not attended[waiting.pk] and not attended[cancelled.pk]
    event = AuditEvent.objects.get(action="engagement.attendance_mark_all")
    assert (event.actor, event.object_id, event.details) == (
        organiser,
        str(session.pk),
        {"marked": 2},
    )


def test_mark_all_present_twice_marks_nobody_the_second_time(organiser, register):
    session = EngagementSessionFactory()
    register(session)
    register(session)
    _started(session)
    assert services.session_mark_all_attended(session=session, by=organiser) == 2
    assert services.session_mark_all_attended(session=session, by=organiser) == 0
    assert AuditEvent.objects.filter(action="engagement.attendance_mark_all").count() == 1
    assert session.registrations.filter(attended=True).count() == 2


def test_mark_all_present_is_refused_before_the_start_and_on_a_cancelled_session(
    organiser, register
):
    upcoming = EngagementSessionFactory()
    register(upcoming)
    with pytest.raises(services.RegistrationError, match="once the session has started"):
        services.session_mark_all_attended(session=upcoming, by=organiser)
    cancelled = EngagementSessionFactory()
    register(cancelled)
    services.session_cancel(session=cancelled, organiser=organiser, reason="Venue closed")
    _started(cancelled)
    with pytest.raises(services.RegistrationError, match="cancelled"):
        services.session_mark_all_attended(session=cancelled, by=organiser)
    assert not Registration.objects.filter(attended=True).exists()
    assert not AuditEvent.objects.filter(action="engagement.attendance_mark_all").exists()


# --- Role matrix for what the roster gained --------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", "login"), ("participant", 403), ("staff", 403), ("organiser", "ok")],
)
def test_roster_actions_are_for_organisers_only(role, expected, client, request, register):
    session = EngagementSessionFactory()
    registration = register(session)
    _started(session)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    requests = [
        ("get", _roster(session, q="Person"), {}),
        ("get", _csv_url(session), {}),
        ("post", _csv_url(session), {"purpose": "to run the session"}),
        ("post", reverse("engagement:console_attendance_all", args=[session.pk]), {}),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        if expected == "login":
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("account_login")), url
        elif expected == "ok":
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == expected, url
    registration.refresh_from_db()
    assert registration.attended is (expected == "ok")
    exported = AuditEvent.objects.filter(action="engagement.roster_export").exists()
    assert exported is (expected == "ok")


def test_mark_all_present_for_an_unknown_session_is_404(client, organiser):
    client.force_login(organiser)
    url = reverse("engagement:console_attendance_all", args=[424242])
    assert client.post(url).status_code == 404
    assert client.get(_csv_url(EngagementSession(pk=424242))).status_code == 404


# --- Search, counts, mark and undo -----------------------------------------------------


def test_name_search_narrows_the_tab_on_the_server_and_keeps_the_status(
    client, organiser, register
):
    session = EngagementSessionFactory(capacity=1)
    register(session, UserFactory(display_name="Mei Ling Tan"))
    register(session, UserFactory(display_name="Mei Chen"))  # waiting
    register(session, UserFactory(display_name="Arjun Nair"))  # waiting
    client.force_login(organiser)

    page = client.get(_roster(session, status="waitlisted", q="mei")).content.decode()
    assert "Mei Chen" in page
    assert "Arjun Nair" not in page and "Mei Ling Tan" not in page
    assert "1 person matches “mei”." in page
    assert 'name="q" value="mei"' in page
    assert '<input type="hidden" name="status" value="waitlisted">' in page
    # The tabs keep the search; clearing it keeps the tab.
    assert 'href="?status=confirmed&amp;q=mei"' in page
    assert 'href="?status=waitlisted">Clear the search' in page

    nobody = client.get(_roster(session, q="zzz")).content.decode()
    assert "Nobody on this tab matches the search." in nobody


def test_roster_shows_confirmed_waiting_and_attended_counts(client, organiser, register):
    session = EngagementSessionFactory(capacity=2)
    seated = register(session)
    register(session)
    register(session)  # waiting
    _started(session)
    services.registration_mark_attendance(
        registration=Registration.objects.get(pk=seated.pk), organiser=organiser, attended=True
    )
    client.force_login(organiser)
    page = client.get(_roster(session)).content.decode()
    assert '<dd data-count="confirmed">2</dd>' in page
    assert '<dd data-count="waitlisted">1</dd>' in page
    assert '<dd data-count="attended">1</dd>' in page
    assert "Mark all present (1 not yet marked)" in page


def test_mark_attended_and_undo_return_to_the_card_with_the_search_and_page(
    client, organiser, register
):
    session = EngagementSessionFactory()
    registration = register(session, UserFactory(display_name="Siti Rahman"))
    _started(session)
    client.force_login(organiser)
    url = reverse("engagement:console_attendance", args=[registration.pk])
    roster = reverse("engagement:console_roster", args=[session.pk])
    back = f"{roster}?status=confirmed&q=Siti&page=2#registration-{registration.pk}"

    marked = client.post(url, {"attended": "on", "q": "Siti", "page": "2"})
    assert marked.url == back
    registration.refresh_from_db()
    assert registration.attended is True

    page = client.get(_roster(session, q="Siti")).content.decode()
    assert f'id="registration-{registration.pk}"' in page
    assert "Undo: mark absent" in page
    assert '<input type="hidden" name="q" value="Siti">' in page

    undone = client.post(url, {"q": "Siti", "page": "2"})
    assert undone.url == back
    registration.refresh_from_db()
    assert registration.attended is False


def test_mark_all_present_from_the_page_marks_everyone_and_returns_to_the_counts(
    client, organiser, register
):
    session = EngagementSessionFactory()
    for _ in range(3):
        register(session)
    _started(session)
    client.force_login(organiser)
    url = reverse("engagement:console_attendance_all", args=[session.pk])
    assert f'action="{url}"' in client.get(_roster(session)).content.decode()

    response = client.post(url, {"q": "Person"})
    assert response.url == (
        f"{reverse('engagement:console_roster', args=[session.pk])}"
        "?status=confirmed&q=Person#roster-counts"
    )
    assert session.registrations.filter(attended=True).count() == 3
    page = client.get(response.url).content.decode()
    assert "3 people marked as attended." in page
    assert "Mark all present" not in page  # nobody is left to mark
    again = client.post(url, follow=True).content.decode()
    assert "Everyone with a confirmed seat was already marked." in again


def test_mark_all_present_is_not_offered_before_the_session_starts(client, organiser, register):
    session = EngagementSessionFactory()
    register(session)
    client.force_login(organiser)
    page = client.get(_roster(session)).content.decode()
    assert "Mark all present" not in page
    assert "Attendance from the start of the session" in page


# --- Move to confirmed on a full session ------------------------------------------------


def test_move_to_confirmed_on_a_full_session_is_disabled_with_the_reason_and_a_seats_link(
    client, organiser, register
):
    session = EngagementSessionFactory(capacity=1)
    register(session)
    waiting = register(session)
    client.force_login(organiser)
    page = client.get(_roster(session, status="waitlisted")).content.decode()
    move_url = reverse("engagement:console_registration_move", args=[waiting.pk])
    assert f'href="{move_url}"' not in page
    assert 'disabled aria-describedby="move-refusal">Move to confirmed' in page
    assert "Every seat is taken. Raise the capacity first" in page
    edit_url = reverse("engagement:console_session_edit", args=[session.pk])
    assert f'<a href="{edit_url}">Edit the session to raise the seats</a>' in page

    # The move page itself says so instead of asking for a reason it would refuse.
    move_page = client.get(move_url).content.decode()
    assert "Every seat is taken." in move_page
    assert 'name="reason"' not in move_page

    # With a seat kept free (the capacity raised, the queue not filled), it is offered again.
    EngagementSession.objects.filter(pk=session.pk).update(capacity=2)
    page = client.get(_roster(session, status="waitlisted")).content.decode()
    assert f'href="{move_url}"' in page
    assert "Every seat is taken." not in page
    assert 'name="reason"' in client.get(move_url).content.decode()


# --- The roster CSV: access needs, behind a purpose -------------------------------------


def test_roster_csv_asks_for_a_purpose_prefilled_with_the_date_in_singapore_time(client, organiser):
    # 23:30 UTC on 8 December is 07:30 on 9 December in Singapore.
    starts = datetime(2026, 12, 8, 23, 30, tzinfo=UTC)
    session = EngagementSessionFactory(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_opens_at=starts - timedelta(days=20),
        registration_closes_at=starts - timedelta(hours=1),
    )
    client.force_login(organiser)
    response = client.get(_csv_url(session))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'value="to run the session on 9 December 2026"' in page
    assert not AuditEvent.objects.filter(action="engagement.roster_export").exists()


def test_a_blank_purpose_shows_the_form_again_with_an_error(client, organiser, register):
    session = EngagementSessionFactory()
    register(session)
    client.force_login(organiser)
    response = client.post(_csv_url(session), {"purpose": "   "})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Say what the roster is for." in page
    assert "<title>Error:" in page
    assert not AuditEvent.objects.filter(action="engagement.roster_export").exists()


def test_a_purpose_naming_someone_or_their_email_is_refused(client, organiser, register):
    session = EngagementSessionFactory()
    register(session)
    client.force_login(organiser)
    for purpose in ("to send it to mei@example.com", "for Mdm Tan to call people"):
        response = client.post(_csv_url(session), {"purpose": purpose})
        assert response.status_code == 400, purpose
        assert "Leave out names and contact details" in response.content.decode()
    assert not AuditEvent.objects.filter(action="engagement.roster_export").exists()


def test_roster_csv_carries_access_needs_and_audits_the_purpose_without_names_or_emails(
    client, organiser, register
):
    session = EngagementSessionFactory(capacity=1)
    seated = register(
        session, UserFactory(display_name="Wei Jie Lim"), access_needs="Captions, please"
    )
    waiting = register(session, UserFactory(display_name="Nurul Huda"), access_needs="=cmd()")
    client.force_login(organiser)
    roster_page = client.get(_roster(session)).content.decode()
    assert "Captions, please" in roster_page  # the page shows it, and so does the file

    response = client.post(_csv_url(session), {"purpose": "to run the session on 9 December"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"].startswith("no-store")
    lines = response.content.decode().strip().splitlines()
    assert lines[0] == "name,email,status,waitlist_position,attended,access_needs"
    assert lines[1].endswith(',confirmed,,no,"Captions, please"')
    assert lines[2].endswith(",waitlisted,1,no,'=cmd()")  # formula-safe

    event = AuditEvent.objects.get(action="engagement.roster_export")
    assert event.details == {
        "rows": 2,
        "format": "csv",
        "purpose": "to run the session on 9 December",
        "participants": [seated.participant_id, waiting.participant_id],
    }
    logged = json.dumps(event.details) + event.object_id
    for person in User.objects.filter(pk__in=[seated.participant_id, waiting.participant_id]):
        assert person.email not in logged
        assert person.display_name not in logged
    assert "Captions" not in logged


def test_roster_csv_service_refuses_a_blank_purpose(organiser, register):
    session = EngagementSessionFactory()
    register(session)
    with pytest.raises(services.EngagementError, match="Say what the roster is for"):
        services.roster_export_csv(session=session, organiser=organiser, purpose="  ")
    assert not AuditEvent.objects.filter(action="engagement.roster_export").exists()


# --- Query counts ----------------------------------------------------------------------


def _fill(session, n, *, status=RegistrationStatus.CONFIRMED):
    start = User.objects.count()
    people = User.objects.bulk_create(
        User(email=f"r{start + i}@example.com", display_name=f"Roster {start + i}", password="!")
        for i in range(n)
    )
    for person in people:
        RegistrationFactory(session=session, participant=person, status=status)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query", [{}, {"q": "Roster"}, {"status": "waitlisted"}, {"status": "waitlisted", "q": "R"}]
)
def test_roster_page_runs_the_same_queries_for_3_and_60_people(client, organiser, query):
    session = _started(EngagementSessionFactory(capacity=400))
    client.force_login(organiser)
    status = query.get("status", RegistrationStatus.CONFIRMED)
    url = _roster(session, **query)
    _fill(session, 3, status=status)
    few = _queries(client, url)
    _fill(session, 57, status=status)
    many = _queries(client, url)
    assert few == many
