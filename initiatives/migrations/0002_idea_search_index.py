import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    """A GIN index on a to_tsvector expression exists only on PostgreSQL; SQLite (the
    embedded demo) searches with icontains and gets no index."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0001_ideas_moderation_initiatives")]

    operations = [
        AddIndexOnPostgres(
            model_name="idea",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("title", "body", config="english"),
                name="idea_search_gin",
            ),
        ),
    ]
