"""Sessions by invitation (issue 16, item 2): importing invitees (pasted or a CSV, checked row
by row, a large file through the job), the signed invitation link, registration refused to
anyone not invited, unlisted sessions hidden, the invitation emails, and the organiser's
pages with their role matrix."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement import services, tasks
from engagement.models import (
    EngagementSession,
    ImportStatus,
    Invitation,
    InvitationImport,
    InvitationStatus,
    Registration,
    RegistrationStatus,
    SessionAccess,
    SessionStatus,
)
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory
from tests.factories.engagement import InvitationFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "other_participant", "organiser", "staff"]


@pytest.fixture
def as_role(client, request):
    def _as(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return _as


@pytest.fixture
def by_invitation(db) -> EngagementSession:
    return EngagementSessionFactory(access=SessionAccess.INVITATION, title="Invited circle")


@pytest.fixture
def unlisted(db) -> EngagementSession:
    return EngagementSessionFactory(access=SessionAccess.UNLISTED, title="Quiet circle")


def _csv(*lines: str, newline: str = "\n", bom: bool = False) -> bytes:
    text = newline.join(lines) + newline
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def _upload(content: bytes, name: str = "invitees.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _link(invitation: Invitation) -> str:
    return reverse("engagement:invitation", args=[services.invitation_token(invitation)])


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


# --- Parsing and importing -------------------------------------------------------------------


def test_csv_with_good_and_bad_rows_keeps_the_good_and_reports_each_bad_row_by_number(
    by_invitation, organiser
):
    registered = UserFactory(email="seated@example.org")
    RegistrationFactory(session=by_invitation, participant=registered)
    InvitationFactory(session=by_invitation, email="already@example.org")
    data = _csv(
        "Email,Name,Organisation",
        "ana@example.org,Ana,Harbour Trust",
        "not-an-email,Bad,",
        "ANA@example.org,Ana again,",
        "already@example.org,Old,",
        "seated@example.org,Seated,",
        "ben@example.org,Ben,",
    )
    invitees, problems, total = services.invitees_parse_csv(data=data)
    report = services.invitations_add(
        session=by_invitation, organiser=organiser, invitees=invitees, problems=problems
    )

    assert total == 6
    assert report.added == 2
    assert [(p["row"], p["problem"]) for p in report.problems] == [
        (3, services.PROBLEM_BAD_EMAIL),
        (4, services.PROBLEM_DUPLICATE),
        (5, services.PROBLEM_ALREADY_INVITED),
        (6, services.PROBLEM_ALREADY_REGISTERED),
    ]
    ana = Invitation.objects.get(session=by_invitation, email="ana@example.org")
    assert (ana.name, ana.organisation, ana.invited_by, ana.status) == (
        "Ana",
        "Harbour Trust",
        organiser,
        InvitationStatus.INVITED,
    )
    assert Invitation.objects.filter(session=by_invitation).count() == 3


def test_the_upload_page_shows_the_per_row_report(client, organiser, by_invitation):
    client.force_login(organiser)
    data = _csv("email,name", "good@example.org,Good", "bad@,Bad")
    response = client.post(
        reverse("engagement:console_invitations", args=[by_invitation.pk]),
        {"action": "upload", "file": _upload(data)},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 invitation added." in page
    assert "1 row was not imported" in page
    assert "Not a valid email address." in page
    assert re.search(r"<td>3</td><td>bad@</td>", page)


def test_pasted_addresses_are_invited_with_names_and_bad_ones_reported(
    client, organiser, by_invitation, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("engagement:console_invitations", args=[by_invitation.pk]),
            {"action": "paste", "emails": "Mei Ling <mei@example.org>\nraj@example.org, oops\n"},
        )
    assert response.status_code == 200
    assert "2 invitations added." in response.content.decode()
    assert set(Invitation.objects.filter(session=by_invitation).values_list("email", "name")) == {
        ("mei@example.org", "Mei Ling"),
        ("raj@example.org", ""),
    }
    assert "Not a valid email address." in response.content.decode()
    # Each invitee got their own email with their own link.
    assert sorted(message.to[0] for message in mail.outbox) == [
        "mei@example.org",
        "raj@example.org",
    ]


def test_a_bom_and_windows_line_endings_are_accepted(by_invitation, organiser):
    data = _csv(
        "email,name", "ana@example.org,Ana", "ben@example.org,Ben", newline="\r\n", bom=True
    )
    invitees, problems, total = services.invitees_parse_csv(data=data)
    assert [(i.email, i.name) for i in invitees] == [
        ("ana@example.org", "Ana"),
        ("ben@example.org", "Ben"),
    ]
    assert problems == [] and total == 2


def test_header_is_case_insensitive_and_columns_in_any_order():
    invitees, _problems, _total = services.invitees_parse_csv(
        data=_csv("ORGANISATION, Name ,E-mail", "Org,Zed,zed@example.org")
    )
    assert invitees[0].email == "zed@example.org"
    assert (invitees[0].name, invitees[0].organisation) == ("Zed", "Org")


def test_a_file_that_is_not_utf8_is_refused_with_a_message(client, organiser, by_invitation):
    client.force_login(organiser)
    data = "email,name\nzoë@example.org,Zoë\n".encode("latin-1")
    response = client.post(
        reverse("engagement:console_invitations", args=[by_invitation.pk]),
        {"action": "upload", "file": _upload(data)},
    )
    assert response.status_code == 400
    assert "The file is not UTF-8 text." in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_file_without_an_email_column_is_refused_with_a_message(by_invitation):
    with pytest.raises(services.InvitationError, match="must be “email”"):
        services.invitees_parse_csv(data=_csv("name,organisation", "Ana,Org"))


def test_binary_or_empty_files_are_refused_with_a_message():
    with pytest.raises(services.InvitationError, match="could not be read as CSV"):
        services.invitees_parse_csv(data=b"email\n\x00\x01\x02")
    with pytest.raises(services.InvitationError, match="empty"):
        services.invitees_parse_csv(data=b"")
    with pytest.raises(services.InvitationError, match="nobody in it"):
        services.invitees_parse_csv(data=b"email\n\n")


def test_a_million_row_file_is_refused_by_its_size_before_it_is_read(
    client, organiser, by_invitation, monkeypatch
):
    client.force_login(organiser)
    data = _csv("email", *(f"p{n}@example.org" for n in range(1_000_000)))
    assert len(data) > services.INVITE_CSV_MAX_BYTES
    # The refusal comes from the size the upload declares: the content is never parsed.
    monkeypatch.setattr(
        services, "invitees_parse_csv", lambda **kw: pytest.fail("the file was read")
    )
    response = client.post(
        reverse("engagement:console_invitations", args=[by_invitation.pk]),
        {"action": "upload", "file": _upload(data)},
    )
    assert response.status_code == 400
    assert "The file is larger than 2 MB." in response.content.decode()
    assert not Invitation.objects.exists() and not InvitationImport.objects.exists()


def test_a_file_over_the_row_limit_is_refused_and_nothing_is_added(by_invitation, organiser):
    rows = [f"{n}@x.sg" for n in range(services.INVITE_CSV_MAX_ROWS + 1)]
    data = _csv("email", *rows)
    assert len(data) < services.INVITE_CSV_MAX_BYTES
    with pytest.raises(services.InvitationError, match="more than 20,000 rows"):
        services.invitation_import_create(session=by_invitation, organiser=organiser, data=data)
    assert not Invitation.objects.exists() and not InvitationImport.objects.exists()


def test_formulas_are_stripped_from_names_and_refused_in_addresses(by_invitation, organiser):
    data = _csv(
        "email,name,organisation",
        'ana@example.org,"=HYPERLINK(""http://x"")",+Org',
        "=1+1@example.org,Bob,",
        "-cmd@example.org,Cat,",
        "dan@example.org,@Dan,-Org",
    )
    invitees, problems, _total = services.invitees_parse_csv(data=data)
    services.invitations_add(
        session=by_invitation, organiser=organiser, invitees=invitees, problems=problems
    )
    assert [(p["row"], p["problem"]) for p in problems] == [
        (3, services.PROBLEM_FORMULA),
        (4, services.PROBLEM_FORMULA),
    ]
    stored = dict(Invitation.objects.filter(session=by_invitation).values_list("email", "name"))
    assert stored == {"ana@example.org": 'HYPERLINK("http://x")', "dan@example.org": "Dan"}
    for name, organisation in Invitation.objects.values_list("name", "organisation"):
        assert not name.startswith(("=", "+", "-", "@"))
        assert not organisation.startswith(("=", "+", "-", "@"))


def test_roster_csv_of_an_invitee_never_writes_a_formula_unescaped(
    client, organiser, by_invitation
):
    person = UserFactory(display_name="=cmd|' /C calc'!A0", email="eve@example.org")
    InvitationFactory(session=by_invitation, email="eve@example.org", user=person)
    services.registration_create(session=by_invitation, participant=person, registered_by=person)
    content = services.roster_export_csv(
        session=by_invitation, organiser=organiser, purpose="to run the session"
    )
    assert "\n'=cmd" in content.replace("\r\n", "\n")


def test_an_invitation_to_a_cancelled_session_is_refused_with_a_message(
    client, organiser, by_invitation
):
    EngagementSession.objects.filter(pk=by_invitation.pk).update(status=SessionStatus.CANCELLED)
    client.force_login(organiser)
    response = client.post(
        reverse("engagement:console_invitations", args=[by_invitation.pk]),
        {"action": "paste", "emails": "ana@example.org"},
    )
    assert response.status_code == 400
    assert "This session was cancelled, so nobody can be invited to it." in (
        response.content.decode()
    )
    assert not Invitation.objects.exists()


def test_an_open_session_cannot_take_invitations(organiser, session):
    invitees, problems = services.invitees_parse_paste(text="ana@example.org")
    with pytest.raises(services.InvitationError, match="open to everyone"):
        services.invitations_add(session=session, organiser=organiser, invitees=invitees)


def test_too_many_pasted_addresses_are_refused_whole(organiser, by_invitation):
    text = "\n".join(f"p{n}@example.org" for n in range(services.INVITE_PASTE_MAX + 1))
    with pytest.raises(services.InvitationError, match="at most 200"):
        services.invitees_parse_paste(text=text)


# --- The job -------------------------------------------------------------------------------


def test_a_10000_row_file_goes_through_the_job_with_progress_and_a_report(
    client, organiser, django_capture_on_commit_callbacks
):
    # A draft: the emails wait for publishing, so the test measures the import alone.
    draft = EngagementSessionFactory(access=SessionAccess.INVITATION, status=SessionStatus.DRAFT)
    rows = [f"person{n}@example.org,Person {n},Org" for n in range(10_000)]
    rows[41] = "broken,Nobody,"
    rows[9_998] = "person0@example.org,Again,"
    client.force_login(organiser)
    url = reverse("engagement:console_invitations", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "upload", "file": _upload(_csv("email,name,organisation", *rows))}
        )
    job = InvitationImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("engagement:console_invitation_import", args=[draft.pk, job.pk])
    assert (job.status, job.total_rows, job.processed_rows, job.added) == (
        ImportStatus.DONE,
        10_000,
        10_000,
        9_998,
    )
    assert job.content == ""  # the file is not kept once read
    assert [(p["row"], p["problem"]) for p in job.problems] == [
        (43, services.PROBLEM_BAD_EMAIL),
        (10_000, services.PROBLEM_DUPLICATE),
    ]
    assert Invitation.objects.filter(session=draft).count() == 9_998
    page = client.get(response.url).content.decode()
    assert "10000 of 10000 rows checked; 9998 invitations added." in page
    assert 'http-equiv="refresh"' not in page
    assert "Not a valid email address." in page


def test_the_job_resumes_where_it_stopped_and_is_safe_to_run_twice(organiser, by_invitation):
    rows = [f"p{n}@example.org" for n in range(1_200)]
    job = InvitationImport.objects.create(
        session=by_invitation,
        created_by=organiser,
        content="email\n" + "\n".join(rows) + "\n",
        total_rows=1_200,
    )
    # A first worker did one chunk, then died (its lease ran out long ago).
    first = [services.Invitee(row=n + 2, email=e) for n, e in enumerate(rows[:500])]
    services._invitations_add_chunk(
        session_id=by_invitation.pk, organiser=organiser, invitees=first, language="en"
    )
    InvitationImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING,
        processed_rows=500,
        added=500,
        claimed_at=timezone.now() - timedelta(hours=1),
    )
    assert services.invitation_import_run(import_id=job.pk) is True
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.added, job.problems) == (
        ImportStatus.DONE,
        1_200,
        1_200,
        [],
    )
    # Run again: it is done, nothing more happens.
    assert services.invitation_import_run(import_id=job.pk) is False
    assert Invitation.objects.filter(session=by_invitation).count() == 1_200


def test_a_job_held_by_a_live_worker_is_not_taken_by_a_second(organiser, by_invitation):
    job = InvitationImport.objects.create(
        session=by_invitation,
        created_by=organiser,
        content="email\na@example.org\n",
        total_rows=1,
        status=ImportStatus.RUNNING,
        claimed_at=timezone.now(),
    )
    assert services.invitation_import_run(import_id=job.pk) is False
    assert not Invitation.objects.exists()


def test_stuck_imports_are_queued_again_by_the_sweep(organiser, by_invitation):
    job = InvitationImport.objects.create(
        session=by_invitation,
        created_by=organiser,
        content="email\na@example.org\n",
        total_rows=1,
        status=ImportStatus.RUNNING,
        claimed_at=timezone.now() - timedelta(hours=1),
    )
    assert tasks.resume_invitation_imports.delay().get() == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.added == 1


def test_the_progress_page_refreshes_itself_while_the_job_runs(client, organiser, by_invitation):
    job = InvitationImport.objects.create(
        session=by_invitation, created_by=organiser, total_rows=1_000, processed_rows=500
    )
    client.force_login(organiser)
    page = client.get(
        reverse("engagement:console_invitation_import", args=[by_invitation.pk, job.pk])
    ).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "500 of 1000 rows checked" in page


# --- The link ------------------------------------------------------------------------------


def test_an_invitee_registers_through_the_signed_link(client, by_invitation):
    invitation = InvitationFactory(session=by_invitation)
    person = UserFactory(email="someone-else@example.org")
    client.force_login(person)
    link = _link(invitation)
    page = client.get(link)
    assert page.status_code == 200
    assert "Invited circle" in page.content.decode()
    response = client.post(
        reverse("engagement:invitation_accept", args=[services.invitation_token(invitation)]),
        {"access_needs": ""},
    )
    assert response.status_code == 302
    assert response.url == by_invitation.get_absolute_url()
    registration = Registration.objects.get(session=by_invitation, participant=person)
    assert registration.is_confirmed
    invitation.refresh_from_db()
    assert (invitation.status, invitation.user) == (InvitationStatus.REGISTERED, person)


def test_a_tampered_link_is_a_clear_404_page(client, by_invitation):
    invitation = InvitationFactory(session=by_invitation)
    token = services.invitation_token(invitation)
    forged = signing.dumps({"i": invitation.pk, "e": "x"}, salt="another.salt")
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        response = client.get(reverse("engagement:invitation", args=[bad]))
        assert response.status_code == 404
        assert "This invitation link is not valid." in response.content.decode()


def test_a_link_after_registration_closed_has_expired(client, participant):
    session = EngagementSessionFactory(access=SessionAccess.INVITATION)
    invitation = InvitationFactory(session=session)
    EngagementSession.objects.filter(pk=session.pk).update(
        registration_closes_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(participant)
    response = client.get(_link(invitation))
    assert response.status_code == 410
    assert "the invitation has expired" in response.content.decode()
    accept = client.post(
        reverse("engagement:invitation_accept", args=[services.invitation_token(invitation)])
    )
    assert accept.status_code == 410
    assert not Registration.objects.exists()


@pytest.mark.parametrize("what", ["withdrawn", "cancelled"])
def test_a_withdrawn_invitation_or_cancelled_session_is_a_clear_410_page(
    client, by_invitation, what
):
    invitation = InvitationFactory(session=by_invitation)
    if what == "withdrawn":
        Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.WITHDRAWN)
        message = "withdrawn by the organisers"
    else:
        EngagementSession.objects.filter(pk=by_invitation.pk).update(status=SessionStatus.CANCELLED)
        message = "This session has been cancelled."
    response = client.get(_link(invitation))
    assert response.status_code == 410
    assert message in response.content.decode()


def test_a_link_used_by_another_account_is_refused_with_a_message(
    client, by_invitation, participant, other_participant
):
    invitation = InvitationFactory(session=by_invitation)
    services.invitation_accept(invitation=invitation, participant=participant)
    token = services.invitation_token(invitation)

    client.force_login(other_participant)
    page = client.get(_link(invitation)).content.decode()
    assert "already been taken up by another account" in page
    response = client.post(reverse("engagement:invitation_accept", args=[token]))
    assert response.status_code == 302
    assert not Registration.objects.filter(participant=other_participant).exists()
    follow = client.get(response.url).content.decode()
    assert "already been taken up by another account" in follow
    with pytest.raises(services.InvitationError, match="another account"):
        services.invitation_accept(invitation=invitation, participant=other_participant)


def test_signed_out_invitee_signs_up_and_lands_back_on_the_invitation(
    client, by_invitation, django_capture_on_commit_callbacks
):
    from tests.accounts.test_signup import signup_data
    from tests.accounts.test_signup_next import PASSWORD, confirmation_link

    invitation = InvitationFactory(session=by_invitation, email="mei@example.com")
    link = _link(invitation)
    page = client.get(link).content.decode()
    signup_href = f"{reverse('account_signup')}?next="
    assert signup_href in page and "Sign in" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {**signup_data(), "next": link})
    client.cookies.clear()
    confirm = confirmation_link(mail.outbox[-1].body)
    sign_in = client.post(
        confirm.split("?")[0], {"next": f"{reverse('account_login')}?next={link}"}
    )
    signed_in = client.post(
        sign_in["Location"], {"login": "mei@example.com", "password": PASSWORD, "next": link}
    )
    assert signed_in["Location"] == link
    landing = client.get(link).content.decode()
    assert reverse("engagement:invitation_accept", args=[link.split("/")[-2]]) in landing


def test_the_invitee_can_decline_and_the_organiser_sees_it(client, by_invitation, participant):
    invitation = InvitationFactory(session=by_invitation, email=participant.email)
    client.force_login(participant)
    token = services.invitation_token(invitation)
    client.post(reverse("engagement:invitation_decline", args=[token]))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    # Changing their mind still works.
    services.registration_create(
        session=by_invitation, participant=participant, registered_by=participant
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REGISTERED


# --- Who may register ------------------------------------------------------------------------


def test_registration_for_a_session_by_invitation_is_refused_to_others(
    client, by_invitation, participant
):
    with pytest.raises(services.RegistrationError, match="by invitation only"):
        services.registration_create(
            session=by_invitation, participant=participant, registered_by=participant
        )
    client.force_login(participant)
    page = client.get(by_invitation.get_absolute_url()).content.decode()
    assert "This session is by invitation only." in page
    assert "By invitation" in page
    response = client.post(reverse("engagement:session_register", args=[by_invitation.slug]))
    assert response.status_code == 302
    assert not Registration.objects.exists()
    by_invitation.refresh_from_db()
    assert by_invitation.seats_taken == 0


def test_an_invitee_registers_from_the_session_page_by_their_verified_email(
    client, by_invitation, participant
):
    InvitationFactory(session=by_invitation, email=participant.email.upper().lower())
    client.force_login(participant)
    response = client.post(reverse("engagement:session_register", args=[by_invitation.slug]))
    assert response.status_code == 302
    assert Registration.objects.get(participant=participant).is_confirmed
    assert Invitation.objects.get().status == InvitationStatus.REGISTERED


def test_an_unverified_address_or_withdrawn_invitation_does_not_let_anyone_in(by_invitation):
    unverified = UserFactory(verified=False)
    InvitationFactory(session=by_invitation, email=unverified.email)
    withdrawn_person = UserFactory()
    InvitationFactory(
        session=by_invitation, email=withdrawn_person.email, status=InvitationStatus.WITHDRAWN
    )
    for person in (unverified, withdrawn_person):
        with pytest.raises(services.RegistrationError, match="by invitation only"):
            services.registration_create_by_slug(
                slug=by_invitation.slug, participant=person, registered_by=person
            )


def test_an_open_session_registers_without_reading_invitations(participant, session):
    with CaptureQueriesContext(connection) as queries:
        services.registration_create_by_slug(
            slug=session.slug, participant=participant, registered_by=participant
        )
    assert not any("engagement_invitation" in q["sql"] for q in queries.captured_queries)


def test_cancelling_a_registration_marks_the_invitation_declined(by_invitation, participant):
    invitation = InvitationFactory(session=by_invitation, email=participant.email)
    registration = services.registration_create(
        session=by_invitation, participant=participant, registered_by=participant
    )
    services.registration_cancel(registration=registration, cancelled_by=participant)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED


def test_withdrawing_an_invitation_keeps_a_registration_already_made(
    client, organiser, by_invitation, participant
):
    invitation = InvitationFactory(session=by_invitation, email=participant.email)
    services.registration_create(
        session=by_invitation, participant=participant, registered_by=participant
    )
    client.force_login(organiser)
    response = client.post(reverse("engagement:console_invitation_withdraw", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN
    assert Registration.objects.get(participant=participant).status == RegistrationStatus.CONFIRMED
    page = client.get(response.url).content.decode()
    assert "A registration already made stays" in page


# --- Unlisted sessions -------------------------------------------------------------------------


def test_an_unlisted_session_is_in_no_public_list(client, unlisted, by_invitation):
    listing = client.get(reverse("engagement:session_list")).content.decode()
    assert "Quiet circle" not in listing
    assert "Invited circle" in listing and "By invitation" in listing
    assert "Quiet circle" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("anonymous", False),
        ("participant", True),  # invited
        ("other_participant", False),
        ("organiser", True),
        ("staff", True),
    ],
)
def test_an_unlisted_session_is_a_404_to_anyone_not_invited(
    role, visible, as_role, unlisted, participant
):
    InvitationFactory(session=unlisted, email=participant.email)
    client = as_role(role)
    for url in (
        unlisted.get_absolute_url(),
        reverse("engagement:session_calendar", args=[unlisted.slug]),
        reverse("engagement:session_short_link", args=[unlisted.pk]),
    ):
        response = client.get(url)
        assert (response.status_code != 404) == visible, url


# --- The session form ------------------------------------------------------------------------


def test_the_session_form_sets_who_can_register_and_defaults_to_open(client, organiser):
    client.force_login(organiser)
    starts = timezone.localtime(timezone.now() + timedelta(days=10))
    base = {
        "title": "Circle",
        "summary": "A talk.",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "mode": "online",
        "capacity": 10,
        "registration_opens_at": (starts - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "registration_closes_at": (starts - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    client.post(reverse("engagement:console_session_create"), base)
    client.post(
        reverse("engagement:console_session_create"),
        {**base, "title": "Invited", "access": SessionAccess.UNLISTED},
    )
    assert dict(EngagementSession.objects.values_list("title", "access")) == {
        "Circle": SessionAccess.OPEN,
        "Invited": SessionAccess.UNLISTED,
    }
    invited = EngagementSession.objects.get(title="Invited")
    form = client.get(reverse("engagement:console_session_edit", args=[invited.pk]))
    assert re.search(r'value="unlisted"\s+id="id_access_\d"\s+checked', form.content.decode())


# --- Emails ---------------------------------------------------------------------------------


def test_each_invitation_email_is_sent_once_even_if_the_task_runs_twice(by_invitation):
    invitation = InvitationFactory(session=by_invitation, email="ana@example.org")
    assert tasks.send_invitation_emails.delay().get() == 1
    assert tasks.send_invitation_emails.delay().get() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.org"]
    assert "Invited circle" not in message.subject  # discreet: the date only
    token = services.invitation_token(invitation)
    assert reverse("engagement:invitation", args=[token]) in message.body
    invitation.refresh_from_db()
    assert (invitation.send_due, invitation.send_count) == (False, 1)


def test_the_email_is_in_the_invitees_language(by_invitation):
    InvitationFactory(session=by_invitation, email="no-account@example.org", language="ms")
    person = UserFactory(preferred_language="zh-hans")
    InvitationFactory(session=by_invitation, email=person.email, user=person, language="ms")
    services.invitations_due_ids()
    tasks.send_invitation_emails.delay().get()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "jemputan" in by_address["no-account@example.org"].subject.lower()
    assert "AfA" in by_address[person.email].subject
    assert by_address[person.email].subject != by_address["no-account@example.org"].subject


def test_a_draft_sessions_invitations_wait_until_it_is_published(organiser):
    draft = EngagementSessionFactory(access=SessionAccess.INVITATION, status=SessionStatus.DRAFT)
    InvitationFactory(session=draft)
    assert tasks.send_invitation_emails.delay().get() == 0
    services.session_publish(session=draft, organiser=organiser)
    assert tasks.send_invitation_emails.delay().get() == 1


def test_resend_sends_again_within_limits(client, organiser, by_invitation):
    invitation = InvitationFactory(session=by_invitation)
    tasks.send_invitation_emails.delay().get()
    client.force_login(organiser)
    url = reverse("engagement:console_invitation_resend", args=[invitation.pk])
    client.post(url)
    invitation.refresh_from_db()
    assert invitation.send_due is False and invitation.send_count == 1  # too soon
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    client.post(url)
    tasks.send_invitation_emails.delay().get()
    invitation.refresh_from_db()
    assert invitation.send_count == 2 and len(mail.outbox) == 2
    Invitation.objects.filter(pk=invitation.pk).update(
        send_count=services.INVITATION_MAX_SENDS, sent_at=timezone.now() - timedelta(hours=1)
    )
    with pytest.raises(services.InvitationError, match="which is the limit"):
        services.invitation_resend(invitation=invitation, organiser=organiser)


# --- Organiser pages: role matrix and query counts ----------------------------------------------


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
def test_invitation_pages_are_for_organisers_only(role, expected, as_role, by_invitation):
    invitation = InvitationFactory(session=by_invitation, send_due=False)
    job = InvitationImport.objects.create(session=by_invitation, total_rows=1)
    client = as_role(role)
    requests = [
        ("get", reverse("engagement:console_invitations", args=[by_invitation.pk]), {}),
        (
            "post",
            reverse("engagement:console_invitations", args=[by_invitation.pk]),
            {"action": "paste", "emails": "new@example.org"},
        ),
        (
            "get",
            reverse("engagement:console_invitation_import", args=[by_invitation.pk, job.pk]),
            {},
        ),
        ("post", reverse("engagement:console_invitation_resend", args=[invitation.pk]), {}),
        ("post", reverse("engagement:console_invitation_withdraw", args=[invitation.pk]), {}),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        if expected == "login":
            assert _is_login_redirect(response), url
        elif expected == "ok":
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == expected, url
    changed = Invitation.objects.filter(email="new@example.org").exists()
    assert changed == (expected == "ok")


@pytest.mark.parametrize("role", ROLES)
def test_the_invitation_landing_page_never_errors(role, as_role, by_invitation):
    invitation = InvitationFactory(session=by_invitation)
    response = as_role(role).get(_link(invitation))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["anonymous"])
def test_accepting_needs_sign_in(role, as_role, by_invitation):
    invitation = InvitationFactory(session=by_invitation)
    token = services.invitation_token(invitation)
    response = as_role(role).post(reverse("engagement:invitation_accept", args=[token]))
    assert _is_login_redirect(response)


def test_gets_on_the_post_only_invitation_urls_are_refused(client, organiser, by_invitation):
    invitation = InvitationFactory(session=by_invitation)
    client.force_login(organiser)
    token = services.invitation_token(invitation)
    for url in (
        reverse("engagement:console_invitation_resend", args=[invitation.pk]),
        reverse("engagement:console_invitation_withdraw", args=[invitation.pk]),
        reverse("engagement:invitation_accept", args=[token]),
        reverse("engagement:invitation_decline", args=[token]),
    ):
        assert client.get(url).status_code == 405


def test_the_invitation_list_costs_the_same_queries_for_3_or_150_invitations(
    client, organiser, by_invitation
):
    client.force_login(organiser)
    url = reverse("engagement:console_invitations", args=[by_invitation.pk])

    def count() -> int:
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for n in range(3):
        InvitationFactory(session=by_invitation, user=UserFactory() if n % 2 else None)
    small = count()
    for n in range(147):
        InvitationFactory(session=by_invitation, user=UserFactory() if n % 2 else None)
    large = count()
    assert small == large


def test_the_roster_links_to_the_invitations_with_counts(client, organiser, by_invitation):
    InvitationFactory(session=by_invitation)
    InvitationFactory(session=by_invitation, status=InvitationStatus.DECLINED)
    client.force_login(organiser)
    page = client.get(reverse("engagement:console_roster", args=[by_invitation.pk]))
    assert "Invitations: 1 invited, 0 registered, 1 declined" in page.content.decode()


def test_invitation_is_a_reserved_slug(organiser):
    assert "invitation" in services.RESERVED_SLUGS


# --- Retention ---------------------------------------------------------------------------------


def test_invitations_are_deleted_30_days_after_the_session_ends(settings, organiser):
    now = timezone.now()
    old = EngagementSessionFactory(
        access=SessionAccess.INVITATION, starts_at=now - timedelta(days=40)
    )
    recent = EngagementSessionFactory(
        access=SessionAccess.INVITATION, starts_at=now - timedelta(days=10)
    )
    gone = InvitationFactory(session=old)
    kept = InvitationFactory(session=recent)
    InvitationImport.objects.create(session=old, total_rows=1)
    assert services.invitations_erase(now=now, dry_run=True) == [gone.pk]
    assert Invitation.objects.count() == 2
    assert services.invitations_erase(now=now) == [gone.pk]
    assert list(Invitation.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not InvitationImport.objects.filter(session=old).exists()
    assert services.invitations_erase(now=now) == []


def test_the_demo_has_a_listed_session_by_invitation_with_invitations(settings):
    import io

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    session = EngagementSession.objects.get(slug="demo-session-by-invitation-survivors-circle")
    assert session.access == SessionAccess.INVITATION and session.is_published
    statuses = set(session.invitations.values_list("status", flat=True))
    assert statuses == {InvitationStatus.INVITED, InvitationStatus.REGISTERED}
    assert session.invitations.count() == 4
    participant = session.invitations.get(email="participant@example.com").user
    assert services.is_invited(session=session, user=participant)
