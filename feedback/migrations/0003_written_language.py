"""The language feedback was written in (issue 14, item 5); existing rows are English."""

from django.db import migrations, models

LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("ms", "Bahasa Melayu"), ("ta", "தமிழ்")]


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_content_types_from_engagement")]

    operations = [
        migrations.AddField(
            model_name="feedback",
            name="language",
            field=models.CharField(
                choices=LANGUAGES,
                default="en",
                help_text="The language the participant wrote this in.",
                max_length=10,
                verbose_name="language written in",
            ),
        ),
        migrations.AddConstraint(
            model_name="feedback",
            constraint=models.CheckConstraint(
                condition=models.Q(("language__in", [code for code, _name in LANGUAGES])),
                name="feedback_language_known",
            ),
        ),
    ]
