from django.db import migrations

from accounts.roles import grant_role_permissions

ORGANISER_PERMISSIONS = [
    "initiatives.view_idea",
    "initiatives.change_idea",
    "initiatives.view_comment",
    "initiatives.change_comment",
    "initiatives.view_report",
    "initiatives.change_report",
    "initiatives.view_moderationlog",
    "initiatives.add_initiative",
    "initiatives.change_initiative",
    "initiatives.view_initiative",
    "initiatives.view_cocreator",
    "initiatives.add_initiativeupdate",
    "initiatives.view_initiativeupdate",
]


def grant(apps, schema_editor):
    grant_role_permissions(apps, {"Organiser": ORGANISER_PERMISSIONS})


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0002_idea_search_index"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
