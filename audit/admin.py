from django.contrib import admin

from afa_platform.admin import ReadOnlyModelAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """The append-only audit log, read-only; its changelist links to the whole log as CSV
    (reports/audit_views.py, among the other staff downloads)."""

    change_list_template = "audit/admin/auditevent_change_list.html"
    list_display = ["created_at", "actor", "action", "object_type", "object_id"]
    list_select_related = ["actor"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor__email", "action", "object_id"]
    date_hierarchy = "created_at"
