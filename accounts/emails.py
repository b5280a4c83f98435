"""How the accounts app's outbound emails are rendered (outbox.registry), at send time from ids."""

from django.conf import settings
from django.utils.translation import gettext as _

from outbox.registry import Message, register

from .models import PersonalDataArchive, PersonalDataArchiveStatus
from .services import PERSONAL_DATA_READY_EMAIL


@register(PERSONAL_DATA_READY_EMAIL)
def personal_data_ready(email) -> Message | None:
    """The person's copy of their data is ready: nothing to say once it expired."""
    archive = PersonalDataArchive.objects.filter(
        pk=email.params["archive"],
        requested_by_id=email.recipient_id,
        status=PersonalDataArchiveStatus.READY,
    ).first()
    if archive is None or archive.is_expired:
        return None
    return Message(
        # Discreet: a shared inbox learns nothing from it.
        subject=_("Your file from the AfA Platform is ready"),
        template="accounts/email/personal_data_ready",
        context={
            "archive": archive,
            "url": settings.SITE_URL + archive.get_download_url(),
            "days": settings.PERSONAL_DATA_FILE_DAYS,
        },
    )
