from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from afa_platform.admin import SINGLE_DATETIME_BOX

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "background", "is_active", "is_staff", "date_joined"]
    list_filter = ["groups", "background", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "display_name", "organisation"]
    readonly_fields = ["pdpa_consent_version", "pdpa_consented_at", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Details"),
            {
                "fields": [
                    "display_name",
                    "background",
                    "organisation",
                    "age_group",
                    "guardian_consent",
                ]
            },
        ),
        (_("Privacy consent"), {"fields": ["pdpa_consent_version", "pdpa_consented_at"]}),
        (
            _("Roles and permissions"),
            {
                "fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"],
                "description": _(
                    "Give someone a role by adding them to the Organiser or MCI Staff group. "
                    "Tick 'staff status' only for administrators who use this admin site."
                ),
            },
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]},
        ),
    ]


# allauth's own admin for second factors, with labelled date and time boxes.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(AllauthAuthenticatorAdmin):
    formfield_overrides = {**AllauthAuthenticatorAdmin.formfield_overrides, **SINGLE_DATETIME_BOX}
