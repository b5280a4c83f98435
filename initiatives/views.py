from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import role_required
from accounts.roles import Role
from audit import querystring
from audit.querystring import as_id
from engagement.models import EngagementSession, SessionAccess
from harms.models import HarmCategory, SolutionArea
from process.models import Action
from process.selectors import action_state

from . import selectors, services
from .forms import (
    BulkDecisionForm,
    CommentForm,
    ContentWarningForm,
    DecisionForm,
    IdeaForm,
    InitiativeForm,
    InitiativeStatusForm,
    InitiativeUpdateForm,
    JoinForm,
    RedactForm,
    ReportForm,
    ReportResolveForm,
    resolve_wording,
)
from .models import Comment, Idea, IdeaStatus, Initiative
from .permissions import (
    can_moderate,
    can_post_update,
    get_comment_for_user,
    get_idea_for_user,
)
from .services import IdeaError

BOARD_PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 25
QUEUE_REPORT_LIMIT = 200


# --- The board and ideas -------------------------------------------------------------


@require_GET
def idea_board(request: HttpRequest) -> HttpResponse:
    query = querystring.text_param(request.GET, "q")
    sort = querystring.choice_param(request.GET, "sort", selectors.SORTS, default="newest")
    filters = {
        "harm_category": querystring.id_param(request.GET, "category"),
        "solution_area": querystring.id_param(request.GET, "area"),
        "session": querystring.id_param(request.GET, "session"),
    }
    ideas = selectors.board_ideas(query=query, sort=sort, **filters)
    page = Paginator(ideas, BOARD_PAGE_SIZE).get_page(querystring.page_param(request.GET))
    return render(
        request,
        "initiatives/idea_list.html",
        {
            "page": page,
            "query": query,
            "sort": sort,
            "filters": filters,
            "categories": HarmCategory.objects.select_related("parent"),
            "areas": SolutionArea.objects.all(),
            # Never an unlisted session: its title is for its invitees (Idea.shown_session).
            "sessions": EngagementSession.objects.filter(ideas__status=IdeaStatus.APPROVED)
            .exclude(access=SessionAccess.UNLISTED)
            .distinct()
            .order_by("-starts_at"),
            "supported_ids": selectors.supported_idea_ids(request.user, page.object_list),
            "querystring": querystring.urlencode_without(request.GET, "page"),
            "submission": action_state(Action.SUBMIT_IDEAS),
        },
    )


def _render_idea_form(request, form, *, idea=None, status=200) -> HttpResponse:
    return render(
        request,
        "initiatives/idea_form.html",
        {"form": form, "idea": idea},
        status=status,
    )


@login_required
def idea_create(request: HttpRequest) -> HttpResponse:
    submission = action_state(Action.SUBMIT_IDEAS)
    if not submission.is_open:
        # No form to fill in for nothing: the page says when submission closed or opens.
        return render(
            request,
            "initiatives/idea_closed.html",
            {"submission": submission},
            status=200 if request.method == "GET" else 409,
        )
    form = IdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        submit = "save_draft" not in request.POST
        try:
            idea, created = services.idea_create(
                author=request.user,
                fields=form.idea_fields(),
                submit=submit,
                submission_token=form.cleaned_data["submission_token"],
            )
        except IdeaError as error:
            form.add_error(None, str(error))
        else:
            if not created:
                messages.info(request, _("We already have this idea; it was not sent twice."))
            elif submit:
                messages.success(
                    request,
                    _(
                        "Thank you. Your idea has been sent for review; "
                        "you will hear back by email."
                    ),
                )
            else:
                messages.success(request, _("Your draft has been saved."))
            return redirect("initiatives:my_ideas")
    return _render_idea_form(request, form)


