"""Feedback now belongs to the feedback app (issue 11): drop it from engagement's state only.

feedback/migrations/0001 has taken over the same tables first; the database keeps them, and
their rows, as they are.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0004_registration_notice_outbox"),
        ("feedback", "0001_feedback_from_engagement"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="feedbacksuggestion",
                    name="feedback",
                ),
                migrations.RemoveField(
                    model_name="feedbacksuggestion",
                    name="solution_area",
                ),
                migrations.DeleteModel(
                    name="Feedback",
                ),
                migrations.DeleteModel(
                    name="FeedbackSuggestion",
                ),
            ],
            database_operations=[],
        ),
    ]
