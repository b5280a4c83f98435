"""Who may see and touch which session or registration. Helpers 404 what a user may not see."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.permissions import is_organiser

from . import selectors
from .models import CalendarFeed, EngagementSession, Registration


def get_session_for_user(user, slug: str, *, for_page: bool = True) -> EngagementSession:
    """Published and cancelled sessions are public; drafts only for organisers.
    for_page=False skips what only the page shows (the harm categories)."""
    sessions = (
        selectors.session_for_page(slug)
        if for_page
        else EngagementSession.objects.filter(slug=slug)
    )
    return _visible_to(user, get_object_or_404(sessions))


def get_session_by_id_for_user(user, pk: int) -> EngagementSession:
    """As get_session_for_user, by id (for the neutral links in calendar files)."""
    return _visible_to(user, get_object_or_404(EngagementSession, pk=pk))


def _visible_to(user, session: EngagementSession) -> EngagementSession:
    if session.is_draft and not is_organiser(user):
        raise Http404
    return session


def get_session_for_organiser(pk: int) -> EngagementSession:
    """Caller has already checked the organiser role (role_required)."""
    return get_object_or_404(EngagementSession, pk=pk)


def get_registration_for_participant(user, pk: int) -> Registration:
    """Only the participant's own registration; anyone else's id is a 404, not a 403, so ids
    reveal nothing."""
    return get_object_or_404(
        Registration.objects.select_related("session"), pk=pk, participant_id=user.pk
    )


def get_registration_for_organiser(pk: int) -> Registration:
    return get_object_or_404(Registration.objects.select_related("session", "participant"), pk=pk)


def can_see_attendee_details(
    user, session: EngagementSession, registration: Registration | None
) -> bool:
    """The joining link and the venue details are for confirmed registrants (and organisers)."""
    if session.is_cancelled:
        return False
    if is_organiser(user):
        return True
    return registration is not None and registration.is_confirmed


# --- Calendar feeds (issue 16, item 5) ------------------------------------------------


def get_calendar_feed(secret: str) -> CalendarFeed:
    """The feed whose secret this is; an unknown (forged, or reset) secret is a 404, as is
    the feed of an account that can no longer sign in."""
    if len(secret) > 64:
        raise Http404
    feed = CalendarFeed.objects.select_related("user").filter(token=secret).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    return feed
