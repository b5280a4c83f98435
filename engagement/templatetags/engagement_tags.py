from django import template

from engagement.selectors import invitation_counts, next_sessions

register = template.Library()


@register.inclusion_tag("engagement/_home_sessions.html")
def upcoming_sessions(limit: int = 3) -> dict:
    """The next published sessions, for the home page."""
    return {"sessions": next_sessions(limit=limit)}


@register.inclusion_tag("engagement/_roster_invitations.html")
def roster_invitations(session) -> dict:
    """The roster's link to a session's invitations, with how many are invited, registered
    and declined (one query, only for a session by invitation)."""

    counts = invitation_counts(session) if session.is_invitation_only else None
    return {"session": session, "counts": counts}
