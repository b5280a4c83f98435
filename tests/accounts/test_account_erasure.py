"""Erasing an account (issue 13, item 2): accounts.services.account_erase and the erasure steps
each app registers. Run on SQLite and, with DATABASE_URL, on PostgreSQL (where the logs'
append-only triggers are live)."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import models
from django.test import Client
from django.utils import timezone

from accounts import erasure
from accounts.models import User
from accounts.services import account_erase
from audit.models import AuditEvent
from engagement.models import CalendarFeed, Invitation, Registration, RegistrationStatus
from exports import services as export_services
from exports.models import ExportJobStatus
from feedback.models import Feedback
from initiatives import services as initiative_services
from initiatives.models import (
    ANONYMOUS_LABEL,
    CoCreator,
    Comment,
    Idea,
    IdeaStatus,
    ModerationLog,
    Report,
    Support,
)
from outbox.models import OutboundEmail, OutboundEmailStatus
from outbox.services import Email, email_queue
from reports import services as report_services
from reports.models import DigestSubscription
from tests.factories import (
    CoCreatorFactory,
    CommentFactory,
    DigestFactory,
    DigestSubscriptionFactory,
    DraftCommentFactory,
    DraftVersionFactory,
    EngagementSessionFactory,
    ExportJobFactory,
    FeedbackFactory,
    IdeaFactory,
    InitiativeFactory,
    RegistrationFactory,
    ReportFactory,
    SupportFactory,
    UserFactory,
    sgt,
)
from tests.factories.engagement import InvitationFactory

pytestmark = pytest.mark.django_db

EMAIL = "mei.ling.tan@example.com"
NAME = "Mei Ling Tan"
EXCERPT = "Nobody answered when I reported the account."


def text_columns_holding(*needles: str) -> list[str]:
    """Every row of every table whose text columns (CharField, TextField, JSONField, and
    their subclasses such as EmailField) hold one of `needles`, as "table.column #pk"."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        fields = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField, models.JSONField))
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list("pk", *(field.attname for field in fields)):
            for field, value in zip(fields, row[1:], strict=True):
                text = value if isinstance(value, str) else repr(value)
                for needle in needles:
                    if needle.lower() in text.lower():
                        found.append(f"{model._meta.db_table}.{field.column} #{row[0]}")
    return found


@pytest.fixture
def person(db):
    return UserFactory(email=EMAIL, display_name=NAME, organisation="Tan & Co", mfa=True)


@pytest.fixture
def footprint(person, other_participant, organiser, staff):
    """Something of the person in every app: what erasure must find."""
    upcoming = EngagementSessionFactory(capacity=1, seats_taken=1, waitlist_length=1)
    seat = RegistrationFactory(session=upcoming, participant=person, access_needs="Captions")
    waiting = RegistrationFactory(
        session=upcoming, participant=other_participant, status=RegistrationStatus.WAITLISTED
    )
    past = EngagementSessionFactory(starts_at=timezone.now() - timedelta(days=3))
    attended = RegistrationFactory(
        session=past,
        participant=person,
        attended=True,
        access_needs="A ramp, please",
        promotion_note=f"Moved up for {NAME}",
    )
    quoted = FeedbackFactory(
        participant=person,
        created_at=sgt(2026, 11, 3),
        harm_categories=["doxxing"],
        quote_excerpt=EXCERPT,
        quote_reviewed_at=sgt(2026, 11, 4),
        suggestions={"public-education": f"Ask {NAME} at {EMAIL} for more."},
    )
    digest = DigestFactory(period_start=sgt(2026, 11, 2, 8))
    report_services.digest_compile(digest_id=digest.pk)
    published = IdeaFactory(
        author=person,
        status=IdeaStatus.APPROVED,
        body=f"Written by {NAME}. Reach me at {EMAIL}.",
    )
    draft = IdeaFactory(author=person, status=IdeaStatus.DRAFT)
    initiative_services.idea_approve(idea=IdeaFactory(author=person), moderator=organiser)
    others_idea = IdeaFactory(author=other_participant, status=IdeaStatus.APPROVED)
    comment = CommentFactory(idea=others_idea, author=person, body=f"Signed, {NAME}")
    SupportFactory(user=other_participant, idea=published)
    support = SupportFactory(user=person, idea=others_idea)
    Idea.objects.filter(pk=others_idea.pk).update(support_count=1)
    report = ReportFactory(reporter=person, idea=others_idea, note=f"{NAME} here: it is spam")
    initiative = InitiativeFactory(leads=[person])
    CoCreatorFactory(initiative=initiative, user=person, pledge="Two hours a month")
    DraftVersionFactory(initiative=initiative, author=person, problem=f"Ask {NAME}", note=NAME)
    DraftCommentFactory(initiative=initiative, author=person, body=f"Signed, {NAME}")
    DigestSubscriptionFactory(user=person)
    # Invited by address before the account took it up, and a private calendar feed.
    InvitationFactory(email=EMAIL.upper(), name=NAME, organisation="Tan & Co")
    CalendarFeed.objects.create(user=person, token="feed-secret-of-the-person")
    email_queue(Email(kind="engagement.registration", recipient_id=person.pk, params={"kind": "x"}))
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[person], action_flag=CHANGE, change_message="[]"
    )
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[attended], action_flag=CHANGE, change_message="[]"
    )
    return {
        "seat": seat,
        "waiting": waiting,
        "attended": attended,
        "quoted": quoted,
        "digest": digest,
        "published": published,
        "draft": draft,
        "others_idea": others_idea,
        "comment": comment,
        "support": support,
        "report": report,
        "initiative": initiative,
    }


