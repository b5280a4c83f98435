"""The language an idea or a comment was written in (issue 14, item 5); existing rows are
English. Search in Malay, Chinese and Tamil on PostgreSQL: pg_trgm, and indexes limited to the
rows of their languages. SQLite (the embedded demo) searches with icontains and gets neither
the extension nor the indexes.

On SQLite, adding a column remakes the table with every index in the model state, and the
PostgreSQL-only search index cannot be built there: as in 0006, it leaves the state while the
idea table changes and comes back after. A later migration that changes the idea table does
the same with all five search indexes."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("ms", "Bahasa Melayu"), ("ta", "தமிழ்")]
CODES = [code for code, _name in LANGUAGES]
SUBSTRING_SEARCH_LANGUAGES = ("zh-hans", "ta")
ENGLISH_SEARCH_INDEX = django.contrib.postgres.indexes.GinIndex(
    django.contrib.postgres.search.SearchVector("title", "body", config="english"),
    name="idea_search_gin",
)


class AddIndexOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class TrigramExtensionOnPostgres(TrigramExtension):
    """CreateExtension checks the vendor going forwards only: on SQLite, both ways do
    nothing."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def language_field(help_text):
    return models.CharField(
        choices=LANGUAGES,
        default="en",
        help_text=help_text,
        max_length=10,
        verbose_name="language written in",
    )


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0010_person_reports_mutes_response_clock")]

    operations = [
        TrigramExtensionOnPostgres(),
        migrations.AddField(
            model_name="comment",
            name="language",
            field=language_field("The language the author wrote this in."),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(("language__in", CODES)), name="comment_language_known"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveIndex(model_name="idea", name="idea_search_gin")]
        ),
        migrations.AddField(
            model_name="idea",
            name="language",
            field=language_field("The language the author wrote this in."),
        ),
        migrations.AddConstraint(
            model_name="idea",
            constraint=models.CheckConstraint(
                condition=models.Q(("language__in", CODES)), name="idea_language_known"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="idea", index=ENGLISH_SEARCH_INDEX)]
        ),
        AddIndexOnPostgres(
            model_name="idea",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("title", "body", config="indonesian"),
                condition=models.Q(("language", "ms")),
                name="idea_search_ms_gin",
            ),
        ),
        AddIndexOnPostgres(
            model_name="idea",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("title", "body", config="simple"),
                condition=models.Q(("language__in", SUBSTRING_SEARCH_LANGUAGES)),
                name="idea_search_simple_gin",
            ),
        ),
        AddIndexOnPostgres(
            model_name="idea",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass("title", name="gin_trgm_ops"),
                condition=models.Q(("language__in", SUBSTRING_SEARCH_LANGUAGES)),
                name="idea_title_trgm",
            ),
        ),
        AddIndexOnPostgres(
            model_name="idea",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass("body", name="gin_trgm_ops"),
                condition=models.Q(("language__in", SUBSTRING_SEARCH_LANGUAGES)),
                name="idea_body_trgm",
            ),
        ),
    ]
