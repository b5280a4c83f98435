from django.contrib import admin
from django.db import models
from modeltranslation.utils import get_translation_fields

from afa_platform.admin import LabelledListEditableMixin, LanguageTabsAdmin

from .models import HarmCategory, SolutionArea, SupportResource


@admin.register(HarmCategory)
class HarmCategoryAdmin(LabelledListEditableMixin, LanguageTabsAdmin):
    list_display = ["name", "parent", "order", "slug"]
    list_filter = ["parent"]
    search_fields = get_translation_fields("name", "summary", "description")
    prepopulated_fields = {"slug": ["name"]}
    list_editable = ["order"]
    fieldsets = [(None, {"fields": ["slug", "parent", "order"]})]
    language_panels_at = 0


@admin.register(SolutionArea)
class SolutionAreaAdmin(LabelledListEditableMixin, LanguageTabsAdmin):
    list_display = ["name", "order", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    list_editable = ["order"]
    fieldsets = [(None, {"fields": ["slug", "order"]})]
    language_panels_at = 0


@admin.register(SupportResource)
class SupportResourceAdmin(LabelledListEditableMixin, LanguageTabsAdmin):
    list_display = ["name", "phone", "url", "show_in_footer", "order"]
    list_filter = ["show_in_footer", "categories"]
    search_fields = ["name", *get_translation_fields("description")]
    filter_horizontal = ["categories"]
    list_editable = ["show_in_footer", "order"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # The name is the same in every language (locale/GLOSSARY.md); the description and the
    # opening hours are translated.
    fieldsets = [
        (None, {"fields": ["name", "phone", "url"]}),
        (None, {"fields": ["categories", "show_in_footer", "order"]}),
    ]
    language_panels_at = 1
