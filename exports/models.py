from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afa_platform.leases import LeasedJob
from afa_platform.states import Transitions


class ExportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being written")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired and deleted")


# A leased job (afa_platform.leases). Queued stays queued when the sweep enqueues a job whose
# message was lost; running stays running when a run takes over an expired lease; running
# goes back to queued when the sweep finds its worker dead.
EXPORT_JOB_TRANSITIONS = Transitions(
    "ExportJob.status",
    {
        ExportJobStatus.QUEUED: {ExportJobStatus.QUEUED, ExportJobStatus.RUNNING},
        ExportJobStatus.RUNNING: {
            ExportJobStatus.QUEUED,
            ExportJobStatus.RUNNING,
            ExportJobStatus.READY,
            ExportJobStatus.FAILED,
        },
        ExportJobStatus.READY: {ExportJobStatus.EXPIRED},
        ExportJobStatus.FAILED: set(),
        ExportJobStatus.EXPIRED: set(),
    },
    initial={ExportJobStatus.QUEUED},
)


class ExportJob(LeasedJob):
    """An export too large to build during the request, built by a worker into a private file
    that only its requester can download, until it expires. exports.services owns every
    change of status; a worker claims the job with a lease (afa_platform.leases: queued, or
    running with an expired lease -> running), which a redelivery or the sweep takes over
    when its worker died."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    dataset = models.CharField(_("dataset"), max_length=20)
    file_format = models.CharField(_("format"), max_length=5)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    include_personal_data = models.BooleanField(_("with names and emails"), default=False)
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExportJobStatus.choices,
        default=ExportJobStatus.QUEUED,
    )
    rows_total = models.PositiveIntegerField(_("rows expected"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=120, blank=True)
    # Its name under "exports/" in the private store (STORAGES["private"]); never served by URL,
    # only through the download view.
    file_path = models.CharField(_("stored file"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file deleted after"), null=True, blank=True)

    class Meta:
        # The table it had in the reports app, where it was born: moving the model kept
        # every row (migrations reports 0006 and exports 0001).
        db_table = "reports_exportjob"
        ordering = ["-created_at", "-id"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        permissions = [("export_personal_data", _("Can export names and emails"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(include_personal_data=False) | ~models.Q(purpose=""),
                name="exportjob_personal_data_needs_purpose",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["requested_by", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.dataset}.{self.file_format} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("exports:exportjob_detail", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status in (ExportJobStatus.QUEUED, ExportJobStatus.RUNNING)

    @property
    def is_ready(self) -> bool:
        return self.status == ExportJobStatus.READY

    @property
    def has_failed(self) -> bool:
        return self.status == ExportJobStatus.FAILED

    @property
    def is_expired(self) -> bool:
        """Its file is gone, or past its expiry and about to go (the hourly sweep)."""
        if self.status == ExportJobStatus.EXPIRED:
            return True
        return self.is_ready and self.expires_at is not None and self.expires_at <= timezone.now()
