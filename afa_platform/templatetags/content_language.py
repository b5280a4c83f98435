"""Which language a piece of admin-edited text is shown in, so the page can say so.

A harm category, solution area or support service has a column per language
(harms/translation.py); `category.name` shows the active language's, or English when that
translation is missing. The page is then in Chinese, Malay or Tamil with an English heading in
it: screen readers must read that heading with an English voice, and browsers pick fonts and
hyphenation by language, so the fallen-back text carries lang="en" (WCAG 3.1.2, language of
parts).

    {% load content_language %}
    <h1{% lang_if_fallback category "name" %}>{{ category.name }}</h1>
    {{ category|translated:"summary" }}      (the text, in <span lang="en"> if it fell back)
    {{ category|content_language:"name" }}   (the code of the language it came from)

Registered in settings.TEMPLATES as the library `content_language`. No queries: the columns
of every language are loaded with the row.
"""

from typing import Any

from django import template
from django.db.models import Model
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order

register = template.Library()


def _descriptor(obj: Any, field_name: str) -> TranslationFieldDescriptor | None:
    if not isinstance(obj, Model) or not field_name:
        return None
    descriptor = getattr(type(obj), field_name, None)
    return descriptor if isinstance(descriptor, TranslationFieldDescriptor) else None


@register.filter
def content_language(obj: Any, field_name: str) -> str:
    """The language `obj.<field_name>` is shown in now: the active language, the one it fell
    back to, or "" when no language has the text. For a field with no translations, the active
    language (its text is whatever was written, shown to everyone alike)."""
    active = get_language()
    descriptor = _descriptor(obj, field_name)
    if descriptor is None:
        return active
    for language in resolution_order(active, descriptor.fallback_languages):
        value = getattr(obj, build_localized_fieldname(field_name, language), None)
        if value not in (None, ""):
            return language
    return ""


def fell_back_to(obj: Any, field_name: str) -> str:
    """The language the text came from when that is not the page's language, else ""."""
    source = content_language(obj, field_name)
    return source if source and source != get_language() else ""


@register.simple_tag
def lang_if_fallback(obj: Any, field_name: str) -> str:
    """` lang="en"` (with its leading space) for the element that shows `obj.<field_name>`,
    when the text fell back to another language; nothing otherwise."""
    source = fell_back_to(obj, field_name)
    return format_html(' lang="{}"', source) if source else SafeString("")


@register.filter
def translated(obj: Any, field_name: str) -> str:
    """The text of `obj.<field_name>` in the page's language, escaped; wrapped in
    <span lang="..."> when it fell back to another language. For text inside a sentence or a
    list, where there is no element of its own to mark."""
    if obj is None:
        return ""
    value = getattr(obj, field_name, "")
    source = fell_back_to(obj, field_name)
    if source:
        return format_html('<span lang="{}">{}</span>', source, value)
    return conditional_escape(value)
