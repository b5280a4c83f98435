"""Retention, enforced (issue 13, item 4): each rule deletes or erases only what is past its
period, a second run changes nothing more, a dry run changes nothing at all, the command
prints what would go, and the privacy notice shows the periods from the settings."""

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format

from accounts import services as account_services
from accounts.models import PersonalDataArchiveStatus, User
from afa_platform.celery import app as celery_app
from audit import retention
from audit.models import AccessRecord, AuditEvent
from audit.periods import months_before
from audit.services import access_record
from audit.tasks import apply_retention
from engagement.models import Registration
from exports.models import ExportJob, ExportJobStatus
from initiatives.models import IdeaStatus
from outbox.models import OutboundEmail, OutboundEmailStatus
from outbox.services import outbox_drain
from tests.factories import (
    EngagementSessionFactory,
    ExportJobFactory,
    IdeaFactory,
    PersonalDataArchiveFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The database counts the audit log's age from its own clock, so the tests' "now" is now.
NOW = timezone.now().replace(microsecond=0)


def aged_event(monkeypatch, *, created_at, person=None) -> AuditEvent:
    """An audit row written long ago (auto_now_add would stamp it now)."""
    monkeypatch.setattr(AuditEvent._meta.get_field("created_at"), "auto_now_add", False)
    event = AuditEvent.objects.create(action="export", created_at=created_at)
    monkeypatch.undo()
    if person is not None:
        access_record(event=event, role="MCI Staff", person_ids=[person.pk])
    return event


@dataclass
class Aged:
    needs_due: Registration
    needs_recent: Registration
    export_due: ExportJob
    export_recent: ExportJob
    export_file: Path
    archive_due: object
    archive_file: Path
    idle: User
    never_signed_in: User
    active: User
    warned_long_ago: User
    came_back: User
    old_event: AuditEvent
    young_event: AuditEvent


def _ready_file(root: Path, name: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_bytes(b"personal data")
    return path


@pytest.fixture
def aged(settings, tmp_path, monkeypatch):
    settings.PRIVATE_ROOT = str(tmp_path)
    settings.PERSONAL_DATA_ROOT = str(tmp_path / "personal-data")
    ended_long_ago = EngagementSessionFactory(
        starts_at=NOW - timedelta(days=31, hours=3), ends_at=NOW - timedelta(days=31)
    )
    ended_lately = EngagementSessionFactory(
        starts_at=NOW - timedelta(days=29, hours=3), ends_at=NOW - timedelta(days=29)
    )
    needs_due = RegistrationFactory(session=ended_long_ago, access_needs="Wheelchair access")
    RegistrationFactory(session=ended_long_ago, access_needs="")
    needs_recent = RegistrationFactory(session=ended_lately, access_needs="Captions")

    export_file = _ready_file(tmp_path / "exports", "1-old.xlsx")
    export_due = ExportJobFactory(
        status=ExportJobStatus.READY, file_path="1-old.xlsx", expires_at=NOW - timedelta(hours=1)
    )
    export_recent = ExportJobFactory(
        status=ExportJobStatus.READY, file_path="2-new.xlsx", expires_at=NOW + timedelta(days=6)
    )
    archive_file = _ready_file(tmp_path / "personal-data", "1-old.zip")
    archive_due = PersonalDataArchiveFactory(
        status=PersonalDataArchiveStatus.READY,
        file_path="1-old.zip",
        expires_at=NOW - timedelta(hours=1),
    )

    def person(**fields):
        return UserFactory(**fields)

    idle = person(last_login=months_before(NOW, 25), date_joined=months_before(NOW, 30))
    never_signed_in = person(last_login=None, date_joined=months_before(NOW, 25))
    active = person(last_login=months_before(NOW, 23), date_joined=months_before(NOW, 30))
    warned_long_ago = person(
        last_login=months_before(NOW, 26),
        date_joined=months_before(NOW, 30),
        inactivity_warned_at=NOW - timedelta(days=31),
    )
    came_back = person(
        last_login=NOW - timedelta(days=2),
        date_joined=months_before(NOW, 30),
        inactivity_warned_at=NOW - timedelta(days=31),
    )
    # The other people the factories made (requesters, participants) signed in just now.
    User.objects.exclude(
        pk__in=[idle.pk, never_signed_in.pk, active.pk, warned_long_ago.pk, came_back.pk]
    ).update(last_login=NOW, date_joined=NOW - timedelta(days=1))

    old_event = aged_event(
        monkeypatch, created_at=months_before(NOW, 60) - timedelta(days=2), person=idle
    )
    young_event = aged_event(monkeypatch, created_at=months_before(NOW, 48), person=idle)
    return Aged(
        needs_due=needs_due,
        needs_recent=needs_recent,
        export_due=export_due,
        export_recent=export_recent,
        export_file=export_file,
        archive_due=archive_due,
        archive_file=archive_file,
        idle=idle,
        never_signed_in=never_signed_in,
        active=active,
        warned_long_ago=warned_long_ago,
        came_back=came_back,
        old_event=old_event,
        young_event=young_event,
    )


def _expected(aged: Aged) -> dict[str, list[int]]:
    return {
        "access_needs": [aged.needs_due.pk],
        "invitations": [],
        "export_files": [aged.export_due.pk],
        "personal_data_files": [aged.archive_due.pk],
        "inactive_accounts_warned": sorted([aged.idle.pk, aged.never_signed_in.pk]),
        "inactive_accounts_erased": [aged.warned_long_ago.pk],
        "audit_rows": [aged.old_event.pk],
    }


def _state() -> dict:
    return {
        "needs": list(Registration.objects.order_by("pk").values_list("pk", "access_needs")),
        "exports": list(ExportJob.objects.order_by("pk").values_list("pk", "status", "file_path")),
        "archives": list(
            account_services.PersonalDataArchive.objects.order_by("pk").values_list(
                "pk", "status", "file_path"
            )
        ),
        "warned": list(User.objects.order_by("pk").values_list("pk", "inactivity_warned_at")),
        "active": list(User.objects.order_by("pk").values_list("pk", "is_active")),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "access": AccessRecord.objects.count(),
        "emails": OutboundEmail.objects.count(),
    }


def test_a_dry_run_lists_what_would_go_and_changes_nothing(aged):
    before = _state()
    assert retention.retention_apply(now=NOW, dry_run=True) == _expected(aged)
    assert _state() == before
    assert aged.export_file.is_file() and aged.archive_file.is_file()


def test_each_rule_removes_only_what_is_past_its_period(aged):
    assert retention.retention_apply(now=NOW) == _expected(aged)

    aged.needs_due.refresh_from_db()
    aged.needs_recent.refresh_from_db()
    assert aged.needs_due.access_needs == ""
    assert aged.needs_recent.access_needs == "Captions"

    assert not aged.export_file.exists()
    assert ExportJob.objects.get(pk=aged.export_due.pk).status == ExportJobStatus.EXPIRED
    assert ExportJob.objects.get(pk=aged.export_recent.pk).status == ExportJobStatus.READY
    assert not aged.archive_file.exists()
    aged.archive_due.refresh_from_db()
    assert aged.archive_due.status == PersonalDataArchiveStatus.EXPIRED

    warned = set(User.objects.filter(inactivity_warned_at=NOW).values_list("pk", flat=True))
    assert warned == {aged.idle.pk, aged.never_signed_in.pk}
    assert set(
        OutboundEmail.objects.filter(kind=account_services.INACTIVE_ACCOUNT_EMAIL).values_list(
            "recipient_id", flat=True
        )
    ) == {aged.idle.pk, aged.never_signed_in.pk}
    # Warned 30 days ago and not back since: erased; warned or back lately: untouched.
    erased = User.objects.get(pk=aged.warned_long_ago.pk)
    assert erased.is_erased and not erased.is_active
    assert erased.email != aged.warned_long_ago.email
    assert all(
        User.objects.get(pk=person.pk).is_active
        for person in (aged.idle, aged.never_signed_in, aged.active, aged.came_back)
    )

    assert not AuditEvent.objects.filter(pk=aged.old_event.pk).exists()
    assert AuditEvent.objects.filter(pk=aged.young_event.pk).exists()
    assert list(AccessRecord.objects.values_list("event_id", flat=True)) == [aged.young_event.pk]
    summary = AuditEvent.objects.get(action="retention.apply")
    assert summary.details == {key: len(ids) for key, ids in _expected(aged).items()}


def test_running_twice_changes_nothing_more(aged):
    retention.retention_apply(now=NOW)
    after_first = _state()
    second = retention.retention_apply(now=NOW)
    assert second == {
        "access_needs": [],
        "invitations": [],
        "export_files": [],
        "personal_data_files": [],
        "inactive_accounts_warned": [],
        "inactive_accounts_erased": [],
        "audit_rows": [],
    }
    assert _state() == after_first
    assert AuditEvent.objects.filter(action="retention.apply").count() == 1


def test_the_warning_email_names_the_date_and_a_sign_in_cancels_it(aged, settings):
    settings.SITE_URL = "https://afa.example.sg"
    account_services.inactive_accounts_warn(now=NOW)
    # The person who came back before the drain gets no email.
    User.objects.filter(pk=aged.never_signed_in.pk).update(last_login=NOW + timedelta(days=1))
    outbox_drain()
    (message,) = mail.outbox
    assert message.to == [aged.idle.email]
    assert message.subject == "Your AfA Platform account"
    assert "24 months" in message.body
    erase_after = date_format(timezone.localtime(NOW + timedelta(days=30)), "j F Y")
    assert f"sign in before {erase_after}" in message.body
    assert "https://afa.example.sg/accounts/login/" in message.body
    dropped = OutboundEmail.objects.get(recipient=aged.never_signed_in)
    assert dropped.status == OutboundEmailStatus.DROPPED


def test_signing_in_after_the_warning_takes_the_account_off_the_erasure_list(aged):
    later = NOW + timedelta(days=31)
    account_services.inactive_accounts_warn(now=NOW)
    User.objects.filter(pk=aged.idle.pk).update(last_login=NOW + timedelta(days=3))
    due = set(account_services.accounts_due_for_erasure(now=later).values_list("pk", flat=True))
    assert due == {aged.never_signed_in.pk, aged.warned_long_ago.pk}
    # Gone quiet again for the whole period: warned once more, with a fresh email.
    much_later = months_before(NOW, -25)
    assert aged.idle.pk in account_services.inactive_accounts_warn(now=much_later)
    assert (
        OutboundEmail.objects.filter(
            recipient=aged.idle, kind=account_services.INACTIVE_ACCOUNT_EMAIL
        ).count()
        == 2
    )


def test_an_account_erased_after_inactivity_keeps_its_ideas_anonymous_and_is_told_why(
    aged, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(author=aged.warned_long_ago, status=IdeaStatus.APPROVED)
    old_email = aged.warned_long_ago.email
    with django_capture_on_commit_callbacks(execute=True):
        erased = retention.retention_apply(now=NOW)["inactive_accounts_erased"]
    assert erased == [aged.warned_long_ago.pk]
    idea.refresh_from_db()
    assert idea.is_anonymous and idea.author_id == aged.warned_long_ago.pk
    (message,) = [m for m in mail.outbox if m.to == [old_email]]
    assert "because nobody signed in to it for 24 months" in message.body
    assert "as was asked" not in message.body
    event = AuditEvent.objects.get(action="accounts.account_erase")
    assert event.actor_id is None and event.details["by"] == "platform"
    assert old_email not in str(event.details)


def test_the_command_prints_what_would_go_and_then_applies_it(aged, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    before = _state()
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    printed = out.getvalue()
    assert printed.startswith("Would go (dry run, nothing changed):")
    assert f"access_needs: 1 registrations (their access needs) (ids {aged.needs_due.pk})" in (
        printed
    )
    assert f"audit_rows: 1 audit log rows (ids {aged.old_event.pk})" in printed
    assert _state() == before
    out = io.StringIO()
    call_command("retention", stdout=out)
    assert out.getvalue().startswith("Gone:")
    assert not AuditEvent.objects.filter(pk=aged.old_event.pk).exists()


def test_the_daily_task_is_scheduled_and_applies_the_rules(aged, monkeypatch):
    entry = django_settings.CELERY_BEAT_SCHEDULE["audit-apply-retention"]
    assert entry["task"] == "audit.tasks.apply_retention"
    assert entry["task"] in celery_app.tasks
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    assert apply_retention.delay().get()["access_needs"] == 1
    assert apply_retention.delay().get()["access_needs"] == 0


def test_the_privacy_notice_shows_the_periods_from_the_settings(client, settings):
    settings.RETENTION_ACCESS_NEEDS_DAYS = 45
    settings.EXPORT_FILE_DAYS = 3
    settings.PERSONAL_DATA_FILE_DAYS = 9
    settings.RETENTION_INACTIVE_ACCOUNT_MONTHS = 18
    settings.RETENTION_ERASURE_NOTICE_DAYS = 21
    settings.RETENTION_AUDIT_YEARS = 6
    page = client.get("/privacy/").content.decode()
    for sentence in (
        "erased 45 days after the session ends",
        "deleted 3 days after they are made",
        "deleted 9 days after it is made",
        "do not sign in for 18 months",
        "delete your account 21 days later unless you sign in",
        "kept for 6 years, then deleted",
    ):
        assert sentence in page


def test_months_are_counted_as_the_database_counts_them():
    assert months_before(timezone.make_aware(datetime(2027, 3, 31, 9)), 1).day == 28
    assert months_before(timezone.make_aware(datetime(2028, 2, 29, 9)), 60).date().isoformat() == (
        "2023-02-28"
    )
    assert months_before(timezone.make_aware(datetime(2027, 1, 15)), 13).date().isoformat() == (
        "2025-12-15"
    )
