"""How the accounts app's outbound emails are rendered (outbox.registry), at send time from ids."""

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from outbox.registry import Message, register

from .models import PersonalDataArchive, PersonalDataArchiveStatus, PersonDecision
from .services import (
    INACTIVE_ACCOUNT_EMAIL,
    PERSON_WARNING_EMAIL,
    PERSONAL_DATA_READY_EMAIL,
    inactive_account_erase_after,
)


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


@register(INACTIVE_ACCOUNT_EMAIL)
def inactive_warning(email) -> Message | None:
    """The account has not been used for a long time: sign in to keep it. Nothing to say
    once the person signed in after the warning."""
    person = email.recipient
    warned_at = parse_datetime(email.params["warned_at"])
    if person.last_login is not None and person.last_login >= warned_at:
        return None
    return Message(
        subject=_("Your AfA Platform account"),
        template="accounts/email/inactive_warning",
        context={
            "months": settings.RETENTION_INACTIVE_ACCOUNT_MONTHS,
            "erase_after": inactive_account_erase_after(warned_at),
            "sign_in_url": settings.SITE_URL + reverse("account_login"),
            "my_data_url": settings.SITE_URL + reverse("accounts:personal_data"),
        },
    )


@register(PERSON_WARNING_EMAIL)
def person_warning(email) -> Message | None:
    """An organiser's warning about how the person took part, with the reason."""
    decision = PersonDecision.objects.filter(
        pk=email.params["decision"], person_id=email.recipient_id
    ).first()
    if decision is None:
        return None
    return Message(
        # Discreet: a shared inbox learns nothing from it.
        subject=_("A message about your AfA Platform account"),
        template="accounts/email/person_warning",
        context={
            "reason": decision.reason,
            "support_email": settings.SUPPORT_EMAIL,
        },
    )
