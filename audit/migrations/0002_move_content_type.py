# AuditEvent's content type moves from the reports app to this one, once reports' state no
# longer holds the model (reports 0007): its permissions (reports.view_auditevent and the
# others), with every group and user that holds them, and the admin log entries that point at
# it follow, so nobody loses or gains a grant. The same pattern as exports 0002.

from django.db import migrations


def move_content_type(apps, schema_editor, *, source="reports", target="audit"):
    """Relabel AuditEvent's content type. If the target's already exists too (something
    created it before this ran), the grants of the source's permissions move onto the
    target's and the source's go. Idempotent: nothing to move, nothing done."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = ContentType.objects.filter(app_label=source, model="auditevent").first()
    if old is None:
        return
    new = ContentType.objects.filter(app_label=target, model="auditevent").first()
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
    move_content_type(apps, schema_editor, source="audit", target="reports")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_auditevent_from_reports"),
        ("reports", "0007_auditevent_to_audit"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        # Elidable: a new database has no content type to move (tests/reference_data.py
        # replays only the data migrations a new database needs).
        migrations.RunPython(move_content_type, move_content_type_back, elidable=True),
    ]
