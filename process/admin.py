from django.contrib import admin

from afa_platform.admin import ReadOnlyModelAdmin

from .models import Phase


@admin.register(Phase)
class PhaseAdmin(ReadOnlyModelAdmin):
    """The services own every write (the overlap check under the phases' lock, the audit
    row): MCI staff edit phases at /process/manage/; the admin only looks."""

    list_display = [
        "title",
        "start_date",
        "end_date",
        "allows_ideas",
        "allows_co_creation",
        "is_launch",
    ]
