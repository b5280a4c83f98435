"""The one-click unsubscribe links of the follow digest (issue 17, item 3).

A link carries a signed token naming the person and one initiative, or every initiative they
follow (`initiative` None), with its own salt, so no other signed value of the platform can
stand in for it. It needs no sign-in: the token is the proof. Its GET only asks (a mail
scanner following links unsubscribes nobody); its POST unsubscribes, including the RFC 8058
POST a mail client sends for the List-Unsubscribe-Post header. It never expires: an old
email's link must still stop the emails.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

UNSUBSCRIBE_SALT = "initiatives.follow-unsubscribe-link"


class UnsubscribeLinkInvalid(Exception):
    """Tampered with, cut short, or not one of ours."""


@dataclass(frozen=True)
class UnsubscribeLink:
    user_id: int
    initiative_id: int | None


def unsubscribe_token(*, user_id: int, initiative_id: int | None) -> str:
    return signing.dumps({"u": user_id, "i": initiative_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user_id: int, initiative_id: int | None) -> str:
    """Absolute: it goes in an email and in the List-Unsubscribe header."""
    token = unsubscribe_token(user_id=user_id, initiative_id=initiative_id)
    return settings.SITE_URL + reverse("initiatives:follow_unsubscribe", args=[token])


def unsubscribe_link(token: str) -> UnsubscribeLink:
    """What a token names, or UnsubscribeLinkInvalid."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise UnsubscribeLinkInvalid from None
    if not isinstance(payload, dict):
        raise UnsubscribeLinkInvalid
    user_id, initiative_id = payload.get("u"), payload.get("i")
    if type(user_id) is not int or not (initiative_id is None or type(initiative_id) is int):
        raise UnsubscribeLinkInvalid
    return UnsubscribeLink(user_id=user_id, initiative_id=initiative_id)
