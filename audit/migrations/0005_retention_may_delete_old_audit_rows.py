# The retention job (audit.retention.audit_events_purge) is the one thing allowed to delete
# audit rows, and only rows older than five years (AUDIT_RETENTION_FLOOR_YEARS in settings).
# This replaces the function of 0003 in the open: a DELETE on the audit log goes through only
# when the deleting transaction has run `SET LOCAL afa.retention = 'on'` AND the row is older
# than five years, counted by the database itself, so neither a stray setting nor a wrong
# clock in the application can remove a younger row. The moderation log stays refused always.
# No-op on SQLite, where the ORM guard is all there is.

from django.db import migrations
from django.db.migrations.operations.base import Operation

# 0003's function, with its DELETE branch as the argument (its % are PL/pgSQL's).
FUNCTION = """
CREATE OR REPLACE FUNCTION afa_refuse_log_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    before jsonb;
    after jsonb;
    nullable text;
BEGIN
    IF TG_OP = 'DELETE' THEN{delete}
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

RETENTION_DELETE = """
        IF TG_TABLE_NAME = 'reports_auditevent'
           AND current_setting('afa.retention', true) = 'on'
           AND OLD.created_at < now() - interval '5 years' THEN
            RETURN OLD;
        END IF;"""


class RetentionMayDeleteOldAuditRows(Operation):
    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass  # only what the database accepts changes

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(FUNCTION.format(delete=RETENTION_DELETE), params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(FUNCTION.format(delete=""), params=None)

    def describe(self):
        return "Let the retention job delete audit rows older than five years (PostgreSQL)"


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_access_record")]

    operations = [RetentionMayDeleteOldAuditRows()]
