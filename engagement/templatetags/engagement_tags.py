from django import template

from engagement.selectors import next_sessions

register = template.Library()


@register.inclusion_tag("engagement/_home_sessions.html")
def upcoming_sessions(limit: int = 3) -> dict:
    """The next published sessions, for the home page."""
    return {"sessions": next_sessions(limit=limit)}
