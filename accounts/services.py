"""Writes to accounts. Every change to a user's details or roles goes through here."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import AgeGroup, User
from .roles import Role


class AccountError(Exception):
    """A refusal whose message is safe to show the user."""


@transaction.atomic
def user_complete_signup(
    *,
    user: User,
    display_name: str,
    background: str,
    organisation: str,
    age_group: str,
    guardian_consent: bool,
    pdpa_consent: bool,
) -> User:
    """Record the sign-up details, the PDPA consent (version and time) and the Participant role.

    Side effects: adds the user to the Participant group.
    """
    if not pdpa_consent:
        raise AccountError("Consent to the privacy notice is needed to take part.")
    if age_group == AgeGroup.MINOR_WITH_CONSENT and not guardian_consent:
        raise AccountError("Participants under 18 need a parent's or guardian's consent.")
    user.display_name = display_name
    user.background = background
    user.organisation = organisation
    user.age_group = age_group
    user.guardian_consent = age_group == AgeGroup.MINOR_WITH_CONSENT and guardian_consent
    user.pdpa_consent_version = settings.PDPA_NOTICE_VERSION
    user.pdpa_consented_at = timezone.now()
    user.save(
        update_fields=[
            "display_name",
            "background",
            "organisation",
            "age_group",
            "guardian_consent",
            "pdpa_consent_version",
            "pdpa_consented_at",
        ]
    )
    user.groups.add(Group.objects.get(name=Role.PARTICIPANT))
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    display_name: str,
    background: str,
    organisation: str,
    content_warning_display: str | None = None,
) -> User:
    user.display_name = display_name
    user.background = background
    user.organisation = organisation
    fields = ["display_name", "background", "organisation"]
    if content_warning_display is not None:
        user.content_warning_display = content_warning_display
        fields.append("content_warning_display")
    user.save(update_fields=fields)
    return user
