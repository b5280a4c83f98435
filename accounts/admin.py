from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from afa_platform.admin import SINGLE_DATETIME_BOX

from . import services
from .models import ConsentRecord, User


class EraseChoiceForm(forms.Form):
    keep_contributions = forms.TypedChoiceField(
        label=_("Their ideas and comments"),
        choices=[
            ("1", _("Keep them, shown as “Anonymous participant”")),
            ("0", _("Delete them")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )


class ConsentRecordInline(admin.TabularInline):
    """The person's consent history, read-only: only accounts.services writes it."""

    model = ConsentRecord
    fields = ["recorded_at", "notice_version", "decision", "method"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-recorded_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
                    "preferred_language",
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
    readonly_fields = [*readonly_fields, "erased_at"]
    inlines = [ConsentRecordInline]
    actions = ["erase_keeping_contributions", "erase_with_contributions"]

    # Deleting a person is erasing them (accounts.services.account_erase): the row stays as
    # a pseudonym and nothing is deleted by cascade. The admin's delete button leads to a
    # page that asks about their contributions; bulk deletion is replaced by two actions.
    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        services.account_erase(user=obj, keep_contributions=True, requested_by=request.user)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            self.delete_model(request, user)

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404
        if not self.has_delete_permission(request, user):
            raise PermissionDenied
        if user.pk == request.user.pk:
            self.message_user(
                request,
                _("To erase your own account, use My profile, then Delete my account."),
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        form = EraseChoiceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if user.is_erased:
                self.message_user(request, _("This account was already erased."), messages.INFO)
            else:
                services.account_erase(
                    user=user,
                    keep_contributions=form.cleaned_data["keep_contributions"],
                    requested_by=request.user,
                )
                self.message_user(request, _("The account has been erased."), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:accounts_user_changelist"))
        return TemplateResponse(
            request,
            "admin/accounts/user/erase_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "object": user,
                "form": form,
                "title": _("Erase this account"),
                **(extra_context or {}),
            },
        )

    def _erase(self, request, queryset, *, keep_contributions: bool) -> None:
        erased = 0
        for user in queryset.filter(erased_at__isnull=True).exclude(pk=request.user.pk):
            services.account_erase(
                user=user, keep_contributions=keep_contributions, requested_by=request.user
            )
            erased += 1
        self.message_user(
            request,
            ngettext("%(count)d account erased.", "%(count)d accounts erased.", erased)
            % {"count": erased},
            messages.SUCCESS,
        )

    @admin.action(
        permissions=["delete"],
        description=_("Erase the selected accounts, keeping their ideas and comments anonymously"),
    )
    def erase_keeping_contributions(self, request, queryset):
        self._erase(request, queryset, keep_contributions=True)

    @admin.action(
        permissions=["delete"],
        description=_("Erase the selected accounts and delete their ideas and comments"),
    )
    def erase_with_contributions(self, request, queryset):
        self._erase(request, queryset, keep_contributions=False)

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
