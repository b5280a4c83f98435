# The process phases (issue 17, item 1). No two phases may overlap: process.services checks
# it under a lock and says which phase is in the way; on PostgreSQL an exclusion constraint on
# each phase's date range (both ends included) is the guarantee behind that check. The range
# operator && has a GiST operator class of its own, so no extension (btree_gist) is needed.
# No-op on SQLite (the embedded demo), where the service's check is all there is; it is not
# in the model's Meta either, where Django would try to validate it on SQLite too.

from django.db import migrations, models
from django.db.migrations.operations.base import Operation

EXCLUSION = "process_phase_no_overlap"


class NoOverlappingPhases(Operation):
    """A schema operation rather than a RunPython, so it is never replayed as a data
    migration (tests/reference_data.py) and `sqlmigrate process 0001` shows its SQL."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass  # the model does not change, only what the database accepts

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"ALTER TABLE process_phase ADD CONSTRAINT {EXCLUSION} "
            "EXCLUDE USING gist (daterange(start_date, end_date, '[]') WITH &&)"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"ALTER TABLE process_phase DROP CONSTRAINT IF EXISTS {EXCLUSION}")

    def describe(self):
        return "Phases may not overlap (PostgreSQL exclusion constraint)"


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Phase",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=120, verbose_name="title")),
                ("title_en", models.CharField(max_length=120, null=True, verbose_name="title")),
                (
                    "title_zh_hans",
                    models.CharField(max_length=120, null=True, verbose_name="title"),
                ),
                ("title_ms", models.CharField(max_length=120, null=True, verbose_name="title")),
                ("title_ta", models.CharField(max_length=120, null=True, verbose_name="title")),
                ("what_happens", models.TextField(max_length=4000, verbose_name="what happens")),
                (
                    "what_happens_en",
                    models.TextField(max_length=4000, null=True, verbose_name="what happens"),
                ),
                (
                    "what_happens_zh_hans",
                    models.TextField(max_length=4000, null=True, verbose_name="what happens"),
                ),
                (
                    "what_happens_ms",
                    models.TextField(max_length=4000, null=True, verbose_name="what happens"),
                ),
                (
                    "what_happens_ta",
                    models.TextField(max_length=4000, null=True, verbose_name="what happens"),
                ),
                (
                    "what_you_can_do",
                    models.TextField(
                        blank=True, max_length=4000, verbose_name="what you can do now"
                    ),
                ),
                (
                    "what_you_can_do_en",
                    models.TextField(
                        blank=True, max_length=4000, null=True, verbose_name="what you can do now"
                    ),
                ),
                (
                    "what_you_can_do_zh_hans",
                    models.TextField(
                        blank=True, max_length=4000, null=True, verbose_name="what you can do now"
                    ),
                ),
                (
                    "what_you_can_do_ms",
                    models.TextField(
                        blank=True, max_length=4000, null=True, verbose_name="what you can do now"
                    ),
                ),
                (
                    "what_you_can_do_ta",
                    models.TextField(
                        blank=True, max_length=4000, null=True, verbose_name="what you can do now"
                    ),
                ),
                ("start_date", models.DateField(verbose_name="first day")),
                ("end_date", models.DateField(verbose_name="last day")),
                (
                    "allows_ideas",
                    models.BooleanField(default=False, verbose_name="ideas can be submitted"),
                ),
                (
                    "allows_co_creation",
                    models.BooleanField(
                        default=False, verbose_name="people can join and draft initiatives"
                    ),
                ),
                (
                    "is_launch",
                    models.BooleanField(
                        default=False,
                        help_text="Its first day is the Alliance's official launch date.",
                        verbose_name="the launch",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "process phase",
                "verbose_name_plural": "process phases",
                "ordering": ["start_date"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("start_date__lte", models.F("end_date"))),
                        name="phase_starts_before_it_ends",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("is_launch", True)),
                        fields=("is_launch",),
                        name="phase_one_launch",
                    ),
                ],
            },
        ),
        NoOverlappingPhases(),
    ]
