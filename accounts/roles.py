"""Roles are Django groups with model permissions; this module names them."""

from django.contrib.auth.management import create_permissions
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PARTICIPANT = "Participant", _("Participant")
    ORGANISER = "Organiser", _("Organiser")
    STAFF = "MCI Staff", _("MCI Staff")


# Roles whose areas hold other people's data: their members must use two-factor sign-in.
MFA_REQUIRED_ROLES = (Role.ORGANISER, Role.STAFF)


def grant_role_permissions(apps, grants: dict[str, list[str]]) -> None:
    """For data migrations: give each role (group name) the listed "app_label.codename"
    permissions, creating the permission rows first (they are normally created only after
    all migrations have run)."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role_name, perms in grants.items():
        group, _ = Group.objects.get_or_create(name=role_name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
