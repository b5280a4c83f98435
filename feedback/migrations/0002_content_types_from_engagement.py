"""Point the moved models' content types at the feedback app (issue 11).

A content type row names its app: renaming it, rather than letting Django make a new one,
keeps the permissions on it (and the roles they were granted to) and the admin log entries
that point at it. Idempotent, as tests/reference_data.py replays it against the final state.
"""

from django.db import migrations

MOVED_MODELS = ["feedback", "feedbacksuggestion"]


def _relabel(apps, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        moved = ContentType.objects.filter(app_label=old, model=model).first()
        if moved is None:
            continue
        # A data migration that ran in between (grant_role_permissions creates every content
        # type of the state it sees) may have made an empty twin under the new label: the
        # old row is the one that permissions and log entries hold, so it wins.
        ContentType.objects.filter(app_label=new, model=model).delete()
        moved.app_label = new
        moved.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _relabel(apps, old="engagement", new="feedback")


def backwards(apps, schema_editor):
    _relabel(apps, old="feedback", new="engagement")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("engagement", "0005_move_feedback_to_its_app"),
        ("feedback", "0001_feedback_from_engagement"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
