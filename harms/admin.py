from django.contrib import admin

from afa_platform.admin import LabelledListEditableMixin

from .models import HarmCategory, SolutionArea, SupportResource


@admin.register(HarmCategory)
class HarmCategoryAdmin(LabelledListEditableMixin, admin.ModelAdmin):
    list_display = ["name", "parent", "order", "slug"]
    list_filter = ["parent"]
    search_fields = ["name", "summary", "description"]
    prepopulated_fields = {"slug": ["name"]}
    list_editable = ["order"]


@admin.register(SolutionArea)
class SolutionAreaAdmin(LabelledListEditableMixin, admin.ModelAdmin):
    list_display = ["name", "order", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    list_editable = ["order"]


@admin.register(SupportResource)
class SupportResourceAdmin(LabelledListEditableMixin, admin.ModelAdmin):
    list_display = ["name", "phone", "url", "show_in_footer", "order"]
    list_filter = ["show_in_footer", "categories"]
    search_fields = ["name", "description"]
    filter_horizontal = ["categories"]
    list_editable = ["show_in_footer", "order"]
