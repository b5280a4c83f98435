"""engagement's part of "Download my data" (accounts.personal_data): registrations, with the
access needs the person gave, and sessions they created as an organiser."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Column, Section, register

from .models import (
    CalendarFeed,
    EngagementSession,
    Invitation,
    InvitationImport,
    Registration,
    SessionMessage,
)

register(
    Section(
        key="registrations",
        title=_("Your registrations for sessions"),
        description=_(
            "Each session you registered for, where your place stands, and the "
            "access needs you told us about."
        ),
        columns=(
            Column("registration_id", _("The number of the registration."), "id"),
            Column("session", _("The session."), "session__title"),
            Column("session_starts_at", _("When the session starts."), "session__starts_at"),
            Column("status", _("confirmed, waitlisted or cancelled.")),
            Column("waitlist_position", _("Your place on the waiting list, if on it.")),
            Column("registered_at", _("When you registered."), "created_at"),
            Column("confirmed_at", _("When your seat was confirmed.")),
            Column("cancelled_at", _("When it was cancelled.")),
            Column("attended", _("Whether the organisers marked you as attending.")),
            Column("access_needs", _("The access needs you gave (erased after the session).")),
        ),
        queryset=lambda user: Registration.objects.filter(participant=user).order_by(
            "created_at", "pk"
        ),
        covers=("engagement.Registration.participant",),
        order=10,
    ),
    Section(
        key="sessions_created",
        title=_("Sessions you created"),
        description=_("Engagement sessions you created as an organiser."),
        columns=(
            Column("session_id", _("The number of the session."), "id"),
            Column("title", _("Its title.")),
            Column("created_at", _("When you created it.")),
        ),
        queryset=lambda user: EngagementSession.objects.filter(created_by=user).order_by("pk"),
        covers=("engagement.EngagementSession.created_by",),
        order=60,
    ),
)


def _invitations(user):
    """Invitations to the person: taken up by their account, or sent to their address."""
    return (
        Invitation.objects.filter(Q(user=user) | Q(email__iexact=user.email))
        .select_related("session")
        .order_by("created_at", "pk")
    )


register(
    Section(
        key="invitations",
        title=_("Your invitations to sessions"),
        description=_(
            "Sessions by invitation that an organiser invited you to, with the name and "
            "organisation they gave for you."
        ),
        columns=(
            Column("invitation_id", _("The number of the invitation."), "id"),
            Column("session", _("The session."), "session__title"),
            Column("email", _("The address the invitation was sent to.")),
            Column("name", _("The name the organiser gave for you.")),
            Column("organisation", _("The organisation the organiser gave for you.")),
            Column("status", _("invited, registered, declined or withdrawn.")),
            Column("invited_at", _("When you were invited."), "created_at"),
            Column("last_sent_at", _("When the invitation email was last sent."), "sent_at"),
        ),
        queryset=_invitations,
        covers=("engagement.Invitation.user",),
        order=11,
    ),
    Section(
        key="calendar_feed",
        title=_("Your calendar feed"),
        description=_(
            "Whether you made a private calendar feed of your sessions, and when. The "
            "secret address itself is not repeated here."
        ),
        columns=(Column("created_at", _("When the current address was made.")),),
        queryset=lambda user: CalendarFeed.objects.filter(user=user),
        covers=("engagement.CalendarFeed.user",),
        order=12,
    ),
    Section(
        key="session_messages_sent",
        title=_("Messages you sent to sessions"),
        description=_("Emails you sent, as an organiser, to the people registered for a session."),
        columns=(
            Column("message_id", _("The number of the message."), "id"),
            Column("session", _("The session."), "session__title"),
            Column("audience", _("Who it went to.")),
            Column("subject", _("Its subject.")),
            Column("body", _("What you wrote.")),
            Column("recipient_count", _("How many people it went to.")),
            Column("sent_at", _("When you sent it."), "created_at"),
        ),
        queryset=lambda user: SessionMessage.objects.filter(sent_by=user).order_by("pk"),
        covers=("engagement.SessionMessage.sent_by",),
        order=61,
    ),
    Section(
        key="invitations_sent",
        title=_("Invitations you sent"),
        description=_(
            "Invitations you added to sessions as an organiser (who they went to is the "
            "invitee's data, not yours, and is not repeated here)."
        ),
        columns=(
            Column("invitation_id", _("The number of the invitation."), "id"),
            Column("session", _("The session."), "session__title"),
            Column("status", _("invited, registered, declined or withdrawn.")),
            Column("invited_at", _("When you added it."), "created_at"),
        ),
        queryset=lambda user: Invitation.objects.filter(invited_by=user).order_by("pk"),
        covers=("engagement.Invitation.invited_by",),
        order=62,
    ),
    Section(
        key="invitation_imports",
        title=_("Invitee files you uploaded"),
        description=_(
            "CSV files of invitees you uploaded as an organiser, and what became of them."
        ),
        columns=(
            Column("import_id", _("The number of the upload."), "id"),
            Column("session", _("The session."), "session__title"),
            Column("status", _("Where the upload stands.")),
            Column("rows", _("How many rows the file had."), "total_rows"),
            Column("added", _("How many invitations it added.")),
            Column("uploaded_at", _("When you uploaded it."), "created_at"),
        ),
        queryset=lambda user: InvitationImport.objects.filter(created_by=user).order_by("pk"),
        covers=("engagement.InvitationImport.created_by",),
        order=63,
    ),
)
