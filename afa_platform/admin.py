from functools import wraps

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.permissions import second_factor_response


class AdminSite(admin.AdminSite):
    site_header = _("AfA Platform administration")
    site_title = _("AfA Platform admin")
    index_title = _("Roles, taxonomy and support resources")

    def admin_view(self, view, cacheable=False):
        """Every admin page needs two-factor sign-in in this session: administrators see
        everyone's data."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def wrapper(request, *args, **kwargs):
            if request.user.is_active and request.user.is_staff:
                detour = second_factor_response(request)
                if detour is not None:
                    return detour
            return inner(request, *args, **kwargs)

        return wrapper


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """For records a service owns (moderation, audit, exports): the admin only looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DateTimeLocalInput(forms.DateTimeInput):
    """One <input type="datetime-local">, named by its field's label. To the second, as the
    admin's own boxes were, so saving a form untouched changes no time."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__({"step": "1", **(attrs or {})}, format="%Y-%m-%dT%H:%M:%S")


# For a ModelAdmin's formfield_overrides: one labelled box per date and time, instead of the
# admin's split date and time boxes, which have no labels of their own (axe: label).
SINGLE_DATETIME_BOX = {
    models.DateTimeField: {"form_class": forms.DateTimeField, "widget": DateTimeLocalInput}
}


class LabelledListEditableMixin:
    """The boxes of `list_editable` columns sit in table cells with no label: name each one
    after its column and row ("Order: Doxxing"), for screen readers (axe: label)."""

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class LabelledForm(base):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                for field in self.fields.values():
                    field.widget.attrs.setdefault("aria-label", f"{field.label}: {self.instance}")

        return LabelledForm
