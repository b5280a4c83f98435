"""How the reports app's outbound emails are rendered (outbox.registry), at send time from ids."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox.registry import Message, register

from .export_services import EXPORT_READY_EMAIL
from .exports import DATASETS
from .models import Digest, DigestStatus, ExportJob, ExportJobStatus
from .services import DIGEST_EMAIL


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
        template="reports/email/export_ready",
        context={
            "job": job,
            "dataset": DATASETS.get(job.dataset),
            "rows": job.rows_written,
            "url": settings.SITE_URL + reverse("reports:exportjob_detail", args=[job.pk]),
            "days": settings.EXPORT_FILE_DAYS,
        },
    )


@register(DIGEST_EMAIL)
def digest(email) -> Message | None:
    """A ready digest, as it stands when sent (quotes withdrawn meanwhile are gone), to a
    subscriber who still is one."""
    from .rendering import digest_charts, digest_context
    from .selectors import digest_subscribers

    found = Digest.objects.filter(pk=email.params["digest"], status=DigestStatus.READY).first()
    if found is None or not digest_subscribers().filter(pk=email.recipient_id).exists():
        return None
    charts = digest_charts(found.figures)
    return Message(
        subject=_("AfA feedback digest: %(start)s to %(end)s")
        % {"start": f"{found.first_day:%d %b %Y}", "end": f"{found.last_day:%d %b %Y}"},
        template="reports/email/digest",
        context=digest_context(found, found.figures),
        attachments=[(chart.filename, str(chart.svg), "image/svg+xml") for chart in charts],
    )
