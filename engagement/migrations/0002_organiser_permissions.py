from django.db import migrations

from accounts.roles import grant_role_permissions


def grant(apps, schema_editor):
    grant_role_permissions(
        apps,
        {
            "Organiser": [
                "engagement.view_engagementsession",
                "engagement.add_engagementsession",
                "engagement.change_engagementsession",
                "engagement.view_registration",
                "engagement.change_registration",
            ]
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0001_sessions_and_registrations"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