@login_required
def idea_edit(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk, write=True)
    if not idea.is_editable:
        messages.error(
            request,
            _("This idea is “%(status)s” and can no longer be edited.")
            % {"status": idea.get_status_display()},
        )
        return redirect("initiatives:my_ideas")
    form = IdeaForm(request.POST or None, idea=idea)
    if request.method == "POST" and form.is_valid():
        submit = "save_draft" not in request.POST
        try:
            services.idea_update(
                idea=idea, author=request.user, fields=form.idea_fields(), submit=submit
            )
        except IdeaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your idea has been sent for review.")
                if submit
                else _("Your changes are saved."),
            )
            return redirect("initiatives:my_ideas")
    return _render_idea_form(request, form, idea=idea)


@login_required
def idea_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks "are you sure?" (withdrawing cannot be undone, and a stray tap on a phone
    should not cost an idea); POST withdraws."""
    idea = get_idea_for_user(request.user, pk, write=True)
    if request.method != "POST":
        if not idea.is_withdrawable:
            messages.error(
                request,
                _("This idea is “%(status)s” and can no longer be withdrawn.")
                % {"status": idea.get_status_display()},
            )
            return redirect("initiatives:my_ideas")
        return render(request, "initiatives/idea_withdraw.html", {"idea": idea})
    try:
        services.idea_withdraw(idea=idea, author=request.user)
        messages.success(request, _("Your idea has been withdrawn."))
    except IdeaError as error:
        messages.error(request, str(error))
    return redirect("initiatives:my_ideas")


@login_required
@require_POST
def idea_submit(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk, write=True)
    try:
        services.idea_submit(idea=idea, author=request.user)
        messages.success(request, _("Your idea has been sent for review."))
    except IdeaError as error:
        messages.error(request, str(error))
    return redirect("initiatives:my_ideas")


@login_required
def my_ideas(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_ideas(request.user), 50).get_page(
        querystring.page_param(request.GET)
    )
    return render(
        request,
        "initiatives/idea_mine.html",
        {"page": page, "submission": action_state(Action.SUBMIT_IDEAS)},
    )


def _reported_by_viewer(request: HttpRequest, idea: Idea) -> dict:
    """What the viewer reported on this page, still open: "You reported this" replaces
    their "Report" link."""
    reported_idea, reported_comment_ids = selectors.reports_open_by(request.user, idea=idea)
    return {"reported_idea": reported_idea, "reported_comment_ids": reported_comment_ids}


@require_GET
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    moderator = can_moderate(request.user)
    comments, muted_count = selectors.split_muted(
        list(selectors.idea_comments(idea, request.user, moderator=moderator))
    )
    return render(
        request,
        "initiatives/idea_detail.html",
        {
            "idea": idea,
            "comments": comments,
            "comment_form": CommentForm(),
            "is_moderator": moderator,
            "is_author": request.user.is_authenticated and idea.author_id == request.user.pk,
            "supported": bool(selectors.supported_idea_ids(request.user, [idea])),
            "resources": idea.harm_category.support_resources.all()[:3],
            "muted_count": muted_count,
            **_reported_by_viewer(request, idea),
        },
    )


@login_required
@require_POST
def idea_support(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    want = request.POST.get("supported") == "1"
    try:
        now = services.idea_support_set(idea=idea, user=request.user, supported=want)
        messages.success(
            request,
            _("You support this idea.") if now else _("You no longer support this idea."),
        )
    except IdeaError as error:
        messages.error(request, str(error))
    return redirect(request.POST.get("next") == "board" and "initiatives:idea_board" or idea)


@login_required
def idea_comment(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    if request.method != "POST":
        return redirect(idea)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_create(
                idea=idea,
                author=request.user,
                body=form.cleaned_data["body"],
                is_anonymous=form.cleaned_data["is_anonymous"],
                language=form.cleaned_data["language"],
            )
        except IdeaError as error:
            form.add_error(None, str(error))
        else:
            if comment.is_pending:
                messages.success(request, _("Thank you. Your comment will appear once reviewed."))
            else:
                messages.success(request, _("Your comment is posted."))
            return redirect(
                reverse("initiatives:idea_detail", kwargs={"pk": idea.pk}) + "#comments"
            )
    moderator = can_moderate(request.user)
    comments, muted_count = selectors.split_muted(
        list(selectors.idea_comments(idea, request.user, moderator=moderator))
    )
    return render(
        request,
        "initiatives/idea_detail.html",
        {
            "idea": idea,
            "comments": comments,
            "muted_count": muted_count,
            "comment_form": form,
            "is_moderator": moderator,
            "is_author": idea.author_id == request.user.pk,
            "supported": bool(selectors.supported_idea_ids(request.user, [idea])),
            "resources": idea.harm_category.support_resources.all()[:3],
            **_reported_by_viewer(request, idea),
        },
        status=400,
    )


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_comment_for_user(request.user, pk)
    if comment.author_id != request.user.pk:
        raise Http404
    try:
        services.comment_delete(comment=comment, author=request.user)
        messages.success(request, _("Your comment has been deleted."))
    except IdeaError as error:
        messages.error(request, str(error))
    return redirect(
        reverse("initiatives:idea_detail", kwargs={"pk": comment.idea_id}) + "#comments"
    )


def _report(request: HttpRequest, *, idea: Idea | None, comment: Comment | None) -> HttpResponse:
    form = ReportForm(request.POST or None)
    back = idea if idea is not None else comment.idea
    # Back to what was reported: the comment itself, in its thread.
    back_url = back.get_absolute_url() + ("" if comment is None else f"#comment-{comment.pk}")
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                reporter=request.user,
                idea=idea,
                comment=comment,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except IdeaError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "Thank you for your report. Our moderators will review it, and we have sent "
                    "you a confirmation by email."
                ),
            )
        return redirect(back_url)
    return render(
        request,
        "initiatives/report_form.html",
        {
            "form": form,
            "idea": back,
            "comment": comment,
            "back_url": back_url,
            "already_reported": selectors.has_open_report(request.user, idea=idea, comment=comment),
        },
    )


@login_required
def idea_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _report(request, idea=get_idea_for_user(request.user, pk), comment=None)


@login_required
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _report(request, idea=None, comment=get_comment_for_user(request.user, pk))


# --- Moderation ------------------------------------------------------------------------


@role_required(Role.ORGANISER)
def moderation_queue(request: HttpRequest) -> HttpResponse:
    return _queue_page(request)


def resolve_form_id(kind: str, pk: int) -> str:
    """The ids of one reported item's controls (outcome-comment-7_0, note-comment-7): the
    queue has a resolve form per item, and the error summary links to the one that failed."""
    return f"%s-{kind}-{pk}"


def _queue_page(request, *, bulk_form=None, resolve_form=None, resolve_key=None, status=200):
    """The moderation queue; a bulk or resolve form that failed is shown again with its errors
    (the GOV.UK error summary at the top, the message beside the field), answered 400."""
    filters = {
        "harm_category": querystring.id_param(request.GET, "category"),
        "solution_area": querystring.id_param(request.GET, "area"),
    }
    page = Paginator(selectors.pending_ideas(**filters), QUEUE_PAGE_SIZE).get_page(
        querystring.page_param(request.GET)
    )
    return render(
        request,
        "initiatives/moderation_queue.html",
        {
            "page": page,
            "filters": filters,
            "counts": selectors.queue_counts(),
            "reported": [
                {
                    **item,
                    "wording": resolve_wording(item["target"]),
                    "key": f"{item['kind']}-{item['target'].pk}",
                }
                for item in selectors.reported_items()[:QUEUE_REPORT_LIMIT]
            ],
            "pending_comments": selectors.pending_comments()[:50],
            "urgent_people": selectors.urgent_person_reports(),
            "categories": HarmCategory.objects.select_related("parent"),
            "areas": SolutionArea.objects.all(),
            "bulk_form": bulk_form or BulkDecisionForm(auto_id=BULK_ID),
            "resolve_form": resolve_form,
            "resolve_key": resolve_key,
            # The next page of a filtered queue stays filtered.
            "querystring": querystring.urlencode_without(request.GET, "page"),
        },
        status=status,
    )


# The bulk form's controls: bulk-decision, bulk-reason, and bulk-ideas_0... per row.
BULK_ID = "bulk-%s"


# The redact form shares the moderation page with the decision form, and both have a
# "reason" field: the prefix keeps their ids (and the labels that point at them) apart.
REDACT_PREFIX = "redact"


def _moderation_page(
    request, idea, *, decision_form=None, warning_form=None, redact_form=None, status=200
):
    """The moderation page of one idea; a form that failed is shown again with its errors."""
    return render(
        request,
        "initiatives/moderation_idea.html",
        {
            "idea": idea,
            "log": selectors.idea_log(idea),
            "decision_form": decision_form
            or DecisionForm(status=idea.status, personal_data=bool(idea.personal_data_kinds)),
            "warning_form": warning_form
            or ContentWarningForm(
                initial={
                    "has_content_warning": idea.has_content_warning,
                    "content_warning_note": idea.content_warning_note,
                }
            ),
            "redact_form": redact_form or RedactForm(prefix=REDACT_PREFIX),
            "open_reports": idea.reports.filter(status="open").select_related("reporter"),
            "resolve_form": ReportResolveForm(),
        },
        status=status,
    )


@role_required(Role.ORGANISER)
def moderation_idea(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    # Shown: the decisions this status allows. Posted: any decision, so a stale one reaches
    # the service and its "already decided by" answer.
    form = (
        DecisionForm(request.POST)
        if request.method == "POST"
        else DecisionForm(status=idea.status, personal_data=bool(idea.personal_data_kinds))
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_decide(
                idea=idea,
                moderator=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.reason_text(),
                seen_status=form.cleaned_data["seen_status"] or None,
                personal_data_checked=form.cleaned_data.get("personal_data_checked", False),
            )
        except IdeaError as error:
            messages.error(request, str(error))
            return redirect("initiatives:moderation_idea", pk=idea.pk)
        messages.success(
            request,
            _("Done: “%(title)s” is now “%(status)s”.")
            % {"title": idea.title, "status": idea.get_status_display()},
        )
        return redirect("initiatives:moderation_queue")
    return _moderation_page(request, idea, decision_form=form)


@role_required(Role.ORGANISER)
@require_POST
def moderation_idea_warning(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    form = ContentWarningForm(request.POST)
    if not form.is_valid():
        return _moderation_page(request, idea, warning_form=form, status=400)
    try:
        services.idea_set_content_warning(
            idea=idea,
            moderator=request.user,
            has_content_warning=form.cleaned_data["has_content_warning"],
            note=form.cleaned_data["content_warning_note"],
        )
    except IdeaError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The content warning is saved."))
    return redirect("initiatives:moderation_idea", pk=idea.pk)


@role_required(Role.ORGANISER)
@require_POST
def moderation_idea_redact(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    form = RedactForm(request.POST, prefix=REDACT_PREFIX)
    if not form.is_valid():
        return _moderation_page(request, idea, redact_form=form, status=400)
    try:
        services.idea_redact(
            idea=idea,
            moderator=request.user,
            passage=form.cleaned_data["passage"],
            reason=form.cleaned_data["reason"],
        )
    except IdeaError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The passage has been removed."))
    return redirect("initiatives:moderation_idea", pk=idea.pk)


@role_required(Role.ORGANISER)
@require_POST
def moderation_bulk(request: HttpRequest) -> HttpResponse:
    # Any existing idea may be posted (one decided meanwhile is reported by the service,
    # not allowed to spoil the rest); forged ids fail the form.
    posted = [pk for pk in map(as_id, request.POST.getlist("ideas")) if pk]
    known_ids = Idea.objects.filter(pk__in=posted).values_list("pk", flat=True)
    form = BulkDecisionForm(request.POST, pending_ids=list(known_ids), auto_id=BULK_ID)
    if form.is_valid():
        ideas = Idea.objects.filter(pk__in=form.cleaned_data["ideas"]).order_by("submitted_at")
        try:
            done, problems = services.ideas_bulk_decide(
                ideas=ideas,
                moderator=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.reason_text(),
            )
        except IdeaError as error:
            form.add_error(None, str(error))
        else:
            if done:
                messages.success(
                    request,
                    ngettext("%(count)d idea decided.", "%(count)d ideas decided.", done)
                    % {"count": done},
                )
            for problem in problems:
                messages.warning(request, problem)
            return redirect("initiatives:moderation_queue")
    return _queue_page(request, bulk_form=form, status=400)


@role_required(Role.ORGANISER)
@require_POST
def moderation_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("idea"), pk=pk)
    action = request.POST.get("action")
    reason = querystring.text_param(request.POST, "reason", max_length=1000)
    try:
        if action == "approve":
            services.comment_approve(comment=comment, moderator=request.user)
        elif action == "hide":
            services.comment_hide(comment=comment, moderator=request.user, reason=reason)
        elif action == "restore":
            services.comment_restore(comment=comment, moderator=request.user, note=reason)
        else:
            raise IdeaError(_("Unknown action."))
    except IdeaError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The comment has been updated."))
    return redirect(
        request.POST.get("next") == "idea" and comment.idea or "initiatives:moderation_queue"
    )


@role_required(Role.ORGANISER)
def moderation_comment_redact(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("idea", "author"), pk=pk)
    form = RedactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_redact(
                comment=comment,
                moderator=request.user,
                passage=form.cleaned_data["passage"],
                reason=form.cleaned_data["reason"],
            )
        except IdeaError as error:
            form.add_error("passage", str(error))
        else:
            messages.success(request, _("The passage has been removed."))
            return redirect(
                reverse("initiatives:idea_detail", kwargs={"pk": comment.idea_id})
                + f"#comment-{comment.pk}"
            )
    return render(request, "initiatives/comment_redact.html", {"comment": comment, "form": form})


@role_required(Role.ORGANISER)
@require_POST
def moderation_resolve(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind == "idea":
        target = {"idea": get_object_or_404(Idea, pk=pk)}
    elif kind == "comment":
        target = {"comment": get_object_or_404(Comment, pk=pk)}
    else:
        raise Http404
    form = ReportResolveForm(request.POST, auto_id=resolve_form_id(kind, pk))
    if form.is_valid():
        try:
            closed = services.reports_resolve(
                moderator=request.user,
                uphold=form.cleaned_data["outcome"] == "uphold",
                note=form.cleaned_data["note"],
                **target,
            )
        except IdeaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext("%(count)d report resolved.", "%(count)d reports resolved.", closed)
                % {"count": closed},
            )
            return redirect("initiatives:moderation_queue")
    return _queue_page(request, resolve_form=form, resolve_key=f"{kind}-{pk}", status=400)


# --- Initiatives -----------------------------------------------------------------------


@require_GET
def initiative_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.initiative_list(), 20).get_page(querystring.page_param(request.GET))
    return render(request, "initiatives/initiative_list.html", {"page": page})


def _organisers():
    return (
        User.objects.filter(Q(groups__name=Role.ORGANISER) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("display_name")
    )


@role_required(Role.ORGANISER)
def initiative_create(request: HttpRequest) -> HttpResponse:
    initial_ids = querystring.id_list_param(request.GET, "idea")
    form = InitiativeForm(
        request.POST or None,
        ideas=selectors.mergeable_ideas(),
        leads=_organisers(),
        initial={"ideas": initial_ids, "leads": [request.user.pk]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            initiative = services.initiative_create(
                creator=request.user,
                title=data["title"],
                summary=data["summary"],
                description=data["description"],
                solution_area=data["solution_area"],
                harm_categories=data["harm_categories"],
                leads=data["leads"],
                ideas=data["ideas"],
            )
        except IdeaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The initiative is created and its ideas are merged."))
            return redirect(initiative)
    return render(request, "initiatives/initiative_form.html", {"form": form})


def _initiative_page(
    request: HttpRequest,
    slug: str,
    *,
    join_form: JoinForm | None = None,
    update_form: InitiativeUpdateForm | None = None,
    status_form: InitiativeStatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The initiative page; a form that failed is shown again with its errors."""
    initiative = get_object_or_404(selectors.initiative_detail(slug, viewer=request.user))
    cocreators = list(initiative.cocreators.all())
    lead_ids = {lead.pk for lead in initiative.leads.all()}
    mine = next((c for c in cocreators if c.user_id == request.user.pk), None)
    if join_form is None:
        # The merged ideas are prefetched: no query to know whether one is theirs, anonymous.
        anonymous_author = request.user.is_authenticated and any(
            idea.is_anonymous and idea.author_id == request.user.pk
            for idea in initiative.ideas.all()
        )
        initial = (
            {"role": mine.role, "pledge": mine.pledge, "show_name": mine.show_name}
            if mine
            else {"show_name": False}
        )
        join_form = JoinForm(initial=initial, anonymous_author=anonymous_author)
    return render(
        request,
        "initiatives/initiative_detail.html",
        {
            "initiative": initiative,
            "progress": selectors.initiative_progress(initiative),
            "cocreators": cocreators,
            "membership": mine,
            "join_form": join_form,
            "can_post_update": can_post_update(request.user, initiative, lead_ids),
            "following": initiative.viewer_follows,
            # Who may open the working draft (permissions.can_write_draft), from what is
            # already loaded: no query.
            "can_open_draft": request.user.is_authenticated
            and (can_moderate(request.user) or request.user.pk in lead_ids or mine is not None),
            "update_form": update_form or InitiativeUpdateForm(),
            "status_form": status_form or InitiativeStatusForm(current=initiative.status),
            "co_creation": action_state(Action.CO_CREATE),
        },
        status=status,
    )


