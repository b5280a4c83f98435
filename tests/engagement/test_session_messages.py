"""Message a session (issue 16, item 1): an organiser emails one group of a session's
registrants from the roster. One email per person, in their language, once however often the
drain runs; Reply-To the support address, never the organiser; the daily limit under the
session's lock; field errors for bad input and nothing half-done; the messages listed on the
roster; a role matrix for the compose page."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from audit.models import AuditEvent
from engagement import services
from engagement.models import (
    EngagementSession,
    MessageAudience,
    Registration,
    RegistrationStatus,
    SessionMessage,
    SessionStatus,
)
from outbox.models import OutboundEmail, OutboundEmailStatus
from outbox.services import outbox_drain
from outbox.tasks import send_outbound_emails
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory
from tests.factories.engagement import SessionMessageFactory
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db


def _message_url(session) -> str:
    return reverse("engagement:console_session_message", args=[session.pk])


def _roster_url(session) -> str:
    return reverse("engagement:console_roster", args=[session.pk])


@pytest.fixture
def people():
    """A session with two confirmed people (one of whom came), one waiting, one cancelled,
    and one confirmed whose account is closed."""
    session = EngagementSessionFactory(capacity=10)
    came = RegistrationFactory(session=session, attended=True)
    confirmed = RegistrationFactory(session=session)
    waiting = RegistrationFactory(
        session=session, status=RegistrationStatus.WAITLISTED, waitlist_position=1
    )
    cancelled = RegistrationFactory(session=session, status=RegistrationStatus.CANCELLED)
    closed = RegistrationFactory(session=session, participant=UserFactory(is_active=False))
    return {
        "session": session,
        "came": came,
        "confirmed": confirmed,
        "waiting": waiting,
        "cancelled": cancelled,
        "closed": closed,
    }


def _send(session, organiser, *, audience=MessageAudience.CONFIRMED, **kwargs):
    return services.session_message_send(
        session=session,
        by=organiser,
        audience=audience,
        subject=kwargs.get("subject", "Room change"),
        body=kwargs.get("body", "We have moved to Room 4.\nSee you there."),
    )


def _nothing_written(session) -> bool:
    return not (
        SessionMessage.objects.filter(session=session).exists()
        or OutboundEmail.objects.filter(kind=services.SESSION_MESSAGE_EMAIL).exists()
        or AuditEvent.objects.filter(action="engagement.session_message_send").exists()
    )


def test_the_message_carries_each_persons_own_i_can_no_longer_come_link(
    people, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    from engagement.cancel_links import cancel_link_registration

    with django_capture_on_commit_callbacks(execute=True):
        _send(people["session"], organiser, audience=MessageAudience.ACTIVE)
    by_person = {m.to[0]: m.body for m in mailoutbox}
    for key in ("came", "confirmed", "waiting"):
        registration = people[key]
        body = by_person[registration.participant.email]
        token = re.search(r"/sessions/cancel/([^/\s]+)/", body).group(1)
        assert cancel_link_registration(token).pk == registration.pk


# --- Sending: once per recipient, language, reply-to ----------------------------------------


def test_each_confirmed_person_is_emailed_once_with_the_support_address_as_reply_to(
    people, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    session = people["session"]
    with django_capture_on_commit_callbacks(execute=True):
        message = _send(session, organiser, subject="Room change", body="Now in <b>Room 4</b>.")

    assert message.recipient_count == 2
    recipients = sorted(m.to[0] for m in mailoutbox)
    expected = sorted(people[k].participant.email for k in ("came", "confirmed"))
    assert recipients == expected
    for email in mailoutbox:
        assert email.reply_to == [settings.SUPPORT_EMAIL]
        assert organiser.email not in email.reply_to
        assert organiser.email not in email.body
        assert email.from_email == settings.DEFAULT_FROM_EMAIL
        # Plain text only: the organiser's markup is text, never HTML.
        assert email.alternatives == []
        assert "Now in <b>Room 4</b>." in email.body
        assert session.title in email.body
        assert "Singapore time" in email.body
        assert reverse("engagement:my_sessions") in email.body  # the usual footer
        assert email.subject.endswith(": Room change")
        assert session.title not in email.subject


def test_the_drain_running_twice_sends_each_person_one_email(
    people, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send(people["session"], organiser, audience=MessageAudience.ACTIVE)
    rows = list(OutboundEmail.objects.filter(kind=services.SESSION_MESSAGE_EMAIL))
    assert len(rows) == 3
    assert len(callbacks) == 1  # one drain published for the batch
    # The published drain, the same drain redelivered, and the beat's sweep.
    callbacks[0]()
    callbacks[0]()
    send_outbound_emails()
    assert outbox_drain(email_ids=[row.pk for row in rows]) == 0
    assert len(mailoutbox) == 3
    assert len({m.to[0] for m in mailoutbox}) == 3
    statuses = set(OutboundEmail.objects.values_list("status", flat=True))
    assert statuses == {OutboundEmailStatus.SENT}


def test_each_person_gets_the_email_in_their_own_language(
    organiser, mailoutbox, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory()
    malay = RegistrationFactory(session=session, participant=UserFactory(preferred_language="ms"))
    english = RegistrationFactory(session=session, participant=UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        _send(session, organiser, body="Bring water.")
    by_person = {m.to[0]: m for m in mailoutbox}
    with translation.override("ms"):
        malay_hello = translation.gettext("Hello %(name)s,") % {
            "name": malay.participant.display_name
        }
        malay_time = translation.gettext("Singapore time")
    assert malay_time != "Singapore time"
    assert malay_hello in by_person[malay.participant.email].body
    assert malay_time in by_person[malay.participant.email].body
    assert "Bring water." in by_person[malay.participant.email].body  # as the organiser wrote it
    assert "Singapore time" in by_person[english.participant.email].body


def test_a_person_who_cancels_before_the_email_goes_is_not_sent_it(
    people, organiser, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send(people["session"], organiser)
    Registration.objects.filter(pk=people["confirmed"].pk).update(
        status=RegistrationStatus.CANCELLED
    )
    callbacks[0]()
    assert [m.to[0] for m in mailoutbox] == [people["came"].participant.email]
    assert OutboundEmail.objects.filter(status=OutboundEmailStatus.DROPPED).count() == 1


def test_the_send_is_audited_with_a_count_and_never_the_text_or_an_address(people, organiser):
    message = _send(people["session"], organiser, subject="Secret subject", body="Secret body")
    event = AuditEvent.objects.get(action="engagement.session_message_send")
    assert (event.actor, event.object_type, event.object_id) == (
        organiser,
        "engagementsession",
        str(people["session"].pk),
    )
    assert event.details == {"message": message.pk, "audience": "confirmed", "recipients": 2}
    recorded = str(event.details)
    assert "Secret" not in recorded and "@" not in recorded


# --- Audience ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "who"),
    [
        (MessageAudience.CONFIRMED, {"came", "confirmed"}),
        (MessageAudience.WAITLISTED, {"waiting"}),
        (MessageAudience.ATTENDED, {"came"}),
        (MessageAudience.ACTIVE, {"came", "confirmed", "waiting"}),
    ],
)
def test_each_audience_reaches_exactly_its_people(people, organiser, audience, who):
    message = _send(people["session"], organiser, audience=audience)
    emailed = set(
        OutboundEmail.objects.filter(kind=services.SESSION_MESSAGE_EMAIL).values_list(
            "recipient_id", flat=True
        )
    )
    assert emailed == {people[k].participant_id for k in who}
    assert message.recipient_count == len(who)
    assert message.audience == audience


def test_audience_counts_are_those_the_message_would_reach(people):
    from engagement.selectors import message_audience_counts

    assert message_audience_counts(people["session"]) == {
        "confirmed": 2,
        "waitlisted": 1,
        "attended": 1,
        "active": 3,
    }


def test_a_group_with_nobody_in_it_is_refused_on_the_audience_field(organiser):
    session = EngagementSessionFactory()
    RegistrationFactory(session=session)
    with pytest.raises(services.SessionMessageError) as refusal:
        _send(session, organiser, audience=MessageAudience.WAITLISTED)
    assert refusal.value.field == "audience"
    assert _nothing_written(session)


# --- Limits and bad input -----------------------------------------------------------------


def test_the_daily_limit_refuses_the_sixth_message_and_frees_up_after_24_hours(
    people, organiser, settings
):
    assert settings.SESSION_MESSAGES_PER_DAY == 5
    session = people["session"]
    for _ in range(5):
        _send(session, organiser)
    with pytest.raises(services.SessionMessageError, match="the most allowed"):
        _send(session, organiser)
    assert SessionMessage.objects.filter(session=session).count() == 5
    assert AuditEvent.objects.filter(action="engagement.session_message_send").count() == 5
    # Rolling 24 hours: once the oldest is a day old, one more may go.
    oldest = SessionMessage.objects.filter(session=session).order_by("created_at").first()
    SessionMessage.objects.filter(pk=oldest.pk).update(
        created_at=timezone.now() - timedelta(hours=24, minutes=1)
    )
    _send(session, organiser)
    with pytest.raises(services.SessionMessageError):
        _send(session, organiser)


def test_the_daily_limit_is_per_session_and_follows_the_setting(people, organiser, settings):
    settings.SESSION_MESSAGES_PER_DAY = 1
    _send(people["session"], organiser)
    with pytest.raises(services.SessionMessageError):
        _send(people["session"], organiser)
    other = EngagementSessionFactory()
    RegistrationFactory(session=other)
    _send(other, organiser)


@pytest.mark.parametrize(
    ("subject", "body", "field", "says"),
    [
        ("   ", "Hello", "subject", "Write a subject."),
        ("Hi", " \r\n\t ", "body", "Write the message."),
        ("x" * 151, "Hello", "subject", "150 characters or fewer (it has 151)"),
        ("Hi", "x" * 5001, "body", "5,000 characters or fewer (it has 5,001)"),
    ],
)
def test_bad_input_is_refused_on_its_field_with_nothing_written(
    people, organiser, subject, body, field, says
):
    with pytest.raises(services.SessionMessageError) as refusal:
        _send(people["session"], organiser, subject=subject, body=body)
    assert refusal.value.field == field
    assert says in str(refusal.value)
    assert _nothing_written(people["session"])


def test_a_body_of_exactly_5000_characters_with_browser_line_breaks_is_accepted(people, organiser):
    # 2,500 lines of "x" as a browser sends them ("\r\n"): 4,999 characters once normalised.
    body = "\r\n".join(["x"] * 2500)
    message = _send(people["session"], organiser, body=body + "y")
    assert len(message.body) == 5000
    assert "\r" not in message.body


def test_a_subject_on_several_lines_becomes_one_line(people, organiser):
    message = _send(people["session"], organiser, subject="Room\r\nchange\n  today")
    assert message.subject == "Room change today"


def test_an_unknown_audience_is_refused(people, organiser):
    with pytest.raises(services.SessionMessageError) as refusal:
        _send(people["session"], organiser, audience="everyone-ever")
    assert refusal.value.field == "audience"
    assert _nothing_written(people["session"])


def test_a_cancelled_session_cannot_be_messaged(people, organiser):
    session = people["session"]
    services.session_cancel(session=session, organiser=organiser, reason="Venue closed")
    assert not EngagementSession.objects.get(pk=session.pk).can_be_messaged
    OutboundEmail.objects.all().delete()
    with pytest.raises(services.SessionMessageError, match="cancelled"):
        _send(session, organiser)
    assert _nothing_written(session)


def test_a_session_that_has_taken_place_can_thank_those_who_came(people, organiser):
    session = people["session"]
    EngagementSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2),
        registration_opens_at=timezone.now() - timedelta(days=9),
        registration_closes_at=timezone.now() - timedelta(days=3),
    )
    message = _send(session, organiser, audience=MessageAudience.ATTENDED, body="Thank you!")
    assert message.recipient_count == 1


def test_a_failure_after_the_message_is_written_leaves_nothing_half_done(
    people, organiser, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        _send(people["session"], organiser)
    assert _nothing_written(people["session"])


def test_the_send_takes_the_session_row_lock(people, organiser):
    with CaptureQueriesContext(connection) as queries:
        _send(people["session"], organiser)
    if connection.vendor == "postgresql":
        assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


# --- Pages ---------------------------------------------------------------------------------


@pytest.fixture
def other_organiser(db):
    return UserFactory(display_name="Opal Organiser", roles=[Role.ORGANISER], mfa=True)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 403),
        ("other_participant", 403),
        ("organiser", "ok"),
        # Every organiser runs every session, as on the roster.
        ("other_organiser", "ok"),
        ("staff", 403),
    ],
)
def test_the_compose_page_and_send_are_for_organisers_as_the_roster_is(
    client, request, people, role, expected
):
    session = people["session"]
    session.created_by = request.getfixturevalue("organiser")
    session.save(update_fields=["created_by"])
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    data = {"step": "send", "audience": "confirmed", "subject": "Hi", "body": "Hello"}
    for method, payload in (("get", None), ("post", {**data, "step": "preview"}), ("post", data)):
        response = getattr(client, method)(_message_url(session), payload)
        if expected == "login":
            assert response.status_code == 302
            assert response.url.startswith(reverse("account_login"))
        elif expected == "ok":
            assert response.status_code in (200, 302)
        else:
            assert response.status_code == expected
    sent = SessionMessage.objects.filter(session=session).count()
    assert sent == (1 if expected == "ok" else 0)


def test_an_organiser_without_two_factor_sign_in_is_sent_to_set_it_up(
    client, organiser_without_mfa, people
):
    client.force_login(organiser_without_mfa)
    response = client.get(_message_url(people["session"]))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_an_unknown_session_is_a_404(client, organiser):
    client.force_login(organiser)
    assert (
        client.get(reverse("engagement:console_session_message", args=[999999])).status_code == 404
    )


def test_the_roster_links_to_the_compose_page_which_shows_each_audience_count(
    client, organiser, people
):
    client.force_login(organiser)
    roster = client.get(_roster_url(people["session"])).content.decode()
    assert _message_url(people["session"]) in roster
    html = client.get(_message_url(people["session"])).content.decode()
    assert "People with a confirmed seat (2 people)" in html
    assert "People on the waiting list (1 person)" in html
    assert "People who attended (1 person)" in html
    assert "Everyone registered (confirmed and waiting) (3 people)" in html


def test_the_preview_shows_the_email_as_one_recipient_sees_it_and_sends_nothing(
    client, organiser, people, mailoutbox
):
    client.force_login(organiser)
    response = client.post(
        _message_url(people["session"]),
        {
            "step": "preview",
            "audience": "waitlisted",
            "subject": "  Parking  ",
            "body": "Use the <script>alert(1)</script> car park.",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    waiting = people["waiting"].participant
    assert f"Hello {waiting.display_name}," in html
    assert "Use the &lt;script&gt;alert(1)&lt;/script&gt; car park." in html
    assert "<script>alert(1)</script>" not in html
    assert ": Parking</dd>" in html
    assert settings.SUPPORT_EMAIL in html
    assert "To: People on the waiting list, 1 person." in html
    assert "Send to 1 person" in html
    assert not SessionMessage.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert mailoutbox == []


def test_previewing_for_a_group_with_nobody_in_it_says_so_on_the_audience_field(client, organiser):
    session = EngagementSessionFactory()
    RegistrationFactory(session=session)
    client.force_login(organiser)
    response = client.post(
        _message_url(session),
        {"step": "preview", "audience": "attended", "subject": "Thanks", "body": "Thank you"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_audience_0"' in html
    assert "nobody to send the message to" in html


def test_change_the_message_returns_to_the_form_with_what_was_written(client, organiser, people):
    client.force_login(organiser)
    response = client.post(
        _message_url(people["session"]),
        {"step": "edit", "audience": "attended", "subject": "Thanks", "body": "Line one\nTwo"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Thanks"' in html
    assert "Line one\nTwo</textarea>" in html
    assert 'value="attended" class="form-check-input" id="id_audience_2" checked' in html or (
        'value="attended"' in html and "checked" in html
    )
    assert "There is a problem" not in html


def test_sending_goes_back_to_the_roster_which_lists_the_message_in_singapore_time(
    client, organiser, people, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _message_url(people["session"]),
            {"step": "send", "audience": "active", "subject": "Parking", "body": "Use level 2."},
            follow=True,
        )
    assert response.redirect_chain[-1][0].startswith(_roster_url(people["session"]))
    html = response.content.decode()
    assert "Message sent to 3 people." in html
    message = SessionMessage.objects.get()
    assert (message.sent_by, message.recipient_count) == (organiser, 3)
    assert len(mailoutbox) == 3
    when = timezone.localtime(message.created_at).strftime("%-d %b %Y, %-I:%M")
    assert 'data-testid="session-message"' in html
    assert "Parking" in html and "Everyone registered (confirmed and waiting)" in html
    assert when in html
    assert organiser.display_name in html


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"audience": "confirmed", "subject": "   ", "body": "Hello"}, "Write a subject."),
        ({"audience": "confirmed", "subject": "Hi", "body": "    "}, "Write the message."),
        ({"audience": "confirmed", "subject": "x" * 151, "body": "Hi"}, "150 characters"),
        ({"audience": "confirmed", "subject": "Hi", "body": "x" * 5001}, "5,000 characters"),
        ({"audience": "", "subject": "Hi", "body": "Hello"}, "Choose who the message is for."),
        ({"audience": "all", "subject": "Hi", "body": "Hello"}, "Select a valid choice"),
    ],
)
@pytest.mark.parametrize("step", ["preview", "send"])
def test_bad_input_on_the_page_shows_the_field_error_and_sends_nothing(
    client, organiser, people, data, field_error, step
):
    client.force_login(organiser)
    response = client.post(_message_url(people["session"]), {"step": step, **data})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert field_error in html
    assert _nothing_written(people["session"])


def test_over_the_daily_limit_the_page_says_so_and_sends_nothing(
    client, organiser, people, settings
):
    settings.SESSION_MESSAGES_PER_DAY = 1
    SessionMessageFactory(session=people["session"], sent_by=organiser)
    client.force_login(organiser)
    assert "the most allowed" in client.get(_message_url(people["session"])).content.decode()
    response = client.post(
        _message_url(people["session"]),
        {"step": "send", "audience": "confirmed", "subject": "Hi", "body": "Hello"},
    )
    assert response.status_code == 400
    assert "the most allowed" in response.content.decode()
    assert SessionMessage.objects.count() == 1
    assert not OutboundEmail.objects.exists()


def test_a_cancelled_session_has_no_message_link_and_the_page_says_why(client, organiser, people):
    session = people["session"]
    EngagementSession.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    client.force_login(organiser)
    assert _message_url(session) not in client.get(_roster_url(session)).content.decode()
    page = client.get(_message_url(session)).content.decode()
    assert 'data-testid="message-refusal"' in page
    assert "<textarea" not in page
    response = client.post(
        _message_url(session),
        {"step": "send", "audience": "confirmed", "subject": "Hi", "body": "Hello"},
    )
    assert response.status_code == 400
    assert not SessionMessage.objects.exists()


def test_the_roster_shows_the_latest_messages_with_the_same_queries_for_1_or_15(
    client, organiser, people
):
    session = people["session"]
    client.force_login(organiser)
    client.get(_roster_url(session))  # warm the per-user caches

    SessionMessageFactory(session=session, sent_by=organiser)
    with CaptureQueriesContext(connection) as one:
        first = client.get(_roster_url(session))
    for _ in range(14):
        SessionMessageFactory(session=session, sent_by=UserFactory(roles=[Role.ORGANISER]))
    with CaptureQueriesContext(connection) as fifteen:
        many = client.get(_roster_url(session))
    assert first.status_code == many.status_code == 200
    assert len(one) == len(fifteen)
    html = many.content.decode()
    assert html.count('data-testid="session-message"') == 10
    assert "The latest 10 of 15 messages." in html


# --- Concurrency (PostgreSQL) ----------------------------------------------------------------


def _slow_count(monkeypatch):
    """Widen the window between counting the day's messages and writing the new one."""
    count = services.session_messages_recent

    def slow(session, **kwargs):
        recent = count(session, **kwargs)
        time.sleep(0.1)
        return recent

    monkeypatch.setattr(services, "session_messages_recent", slow)


