"""The working draft of an initiative: read and edit it section by section, its version
history, the difference between any two versions, comments on a section, publishing and
restoring a version. Only co-creators, leads and organisers see any of it
(permissions.get_initiative_draft_for_user: a 404 for everyone else); the public reads the
published version on the initiative page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import querystring

from . import selectors, services
from .diff import diff_html
from .forms import DraftCommentForm, DraftForm
from .models import DraftComment, DraftSection, DraftVersion, Initiative
from .permissions import can_moderate, can_publish_draft, get_initiative_draft_for_user
from .services import DraftConflict, DraftUnchanged, IdeaError

HISTORY_PAGE_SIZE = 20


def _draft_url(initiative: Initiative, section: str = "") -> str:
    url = reverse("initiatives:draft", kwargs={"slug": initiative.slug})
    return f"{url}#section-{section}" if section else url


def _draft_page(
    request: HttpRequest,
    initiative: Initiative,
    *,
    form: DraftForm | None = None,
    open_sections: tuple[str, ...] = (),
    conflict: DraftVersion | None = None,
    comment_form: DraftCommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The draft page; a form that failed (or met a conflict) is shown again, its text kept."""
    latest = selectors.draft_latest(initiative)
    base_number = latest.number if latest else 0
    if form is None:
        initial = latest.texts if latest else {"proposal": initiative.description}
        form = DraftForm(initial={**initial, "base_number": base_number})
    comments = selectors.draft_comments_by_section(initiative)
    sections = []
    for key, label in DraftSection.choices:
        text = latest.text(key) if latest else ""
        entry = {
            "key": key,
            "label": label,
            "text": text,
            "field": form[key],
            "open": key in open_sections,
            "comments": comments.get(key, []),
            "comment_form": (
                comment_form
                if comment_form is not None and comment_form.data.get("section") == key
                else None
            ),
        }
        if conflict is not None and key in open_sections:
            yours = form.data.get(key, "").replace("\r\n", "\n").strip()
            entry["conflict"] = {
                "theirs": conflict.text(key),
                "yours": yours,
                "diff": diff_html(conflict.text(key), yours),
                "same": conflict.text(key) == yours,
            }
        sections.append(entry)
    return render(
        request,
        "initiatives/draft_detail.html",
        {
            "initiative": initiative,
            "latest": latest,
            "base_number": form["base_number"].value() if form.is_bound else base_number,
            "form": form,
            "note_value": form["note"].value() or "" if form.is_bound else "",
            "sections": sections,
            "conflict": conflict,
            "can_publish": can_publish_draft(request.user, initiative),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_initiative_draft_for_user(request.user, slug)
    if request.method == "GET":
        return _draft_page(request, initiative)
    form = DraftForm(request.POST)
    sent = tuple(section for section in DraftSection.values if section in request.POST)
    if not form.is_valid():
        return _draft_page(request, initiative, form=form, open_sections=sent, status=400)
    if not sent:
        form.add_error(None, _("Choose a section of the draft to edit."))
        return _draft_page(request, initiative, form=form, status=400)
    try:
        version = services.draft_save(
            initiative=initiative,
            by=request.user,
            base_number=form.cleaned_data["base_number"],
            note=form.cleaned_data["note"],
            **form.sections_sent(),
        )
    except DraftConflict as conflict:
        # Shown again on the latest version: saving this form now merges onto it.
        data = request.POST.copy()
        data["base_number"] = str(conflict.latest.number)
        form = DraftForm(data)
        form.is_valid()
        form.add_error(None, str(conflict))
        return _draft_page(
            request,
            initiative,
            form=form,
            open_sections=sent,
            conflict=conflict.latest,
            status=409,
        )
    except DraftUnchanged as unchanged:
        messages.info(request, str(unchanged))
        return redirect(_draft_url(initiative, sent[0]))
    except IdeaError as error:
        form.add_error(None, str(error))
        return _draft_page(request, initiative, form=form, open_sections=sent, status=400)
    messages.success(
        request, _("Saved as version %(number)s of the draft.") % {"number": version.number}
    )
    return redirect(_draft_url(initiative, sent[0]))


@login_required
@require_GET
def draft_history(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_initiative_draft_for_user(request.user, slug)
    page = Paginator(selectors.draft_versions(initiative).order_by("-number"), HISTORY_PAGE_SIZE)
    page = page.get_page(querystring.page_param(request.GET))
    return render(
        request,
        "initiatives/draft_history.html",
        {
            "initiative": initiative,
            "page": page,
            "latest": selectors.draft_latest(initiative),
            "can_publish": can_publish_draft(request.user, initiative),
        },
    )


@login_required
@require_GET
def draft_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    initiative = get_initiative_draft_for_user(request.user, slug)
    version = get_object_or_404(selectors.draft_versions(initiative), number=number)
    return render(
        request,
        "initiatives/draft_version.html",
        {
            "initiative": initiative,
            "version": version,
            "can_publish": can_publish_draft(request.user, initiative),
        },
    )


@login_required
@require_GET
def draft_compare(request: HttpRequest, slug: str) -> HttpResponse:
    """?from=N&to=M: what changed from version N to version M, section by section."""
    initiative = get_initiative_draft_for_user(request.user, slug)
    numbers = (querystring.id_param(request.GET, "from"), querystring.id_param(request.GET, "to"))
    context = {"initiative": initiative, "from_number": numbers[0], "to_number": numbers[1]}
    if None in numbers:
        context["problem"] = _(
            "Choose two versions to compare: a version number in “from” and in “to”."
        )
        return render(request, "initiatives/draft_compare.html", context, status=400)
    versions = {
        v.number: v for v in selectors.draft_versions(initiative).filter(number__in=numbers)
    }
    missing = [number for number in numbers if number not in versions]
    if missing:
        context["problem"] = _(
            "This draft has no version %(number)s. The history lists the versions it has."
        ) % {"number": missing[0]}
        return render(request, "initiatives/draft_compare.html", context, status=404)
    before, after = versions[numbers[0]], versions[numbers[1]]
    context.update(
        before=before,
        after=after,
        sections=[
            {
                "key": key,
                "label": label,
                "same": before.text(key) == after.text(key),
                "diff": diff_html(before.text(key), after.text(key)),
            }
            for key, label in DraftSection.choices
        ],
    )
    return render(request, "initiatives/draft_compare.html", context)


def _version_for_organiser(request: HttpRequest, slug: str, number: int):
    initiative = get_initiative_draft_for_user(request.user, slug)
    if not can_publish_draft(request.user, initiative):
        raise PermissionDenied
    return initiative, get_object_or_404(DraftVersion, initiative=initiative, number=number)


@login_required
@require_POST
def draft_publish(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    initiative, version = _version_for_organiser(request, slug, number)
    try:
        services.draft_publish(initiative=initiative, version=version, by=request.user)
    except IdeaError as error:
        messages.error(request, str(error))
        return redirect("initiatives:draft_history", slug=initiative.slug)
    messages.success(
        request,
        _("Version %(number)s is now the initiative's public text.") % {"number": version.number},
    )
    return redirect(initiative)


@login_required
@require_POST
def draft_restore(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    initiative, version = _version_for_organiser(request, slug, number)
    try:
        restored = services.draft_restore(initiative=initiative, version=version, by=request.user)
    except IdeaError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Version %(old)s is restored as version %(new)s.")
            % {"old": version.number, "new": restored.number},
        )
    return redirect("initiatives:draft_history", slug=initiative.slug)


@login_required
@require_POST
def draft_comment(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_initiative_draft_for_user(request.user, slug)
    form = DraftCommentForm(request.POST)
    if form.is_valid():
        try:
            services.draft_comment_create(
                initiative=initiative,
                section=form.cleaned_data["section"],
                author=request.user,
                body=form.cleaned_data["body"],
                version_number=form.cleaned_data["version_number"],
            )
        except IdeaError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, _("Your comment is posted."))
            return redirect(_draft_url(initiative, form.cleaned_data["section"]))
    section = form.data.get("section", "")
    open_sections = (section,) if section in DraftSection.values else ()
    return _draft_page(
        request, initiative, comment_form=form, open_sections=open_sections, status=400
    )


@login_required
@require_POST
def draft_comment_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = get_initiative_draft_for_user(request.user, slug)
    comment = get_object_or_404(DraftComment, pk=pk, initiative=initiative)
    if comment.author_id != request.user.pk and not can_moderate(request.user):
        raise PermissionDenied
    section = comment.section
    try:
        services.draft_comment_delete(comment=comment, by=request.user)
    except IdeaError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The comment is deleted."))
    return redirect(_draft_url(initiative, section))
