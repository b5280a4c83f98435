"""Personal-data markers on ideas and comments become JSON lists, as on feedback.

They were comma-separated text ("phone,name"). The text is rewritten as JSON ('["phone",
"name"]', and "" as "[]") while the column is still text, then the column becomes a JSON
column. Reversible: going back turns the column into text again and joins each list with
commas.

On SQLite, changing a column remakes the table with every index in the model state, and the
full-text GIN index on ideas exists only on PostgreSQL (0002 skips it on SQLite): it leaves
the state for the change and comes back after, in the state only. The database keeps it
throughout on PostgreSQL, where the table is altered in place."""

import json

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

MODELS = ("idea", "comment")


def text_to_json(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("initiatives", name)
        for pk, text in model.objects.values_list("pk", "personal_data_kinds"):
            kinds = [kind.strip() for kind in text.split(",") if kind.strip()]
            model.objects.filter(pk=pk).update(personal_data_kinds=json.dumps(kinds))


def json_to_text(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("initiatives", name)
        for pk, text in model.objects.values_list("pk", "personal_data_kinds"):
            kinds = json.loads(text) if text else []
            model.objects.filter(pk=pk).update(personal_data_kinds=",".join(kinds))


SEARCH_INDEX = django.contrib.postgres.indexes.GinIndex(
    django.contrib.postgres.search.SearchVector("title", "body", config="english"),
    name="idea_search_gin",
)


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0005_outbox_replaces_sent_notifications")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveIndex(model_name="idea", name="idea_search_gin")]
        ),
        migrations.RunPython(text_to_json, json_to_text),
        migrations.AlterField(
            model_name="idea",
            name="personal_data_kinds",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text=(
                    "Kinds of personal data the privacy check found when the author submitted."
                ),
                verbose_name="personal data detected",
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="personal_data_kinds",
            field=models.JSONField(blank=True, default=list, verbose_name="personal data detected"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="idea", index=SEARCH_INDEX)]
        ),
    ]
