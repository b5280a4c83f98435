"""How the engagement app's outbound emails are rendered (outbox.registry), at send time from
ids: every email about a registration (first notice, promotion, cancellation, session changed
or cancelled, reminder)."""

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from outbox.registry import Message, register

from .cancel_links import cancel_link_path
from .ics import session_calendar, session_calendar_filename
from .models import Registration
from .services import PROMOTION_CLOSED_EMAIL, REGISTRATION_EMAIL

# Subjects stay discreet: the date only, never the session's title (it may name a harm).
SUBJECTS = {
    "confirmed": _("Your AfA session on %(date)s: your seat is confirmed"),
    "waitlisted": _("Your AfA session on %(date)s: you are on the waiting list"),
    "promoted": _("Your AfA session on %(date)s: a seat is now yours"),
    "cancelled": _("Your AfA session on %(date)s: registration cancelled"),
    "session_cancelled": _("Your AfA session on %(date)s has been cancelled"),
    "session_changed": _("Your AfA session on %(date)s: details have changed"),
    "reminder": _("Reminder: your AfA session on %(date)s"),
}
# These carry the calendar file, so the event lands (or updates) in the participant's calendar.
WITH_CALENDAR = {"confirmed", "promoted", "session_changed", "reminder", "session_cancelled"}


def session_subject(kind: str, registration: Registration) -> str:
    day = date_format(timezone.localtime(registration.session.starts_at), "j F")
    return SUBJECTS[kind] % {"date": day}


@register(REGISTRATION_EMAIL)
def registration_email(email) -> Message | None:
    """One email about one registration, as the session stands when it is sent."""
    kind = email.params["kind"]
    registration = (
        Registration.objects.select_related("session", "participant")
        .filter(pk=email.params["registration"])
        .first()
    )
    if registration is None or kind not in SUBJECTS:
        return None
    session = registration.session
    attachments = []
    # Only a seat goes in the calendar: someone waiting holds no place to put there.
    if kind in WITH_CALENDAR and registration.is_confirmed:
        attachments.append(
            (session_calendar_filename(session), session_calendar(session), "text/calendar")
        )
    return Message(
        subject=session_subject(kind, registration),
        template=f"engagement/email/{kind}",
        context={
            "registration": registration,
            "session": session,
            "participant": registration.participant,
            "is_confirmed": registration.is_confirmed,
            "cancel_url": cancel_url(kind, registration),
            "promotion_closed": session.promotion_has_closed,
        },
        attachments=attachments,
    )


# --- "I can no longer come" links and the promotion-closed notice (issue 16, item 3) ---

# The emails about a place someone still holds carry the one-click cancel link.
WITH_CANCEL_LINK = {"confirmed", "waitlisted", "promoted", "reminder", "session_changed"}


def cancel_url(kind: str, registration: Registration) -> str:
    """The signed "I can no longer come" link, or "" when there is nothing left to cancel."""
    session = registration.session
    if (
        kind not in WITH_CANCEL_LINK
        or not registration.is_active
        or session.is_cancelled
        or session.has_started
    ):
        return ""
    return settings.SITE_URL + cancel_link_path(registration)


PROMOTION_CLOSED_SUBJECT = _("Your AfA session on %(date)s: the waiting list has closed")


@register(PROMOTION_CLOSED_EMAIL)
def promotion_closed_email(email) -> Message | None:
    """To someone still waiting once the session is past its cut-off; nothing if they have
    left the waiting list (or had a seat) since."""
    registration = (
        Registration.objects.select_related("session", "participant")
        .filter(pk=email.params["registration"])
        .first()
    )
    if registration is None or not registration.is_waitlisted:
        return None
    session = registration.session
    if session.is_cancelled or session.has_started:
        return None
    day = date_format(timezone.localtime(session.starts_at), "j F")
    return Message(
        subject=PROMOTION_CLOSED_SUBJECT % {"date": day},
        template="engagement/email/promotion_closed",
        context={
            "registration": registration,
            "session": session,
            "participant": registration.participant,
            "cancel_url": cancel_url("waitlisted", registration),
        },
    )
