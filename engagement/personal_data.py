"""engagement's part of "Download my data" (accounts.personal_data): registrations, with the
access needs the person gave, and sessions they created as an organiser."""

from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Column, Section, register

from .models import EngagementSession, Registration

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
