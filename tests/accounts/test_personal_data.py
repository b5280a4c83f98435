"""Download my data (issue 13, item 1): the archive holds every row about the person and no one
else's, every user key of every model is covered, the job is safe to run twice, and only the
requester can download it, until it expires."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts import personal_data, services
from accounts.models import (
    ConsentDecision,
    ConsentMethod,
    ConsentRecord,
    PersonalDataArchive,
    PersonalDataArchiveStatus,
)
from accounts.roles import Role
from audit.models import AccessRecord, AuditEvent
from engagement import services as engagement_services
from exports import services as export_services
from exports.datasets import DATASETS
from initiatives.models import IdeaStatus, ModerationLog, ReportReason
from outbox.models import OutboundEmail
from outbox.services import outbox_drain
from reports.filters import ReportFilters
from tests.factories import (
    CoCreatorFactory,
    CommentFactory,
    EngagementSessionFactory,
    FeedbackFactory,
    IdeaFactory,
    InitiativeFactory,
    PersonalDataArchiveFactory,
    RegistrationFactory,
    ReportFactory,
    SupportFactory,
)

pytestmark = pytest.mark.django_db

OTHER_SECRET = "OTHER-PERSON-SECRET-4411"


def _open(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def rich_person(participant, other_participant, organiser, staff):
    """The participant with a row of every kind, beside another person with the same kinds."""
    session = EngagementSessionFactory(title="Talking about deepfakes")
    for person, needs in ((participant, "Captions please"), (other_participant, OTHER_SECRET)):
        RegistrationFactory(session=session, participant=person, access_needs=needs)
    FeedbackFactory(
        participant=participant,
        session=session,
        experience="I saw a fake picture of a classmate.",
        suggestions={"public-education": "Teach it in schools."},
    )
    FeedbackFactory(participant=other_participant, experience=OTHER_SECRET)
    idea = IdeaFactory(author=participant, title="Consent workshops", status=IdeaStatus.APPROVED)
    IdeaFactory(author=other_participant, title=OTHER_SECRET)
    ModerationLog.objects.create(
        actor=organiser,
        action="transition",
        target_kind="idea",
        target_id=idea.pk,
        idea=idea,
        from_status="submitted",
        to_status="approved",
        reason="Clear and kind.",
    )
    other_idea = IdeaFactory(author=other_participant, status=IdeaStatus.APPROVED)
    CommentFactory(idea=other_idea, author=participant, body="Good idea, we did this.")
    CommentFactory(idea=idea, author=other_participant, body=OTHER_SECRET)
    SupportFactory(user=participant, idea=other_idea)
    ReportFactory(reporter=participant, idea=other_idea, reason=ReportReason.SPAM, note="Spammy")
    initiative = InitiativeFactory(title="Safer schools")
    CoCreatorFactory(initiative=initiative, user=participant, pledge="Two hours a month")
    CoCreatorFactory(initiative=initiative, user=other_participant, pledge=OTHER_SECRET)
    # Someone saw their personal data: an organiser's roster, and a staff export.
    engagement_services.roster_export_csv(
        session=session, organiser=organiser, purpose="To run the session"
    )
    export_services.export_audit(
        actor=staff,
        dataset=DATASETS["registrations"],
        file_format="csv",
        filters=ReportFilters(),
        row_count=2,
        personal=True,
        purpose="Certificates of attendance",
    )
    OutboundEmail.objects.create(kind="engagement.registration", recipient=participant)
    OutboundEmail.objects.create(kind="engagement.registration", recipient=other_participant)
    for person in (participant, other_participant):
        ConsentRecord.objects.create(
            user=person,
            notice_version=person.pdpa_consent_version,
            decision=ConsentDecision.GIVEN,
            method=ConsentMethod.SIGN_UP,
        )
    return participant


def test_archive_holds_every_kind_of_row_about_the_person_and_nothing_of_anyone_else(
    rich_person, other_participant
):
    files = _open(services.personal_data_archive(user=rich_person))

    keys = [section.key for section in personal_data.sections()]
    assert set(files) == {"data.json", "index.html", *(f"{key}.csv" for key in keys)}
    for name, content in files.items():
        text = content.decode("utf-8-sig")
        assert OTHER_SECRET not in text, name
        assert other_participant.email not in text, name
    data = json.loads(files["data.json"])
    assert data["user_id"] == rich_person.pk
    sections = data["sections"]
    for kind in (
        "profile",
        "consent",
        "email_addresses",
        "registrations",
        "feedback",
        "suggestions",
        "ideas",
        "moderation_decisions",
        "comments",
        "supports",
        "reports_made",
        "cocreator_roles",
        "emails_sent",
        "who_has_seen_your_data",
    ):
        assert sections[kind]["rows"], f"{kind} is empty"
    assert sections["profile"]["rows"][0]["email"] == rich_person.email
    assert [
        (row["notice_version"], row["decision"], row["how"]) for row in sections["consent"]["rows"]
    ] == [(rich_person.pdpa_consent_version, "Given", "At sign-up")]
    assert sections["registrations"]["rows"][0]["access_needs"] == "Captions please"
    assert sections["suggestions"]["rows"][0]["suggestion"] == "Teach it in schools."
    assert sections["moderation_decisions"]["rows"][0]["reason"] == "Clear and kind."
    assert sections["cocreator_roles"]["rows"][0]["pledge"] == "Two hours a month"
    assert sections["emails_sent"]["rows"] == [
        {
            "kind": "engagement.registration",
            "queued_at": sections["emails_sent"]["rows"][0]["queued_at"],
            "sent_at": None,
            "status": "pending",
        }
    ]
    seen = sections["who_has_seen_your_data"]["rows"]
    assert [(row["what"], row["role"], row["purpose"]) for row in seen] == [
        ("engagement.roster_export", "Organiser", "To run the session"),
        ("export", "MCI Staff", "Certificates of attendance"),
    ]
    # The moderator who decided is not named to the author.
    assert "Oscar Organiser" not in files["data.json"].decode()
    # The CSVs hold the same rows.
    assert _csv(files["registrations.csv"])[0]["access_needs"] == "Captions please"
    assert len(_csv(files["who_has_seen_your_data.csv"])) == 2


def test_index_page_explains_each_part_in_the_persons_language(rich_person):
    files = _open(services.personal_data_archive(user=rich_person, language="en"))
    page = files["index.html"].decode()
    assert '<html lang="en">' in page
    assert "Your data from the AfA Platform" in page
    for section in personal_data.sections():
        assert str(section.title) in page
        assert f"{section.key}.csv" in page
        for column in section.columns:
            assert str(column.help).replace("'", "&#x27;") in page
    assert "Captions please" in page


def test_the_archive_is_written_in_the_language_the_person_asked_in(
    participant, monkeypatch, settings, tmp_path
):
    seen = []
    probe = personal_data.Section(
        key="language_probe",
        title="Probe",
        description="",
        columns=(personal_data.Column("language", ""),),
        read=lambda user: seen.append(translation.get_language()) or [{"language": "x"}],
    )
    monkeypatch.setattr(personal_data, "SECTIONS", {**personal_data.SECTIONS, "probe": probe})
    with translation.override("en"):
        files = _open(services.personal_data_archive(user=participant, language="ms"))
    assert seen == ["ms"]
    assert '<html lang="ms">' in files["index.html"].decode()
    # The job writes it in the language of the page the person asked from.
    settings.PERSONAL_DATA_ROOT = str(tmp_path)
    archive = PersonalDataArchiveFactory(requested_by=participant, language="ta")
    services.personal_data_archive_build(archive_id=archive.pk)
    archive.refresh_from_db()
    with zipfile.ZipFile(tmp_path / archive.file_path) as built:
        assert json.loads(built.read("data.json"))["language"] == "ta"
    assert seen == ["ms", "ta"]


def test_the_readable_page_shows_the_persons_text_as_text(participant):
    IdeaFactory(author=participant, title="<script>alert(1)</script> in schools")
    page = _open(services.personal_data_archive(user=participant))["index.html"].decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; in schools" in page


def test_csv_cells_cannot_run_as_formulas(participant):
    participant.display_name = '=HYPERLINK("http://evil")'
    participant.save(update_fields=["display_name"])
    files = _open(services.personal_data_archive(user=participant))
    assert _csv(files["profile.csv"])[0]["display_name"].startswith("'=")
    # data.json keeps the value as it is.
    assert json.loads(files["data.json"])["sections"]["profile"]["rows"][0][
        "display_name"
    ].startswith("=")


def test_every_model_with_a_key_to_the_user_is_in_the_archive():
    references = personal_data.user_references()
    # The walk finds the keys of every layer, third-party apps included.
    assert {
        "engagement.Registration.participant",
        "initiatives.Initiative.leads",
        "audit.AccessRecord.person",
        "account.EmailAddress.user",
    } <= references
    missing = references - personal_data.covered_references()
    assert not missing, f"Not in the personal data archive: {sorted(missing)}"


def test_every_key_a_section_claims_to_cover_exists():
    assert personal_data.covered_references() <= personal_data.user_references()


def test_the_coverage_walk_notices_a_section_that_goes_missing(monkeypatch):
    sections = dict(personal_data.SECTIONS)
    del sections["supports"]
    monkeypatch.setattr(personal_data, "SECTIONS", sections)
    assert personal_data.user_references() - personal_data.covered_references() == {
        "initiatives.Support.user"
    }


# --- Who has seen it: access records -------------------------------------------------------


def test_roster_download_records_each_person_listed(organiser, participant, other_participant):
    session = EngagementSessionFactory()
    RegistrationFactory(session=session, participant=participant)
    RegistrationFactory(session=session, participant=other_participant)
    engagement_services.roster_export_csv(
        session=session, organiser=organiser, purpose="To run the session"
    )
    event = AuditEvent.objects.get(action="engagement.roster_export")
    assert set(event.access_records.values_list("person_id", "role")) == {
        (participant.pk, Role.ORGANISER),
        (other_participant.pk, Role.ORGANISER),
    }


def test_only_personal_data_exports_record_who_they_include(staff, participant):
    RegistrationFactory(participant=participant)
    for personal in (False, True):
        export_services.export_audit(
            actor=staff,
            dataset=DATASETS["registrations"],
            file_format="csv",
            filters=ReportFilters(),
            row_count=1,
            personal=personal,
            purpose="Invitations" if personal else "",
        )
    assert list(AccessRecord.objects.values_list("person_id", "event__details__personal_data")) == [
        (participant.pk, True)
    ]


def test_a_personal_export_through_the_page_records_each_person_in_it(
    client, staff, participant, other_participant
):
    staff.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    RegistrationFactory(participant=participant)
    client.force_login(staff)
    response = client.post(
        "/reports/exports/personal/",
        {
            "personal-dataset": "registrations",
            "personal-file_format": "csv",
            "personal-purpose": "Inviting attendees to the launch event",
        },
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert list(AccessRecord.objects.values_list("person_id", "role", "event__action")) == [
        (participant.pk, Role.STAFF, "export")
    ]
    rows = personal_data.SECTIONS["who_has_seen_your_data"].rows(participant)
    assert [(row["role"], row["purpose"]) for row in rows] == [
        ("MCI Staff", "Inviting attendees to the launch event")
    ]
    assert personal_data.SECTIONS["who_has_seen_your_data"].rows(other_participant) == []


def test_the_audit_log_csv_records_every_actor_it_names(client, admin_user, organiser, staff):
    engagement_services.roster_export_csv(
        session=EngagementSessionFactory(), organiser=organiser, purpose="To run the session"
    )
    client.force_login(admin_user)
    response = client.get("/reports/audit.csv")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(action="audit_log_export")
    assert set(event.access_records.values_list("person_id", flat=True)) == {organiser.pk}
    (row,) = personal_data.SECTIONS["who_has_seen_your_data"].rows(organiser)
    assert (row["what"], row["role"]) == ("audit_log_export", "Administrator")
    assert not AccessRecord.objects.filter(person=staff).exists()


# --- The job ----------------------------------------------------------------------------------


def test_asking_builds_the_archive_once_and_emails_a_discreet_link(
    participant, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PERSONAL_DATA_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        archive = services.personal_data_archive_request(user=participant, language="en")
    archive.refresh_from_db()
    assert archive.status == PersonalDataArchiveStatus.READY
    assert archive.expires_at - archive.finished_at == timedelta(days=7)
    path = tmp_path / archive.file_path
    assert path.is_file() and oct(path.stat().st_mode & 0o777) == "0o600"
    # Run again (a redelivered message): nothing changes, no second email.
    assert services.personal_data_archive_build(archive_id=archive.pk) is False
    assert list(tmp_path.iterdir()) == [path]
    email = OutboundEmail.objects.get(recipient=participant)
    assert email.kind == services.PERSONAL_DATA_READY_EMAIL
    # Sent once, in-process after commit; a second drain sends nothing more.
    assert outbox_drain() == 0
    (message,) = mail.outbox
    assert message.subject == "Your file from the AfA Platform is ready"
    assert archive.get_download_url() in message.body
    assert list(
        AuditEvent.objects.filter(object_type="personal_data_archive")
        .order_by("pk")
        .values_list("action", "actor_id")
    ) == [("personal_data.request", participant.pk), ("personal_data.ready", participant.pk)]


def test_asking_twice_while_one_is_prepared_makes_one_job(participant, monkeypatch):
    queued = []
    monkeypatch.setattr(
        services.tasks.build_personal_data_archive,
        "delay_on_commit",
        lambda **kwargs: queued.append(kwargs),
    )
    first = services.personal_data_archive_request(user=participant)
    second = services.personal_data_archive_request(user=participant)
    assert first == second
    assert PersonalDataArchive.objects.count() == 1
    assert queued == [{"archive_id": first.pk}]


def test_asking_too_often_in_a_day_is_refused_with_a_message(participant, settings):
    settings.PERSONAL_DATA_REQUESTS_PER_DAY = 2
    PersonalDataArchiveFactory.create_batch(
        2, requested_by=participant, status=PersonalDataArchiveStatus.EXPIRED
    )
    with pytest.raises(services.AccountError, match="try again tomorrow"):
        services.personal_data_archive_request(user=participant)


def test_a_failed_build_is_marked_and_audited(participant, settings, tmp_path, monkeypatch):
    settings.PERSONAL_DATA_ROOT = str(tmp_path)
    archive = PersonalDataArchiveFactory(requested_by=participant)

    def broken(**kwargs):
        raise RuntimeError("disk")

    monkeypatch.setattr(services, "personal_data_archive", broken)
    assert services.personal_data_archive_build(archive_id=archive.pk)
    archive.refresh_from_db()
    assert archive.has_failed and archive.error
    assert AuditEvent.objects.get(action="personal_data.failed").details == {
        "error": "RuntimeError"
    }
    assert list(tmp_path.iterdir()) == []


def test_expiry_deletes_the_file_and_is_safe_to_run_twice(participant, settings, tmp_path):
    settings.PERSONAL_DATA_ROOT = str(tmp_path)
    archive = PersonalDataArchiveFactory(requested_by=participant)
    services.personal_data_archive_build(archive_id=archive.pk)
    archive.refresh_from_db()
    later = archive.expires_at + timedelta(seconds=1)
    assert services.personal_data_archives_expire(now=later, dry_run=True) == [archive.pk]
    assert (tmp_path / archive.file_path).is_file()
    assert services.personal_data_archives_expire(now=later) == [archive.pk]
    assert services.personal_data_archives_expire(now=later) == []
    archive.refresh_from_db()
    assert archive.status == PersonalDataArchiveStatus.EXPIRED and not archive.file_path
    assert list(tmp_path.iterdir()) == []


def test_erasing_the_account_deletes_its_copies_and_their_files(
    participant, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PERSONAL_DATA_ROOT = str(tmp_path)
    ready = PersonalDataArchiveFactory(requested_by=participant)
    services.personal_data_archive_build(archive_id=ready.pk)
    queued = PersonalDataArchiveFactory(requested_by=participant)
    assert len(list(tmp_path.iterdir())) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.account_erase(user=participant, keep_contributions=True, requested_by=participant)
    assert not PersonalDataArchive.objects.exists()
    assert list(tmp_path.iterdir()) == []
    # A build of the queued copy, delivered late, finds nothing to build.
    assert services.personal_data_archive_build(archive_id=queued.pk) is False


# --- The pages: who may see what -----------------------------------------------------------


@pytest.fixture
def ready_archive(participant, settings, tmp_path):
    settings.PERSONAL_DATA_ROOT = str(tmp_path)
    archive = PersonalDataArchiveFactory(requested_by=participant)
    services.personal_data_archive_build(archive_id=archive.pk)
    archive.refresh_from_db()
    return archive


def test_anonymous_visitors_are_sent_to_sign_in(client, ready_archive):
    for url in (reverse("accounts:personal_data"), ready_archive.get_download_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert client.post(reverse("accounts:personal_data")).status_code == 302
    assert not PersonalDataArchive.objects.exclude(pk=ready_archive.pk).exists()


@pytest.mark.parametrize("who", ["participant", "organiser", "staff", "admin_user"])
def test_every_signed_in_person_has_a_my_data_page(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("accounts:personal_data"))
    assert response.status_code == 200
    assert b"Prepare my data" in response.content


def test_the_requester_downloads_the_zip_and_the_download_is_audited(
    client, participant, ready_archive
):
    client.force_login(participant)
    response = client.get(ready_archive.get_download_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    files = _open(b"".join(response.streaming_content))
    assert json.loads(files["data.json"])["user_id"] == participant.pk
    assert AuditEvent.objects.filter(
        action="personal_data.download", actor=participant, object_id=str(ready_archive.pk)
    ).exists()


@pytest.mark.parametrize("who", ["other_participant", "organiser", "staff", "admin_user"])
def test_someone_elses_archive_is_not_found(client, request, ready_archive, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(ready_archive.get_download_url()).status_code == 404
    assert not AuditEvent.objects.filter(action="personal_data.download").exists()


@pytest.mark.parametrize("forged", ["999999", "99999999999999999999", "0"])
def test_a_forged_archive_id_is_not_found(client, participant, ready_archive, forged):
    client.force_login(participant)
    url = reverse("accounts:personal_data_download", args=[1]).replace("/1/", f"/{forged}/")
    assert client.get(url).status_code == 404
    assert client.get("/accounts/profile/my-data/abc/download").status_code == 404


def test_an_expired_link_says_so_and_offers_a_new_copy(client, participant, ready_archive):
    services.personal_data_archives_expire(now=ready_archive.expires_at + timedelta(seconds=1))
    client.force_login(participant)
    response = client.get(ready_archive.get_download_url())
    assert response.status_code == 410
    assert b"This file has expired" in response.content
    assert b"Prepare a new copy" in response.content


def test_a_link_past_its_date_is_gone_even_before_the_sweep(client, participant, ready_archive):
    PersonalDataArchive.objects.filter(pk=ready_archive.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(participant)
    assert client.get(ready_archive.get_download_url()).status_code == 410


def test_a_copy_still_being_prepared_leads_back_to_my_data(client, participant):
    archive = PersonalDataArchiveFactory(requested_by=participant)
    client.force_login(participant)
    response = client.get(archive.get_download_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:personal_data")


def test_prepare_my_data_queues_one_job_and_lists_it(client, participant, monkeypatch):
    monkeypatch.setattr(
        services.tasks.build_personal_data_archive, "delay_on_commit", lambda **kwargs: None
    )
    client.force_login(participant)
    url = reverse("accounts:personal_data")
    response = client.post(url, follow=True)
    client.post(url)
    assert PersonalDataArchive.objects.filter(requested_by=participant).count() == 1
    assert b"We will email you a link when it is ready." in response.content
    assert b"Being prepared" in response.content


def test_my_data_page_costs_the_same_queries_for_one_copy_or_many(client, participant):
    client.force_login(participant)
    url = reverse("accounts:personal_data")
    PersonalDataArchiveFactory(requested_by=participant)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    PersonalDataArchiveFactory.create_batch(
        25, requested_by=participant, status=PersonalDataArchiveStatus.EXPIRED
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(one)
    assert response.content.count(b"data-archive=") == 10


def test_invitations_to_the_person_are_in_the_archive_but_not_who_else_was_invited(
    participant, organiser
):
    from tests.factories.engagement import InvitationFactory

    InvitationFactory(email=participant.email.upper(), name="As the organiser wrote it")
    InvitationFactory(email="someone.else@example.org", invited_by=participant)
    sections = json.loads(_open(services.personal_data_archive(user=participant))["data.json"])[
        "sections"
    ]
    assert [row["name"] for row in sections["invitations"]["rows"]] == ["As the organiser wrote it"]
    sent = sections["invitations_sent"]["rows"]
    assert len(sent) == 1 and "someone.else@example.org" not in json.dumps(sections)