def _burst(session, organiser, how_many):
    calls = [lambda: _send(session, organiser) for _ in range(how_many)]
    return run_at_once(calls, refusals=(services.SessionMessageError,))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sends_at_once_cannot_pass_the_daily_limit(settings, monkeypatch):
    settings.SESSION_MESSAGES_PER_DAY = 2
    session = EngagementSessionFactory()
    RegistrationFactory(session=session)
    organiser = UserFactory(roles=[Role.ORGANISER])
    _send(session, organiser)
    _slow_count(monkeypatch)
    results, errors = _burst(session, organiser, 6)
    assert errors == []
    assert sum(isinstance(r, SessionMessage) for r in results) == 1
    assert SessionMessage.objects.filter(session=session).count() == 2
    assert OutboundEmail.objects.filter(kind=services.SESSION_MESSAGE_EMAIL).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_session_lock_sends_at_once_pass_the_limit(settings, monkeypatch):
    """The lock matters: without it, the same burst writes more messages than the limit."""
    settings.SESSION_MESSAGES_PER_DAY = 2
    session = EngagementSessionFactory()
    RegistrationFactory(session=session)
    organiser = UserFactory(roles=[Role.ORGANISER])
    _send(session, organiser)
    _slow_count(monkeypatch)
    monkeypatch.setattr(services, "_lock_session", lambda pk: EngagementSession.objects.get(pk=pk))
    results, errors = _burst(session, organiser, 6)
    assert errors == []
    assert SessionMessage.objects.filter(session=session).count() > 2
