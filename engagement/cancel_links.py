"""The one-click "I can no longer come" link in registration emails (issue 16, item 3).

The link carries a signed token naming the registration and its participant (its own salt,
so no other signed value of the platform can stand in for it). It opens a confirm page and
only a POST cancels, so a mail scanner that follows links cancels nothing. It works signed
out: the token is the proof. It expires when the session starts (cancelling is refused from
then on anyway).
"""

from django.core import signing
from django.urls import reverse

from .models import Registration

CANCEL_LINK_SALT = "engagement.registration-cancel-link"


class CancelLinkRefused(Exception):
    """A link that cannot cancel anything: `reason` is "invalid" (tampered with, not ours, or
    its registration is gone) or "expired" (the session has started)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def cancel_link_token(registration: Registration) -> str:
    return signing.dumps(
        {"r": registration.pk, "p": registration.participant_id}, salt=CANCEL_LINK_SALT
    )


def cancel_link_path(registration: Registration) -> str:
    return reverse("engagement:registration_cancel_link", args=[cancel_link_token(registration)])


def cancel_link_registration(token: str) -> Registration:
    """The registration a cancel link names, or CancelLinkRefused."""
    try:
        payload = signing.loads(token, salt=CANCEL_LINK_SALT)
    except signing.BadSignature:
        raise CancelLinkRefused("invalid") from None
    if not isinstance(payload, dict):
        raise CancelLinkRefused("invalid")
    registration_id, participant_id = payload.get("r"), payload.get("p")
    if not isinstance(registration_id, int) or not isinstance(participant_id, int):
        raise CancelLinkRefused("invalid")
    registration = (
        Registration.objects.select_related("session", "participant")
        .filter(pk=registration_id, participant_id=participant_id)
        .first()
    )
    if registration is None:
        raise CancelLinkRefused("invalid")
    if registration.session.has_started:
        raise CancelLinkRefused("expired")
    return registration
