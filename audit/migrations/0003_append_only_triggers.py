# Both logs are append-only in the database too, not only in the ORM: on PostgreSQL a row
# trigger refuses every DELETE, and every UPDATE except the one Django's deletion collector
# makes for on_delete=SET_NULL (deleting or erasing a person or an idea sets the log's
# foreign key to NULL and changes nothing else). TRUNCATE has no row trigger, so test
# flushes still work. No-op on SQLite (the embedded demo), where the ORM guard is all there is.
#
# The moderation log belongs to initiatives; its trigger lives here, beside the audit log's,
# so the rule "a log is append-only" is written once.

from django.db import migrations
from django.db.migrations.operations.base import Operation

# Table -> the foreign-key columns that may be set to NULL (on_delete=SET_NULL).
LOGS = {
    "reports_auditevent": ["actor_id"],
    "initiatives_moderationlog": ["actor_id", "idea_id"],
}

FUNCTION = """
CREATE OR REPLACE FUNCTION afa_refuse_log_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    before jsonb;
    after jsonb;
    nullable text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% is append-only: rows cannot be deleted', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    before := to_jsonb(OLD);
    after := to_jsonb(NEW);
    -- The trigger's arguments name the columns an UPDATE may set to NULL.
    FOREACH nullable IN ARRAY TG_ARGV LOOP
        IF after -> nullable = 'null'::jsonb THEN
            before := before - nullable;
            after := after - nullable;
        END IF;
    END LOOP;
    IF before IS DISTINCT FROM after THEN
        RAISE EXCEPTION '% is append-only: rows cannot be changed', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""


def _trigger(table: str) -> str:
    return f"{table}_append_only"


class AppendOnlyTriggers(Operation):
    """Creates the function and one trigger per log on PostgreSQL; nothing elsewhere. A schema
    operation rather than a RunPython, so it is never replayed as a data migration and
    `sqlmigrate audit 0003` shows its SQL."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass  # the models do not change, only what the database accepts

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION, params=None)  # its % are PL/pgSQL's, not parameters
        for table, nullable in LOGS.items():
            arguments = ", ".join(f"'{column}'" for column in nullable)
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger(table)} ON {table}")
            schema_editor.execute(
                f"CREATE TRIGGER {_trigger(table)} BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION afa_refuse_log_change({arguments})"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in LOGS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger(table)} ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS afa_refuse_log_change()")

    def describe(self):
        return "Refuse UPDATE and DELETE on the audit and moderation logs (PostgreSQL)"


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_move_content_type"),
        ("initiatives", "0005_outbox_replaces_sent_notifications"),
    ]

    operations = [AppendOnlyTriggers()]
