# ExportJob moved here from the reports app. Its table keeps its name (reports_exportjob), so
# this migration only tells Django's state that the model now lives here; no SQL runs.
# reports 0006 takes it out of reports' state, and 0002 moves its content type.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("reports", "0005_job_leases"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExportJob",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "attempts",
                            models.PositiveIntegerField(default=0, verbose_name="attempts"),
                        ),
                        (
                            "lease_token",
                            models.CharField(blank=True, max_length=32, verbose_name="held by run"),
                        ),
                        (
                            "lease_expires_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="lease expires at"
                            ),
                        ),
                        ("dataset", models.CharField(max_length=20, verbose_name="dataset")),
                        ("file_format", models.CharField(max_length=5, verbose_name="format")),
                        (
                            "filters",
                            models.JSONField(blank=True, default=dict, verbose_name="filters"),
                        ),
                        (
                            "include_personal_data",
                            models.BooleanField(
                                default=False, verbose_name="with names and emails"
                            ),
                        ),
                        ("purpose", models.TextField(blank=True, verbose_name="purpose")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("running", "Being written"),
                                    ("ready", "Ready to download"),
                                    ("failed", "Failed"),
                                    ("expired", "Expired and deleted"),
                                ],
                                default="queued",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "rows_total",
                            models.PositiveIntegerField(default=0, verbose_name="rows expected"),
                        ),
                        (
                            "rows_written",
                            models.PositiveIntegerField(default=0, verbose_name="rows written"),
                        ),
                        (
                            "error",
                            models.CharField(blank=True, max_length=300, verbose_name="error"),
                        ),
                        (
                            "file_name",
                            models.CharField(blank=True, max_length=120, verbose_name="file name"),
                        ),
                        (
                            "file_path",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="stored file"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="asked for at"),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="started at"),
                        ),
                        (
                            "finished_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                        ),
                        (
                            "expires_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="file deleted after"
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="export_jobs",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="asked for by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "export job",
                        "verbose_name_plural": "export jobs",
                        "db_table": "reports_exportjob",
                        "ordering": ["-created_at", "-id"],
                        "permissions": [("export_personal_data", "Can export names and emails")],
                        "indexes": [
                            models.Index(
                                fields=["status", "expires_at"],
                                name="reports_exp_status_5d3905_idx",
                            ),
                            models.Index(
                                fields=["status", "lease_expires_at"],
                                name="reports_exp_status_874aa3_idx",
                            ),
                            models.Index(
                                fields=["requested_by", "created_at"],
                                name="reports_exp_request_da40c6_idx",
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("include_personal_data", False),
                                    models.Q(("purpose", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="exportjob_personal_data_needs_purpose",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
