"""Sections that higher apps add to a session's pages, without engagement importing them.

engagement sits below feedback, initiatives and reports (ARCHITECTURE.md, "Layers"), yet its
session page shows what they hold about a session ("What we heard", from reports). Each
higher app registers its sections in its own `session_sections` module, found by
`autodiscover_modules` in EngagementConfig.ready(), as the outbox finds each app's `emails`.

A section names where it goes (`PUBLIC`: the public session page, below its text; `ROSTER`:
the organisers' roster, among its buttons), its template (a partial of the registering
app) and a function `context(request, session) -> dict | None` that returns what the
template needs (as `section`), or None to show nothing; the template is rendered here,
with the request, and the session's pages print the result. Each function must cost a fixed
number of queries whatever the session holds, so the pages' query counts stay flat.

    from engagement.session_page import PUBLIC, Section, register
    register(Section(key="what_we_heard", place=PUBLIC, template="reports/_x.html",
                     context=my_context, order=10))
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

PUBLIC = "public"
ROSTER = "roster"


@dataclass(frozen=True)
class Section:
    key: str
    place: str
    template: str
    context: Callable[[HttpRequest, object], dict | None]
    order: int = 50


@dataclass(frozen=True)
class Shown:
    """A section rendered (the session's templates print `section.html`)."""

    key: str
    html: SafeString


_SECTIONS: dict[str, Section] = {}


def register(*sections: Section) -> None:
    for section in sections:
        if section.place not in (PUBLIC, ROSTER):
            raise ValueError(f"Unknown place {section.place!r} for session section {section.key}")
        known = _SECTIONS.get(section.key)
        if known is not None and known != section:
            raise ValueError(f"Session section {section.key!r} is registered twice")
        _SECTIONS[section.key] = section


def sections_for(request: HttpRequest, session, *, place: str) -> list[Shown]:
    """The sections registered for `place` that have something to show for this session."""
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        if section.place != place:
            continue
        context = section.context(request, session)
        if context is not None:
            html = render_to_string(section.template, {"section": context}, request=request)
            shown.append(Shown(key=section.key, html=html))
    return shown
