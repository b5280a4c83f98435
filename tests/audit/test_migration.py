"""AuditEvent moved from reports to audit without losing a row or a grant: a database at the
state before the move (reports 0006, no audit app) is migrated forward and still holds every
audit event, with its actor and details, and whoever could view the audit log still can, now
as audit.view_auditevent."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("reports", "0006_exportjob_to_exports"), ("audit", None)]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection)  # a fresh graph, as the next `migrate` would see


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


def view_permissions():
    return Permission.objects.filter(codename="view_auditevent")


def test_moving_the_audit_log_keeps_every_row_and_every_grant_of_its_permissions():
    staff = UserFactory(roles=["MCI Staff"])
    auditor = UserFactory(roles=["MCI Staff"])
    executor = migrate(BEFORE_THE_MOVE)
    before = executor.loader.project_state(BEFORE_THE_MOVE[:1])
    assert ("audit", "auditevent") not in before.models
    OldAuditEvent = before.apps.get_model("reports", "AuditEvent")
    export = OldAuditEvent.objects.create(
        actor_id=staff.pk,
        action="export",
        object_type="feedback",
        object_id="",
        details={"rows": 7, "purpose": "Invite participants to the launch."},
    )
    anonymous = OldAuditEvent.objects.create(actor_id=None, action="digest.request")
    permission = view_permissions().get()
    assert permission.content_type.app_label == "reports"
    auditors = Group.objects.create(name="Auditors")
    auditors.permissions.add(permission)
    auditor.user_permissions.add(permission)

    migrate_to_latest()

    moved = AuditEvent.objects.get(pk=export.pk)
    assert (moved.actor_id, moved.action, moved.object_type) == (staff.pk, "export", "feedback")
    assert moved.details == {"rows": 7, "purpose": "Invite participants to the launch."}
    assert moved.created_at == export.created_at
    assert AuditEvent.objects.get(pk=anonymous.pk).actor_id is None
    assert AuditEvent.objects.count() == 2
    assert AuditEvent._meta.db_table == "reports_auditevent"
    permission = view_permissions().get()
    assert permission.content_type.app_label == "audit"
    assert not ContentType.objects.filter(app_label="reports", model="auditevent").exists()
    assert set(permission.group_set.all()) == {auditors}
    assert User.objects.get(pk=auditor.pk).has_perm("audit.view_auditevent")
    assert not User.objects.get(pk=staff.pk).has_perm("audit.view_auditevent")


def test_grants_move_onto_the_audit_permission_when_both_already_exist():
    """If something created the audit app's content type first (a post_migrate run between
    the migrations), the reports one's grants join it and the stale one goes."""
    granted_before = UserFactory()
    granted_after = UserFactory()
    migrate(BEFORE_THE_MOVE)
    old = view_permissions().get()
    granted_before.user_permissions.add(old)
    new_type = ContentType.objects.create(app_label="audit", model="auditevent")
    new = Permission.objects.create(
        content_type=new_type, codename="view_auditevent", name=old.name
    )
    granted_after.user_permissions.add(new)

    migrate_to_latest()

    assert list(view_permissions()) == [new]
    assert set(new.user_set.all()) == {granted_before, granted_after}
    assert not ContentType.objects.filter(app_label="reports", model="auditevent").exists()
