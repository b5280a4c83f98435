# AuditEvent moved to the audit app (audit 0001), table and rows unchanged: this only takes it
# out of the reports app's state; no SQL runs.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_exportjob_to_exports"),
        ("audit", "0001_auditevent_from_reports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
