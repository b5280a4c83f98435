from django.contrib import admin

from afa_platform.admin import ReadOnlyModelAdmin

from .models import (
    CoCreator,
    Comment,
    Idea,
    Initiative,
    InitiativeUpdate,
    ModerationLog,
    Report,
)


class ReadOnlyAdmin(ReadOnlyModelAdmin):
    """Moderation state is owned by initiatives.services: the admin only looks."""


@admin.register(Idea)
class IdeaAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "author", "harm_category", "solution_area", "submitted_at"]
    list_filter = ["status", "harm_category", "solution_area"]
    search_fields = ["title", "body", "author__email"]
    date_hierarchy = "submitted_at"


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["idea", "author", "status", "created_at"]
    list_filter = ["status"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["reason", "urgent", "status", "idea", "comment", "created_at"]
    list_filter = ["status", "urgent", "reason"]


@admin.register(ModerationLog)
class ModerationLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "target_kind", "target_id", "to_status"]
    list_filter = ["action", "target_kind"]
    date_hierarchy = "created_at"


class CoCreatorInline(admin.TabularInline):
    model = CoCreator
    extra = 0
    readonly_fields = ["user", "role", "pledge", "joined_at"]
    can_delete = False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "solution_area", "created_at"]
    list_filter = ["status", "solution_area"]
    search_fields = ["title", "summary"]
    filter_horizontal = ["harm_categories", "leads"]
    # Status changes go through initiatives.services, which logs them.
    readonly_fields = ["status"]
    inlines = [CoCreatorInline]


@admin.register(InitiativeUpdate)
class InitiativeUpdateAdmin(ReadOnlyAdmin):
    list_display = ["title", "initiative", "created_at"]
