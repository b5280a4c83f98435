# ExportJob's content type moves from the reports app to this one, once reports' state no
# longer holds the model (reports 0006): its permissions, with every group and user that
# holds them, follow, so reports.export_personal_data becomes exports.export_personal_data
# and nobody loses or gains a grant.

from django.db import migrations


def move_content_type(apps, schema_editor, *, source="reports", target="exports"):
    """Relabel ExportJob's content type. If the target's already exists too (something
    created it before this ran), the grants of the source's permissions move onto the
    target's and the source's go. Idempotent: nothing to move, nothing done."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = ContentType.objects.filter(app_label=source, model="exportjob").first()
    if old is None:
        return
    new = ContentType.objects.filter(app_label=target, model="exportjob").first()
    if new is None:
        old.app_label = target
        old.save(update_fields=["app_label"])
        return
    for permission in Permission.objects.filter(content_type=old):
        kept = Permission.objects.filter(content_type=new, codename=permission.codename).first()
        if kept is None:
            permission.content_type = new
            permission.save(update_fields=["content_type"])
            continue
        kept.group_set.add(*permission.group_set.all())
        kept.user_set.add(*permission.user_set.all())
        permission.delete()
    old.delete()


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="exports", target="reports")


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0001_exportjob_from_reports"),
        ("reports", "0006_exportjob_to_exports"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        # Elidable: a new database has no content type to move (tests/reference_data.py
        # replays only the data migrations a new database needs).
        migrations.RunPython(move_content_type, move_content_type_back, elidable=True),
    ]
