from django.contrib import admin

from afa_platform.admin import ReadOnlyModelAdmin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyModelAdmin):
    """Read-only: export jobs change through exports.services. The file itself is for
    its requester alone, so there is no download here; the audit log says who exported what."""

    list_display = [
        "created_at",
        "requested_by",
        "dataset",
        "file_format",
        "include_personal_data",
        "status",
        "rows_written",
        "expires_at",
    ]
    list_filter = ["status", "dataset", "file_format", "include_personal_data"]
    list_select_related = ["requested_by"]
    search_fields = ["requested_by__email", "purpose"]
    date_hierarchy = "created_at"
    exclude = ["file_path"]
