"""The taxonomy in all four languages: each row's text moves into its English column, and the
three harm categories, their sub-categories and the solution areas get their Chinese, Malay and
Tamil (harms/seed_translations.py). The demo support services get theirs where seed_demo made
them; other support services keep their English, which pages show until someone translates it.

Safe to run again (restore_reference_data in tests does): it only fills empty columns, and only
beside English that is still the seeded text. Going back needs nothing: unapplying 0003 drops
the columns."""

from django.db import migrations

from harms.seed_translations import (
    HARM_CATEGORIES,
    HARM_CATEGORY_FIELDS,
    SOLUTION_AREA_FIELDS,
    SOLUTION_AREAS,
    SUPPORT_RESOURCE_FIELDS,
    SUPPORT_RESOURCES,
    fill_translations,
)


def fill(apps, schema_editor):
    tables = [
        ("HarmCategory", "slug", HARM_CATEGORY_FIELDS, HARM_CATEGORIES),
        ("SolutionArea", "slug", SOLUTION_AREA_FIELDS, SOLUTION_AREAS),
        ("SupportResource", "name", SUPPORT_RESOURCE_FIELDS, SUPPORT_RESOURCES),
    ]
    for model_name, key, fields, texts in tables:
        model = apps.get_model("harms", model_name)
        for row in model.objects.all():
            changed = fill_translations(row, fields, texts.get(getattr(row, key)))
            if changed:
                row.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("harms", "0003_content_languages")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
