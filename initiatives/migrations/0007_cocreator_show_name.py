from django.db import migrations, models
from django.db.models import Exists, OuterRef


def unname_anonymous_authors(apps, schema_editor):
    """Co-creators who wrote an anonymous idea merged into the same initiative were listed by
    name before this migration; they become "Anonymous participant" (they can choose to be
    named again on the initiative's page)."""
    CoCreator = apps.get_model("initiatives", "CoCreator")
    Idea = apps.get_model("initiatives", "Idea")
    anonymous_idea = Idea.objects.filter(
        merged_into_id=OuterRef("initiative_id"),
        author_id=OuterRef("user_id"),
        is_anonymous=True,
    )
    CoCreator.objects.filter(Exists(anonymous_idea)).update(show_name=False)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0006_personal_data_kinds_as_json_lists"),
    ]

    operations = [
        migrations.AddField(
            model_name="cocreator",
            name="show_name",
            field=models.BooleanField(
                default=True, verbose_name="show my name in the list of co-creators"
            ),
        ),
        migrations.RunPython(unname_anonymous_authors, migrations.RunPython.noop),
    ]
