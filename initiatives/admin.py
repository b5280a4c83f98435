from django.contrib import admin

from afa_platform.admin import ReadOnlyModelAdmin

from .models import (
    CoCreator,
    Comment,
    DraftComment,
    DraftVersion,
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
    """People join and leave through cocreator_join and cocreator_leave, on the site."""

    model = CoCreator
    extra = 0
    readonly_fields = ["user", "role", "pledge", "joined_at", "show_name"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    """The wording, leads and harm categories can be corrected here; no service owns them.
    The status changes through initiative_set_status (on the initiative's page), which
    writes the moderation log. No add: initiative_create merges the ideas it builds on and
    logs each. No delete: the ideas merged into it would be left merged into nothing, which
    the database refuses."""

    list_display = ["title", "status", "solution_area", "created_at"]
    list_filter = ["status", "solution_area"]
    search_fields = ["title", "summary"]
    filter_horizontal = ["harm_categories", "leads"]
    # The published version changes through draft_publish (the draft's history page), which
    # writes the moderation log.
    readonly_fields = ["status", "created_by", "created_at", "published_version", "published_at"]
    inlines = [CoCreatorInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InitiativeUpdate)
class InitiativeUpdateAdmin(ReadOnlyAdmin):
    list_display = ["title", "initiative", "created_at"]


@admin.register(DraftVersion)
class DraftVersionAdmin(ReadOnlyAdmin):
    """Versions are made by draft_save and draft_restore only, never changed."""

    list_display = ["initiative", "number", "author", "author_anonymous", "created_at"]
    search_fields = ["initiative__title"]
    list_select_related = ["initiative", "author"]


@admin.register(DraftComment)
class DraftCommentAdmin(ReadOnlyAdmin):
    list_display = ["initiative", "section", "author", "version_number", "created_at"]
    list_filter = ["section"]
    list_select_related = ["initiative", "author"]