@require_GET
def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _initiative_page(request, slug)


@login_required
@require_POST
def initiative_join(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative, slug=slug)
    form = JoinForm(
        request.POST, anonymous_author=selectors.anonymous_author_of(initiative, request.user)
    )
    if not form.is_valid():
        # Shown again where it was filled in: the error on its field, the pledge kept.
        return _initiative_page(request, slug, join_form=form, status=400)
    try:
        services.cocreator_join(
            initiative=initiative,
            user=request.user,
            role=form.cleaned_data["role"],
            pledge=form.cleaned_data["pledge"],
            # Only an anonymous idea's author has the choice; for anyone else it is None.
            show_name=form.cleaned_data.get("show_name"),
        )
    except IdeaError as error:
        messages.error(request, str(error))
        return redirect(initiative)
    messages.success(request, _("Welcome aboard: you are a co-creator of this initiative."))
    return redirect(initiative)


@login_required
@require_POST
def initiative_leave(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative, slug=slug)
    services.cocreator_leave(initiative=initiative, user=request.user)
    messages.success(request, _("You are no longer a co-creator of this initiative."))
    return redirect(initiative)


@login_required
@require_POST
def initiative_post_update(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative.objects.prefetch_related("leads"), slug=slug)
    lead_ids = {lead.pk for lead in initiative.leads.all()}
    if not can_post_update(request.user, initiative, lead_ids):
        raise PermissionDenied
    form = InitiativeUpdateForm(request.POST)
    if not form.is_valid():
        return _initiative_page(request, slug, update_form=form, status=400)
    try:
        services.initiative_update_post(
            initiative=initiative,
            author=request.user,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
    except IdeaError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your update is posted and co-creators will be emailed."))
    return redirect(initiative)


@login_required
@require_POST
def initiative_status(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative.objects.prefetch_related("leads"), slug=slug)
    lead_ids = {lead.pk for lead in initiative.leads.all()}
    if not can_post_update(request.user, initiative, lead_ids):
        raise PermissionDenied
    form = InitiativeStatusForm(request.POST)
    if not form.is_valid():
        return _initiative_page(request, slug, status_form=form, status=400)
    try:
        services.initiative_set_status(
            initiative=initiative, actor=request.user, status=form.cleaned_data["status"]
        )
    except IdeaError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The status is updated."))
    return redirect(initiative)
