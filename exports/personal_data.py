"""exports' part of "Download my data" (accounts.personal_data): the exports a staff member
asked for (who was in them is in "Who has seen your personal data", from the audit log)."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Column, Section, register

from .models import ExportJob

register(
    Section(
        key="export_jobs",
        title=_("Exports you asked for"),
        description=_("Large exports you asked MCI staff tools to prepare."),
        columns=(
            Column("job_id", _("The number of the export."), "id"),
            Column("dataset", _("What was exported.")),
            Column("format", _("csv or xlsx."), "file_format"),
            Column(
                "with_personal_data", _("Whether it had names and emails."), "include_personal_data"
            ),
            Column("purpose", _("The purpose you gave.")),
            Column("status", _("Where it stands.")),
            Column("asked_at", _("When you asked."), "created_at"),
        ),
        queryset=lambda user: ExportJob.objects.filter(requested_by=user).order_by("pk"),
        covers=("exports.ExportJob.requested_by",),
        order=64,
    ),
)
