"""How the exports app's outbound emails are rendered (outbox.registry), at send time from ids."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox.registry import Message, register

from .datasets import DATASETS
from .models import ExportJob, ExportJobStatus
from .services import EXPORT_READY_EMAIL


@register(EXPORT_READY_EMAIL)
def export_ready(email) -> Message | None:
    """The requester's file is ready: nothing to say once it expired (or was deleted)."""
    job = ExportJob.objects.filter(
        pk=email.params["job"], status=ExportJobStatus.READY, expires_at__gt=timezone.now()
    ).first()
    if job is None:
        return None
    return Message(
        # Discreet: the subject names neither the dataset nor any harm.
        subject=_("Your AfA Platform export is ready"),
        template="exports/email/export_ready",
        context={
            "job": job,
            "dataset": DATASETS.get(job.dataset),
            "rows": job.rows_written,
            "url": settings.SITE_URL + reverse("exports:exportjob_detail", args=[job.pk]),
            "days": settings.EXPORT_FILE_DAYS,
        },
    )
