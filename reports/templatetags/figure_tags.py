"""Showing a count that reports.disclosure may have hidden (None): `{{ count|shown }}` in HTML
(the marker in a span the glossary explains), `{{ count|shown_text }}` in plain text."""

from django import template
from django.utils.html import format_html

from reports.figures import HIDDEN

register = template.Library()


@register.filter
def shown(value):
    if value is None:
        return format_html('<span class="figure-hidden" data-hidden-count>{}</span>', HIDDEN)
    return value


@register.filter
def shown_text(value):
    return str(HIDDEN) if value is None else value
