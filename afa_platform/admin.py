from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modeltranslation import settings as mt_settings
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import build_localized_fieldname

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


# --- Admin-edited text in four languages (issue 14, item 3) ---


class LanguageTabsAdmin(TranslationAdmin):
    """A model admin for a model with text in each language (a `translation.py` registers its
    fields with django-modeltranslation): one fieldset per language, which
    static/js/admin_language_tabs.js turns into tabs (without JavaScript every language shows,
    each under its own heading). English is required; a language left empty falls back to it.

    Declare `fieldsets` with the fields that are the same in every language;
    `language_panels_at` is where, among them, the languages' fieldsets go. Not modeltranslation's
    TabbedTranslationAdmin: that loads jQuery UI from a CDN, which our CSP refuses."""

    change_form_template = "admin/language_tabs_change_form.html"
    language_panels_at = 0

    class Media:
        css = {"all": ["css/admin_language_tabs.css"]}
        js = ["js/admin_language_tabs.js"]

    def get_fieldsets(self, request, obj=None):
        translated = [
            field.name
            for field in self.model._meta.fields
            if field.name in self.trans_opts.all_fields
        ]
        panels = []
        for code, language_name in settings.LANGUAGES:
            description = (
                _("Required. Where another language is left empty, its pages show this.")
                if code == mt_settings.DEFAULT_LANGUAGE
                else _("Optional. Where left empty, pages in this language show the English.")
            )
            panels.append(
                (
                    language_name,
                    {
                        "fields": [build_localized_fieldname(name, code) for name in translated],
                        "classes": ["language-panel", f"language-{code}"],
                        "description": description,
                    },
                )
            )
        common = [(name, {**options}) for name, options in (self.fieldsets or [])]
        return common[: self.language_panels_at] + panels + common[self.language_panels_at :]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        language = getattr(db_field, "language", None)
        if formfield is not None and language:
            # Screen readers and spelling checkers then use the right language in each box.
            formfield.widget.attrs["lang"] = language
        return formfield

    def save_model(self, request, obj, form, change):
        # The original column (`name`, beside name_en...) is written from the active language;
        # saved in English, it stays the English text that code reading the column directly
        # (related lookups from other apps' exports) expects.
        with translation.override(mt_settings.DEFAULT_LANGUAGE):
            super().save_model(request, obj, form, change)
