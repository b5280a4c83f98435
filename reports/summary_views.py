"""The organisers' "What we heard" pages: write or edit, preview, publish. Any organiser who
may open a session's roster (engagement: the organiser role with a second factor) may write
its summary. Thin: role check, form, one service call, message, redirect. The public part is
a section of the session page (reports/session_sections.py)."""

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from engagement.permissions import get_session_for_organiser

from . import figures as engine
from . import selectors, services
from .forms import SessionSummaryForm
from .session_sections import summary_context

HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


@role_required(Role.ORGANISER)
@require_http_methods(["GET", "POST"])
def session_summary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_organiser(pk)
    refusal = services.summary_refusal(session)
    summary = selectors.summary_for_page(session, published_only=False)
    if refusal:
        return render(
            request,
            "reports/sessionsummary_form.html",
            {"session": session, "summary": summary, "refusal": refusal, "form": None},
            status=409 if request.method == "POST" else 200,
        )
    if request.method == "POST":
        form = SessionSummaryForm(request.POST, session=session)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.summary_save(
                    session=session,
                    organiser=request.user,
                    body=data["body"],
                    harm_category_ids=[c.pk for c in data["harm_categories"]],
                    solution_area_ids=[a.pk for a in data["solution_areas"]],
                    idea_ids=data["ideas"],
                    quote_ids=data["quotes"],
                )
            except services.SummaryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("Summary saved as a draft. Check the preview, then publish it.")
                )
                return redirect("reports:session_summary_preview", pk=session.pk)
        status = 400
    else:
        form = SessionSummaryForm(initial=SessionSummaryForm.initial_for(summary), session=session)
        status = 200
    return render(
        request,
        "reports/sessionsummary_form.html",
        {"session": session, "summary": summary, "refusal": None, "form": form},
        status=status,
    )


def _preview(request: HttpRequest, session, summary, *, status: int = 200) -> HttpResponse:
    if summary is None:
        return redirect("reports:session_summary_edit", pk=session.pk)
    context = summary_context(summary)
    if not summary.is_published:
        # A draft shows the figures as they would be published now.
        context["figures"] = selectors.summary_figure_rows(engine.session_figures(session.pk))
    return render(
        request,
        "reports/sessionsummary_preview.html",
        {
            "session": session,
            "section": context,
            "summary": summary,
            "refusal": services.summary_refusal(session),
            # HTML typed into the text is shown as typed (afa_platform.markdown): say so.
            "has_html": bool(HTML_TAG.search(summary.body)),
        },
        status=status,
    )


@role_required(Role.ORGANISER)
@require_GET
def session_summary_preview(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_organiser(pk)
    return _preview(request, session, selectors.summary_for_page(session, published_only=False))


@role_required(Role.ORGANISER)
@require_POST
def session_summary_publish(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_organiser(pk)
    summary = selectors.summary_for_page(session, published_only=False)
    if summary is None:
        messages.error(request, _("Write the summary before publishing it."))
        return redirect("reports:session_summary_edit", pk=session.pk)
    try:
        first_time = summary.attendees_emailed_at is None
        services.summary_publish(summary=summary, organiser=request.user)
    except services.SummaryError as error:
        messages.error(request, str(error))
        return _preview(request, session, summary, status=409)
    messages.success(
        request,
        _("Published on the session page. The people who took part are being emailed.")
        if first_time
        else _("Published on the session page again. Nobody is emailed a second time."),
    )
    return redirect(session)
