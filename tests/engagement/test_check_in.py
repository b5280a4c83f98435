"""Check-in codes at the door (issue 16, item 4): the code in the confirmation email and in
My sessions (with its QR code), and the organiser's check-in page: type the code, see the
name, confirm, undo. Bad input gets a message and changes nothing."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from engagement import services
from engagement.models import (
    CHECK_IN_ALPHABET,
    EngagementSession,
    Registration,
    RegistrationStatus,
    SessionMode,
    SessionStatus,
)
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _door_session(**kwargs) -> EngagementSession:
    """A published session starting in half an hour: check-in is open."""
    starts = timezone.now() + timedelta(minutes=30)
    defaults = {
        "starts_at": starts,
        "registration_opens_at": starts - timedelta(days=3),
        "registration_closes_at": starts - timedelta(minutes=45),
    }
    return EngagementSessionFactory(**{**defaults, **kwargs})


def _seat(session, name="Mei Ling Tan", **kwargs) -> Registration:
    return RegistrationFactory(
        session=session,
        participant=UserFactory(
            display_name=name, email=f"{name.replace(' ', '.').lower()}@example.sg"
        ),
        **kwargs,
    )


def _state(registration) -> tuple:
    registration.refresh_from_db()
    return registration.attended, registration.checked_in_at


def _page(session) -> str:
    return reverse("engagement:console_check_in", args=[session.pk])


def _confirm(session) -> str:
    return reverse("engagement:console_check_in_confirm", args=[session.pk])


def _undo(session) -> str:
    return reverse("engagement:console_check_in_undo", args=[session.pk])


def _typed(code: str) -> str:
    """The code as a person might type it: lower case, a space and a hyphen."""
    return f" {code[:4].lower()} -{code[4:].lower()} "


# --- The codes --------------------------------------------------------------------------


def test_codes_use_the_unambiguous_alphabet_and_differ_between_registrations():
    session = _door_session()
    codes = {_seat(session, f"Person {n}").check_in_code for n in range(20)}
    assert len(codes) == 20
    assert all(len(code) == 8 and set(code) <= set(CHECK_IN_ALPHABET) for code in codes)
    assert not set("0O1IL") & set(CHECK_IN_ALPHABET)


def test_both_registration_paths_give_a_code(register):
    session = _door_session(registration_closes_at=timezone.now() + timedelta(minutes=20))
    registration = register(session)
    by_slug = services.registration_create_by_slug(
        slug=session.slug, participant=(person := UserFactory()), registered_by=person
    )
    for made in (registration, by_slug):
        made.refresh_from_db()
        assert len(made.check_in_code) == 8


# --- The service: find, check in, undo ----------------------------------------------------


def test_a_code_typed_in_lower_case_with_spaces_and_hyphens_finds_the_person():
    session = _door_session()
    registration = _seat(session)
    found = services.check_in_find(session=session, code=_typed(registration.check_in_code))
    assert found.registration == registration
    assert found.already is False
    assert _state(registration) == (False, None)  # finding writes nothing


def test_check_in_marks_attended_with_the_time_and_undo_clears_both(organiser):
    session = _door_session()
    registration = _seat(session)
    before = timezone.now()
    done = services.registration_check_in(
        session=session, code=registration.check_in_code, by=organiser
    )
    assert done.already is False
    attended, checked_in_at = _state(registration)
    assert attended is True and checked_in_at >= before
    undone_registration, undone = services.registration_check_in_undo(
        session=session, registration_id=registration.pk, by=organiser
    )
    assert undone is True and undone_registration == registration
    assert _state(registration) == (False, None)
    # Undo twice: nothing more to undo, and no error.
    assert services.registration_check_in_undo(
        session=session, registration_id=registration.pk, by=organiser
    ) == (registration, False)


def test_a_code_confirmed_twice_checks_in_once_and_says_when(organiser):
    session = _door_session()
    registration = _seat(session)
    services.registration_check_in(session=session, code=registration.check_in_code, by=organiser)
    first = _state(registration)
    again = services.registration_check_in(
        session=session, code=_typed(registration.check_in_code), by=organiser
    )
    assert again.already is True
    assert again.registration.checked_in_at == first[1]
    assert _state(registration) == first


def test_a_code_is_for_its_own_session_only(organiser):
    session, other = _door_session(), _door_session()
    theirs = _seat(other)
    _seat(session, "Someone Else")
    with pytest.raises(services.CheckInError, match="No place at this session has the code"):
        services.registration_check_in(session=session, code=theirs.check_in_code, by=organiser)
    assert _state(theirs) == (False, None)
    # Nor can an undo at this session touch a registration of another.
    services.registration_check_in(session=other, code=theirs.check_in_code, by=organiser)
    checked = _state(theirs)
    with pytest.raises(services.CheckInError, match="not at this session"):
        services.registration_check_in_undo(
            session=session, registration_id=theirs.pk, by=organiser
        )
    assert _state(theirs) == checked


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the check-in code."),
        ("  - ", "Enter the check-in code."),
        ("ABCD0234", "no 0 or 1"),
        ("ABCDO234", "except I, L and O"),
        ("ABCD1234", "no 0 or 1"),
        ("ABCDI234", "except I, L and O"),
        ("abcdl234", "except I, L and O"),
        ("ABC2345", "has 8 characters; this one has 7"),
        ("ABCD23456", "has 8 characters; this one has 9"),
        ("ABCD-2345!", "only the digits 2 to 9"),
    ],
)
def test_a_malformed_code_gets_a_message_and_checks_nobody_in(typed, message, organiser):
    session = _door_session()
    registration = _seat(session)
    with pytest.raises(services.CheckInError, match=re.escape(message)):
        services.registration_check_in(session=session, code=typed, by=organiser)
    assert _state(registration) == (False, None)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (RegistrationStatus.CANCELLED, "This place was cancelled"),
        (RegistrationStatus.WAITLISTED, "is on the waiting list"),
    ],
)
def test_a_cancelled_or_waiting_place_cannot_be_checked_in(status, message, organiser):
    session = _door_session()
    registration = _seat(session, status=status)
    with pytest.raises(services.CheckInError, match=message):
        services.registration_check_in(
            session=session, code=registration.check_in_code, by=organiser
        )
    assert _state(registration) == (False, None)


@pytest.mark.parametrize(
    ("session_kwargs", "message"),
    [
        ({"status": SessionStatus.CANCELLED}, "This session was cancelled"),
        ({"status": SessionStatus.DRAFT}, "not published"),
        (
            {
                "starts_at": timezone.now() + timedelta(hours=3),
                "registration_closes_at": timezone.now() + timedelta(hours=2),
            },
            "Check-in opens an hour before the session starts.",
        ),
    ],
)
def test_check_in_is_refused_at_a_cancelled_draft_or_far_off_session(
    session_kwargs, message, organiser
):
    session = _door_session(**session_kwargs)
    registration = _seat(session)
    with pytest.raises(services.CheckInError, match=message):
        services.registration_check_in(
            session=session, code=registration.check_in_code, by=organiser
        )
    assert _state(registration) == (False, None)


def test_a_place_cancelled_between_finding_and_confirming_is_not_checked_in(organiser, monkeypatch):
    """The conditional update is the guarantee: the place changed after it was read."""
    session = _door_session()
    registration = _seat(session)
    real_find = services.check_in_find
    calls = []

    def find_then_cancel(**kwargs):
        found = real_find(**kwargs)
        if not calls:
            Registration.objects.filter(pk=registration.pk).update(
                status=RegistrationStatus.CANCELLED, cancelled_at=timezone.now()
            )
        calls.append(1)
        return found

    monkeypatch.setattr(services, "check_in_find", find_then_cancel)
    with pytest.raises(services.CheckInError, match="This place was cancelled"):
        services.registration_check_in(
            session=session, code=registration.check_in_code, by=organiser
        )
    assert _state(registration) == (False, None)


def test_the_session_already_started_still_checks_in():
    session = _door_session(
        starts_at=timezone.now() - timedelta(minutes=20),
        registration_closes_at=timezone.now() - timedelta(hours=1),
    )
    assert services.check_in_refusal(session) == ""


def test_marking_absent_on_the_roster_clears_a_check_in(organiser):
    session = _door_session(
        starts_at=timezone.now() - timedelta(minutes=5),
        registration_closes_at=timezone.now() - timedelta(hours=1),
    )
    registration = _seat(session)
    services.registration_check_in(session=session, code=registration.check_in_code, by=organiser)
    registration.refresh_from_db()
    services.registration_mark_attendance(
        registration=registration, organiser=organiser, attended=False
    )
    assert _state(registration) == (False, None)


# --- The check-in page: two steps, and the undo -------------------------------------------


def test_typing_a_code_shows_the_name_only_and_writes_nothing(client, organiser):
    session = _door_session()
    registration = _seat(session, access_needs="Wheelchair access")
    client.force_login(organiser)
    response = client.post(_page(session), {"code": _typed(registration.check_in_code)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Is this the person in front of you?" in body
    assert "Mei Ling Tan" in body
    # The display name and nothing more personal.
    assert "mei.ling.tan@example.sg" not in body and "Wheelchair" not in body
    assert f'name="code" value="{registration.check_in_code}"' in body
    assert _state(registration) == (False, None)


def test_confirming_checks_in_returns_to_an_empty_field_with_the_undo(client, organiser):
    session = _door_session()
    registration = _seat(session)
    _seat(session, "Second Person")
    client.force_login(organiser)
    response = client.post(_confirm(session), {"code": registration.check_in_code}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"?last={registration.pk}")
    body = response.content.decode()
    assert "Mei Ling Tan is checked in." in body
    assert "Just checked in" in body
    assert "1 of 2 confirmed people checked in" in body
    assert 'value="' + str(registration.pk) + '"' in body  # the undo form
    assert _state(registration)[0] is True

    response = client.post(_undo(session), {"registration": registration.pk}, follow=True)
    body = response.content.decode()
    assert "Check-in undone: Mei Ling Tan is not checked in." in body
    assert "0 of 2 confirmed people checked in" in body
    assert "Just checked in" not in body
    assert _state(registration) == (False, None)


def test_a_code_typed_twice_says_already_checked_in_at_the_time_not_an_error(client, organiser):
    session = _door_session()
    registration = _seat(session)
    services.registration_check_in(session=session, code=registration.check_in_code, by=organiser)
    registration.refresh_from_db()
    at = date_format(timezone.localtime(registration.checked_in_at), "g:i A")
    client.force_login(organiser)
    response = client.post(_page(session), {"code": registration.check_in_code})
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Already checked in at {at}." in body
    assert "Undo check-in" in body and "There is a problem" not in body
    # Confirmed twice (two phones): a note with the first time, not an error.
    response = client.post(_confirm(session), {"code": registration.check_in_code}, follow=True)
    assert f"Mei Ling Tan was already checked in at {at}." in response.content.decode()
    assert _state(registration)[1] == registration.checked_in_at


@pytest.mark.parametrize("url", [_page, _confirm])
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("other session", "No place at this session has the code"),
        ("cancelled", "This place was cancelled"),
        ("waitlisted", "is on the waiting list"),
        ("confusable", "except I, L and O"),
        ("empty", "Enter the check-in code."),
    ],
)
def test_bad_codes_show_the_error_summary_and_change_nothing(client, organiser, url, case, message):
    session = _door_session()
    other = _seat(_door_session(), "Other Session")
    cancelled = _seat(session, "Cancelled Person", status=RegistrationStatus.CANCELLED)
    waiting = _seat(session, "Waiting Person", status=RegistrationStatus.WAITLISTED)
    code = {
        "other session": other.check_in_code,
        "cancelled": cancelled.check_in_code,
        "waitlisted": waiting.check_in_code,
        "confusable": "OOII-LL22",
        "empty": "",
    }[case]
    client.force_login(organiser)
    response = client.post(url(session), {"code": code})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert message in body
    assert 'href="#id_code"' in body  # the summary links to the field
    assert "Cancelled Person" not in body and "Waiting Person" not in body
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()
    assert not Registration.objects.filter(attended=True).exists()


def test_undo_of_a_bad_or_foreign_id_is_a_message_and_changes_nothing(client, organiser):
    session = _door_session()
    other_session = _door_session()
    theirs = _seat(other_session)
    services.registration_check_in(session=other_session, code=theirs.check_in_code, by=organiser)
    checked = _state(theirs)
    client.force_login(organiser)
    for value in (theirs.pk, "x", ""):
        response = client.post(_undo(session), {"registration": value}, follow=True)
        assert "This check-in is not at this session." in response.content.decode()
    assert _state(theirs) == checked


def test_the_page_works_without_script_and_offers_the_scanner_only_through_its_file(
    client, organiser
):
    session = _door_session()
    client.force_login(organiser)
    body = client.get(_page(session)).content.decode()
    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", body).group(0)
    for attribute in (
        'autocomplete="off"',
        'autocapitalize="characters"',
        'inputmode="text"',
        'id="id_code"',
    ):
        assert attribute in field
    assert re.search(r'<label[^>]*for="id_code"', body)
    # The scan button starts hidden: only the script shows it, where the browser can scan.
    assert re.search(r"<button[^>]*hidden[^>]*data-check-in-scan[^-]", body)
    assert '<script src="/static/js/check-in-scan.js" defer></script>' in body
    assert "<script>" not in body
    assert "0 of 0 confirmed people checked in" in body


def test_a_session_not_open_for_check_in_says_why_on_the_page(client, organiser):
    session = _door_session(status=SessionStatus.CANCELLED)
    client.force_login(organiser)
    body = client.get(_page(session)).content.decode()
    assert "This session was cancelled, so there is nobody to check in." in body
    assert 'name="code"' not in body


def test_the_roster_links_to_the_check_in_page(client, organiser):
    session = _door_session()
    client.force_login(organiser)
    body = client.get(reverse("engagement:console_roster", args=[session.pk])).content.decode()
    assert f'href="{_page(session)}"' in body
    assert "Check in at the door" in body


def test_an_online_session_has_no_door_to_check_in_at(client, organiser):
    """Online places get no check-in code (My sessions and emails show none), so the roster
    offers no check-in page either."""
    session = _door_session(mode=SessionMode.ONLINE, venue="", venue_details="")
    client.force_login(organiser)
    body = client.get(reverse("engagement:console_roster", args=[session.pk])).content.decode()
    assert "Check in at the door" not in body
    assert f'href="{_page(session)}"' not in body


# --- Role matrix --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 403),
        ("staff", 403),
        ("organiser_without_mfa", "mfa"),
        ("organiser", "ok"),
        ("admin_user", "ok"),
    ],
)
def test_check_in_is_for_organisers_only(role, expected, client, request):
    session = _door_session()
    registration = _seat(session)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    steps = [
        ("get", _page(session), {}),
        ("post", _page(session), {"code": registration.check_in_code}),
        ("post", _confirm(session), {"code": registration.check_in_code}),
    ]
    for method, url, data in steps:
        response = getattr(client, method)(url, data)
        if expected == "login":
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("account_login")), url
        elif expected == "mfa":
            assert response.status_code == 302, url
            assert "/accounts/2fa/" in response.url, url
        elif expected == "ok":
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == expected, url
        if method == "post" and url == _page(session) and expected == "ok":
            assert "Mei Ling Tan" in response.content.decode()
    assert _state(registration)[0] is (expected == "ok")
    response = client.post(_undo(session), {"registration": registration.pk})
    assert response.status_code in ((302,) if expected in ("ok", "login", "mfa") else (expected,))
    assert _state(registration) == (False, None)


def test_check_in_for_an_unknown_session_is_404(client, organiser):
    client.force_login(organiser)
    assert client.get(reverse("engagement:console_check_in", args=[424242])).status_code == 404
    assert client.post(
        _confirm(EngagementSession(pk=424242)), {"code": "ABCD2345"}
    ).status_code == (404)
    assert client.post(_undo(EngagementSession(pk=424242)), {"registration": 1}).status_code == 404


# --- The participant's side: My sessions and the emails -----------------------------------


def test_my_sessions_shows_the_code_and_its_qr_code_for_confirmed_upcoming_places(
    client, participant
):
    confirmed = RegistrationFactory(participant=participant, session=_door_session(title="Seat"))
    hidden = [
        RegistrationFactory(participant=participant, status=RegistrationStatus.WAITLISTED),
        RegistrationFactory(participant=participant, status=RegistrationStatus.CANCELLED),
        RegistrationFactory(
            participant=participant,
            session=EngagementSessionFactory(mode=SessionMode.ONLINE, venue=""),
        ),
        RegistrationFactory(
            participant=participant,
            session=EngagementSessionFactory(status=SessionStatus.CANCELLED),
        ),
        RegistrationFactory(
            participant=participant,
            session=EngagementSessionFactory(starts_at=timezone.now() - timedelta(days=3)),
        ),
    ]
    client.force_login(participant)
    body = client.get(reverse("engagement:my_sessions")).content.decode()
    code = confirmed.check_in_code
    shown = f"{code[:4]} {code[4:]}"
    assert body.count('data-testid="check-in-code"') == 1
    assert shown in body
    assert re.search(
        rf'<svg role="img" aria-label="QR code of your check-in code {shown}"[^>]*'
        r'class="check-in-qr"[^>]*>',
        body,
    )
    for registration in hidden:
        assert registration.check_in_code not in body
        assert f"{registration.check_in_code[:4]} {registration.check_in_code[4:]}" not in body


def test_the_qr_code_holds_the_code_only():
    import segno

    from engagement.templatetags.check_in_tags import check_in_qr

    svg = check_in_qr("ABCD2345")
    assert (
        segno.make("ABCD2345", error="m", micro=False)
        .svg_inline(scale=5, border=4, dark="#000", light="#fff", svgclass="check-in-qr")
        .split(">", 1)[1]
        == svg.split(">", 1)[1]
    )
    assert "style=" not in svg  # the CSP forbids inline styles
    assert 'width="145"' in svg and 'height="145"' in svg


def test_confirmation_and_promotion_emails_state_the_code_and_point_to_the_qr_code(
    participant, other_participant, mailoutbox, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        seat = services.registration_create(
            session=session, participant=participant, registered_by=participant
        )
        waiting = services.registration_create(
            session=session, participant=other_participant, registered_by=other_participant
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=seat, cancelled_by=participant)
    seat.refresh_from_db()
    waiting.refresh_from_db()
    confirmed, waitlisted, promoted, cancelled = mailoutbox
    for message, registration in ((confirmed, seat), (promoted, waiting)):
        code = registration.check_in_code
        assert f"Your check-in code: {code[:4]} {code[4:]}" in message.body
        assert "Its QR code is in My sessions: http" in message.body
        assert "/sessions/mine/" in message.body
    for message in (waitlisted, cancelled):
        assert "check-in code" not in message.body


def test_an_online_session_s_email_has_no_check_in_code(
    participant, mailoutbox, django_capture_on_commit_callbacks
):
    session = EngagementSessionFactory(mode=SessionMode.ONLINE, venue="")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(
            session=session, participant=participant, registered_by=participant
        )
    (message,) = mailoutbox
    assert "check-in code" not in message.body
