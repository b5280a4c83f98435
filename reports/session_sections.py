"""What reports adds to a session's pages (engagement.session_page): the published "What we
heard" on the public page, and the organisers' link to write it on the roster."""

from accounts.permissions import is_organiser
from engagement.session_page import PUBLIC, ROSTER, Section, register

from . import figures as engine
from . import selectors
from .models import SessionSummary
from .services import summary_refusal


def summary_context(summary) -> dict:
    """What `reports/_session_summary.html` needs (the public page and the preview)."""
    return {
        "summary": summary,
        "figures": selectors.summary_figure_rows(summary.figures),
        **engine.glossary_context(engine.SESSION_SUMMARY_FIGURES),
    }


def _what_we_heard(request, session) -> dict | None:
    """The published summary only; a draft shows nothing. A session not yet over costs no
    query; a held one, one for the summary and its links, two to name the figures' rows."""
    if session.is_cancelled or not session.is_past:
        return None
    summary = selectors.summary_for_page(session)
    return None if summary is None else summary_context(summary)


def _roster_link(request, session) -> dict | None:
    if summary_refusal(session) or not is_organiser(request.user):
        return None
    summary = SessionSummary.objects.filter(session=session).only("status").first()
    return {"session": session, "summary": summary}


register(
    Section(
        key="reports.what_we_heard",
        place=PUBLIC,
        template="reports/_session_summary.html",
        context=_what_we_heard,
        order=10,
    ),
    Section(
        key="reports.what_we_heard_link",
        place=ROSTER,
        template="reports/_session_summary_roster_link.html",
        context=_roster_link,
        order=10,
    ),
)
