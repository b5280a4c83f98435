"""What erasing an account does to engagement's rows (accounts.erasure; registered in
EngagementConfig.ready())."""

from contextlib import suppress

from django.db.models import Q
from django.utils import timezone

from accounts.erasure import Erasure, declare_safe, erasure_step

from .models import CalendarFeed, Invitation, Registration, RegistrationStatus
from .services import RegistrationError, registration_cancel

declare_safe(
    "engagement.EngagementSession.created_by",
    why="the organiser who made a session; afterwards it points at a pseudonym only",
)
for _key, _what in (
    ("engagement.SessionMessage.sent_by", "the organiser who sent a message to a session"),
    ("engagement.Invitation.invited_by", "the organiser who added an invitation"),
    ("engagement.InvitationImport.created_by", "the organiser who uploaded invitees"),
):
    declare_safe(_key, why=f"{_what}; afterwards it points at a pseudonym only")


@erasure_step(covers=["engagement.Invitation.user", "engagement.CalendarFeed.user"])
def delete_invitations_and_calendar_feed(erasure: Erasure) -> None:
    """Invitations to the person (taken up by the account or sent to its address) hold their
    email, name and organisation: they go. So does their private calendar feed."""
    user = erasure.user
    Invitation.objects.filter(Q(user=user) | Q(email__iexact=user.email)).delete()
    CalendarFeed.objects.filter(user=user).delete()


@erasure_step(covers=["engagement.Registration.participant"])
def cancel_registrations(erasure: Erasure) -> None:
    """Places at sessions not yet started are cancelled as the person would cancel them (a
    freed seat goes to the first person waiting, who is told). Registrations of sessions that
    have started stay, so attendance figures hold, but keep nothing the person wrote or that
    was written about them."""
    user = erasure.user
    upcoming = Registration.objects.filter(
        participant=user, session__starts_at__gt=timezone.now()
    ).exclude(status=RegistrationStatus.CANCELLED)
    for registration in upcoming.order_by("pk"):
        # Started or cancelled meanwhile: nothing to free.
        with suppress(RegistrationError):
            registration_cancel(registration=registration, cancelled_by=user)
    Registration.objects.filter(participant=user).filter(
        ~Q(access_needs="") | ~Q(promotion_note="")
    ).update(access_needs="", promotion_note="")
