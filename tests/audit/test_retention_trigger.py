"""On PostgreSQL the audit log's trigger lets a row be deleted only by the retention job: in a
transaction that set `afa.retention` to 'on', and only when the row is older than five years,
counted by the database. The moderation log stays append-only whatever the setting."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import retention
from audit.models import AuditEvent
from audit.periods import months_before
from initiatives.models import ModerationAction, ModerationLog, TargetKind
from tests.audit.test_retention import aged_event
from tests.factories import IdeaFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _delete(table: str, pk: int, *, retention_on: bool) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if retention_on:
            cursor.execute("SET LOCAL afa.retention = 'on'")
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608


@pytest.fixture
def old_event(monkeypatch):
    return aged_event(monkeypatch, created_at=months_before(timezone.now(), 60) - timedelta(days=2))


@pytest.fixture
def young_event(monkeypatch):
    # A day short of five years: still too young.
    return aged_event(monkeypatch, created_at=months_before(timezone.now(), 60) + timedelta(days=1))


def test_an_old_row_cannot_be_deleted_without_the_retention_setting(old_event):
    with pytest.raises(DatabaseError, match="append-only"):
        _delete("reports_auditevent", old_event.pk, retention_on=False)
    assert AuditEvent.objects.filter(pk=old_event.pk).exists()


def test_a_young_row_cannot_be_deleted_even_with_the_retention_setting(young_event):
    with pytest.raises(DatabaseError, match="append-only"):
        _delete("reports_auditevent", young_event.pk, retention_on=True)
    assert AuditEvent.objects.filter(pk=young_event.pk).exists()


def test_the_retention_setting_lets_an_old_row_go(old_event):
    _delete("reports_auditevent", old_event.pk, retention_on=True)
    assert not AuditEvent.objects.filter(pk=old_event.pk).exists()


def test_the_setting_does_not_outlive_the_retention_job(old_event, young_event):
    # Even inside a caller's larger transaction (as here: the test's), the job switches the
    # setting off again when it is done.
    retention.audit_events_purge(now=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('afa.retention', true)")
        assert cursor.fetchone()[0] == "off"


def test_the_setting_does_not_let_an_old_row_be_changed(old_event):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL afa.retention = 'on'")
        cursor.execute(
            "UPDATE reports_auditevent SET action = 'nothing' WHERE id = %s", [old_event.pk]
        )
    assert AuditEvent.objects.get(pk=old_event.pk).action == "export"


def test_the_moderation_log_stays_append_only_with_the_setting(organiser, monkeypatch):
    idea = IdeaFactory()
    monkeypatch.setattr(ModerationLog._meta.get_field("created_at"), "auto_now_add", False)
    entry = ModerationLog.objects.create(
        actor=organiser,
        action=ModerationAction.TRANSITION,
        target_kind=TargetKind.IDEA,
        target_id=idea.pk,
        idea=idea,
        created_at=timezone.now() - timedelta(days=6 * 366),
    )
    with pytest.raises(DatabaseError, match="append-only"):
        _delete("initiatives_moderationlog", entry.pk, retention_on=True)


def test_the_retention_job_deletes_old_rows_through_the_trigger(old_event, young_event):
    assert retention.audit_events_purge(now=timezone.now()) == [old_event.pk]
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [young_event.pk]
    assert retention.audit_events_purge(now=timezone.now()) == []


def test_a_job_whose_period_is_set_too_short_is_stopped_by_the_database(
    young_event, settings, monkeypatch
):
    # Were the application's period shorter than the database's floor, the trigger refuses.
    monkeypatch.setattr(retention, "audit_cutoff", lambda now: now)
    with pytest.raises(DatabaseError, match="append-only"):
        retention.audit_events_purge(now=timezone.now())
    assert AuditEvent.objects.filter(pk=young_event.pk).exists()
