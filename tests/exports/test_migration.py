"""ExportJob moved from reports to exports without losing a row or a grant: a database at
the state before the move (reports 0005) is migrated forward and still holds its job, and
whoever could export names and emails still can, now as exports.export_personal_data."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from exports.models import ExportJob, ExportJobStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("reports", "0005_job_leases"), ("exports", None)]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection)  # a fresh graph, as the next `migrate` would see


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


def personal_data_permissions():
    return Permission.objects.filter(codename="export_personal_data")


def test_moving_export_jobs_keeps_every_row_and_every_grant_of_the_permission():
    staff = UserFactory(roles=["MCI Staff"])
    trusted = UserFactory(roles=["MCI Staff"])
    executor = migrate(BEFORE_THE_MOVE)
    before = executor.loader.project_state(BEFORE_THE_MOVE[:1])
    assert ("exports", "exportjob") not in before.models
    OldExportJob = before.apps.get_model("reports", "ExportJob")
    job = OldExportJob.objects.create(
        requested_by_id=staff.pk,
        dataset="feedback",
        file_format="xlsx",
        filters={"session": 3},
        include_personal_data=True,
        purpose="Invite participants to the launch.",
        status="ready",
        rows_total=7,
        rows_written=7,
        file_name="afa-feedback-2021-03-08-with-personal-data.xlsx",
        file_path="1-abc.xlsx",
    )
    permission = personal_data_permissions().get()
    assert permission.content_type.app_label == "reports"
    exporters = Group.objects.create(name="Exporters")
    exporters.permissions.add(permission)
    trusted.user_permissions.add(permission)

    migrate_to_latest()

    moved = ExportJob.objects.get(pk=job.pk)
    assert (moved.requested_by_id, moved.dataset, moved.file_format) == (
        staff.pk,
        "feedback",
        "xlsx",
    )
    assert moved.filters == {"session": 3}
    assert moved.include_personal_data and moved.purpose == "Invite participants to the launch."
    assert moved.status == ExportJobStatus.READY and moved.rows_written == 7
    assert moved.file_path == "1-abc.xlsx"
    assert ExportJob._meta.db_table == "reports_exportjob"
    permission = personal_data_permissions().get()
    assert permission.content_type.app_label == "exports"
    assert not ContentType.objects.filter(app_label="reports", model="exportjob").exists()
    assert set(permission.group_set.all()) == {exporters}
    assert User.objects.get(pk=trusted.pk).has_perm("exports.export_personal_data")
    assert not User.objects.get(pk=staff.pk).has_perm("exports.export_personal_data")
    staff.groups.add(exporters)
    assert User.objects.get(pk=staff.pk).has_perm("exports.export_personal_data")


def test_grants_move_onto_the_exports_permission_when_both_already_exist():
    """If something created the exports app's content type first (a post_migrate run between
    the migrations), the reports one's grants join it and the stale one goes."""
    granted_before = UserFactory(roles=["MCI Staff"])
    granted_after = UserFactory(roles=["MCI Staff"])
    migrate(BEFORE_THE_MOVE)
    old = personal_data_permissions().get()
    granted_before.user_permissions.add(old)
    new_type = ContentType.objects.create(app_label="exports", model="exportjob")
    new = Permission.objects.create(
        content_type=new_type, codename="export_personal_data", name=old.name
    )
    granted_after.user_permissions.add(new)

    migrate_to_latest()

    assert list(personal_data_permissions()) == [new]
    assert set(new.user_set.all()) == {granted_before, granted_after}
    assert not ContentType.objects.filter(app_label="reports", model="exportjob").exists()
