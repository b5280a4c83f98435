# ExportJob moved to the exports app (exports 0001), table and rows unchanged: this only
# takes it out of the reports app's state; no SQL runs.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_job_leases"),
        ("exports", "0001_exportjob_from_reports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ExportJob")],
            database_operations=[],
        ),
    ]