def erase(person, *, keep: bool, callbacks) -> None:
    with callbacks(execute=True):
        account_erase(user=person, keep_contributions=keep, requested_by=person)


def test_every_foreign_key_to_a_user_is_covered_by_an_erasure_step_or_declared_safe():
    assert erasure.uncovered_user_keys() == []
    assert "initiatives.Idea.author" in erasure.user_keys()  # the walk finds the keys at all


def test_a_model_with_an_unknown_key_to_the_user_would_be_reported(monkeypatch):
    monkeypatch.delitem(erasure._STEPS, "reports.erasure.unsubscribe_from_digests")
    assert erasure.uncovered_user_keys() == ["reports.DigestSubscription.user"]


@pytest.mark.parametrize("keep", [True, False], ids=["keeping", "deleting"])
def test_after_erasure_no_text_column_of_any_table_holds_the_email_or_name(
    person, footprint, keep, django_capture_on_commit_callbacks
):
    assert text_columns_holding(EMAIL, NAME)  # the scan sees them before
    erase(person, keep=keep, callbacks=django_capture_on_commit_callbacks)
    assert text_columns_holding(EMAIL, NAME, "Tan & Co", "Captions", "A ramp") == []


def test_kept_ideas_and_comments_are_shown_as_anonymous_participant(
    person, footprint, django_capture_on_commit_callbacks
):
    erase(person, keep=True, callbacks=django_capture_on_commit_callbacks)
    idea = Idea.objects.get(pk=footprint["published"].pk)
    comment = Comment.objects.get(pk=footprint["comment"].pk)
    assert idea.public_author_name == comment.public_author_name == str(ANONYMOUS_LABEL)
    assert idea.status == IdeaStatus.APPROVED and "Reach me at" in idea.body
    assert not Idea.objects.filter(pk=footprint["draft"].pk).exists()


def test_deleting_contributions_deletes_ideas_and_comments_but_keeps_the_logs(
    person, footprint, django_capture_on_commit_callbacks
):
    logged = ModerationLog.objects.filter(target_kind="idea").count()
    erase(person, keep=False, callbacks=django_capture_on_commit_callbacks)
    assert not Idea.objects.filter(author=person).exists()
    assert not Comment.objects.filter(author=person).exists()
    assert Idea.objects.filter(pk=footprint["others_idea"].pk).exists()
    assert ModerationLog.objects.filter(target_kind="idea").count() == logged


