"""The admin changes sessions through engagement.services or not at all: what a service owns
is read-only there, and what the admin may change goes through the service, with its emails,
audit row and waiting-list promotion, and its refusals shown as form errors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from engagement.models import EngagementSession, Registration, RegistrationStatus, SessionStatus
from tests.factories import EngagementSessionFactory, UserFactory

pytestmark = pytest.mark.django_db

DATETIME_FIELDS = ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"]
TEXT_FIELDS = ["title", "summary", "description", "mode", "venue", "venue_details"]
TEXT_FIELDS += ["online_link", "facilitators", "capacity"]


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _session(**overrides) -> EngagementSession:
    """Whole seconds, as the admin's date and time boxes post them, so that saving the form
    unchanged changes nothing."""
    starts = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    values = {
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "registration_opens_at": starts - timedelta(days=8),
        "registration_closes_at": starts - timedelta(hours=1),
    }
    return EngagementSessionFactory(**{**values, **overrides})


def _form_data(session: EngagementSession, **changes) -> dict:
    values = {name: getattr(session, name) for name in TEXT_FIELDS + DATETIME_FIELDS}
    values["harm_categories"] = [c.pk for c in session.harm_categories.all()]
    values["fill_from_waiting_list"] = "on"
    values.update(changes)
    data = {}
    for name, value in values.items():
        if name in DATETIME_FIELDS:
            data[name] = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M:%S")
        elif value is not None:
            data[name] = value
    return data


def _change_url(session) -> str:
    return f"/admin/engagement/engagementsession/{session.pk}/change/"


def test_admin_capacity_below_the_seats_taken_is_a_form_error_not_an_error_page(
    admin_client, register
):
    session = _session(capacity=3)
    register(session), register(session)

    response = admin_client.post(_change_url(session), _form_data(session, capacity=1))

    assert response.status_code == 200
    assert "2 people already hold a seat" in response.content.decode()
    session.refresh_from_db()
    assert (session.capacity, session.seats_taken) == (3, 2)
    assert not AuditEvent.objects.filter(action="engagement.session_update").exists()


def test_admin_raising_the_capacity_promotes_the_waiting_list_emails_and_audits(
    admin_client, admin_user, register, mailoutbox, django_capture_on_commit_callbacks
):
    session = _session(capacity=1)
    register(session)
    waiting = register(session)
    assert waiting.status == RegistrationStatus.WAITLISTED
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(_change_url(session), _form_data(session, capacity=2))

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    session.refresh_from_db()
    assert (session.capacity, session.seats_taken, session.waitlist_length) == (2, 2, 0)
    assert [m.to[0] for m in mailoutbox if m.subject.endswith("a seat is now yours")] == [
        waiting.participant.email
    ]
    event = AuditEvent.objects.get(action="engagement.session_update")
    assert event.actor == admin_user
    assert event.details["promoted_from_waiting_list"] == 1


def test_admin_can_keep_new_seats_free_instead_of_promoting(admin_client, register):
    session = _session(capacity=1)
    register(session)
    waiting = register(session)
    data = _form_data(session, capacity=2)
    del data["fill_from_waiting_list"]

    assert admin_client.post(_change_url(session), data).status_code == 302

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED


def test_admin_moving_the_start_emails_everyone_holding_a_place(
    admin_client, register, mailoutbox, django_capture_on_commit_callbacks
):
    session = _session()
    holder = register(session)
    mailoutbox.clear()
    later = session.starts_at + timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            _change_url(session),
            _form_data(session, starts_at=later, ends_at=later + timedelta(hours=2)),
        )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == later
    changed = [m.to[0] for m in mailoutbox if m.subject.endswith("details have changed")]
    assert changed == [holder.participant.email]
    event = AuditEvent.objects.get(action="engagement.session_update")
    assert set(event.details["notified_changes"]) == {"starts_at", "ends_at"}


def test_admin_saving_an_untouched_session_writes_nothing(admin_client):
    session = _session()

    assert admin_client.post(_change_url(session), _form_data(session)).status_code == 302

    assert not AuditEvent.objects.filter(action="engagement.session_update").exists()


def test_admin_change_of_a_cancelled_session_answers_with_the_services_refusal(admin_client):
    session = _session(status=SessionStatus.CANCELLED, cancellation_reason="Venue flooded")

    response = admin_client.post(_change_url(session), _form_data(session, title="New title"))

    assert response.status_code == 200
    assert "was cancelled and can no longer be changed" in response.content.decode()
    session.refresh_from_db()
    assert session.title != "New title"


def test_admin_shows_status_seats_slug_and_cancellation_read_only(admin_client, register):
    session = _session(capacity=5)
    register(session)

    page = admin_client.get(_change_url(session)).content.decode()

    assert 'name="capacity"' in page  # changed through session_update
    for owned in ["status", "seats_taken", "waitlist_length", "slug", "cancellation_reason"]:
        assert f'name="{owned}"' not in page

    data = _form_data(session, status=SessionStatus.CANCELLED, seats_taken=0, slug="elsewhere")
    assert admin_client.post(_change_url(session), data).status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.PUBLISHED
    assert session.seats_taken == 1
    assert session.slug != "elsewhere"


def test_admin_adds_a_session_as_a_draft_through_the_service(admin_client, admin_user):
    template = _session()
    data = _form_data(template, title="Talking about scams")

    response = admin_client.post("/admin/engagement/engagementsession/add/", data)

    assert response.status_code == 302
    created = EngagementSession.objects.get(title="Talking about scams")
    assert created.status == SessionStatus.DRAFT
    assert created.created_by == admin_user
    assert created.slug.startswith("talking-about-scams-")
    assert AuditEvent.objects.filter(
        action="engagement.session_create", object_id=str(created.pk), actor=admin_user
    ).exists()


def test_admin_adding_a_session_in_the_past_is_a_form_error(admin_client):
    template = _session()
    past = timezone.now().replace(microsecond=0) - timedelta(days=2)
    data = _form_data(
        template,
        title="Yesterday's talk",
        starts_at=past,
        ends_at=past + timedelta(hours=2),
        registration_opens_at=past - timedelta(days=3),
        registration_closes_at=past - timedelta(hours=1),
    )

    response = admin_client.post("/admin/engagement/engagementsession/add/", data)

    assert response.status_code == 200
    assert "must start in the future" in response.content.decode()
    assert not EngagementSession.objects.filter(title="Yesterday's talk").exists()


def test_admin_publishes_drafts_through_the_service(admin_client, admin_user):
    draft = _session(status=SessionStatus.DRAFT)
    published = _session()

    response = admin_client.post(
        "/admin/engagement/engagementsession/",
        {"action": "publish_drafts", "_selected_action": [draft.pk, published.pk]},
        follow=True,
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Published 1 session." in content
    assert "Only a draft session can be published." in content
    draft.refresh_from_db()
    assert draft.status == SessionStatus.PUBLISHED
    assert AuditEvent.objects.filter(
        action="engagement.session_publish", object_id=str(draft.pk), actor=admin_user
    ).exists()


def test_admin_cannot_delete_sessions(admin_client, register):
    session = _session()
    register(session)

    url = f"/admin/engagement/engagementsession/{session.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    response = admin_client.post(
        "/admin/engagement/engagementsession/",
        {"action": "delete_selected", "_selected_action": [session.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert EngagementSession.objects.filter(pk=session.pk).exists()


def test_admin_shows_a_registrations_place_and_attendance_read_only(admin_client, register):
    session = _session()
    registration = register(session)
    url = f"/admin/engagement/registration/{registration.pk}/change/"

    page = admin_client.get(url).content.decode()
    assert 'name="access_needs"' in page  # no service owns it
    for owned in ["status", "waitlist_position", "attended", "session", "participant"]:
        assert f'name="{owned}"' not in page

    response = admin_client.post(
        url, {"access_needs": "Captions", "status": "cancelled", "attended": "on"}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.access_needs == "Captions"
    assert (registration.status, registration.attended) == (RegistrationStatus.CONFIRMED, False)


def test_admin_cannot_add_or_delete_registrations(admin_client, register):
    session = _session()
    registration = register(session, participant=UserFactory())

    assert admin_client.get("/admin/engagement/registration/add/").status_code == 403
    url = f"/admin/engagement/registration/{registration.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Registration.objects.filter(pk=registration.pk).exists()
    session.refresh_from_db()
    assert session.seats_taken == 1
