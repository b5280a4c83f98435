from django import template

from feedback.selectors import quotes_waiting_count

register = template.Library()


@register.simple_tag
def pending_quote_count() -> int:
    """For the moderation queue's counts: feedback quotes waiting for an organiser."""
    return quotes_waiting_count()