def test_an_upcoming_seat_goes_to_the_first_person_waiting_who_is_told(
    person, footprint, other_participant, django_capture_on_commit_callbacks
):
    erase(person, keep=True, callbacks=django_capture_on_commit_callbacks)
    seat = Registration.objects.get(pk=footprint["seat"].pk)
    waiting = Registration.objects.get(pk=footprint["waiting"].pk)
    assert seat.status == RegistrationStatus.CANCELLED and seat.access_needs == ""
    assert waiting.status == RegistrationStatus.CONFIRMED
    session = seat.session
    session.refresh_from_db()
    assert (session.seats_taken, session.waitlist_length) == (1, 0)
    promoted = OutboundEmail.objects.get(recipient=other_participant, params__kind="promoted")
    assert promoted.status == OutboundEmailStatus.SENT
    # The past session keeps its attendance, without what the person wrote.
    attended = Registration.objects.get(pk=footprint["attended"].pk)
    assert attended.attended and attended.access_needs == "" and attended.promotion_note == ""


def test_feedback_is_deleted_and_stored_digests_lose_its_quote(
    person, footprint, django_capture_on_commit_callbacks
):
    digest = footprint["digest"]
    digest.refresh_from_db()
    assert EXCERPT in digest.html
    erase(person, keep=True, callbacks=django_capture_on_commit_callbacks)
    assert not Feedback.objects.filter(pk=footprint["quoted"].pk).exists()
    digest.refresh_from_db()
    assert EXCERPT not in digest.html and digest.revised_at is not None


def test_supports_reports_initiatives_and_subscriptions_let_go_of_the_person(
    person, footprint, django_capture_on_commit_callbacks
):
    erase(person, keep=True, callbacks=django_capture_on_commit_callbacks)
    assert not Support.objects.filter(user=person).exists()
    assert Idea.objects.get(pk=footprint["others_idea"].pk).support_count == 0
    report = Report.objects.get(pk=footprint["report"].pk)
    assert report.note == "" and report.reason == footprint["report"].reason
    assert not CoCreator.objects.filter(user=person).exists()
    assert not footprint["initiative"].leads.exists()
    assert not DigestSubscription.objects.filter(user=person).exists()


def test_the_account_keeps_a_pseudonym_only_and_can_never_sign_in(
    person, footprint, django_capture_on_commit_callbacks
):
    erase(person, keep=True, callbacks=django_capture_on_commit_callbacks)
    erased = User.objects.get(pk=person.pk)
    assert erased.is_erased and not erased.is_active and not erased.has_usable_password()
    assert erased.email.endswith("@erased.invalid") and erased.display_name.startswith("Erased")
    assert erased.organisation == "" and not erased.groups.exists()
    assert not EmailAddress.objects.filter(user=erased).exists()
    assert not Authenticator.objects.filter(user=erased).exists()
    assert not OutboundEmail.objects.filter(
        recipient=erased, status=OutboundEmailStatus.PENDING
    ).exists()
    user_type = ContentType.objects.get_for_model(User)
    assert LogEntry.objects.get(content_type=user_type).object_repr == erased.display_name
    assert Client().login(email=EMAIL, password="a-long-test-password-42") is False


def test_every_session_of_the_person_ends(person, django_capture_on_commit_callbacks):
    phone, laptop, someone_else = Client(), Client(), Client()
    phone.force_login(person)
    laptop.force_login(person)
    someone_else.force_login(UserFactory())
    assert Session.objects.count() == 3
    erase(person, keep=True, callbacks=django_capture_on_commit_callbacks)
    assert Session.objects.count() == 1
    for client in (phone, laptop):
        assert client.get("/accounts/profile/").status_code == 302
    assert someone_else.get("/accounts/profile/").status_code == 200


