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


def session_calendar(session: EngagementSession) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//AfA Platform//Engagement sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", timezone.now())
    # UTC times: every calendar app converts them, and no VTIMEZONE block is needed.
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    # Calendar apps apply an update only when its sequence grows; edits bump updated_at.
    event.add("sequence", int(session.updated_at.timestamp()) if session.updated_at else 0)
    event.add("summary", _("AfA engagement session"))
    # Not the page's own address: its slug comes from the title, which may name a harm.
    url = settings.SITE_URL + reverse("engagement:session_short_link", args=[session.pk])
    event.add("url", url)
    event.add("description", _("Details and your registration: %(url)s") % {"url": url})
    event.add("location", session_location(session))
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def session_calendar_filename(session: EngagementSession) -> str:
    return f"afa-session-{timezone.localtime(session.starts_at):%Y-%m-%d}.ics"
