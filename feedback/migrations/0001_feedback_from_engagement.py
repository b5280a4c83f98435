"""Feedback and its suggestions, moved here from engagement (issue 11), in state only.

The tables stay where engagement/migrations/0003_feedback created them, with their rows, names
(Meta.db_table, the M2M's db_table), indexes and constraints: this migration tells Django that
the feedback app now owns them, and engagement 0005 (which depends on this one) stops claiming
them. The database is not touched.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("engagement", "0004_registration_notice_outbox"),
        ("harms", "0002_seed_taxonomy"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Feedback",
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
                            "experience",
                            models.TextField(
                                blank=True,
                                help_text="Optional. Only you and MCI staff can read this.",
                                verbose_name="what you have seen or experienced",
                            ),
                        ),
                        (
                            "rating",
                            models.PositiveSmallIntegerField(
                                blank=True, null=True, verbose_name="rating of the session"
                            ),
                        ),
                        (
                            "share_anonymously",
                            models.BooleanField(default=True, verbose_name="share anonymously"),
                        ),
                        (
                            "quote_consent",
                            models.BooleanField(
                                default=False, verbose_name="may be quoted anonymously in reports"
                            ),
                        ),
                        (
                            "quote_status",
                            models.CharField(
                                choices=[
                                    ("none", "Not offered for quoting"),
                                    ("pending", "Waiting for review"),
                                    ("approved", "Excerpt approved"),
                                    ("rejected", "Not quoted"),
                                    ("withdrawn", "Consent withdrawn"),
                                ],
                                default="none",
                                max_length=10,
                                verbose_name="quote",
                            ),
                        ),
                        (
                            "quote_excerpt",
                            models.TextField(blank=True, verbose_name="approved excerpt"),
                        ),
                        (
                            "quote_reviewed_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="quote reviewed at"
                            ),
                        ),
                        (
                            "quote_reason",
                            models.CharField(
                                blank=True,
                                max_length=300,
                                verbose_name="reason for the quote decision",
                            ),
                        ),
                        (
                            "personal_data_kinds",
                            models.JSONField(
                                blank=True, default=list, verbose_name="personal data found"
                            ),
                        ),
                        (
                            "editable_until",
                            models.DateTimeField(verbose_name="can be changed until"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                auto_now_add=True, db_index=True, verbose_name="given at"
                            ),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="changed at"),
                        ),
                        (
                            "harm_categories",
                            models.ManyToManyField(
                                db_table="engagement_feedback_harm_categories",
                                related_name="feedback",
                                to="harms.harmcategory",
                                verbose_name="harms it concerns",
                            ),
                        ),
                        (
                            "participant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="feedback",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="participant",
                            ),
                        ),
                        (
                            "quote_reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="quote reviewed by",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                blank=True,
                                help_text="Empty for general feedback.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="feedback",
                                to="engagement.engagementsession",
                                verbose_name="session",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "feedback",
                        "verbose_name_plural": "feedback",
                        "db_table": "engagement_feedback",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="FeedbackSuggestion",
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
                        ("text", models.TextField(verbose_name="suggestion")),
                        (
                            "feedback",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="suggestions",
                                to="feedback.feedback",
                                verbose_name="feedback",
                            ),
                        ),
                        (
                            "solution_area",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="feedback_suggestions",
                                to="harms.solutionarea",
                                verbose_name="solution area",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "suggestion",
                        "verbose_name_plural": "suggestions",
                        "db_table": "engagement_feedbacksuggestion",
                        "ordering": ["solution_area__order", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="feedback",
                    index=models.Index(
                        fields=["quote_status", "created_at"], name="engagement__quote_s_8720e1_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="feedback",
                    index=models.Index(
                        fields=["quote_status", "quote_reviewed_at"],
                        name="engagement__quote_s_acabd1_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="feedback",
                    index=models.Index(
                        fields=["participant", "created_at"], name="engagement__partici_e7082e_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="feedback",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("session__isnull", False)),
                        fields=("participant", "session"),
                        name="feedback_one_per_participant_per_session",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="feedback",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("rating__isnull", True),
                            models.Q(
                                ("session__isnull", False), ("rating__gte", 1), ("rating__lte", 5)
                            ),
                            _connector="OR",
                        ),
                        name="feedback_rating_1_to_5_for_sessions_only",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="feedback",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("quote_consent", True),
                            ("quote_status__in", ["none", "withdrawn"]),
                            _connector="OR",
                        ),
                        name="feedback_quote_needs_consent",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="feedback",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("quote_status", "approved"),
                                models.Q(("quote_excerpt", ""), _negated=True),
                            ),
                            models.Q(
                                models.Q(("quote_status", "approved"), _negated=True),
                                ("quote_excerpt", ""),
                            ),
                            _connector="OR",
                        ),
                        name="feedback_excerpt_only_when_approved",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="feedbacksuggestion",
                    constraint=models.UniqueConstraint(
                        fields=("feedback", "solution_area"), name="feedbacksuggestion_one_per_area"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
