from django.contrib import admin

from afa_platform.admin import ReadOnlyModelAdmin

from .models import Digest, DigestSubscription, LaunchSettings, SessionSummary


@admin.register(Digest)
class DigestAdmin(ReadOnlyModelAdmin):
    """Read-only: digests change through reports.services (the compile claim, revisions).
    No delete either: a worker may hold its lease, and staff read it as a record."""

    list_display = ["period_start", "period_end", "kind", "status", "finished_at", "revised_at"]
    list_filter = ["kind", "status"]
    date_hierarchy = "period_end"
    exclude = ["html"]
    readonly_fields = [
        "kind",
        "period_start",
        "period_end",
        "status",
        "error",
        "figures",
        "requested_by",
        "attempts",
        "created_at",
        "queued_at",
        "started_at",
        "finished_at",
        "revised_at",
    ]


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(ReadOnlyModelAdmin):
    """Read-only: receiving digests by email is each person's own choice, made on the digest
    page through digest_subscription_set, which writes the audit row."""

    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__display_name"]


@admin.register(LaunchSettings)
class LaunchSettingsAdmin(admin.ModelAdmin):
    """The one row holding the official launch date digests count down to."""

    list_display = ["launch_date"]

    def has_add_permission(self, request):
        return not LaunchSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return True


@admin.register(SessionSummary)
class SessionSummaryAdmin(ReadOnlyModelAdmin):
    """Read-only: "What we heard" changes through reports.services (summary_save and
    summary_publish, which emails the attendees once), from the organisers' pages."""

    list_display = ["session", "status", "published_at", "updated_at"]
    list_filter = ["status"]
    readonly_fields = [
        "session",
        "status",
        "body",
        "harm_categories",
        "solution_areas",
        "ideas",
        "quotes",
        "figures",
        "written_by",
        "created_at",
        "updated_at",
        "published_at",
        "attendees_emailed_at",
    ]