def test_the_audit_row_names_the_pseudonym_and_the_old_address_gets_a_confirmation(
    person, footprint, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    erase(person, keep=False, callbacks=django_capture_on_commit_callbacks)
    erased = User.objects.get(pk=person.pk)
    event = AuditEvent.objects.get(action="accounts.account_erase")
    assert event.details == {
        "pseudonym": erased.display_name,
        "kept_contributions": False,
        "by": "self",
    }
    confirmation = [message for message in mail.outbox if message.to == [EMAIL]]
    assert len(confirmation) == 1
    assert "deleted" in confirmation[0].subject
    assert "Your ideas and comments were deleted." in confirmation[0].body
    assert NAME not in confirmation[0].body


def test_erasing_an_erased_account_changes_nothing(person, django_capture_on_commit_callbacks):
    erase(person, keep=True, callbacks=django_capture_on_commit_callbacks)
    erased = User.objects.get(pk=person.pk)
    mail.outbox.clear()
    erase(erased, keep=False, callbacks=django_capture_on_commit_callbacks)
    again = User.objects.get(pk=person.pk)
    assert (again.email, again.display_name) == (erased.email, erased.display_name)
    assert AuditEvent.objects.filter(action="accounts.account_erase").count() == 1
    assert mail.outbox == []


def test_an_erasure_that_fails_half_way_changes_nothing(
    person, footprint, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(erasure_):
        raise RuntimeError("disk full")

    monkeypatch.setitem(
        erasure._STEPS,
        "reports.erasure.unsubscribe_from_digests",
        erasure.ErasureStep("broken", broken, ()),
    )
    with pytest.raises(RuntimeError):
        erase(person, keep=False, callbacks=django_capture_on_commit_callbacks)
    person.refresh_from_db()
    assert person.email == EMAIL and not person.is_erased
    assert Idea.objects.filter(author=person).count() == 3
    assert Feedback.objects.filter(participant=person).exists()


def test_an_erasure_by_a_job_names_nobody(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=person, keep_contributions=True, requested_by=None)
    event = AuditEvent.objects.get(action="accounts.account_erase")
    assert event.actor_id is None and event.details["by"] == "platform"


def test_an_administrator_erasing_is_named_in_the_audit_row(
    person, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=person, keep_contributions=True, requested_by=admin_user)
    event = AuditEvent.objects.get(action="accounts.account_erase")
    assert event.actor_id == admin_user.pk and event.details["by"] == "administrator"


def test_an_export_running_while_its_subject_is_erased_finishes(
    person, footprint, staff, monkeypatch, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The person is erased between two chunks of an export that includes them: the export
    finishes, and what it wrote after the erasure holds nothing of theirs."""
    settings.PRIVATE_ROOT = str(tmp_path)
    settings.EXPORT_CHUNK_SIZE = 1
    FeedbackFactory(participant=staff, experience="Another one")
    job = ExportJobFactory(
        requested_by=staff, dataset="feedback", include_personal_data=True, purpose="Follow-up"
    )
    counter = export_services.ProgressCounter
    erased = []

    class EraseAfterFirstChunk(counter):
        def __iter__(self):
            for index, row in enumerate(super().__iter__()):
                if index == 0 and not erased:
                    erase(person, keep=True, callbacks=django_capture_on_commit_callbacks)
                    erased.append(True)
                yield row

    monkeypatch.setattr(export_services, "ProgressCounter", EraseAfterFirstChunk)
    assert export_services.export_job_build(job_id=job.pk) is True
    job.refresh_from_db()
    assert erased and job.status == ExportJobStatus.READY


def test_erasing_a_moderator_changes_no_log_row(organiser, django_capture_on_commit_callbacks):
    """On PostgreSQL the logs' triggers refuse any change but a SET NULL: erasure needs none,
    the rows keep pointing at the account, which now holds a pseudonym only."""
    idea = IdeaFactory()
    initiative_services.idea_approve(idea=idea, moderator=organiser, note="Fits the brief.")
    before = list(ModerationLog.objects.values())
    audit_before = list(AuditEvent.objects.values())
    erase(organiser, keep=False, callbacks=django_capture_on_commit_callbacks)
    assert list(ModerationLog.objects.values()) == before
    assert list(AuditEvent.objects.values())[1:] == audit_before  # one new row, first
    assert before[0]["actor_id"] == organiser.pk


def test_a_kept_title_naming_the_person_stays_within_its_length(
    person, django_capture_on_commit_callbacks
):
    title = "x" * (120 - len(NAME)) + NAME
    idea = IdeaFactory(author=person, status=IdeaStatus.APPROVED, title=title)
    erase(person, keep=True, callbacks=django_capture_on_commit_callbacks)
    idea.refresh_from_db()
    assert NAME not in idea.title and len(idea.title) == 120


def test_invitations_to_the_person_and_their_calendar_feed_are_deleted(
    person, footprint, django_capture_on_commit_callbacks
):
    others = InvitationFactory(email="someone.else@example.org")
    erase(person, keep=True, callbacks=django_capture_on_commit_callbacks)
    assert list(Invitation.objects.values_list("pk", flat=True)) == [others.pk]
    assert not CalendarFeed.objects.filter(user=person).exists()
