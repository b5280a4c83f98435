"""Both logs are append-only in the database, not only in the ORM: on PostgreSQL raw SQL can
neither change nor delete a row of the audit log or the moderation log, while deleting a
person (or an idea) still works and leaves the rows, their foreign keys set to NULL."""

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from initiatives.models import Idea, ModerationAction, ModerationLog, TargetKind
from tests.factories import IdeaFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def audit_event(staff):
    return audit_record(actor=staff, action="export", object_type="feedback", details={"rows": 3})


@pytest.fixture
def log_entry(organiser):
    idea = IdeaFactory()
    return ModerationLog.objects.create(
        actor=organiser,
        action=ModerationAction.TRANSITION,
        target_kind=TargetKind.IDEA,
        target_id=idea.pk,
        idea=idea,
        from_status="submitted",
        to_status="approved",
        reason="Fits the brief.",
    )


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE reports_auditevent SET action = %s WHERE id = %s", ["nothing"]),
        ("UPDATE reports_auditevent SET details = '{}' WHERE id = %s", []),
        ("UPDATE reports_auditevent SET actor_id = NULL, action = %s WHERE id = %s", ["x"]),
        ("DELETE FROM reports_auditevent WHERE id = %s", []),
    ],
)
def test_raw_sql_cannot_change_or_delete_an_audit_event(audit_event, sql, params):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(sql, [*params, audit_event.pk])
    kept = AuditEvent.objects.get(pk=audit_event.pk)
    assert (kept.action, kept.details, kept.actor_id) == (
        "export",
        {"rows": 3},
        audit_event.actor_id,
    )


def test_raw_sql_cannot_give_an_audit_event_another_actor(audit_event):
    someone_else = UserFactory()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(
            "UPDATE reports_auditevent SET actor_id = %s WHERE id = %s",
            [someone_else.pk, audit_event.pk],
        )
    assert AuditEvent.objects.get(pk=audit_event.pk).actor_id == audit_event.actor_id


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE initiatives_moderationlog SET reason = %s WHERE id = %s", ["rewritten"]),
        ("UPDATE initiatives_moderationlog SET to_status = %s WHERE id = %s", ["rejected"]),
        ("UPDATE initiatives_moderationlog SET idea_id = NULL, reason = '' WHERE id = %s", []),
        ("DELETE FROM initiatives_moderationlog WHERE id = %s", []),
    ],
)
def test_raw_sql_cannot_change_or_delete_a_moderation_log_entry(log_entry, sql, params):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(sql, [*params, log_entry.pk])
    kept = ModerationLog.objects.get(pk=log_entry.pk)
    assert (kept.reason, kept.to_status, kept.idea_id) == (
        "Fits the brief.",
        "approved",
        log_entry.idea_id,
    )


def test_deleting_a_person_keeps_their_log_rows_with_no_actor(audit_event, log_entry):
    User.objects.filter(pk=audit_event.actor_id).delete()
    User.objects.filter(pk=log_entry.actor_id).delete()
    event = AuditEvent.objects.get(pk=audit_event.pk)
    assert (event.actor_id, event.action, event.details) == (None, "export", {"rows": 3})
    entry = ModerationLog.objects.get(pk=log_entry.pk)
    assert (entry.actor_id, entry.reason, entry.idea_id) == (
        None,
        "Fits the brief.",
        log_entry.idea_id,
    )


def test_deleting_an_idea_keeps_its_moderation_log_with_no_idea(log_entry):
    Idea.objects.filter(pk=log_entry.idea_id).delete()
    entry = ModerationLog.objects.get(pk=log_entry.pk)
    assert (entry.idea_id, entry.target_id, entry.reason) == (
        None,
        log_entry.target_id,
        "Fits the brief.",
    )
