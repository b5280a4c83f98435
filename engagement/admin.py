from django.contrib import admin

from .models import EngagementSession, Registration


@admin.register(EngagementSession)
class EngagementSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "mode", "status", "capacity", "seats_taken"]
    list_filter = ["status", "mode", "harm_categories", "starts_at"]
    search_fields = ["title", "summary", "facilitators", "venue", "slug"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["harm_categories"]
    # Seats and the queue change only through engagement.services, under the session's lock.
    readonly_fields = ["seats_taken", "waitlist_length", "created_by", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["participant", "session", "status", "waitlist_position", "attended"]
    list_filter = ["status", "attended", "session"]
    search_fields = ["participant__email", "participant__display_name", "session__title"]
    list_select_related = ["participant", "session"]
    # Status and places belong to engagement.services (the seat counters depend on them).
    readonly_fields = [
        "session",
        "participant",
        "status",
        "waitlist_position",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "reminder_sent_at",
        "promotion_note",
        "notice_due",
    ]

    def has_add_permission(self, request) -> bool:
        return False
