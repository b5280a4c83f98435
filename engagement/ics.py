"""RFC 5545 calendar files for sessions. The text is neutral: a calendar is often seen by
others (family, colleagues), so it never names a harm."""

from datetime import UTC

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import EngagementSession, SessionMode


def session_uid(session: EngagementSession) -> str:
    """Stable across edits, so calendar apps update the event instead of adding another."""
    return f"engagement-session-{session.pk}@afa-platform"


def session_location(session: EngagementSession) -> str:
    if session.mode == SessionMode.ONLINE or not session.venue:
        return _("Online")
    return session.venue


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//AfA Platform//Engagement sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    return calendar


def session_event(
    session: EngagementSession,
    *,
    status: str = "CONFIRMED",
    summary: str = "",
    joining_link: str = "",
) -> Event:
    """One session as a VEVENT, in neutral words. `status` is CONFIRMED, or TENTATIVE for a
    place on the waiting list; a cancelled session is always CANCELLED. `joining_link` goes
    in the description (only ever for a confirmed seat)."""
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", timezone.now())
    # UTC times: every calendar app converts them, and no VTIMEZONE block is needed.
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    # Calendar apps apply an update only when its sequence grows; edits bump updated_at.
    event.add("sequence", int(session.updated_at.timestamp()) if session.updated_at else 0)
    event.add("summary", summary or _("AfA engagement session"))
    # Not the page's own address: its slug comes from the title, which may name a harm.
    url = settings.SITE_URL + reverse("engagement:session_short_link", args=[session.pk])
    event.add("url", url)
    description = _("Details and your registration: %(url)s") % {"url": url}
    if joining_link:
        description += "\n" + _("Joining link: %(link)s") % {"link": joining_link}
    event.add("description", description)
    event.add("location", session_location(session))
    event.add("status", "CANCELLED" if session.is_cancelled else status)
    return event


def session_calendar(session: EngagementSession) -> bytes:
    calendar = _calendar()
    calendar.add_component(session_event(session))
    return calendar.to_ical()


def session_calendar_filename(session: EngagementSession) -> str:
    return f"afa-session-{timezone.localtime(session.starts_at):%Y-%m-%d}.ics"


# --- Calendar feeds (issue 16, item 5) ------------------------------------------------
# Subscribed feeds: the same events (same UIDs) as the files attached to emails, so an
# event already in a calendar is updated, not doubled. Calendar apps poll the feed; the
# refresh hint asks for about every few hours.


def _feed(name: str) -> Calendar:
    calendar = _calendar()
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT6H")
    return calendar


def public_feed(sessions) -> bytes:
    """Every listed upcoming session (engagement.selectors.calendar_public_sessions)."""
    calendar = _feed(_("AfA engagement sessions"))
    for session in sessions:
        calendar.add_component(session_event(session))
    return calendar.to_ical()


def personal_feed(registrations) -> bytes:
    """A person's own places: a seat is CONFIRMED and carries the joining link (the feed's
    secret address is theirs alone); a waiting-list place is TENTATIVE, with no link. Never
    the person's name or email."""
    calendar = _feed(_("My AfA sessions"))
    for registration in registrations:
        session = registration.session
        if registration.is_confirmed:
            link = "" if session.is_cancelled else session.online_link
            event = session_event(session, joining_link=link)
        else:
            event = session_event(
                session,
                status="TENTATIVE",
                summary=_("AfA engagement session (waiting list)"),
            )
        calendar.add_component(event)
    return calendar.to_ical()
