"""The moderation area's People tab: find a person, read their history, warn, suspend, block
or unblock them (accounts.services.person_block and friends do the work and the checks)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import services as account_services
from accounts.forms import PersonDecisionForm
from accounts.models import User
from accounts.permissions import role_required
from accounts.roles import Role
from audit import querystring
from engagement.models import Registration, RegistrationStatus

from . import selectors, services
from .forms import PersonReportForm
from .models import CoCreator
from .permissions import get_comment_for_user, get_idea_for_user
from .services import IdeaError
from .templatetags.initiatives_tags import author_label, cocreator_label

PEOPLE_PAGE_SIZE = 25
PERSON_FORM_ID = "person-%s"


@role_required(Role.ORGANISER)
def people(request: HttpRequest) -> HttpResponse:
    """Search people by display name (or exact email); without a search, the authors of
    content with open reports and the people suspended or blocked now."""
    query = querystring.text_param(request.GET, "q")
    listed = selectors.people_matching(query) if query else selectors.restricted_people()
    page = Paginator(listed, PEOPLE_PAGE_SIZE).get_page(querystring.page_param(request.GET))
    return render(
        request,
        "initiatives/people.html",
        {
            "query": query,
            "page": page,
            "reported_authors": [] if query else selectors.reported_authors(),
            "querystring": querystring.urlencode_without(request.GET, "page"),
        },
    )


def _decide(form: PersonDecisionForm, *, person: User, by: User) -> str:
    """Carry out a valid form's decision; the message to show. Raises IdeaError."""
    data = form.cleaned_data
    action = data["action"]
    decision, closed = services.person_decision_take(
        person=person,
        by=by,
        action=action,
        reason=data["reason"],
        until=form.until_time(),
        hide_content=data["hide_content"],
        cancel_registrations=data["cancel_registrations"],
    )
    name = {"name": person.display_name}
    if action == form.CLOSE:
        done = ngettext(
            "%(count)d report about %(name)s closed without action.",
            "%(count)d reports about %(name)s closed without action.",
            closed,
        ) % {**name, "count": closed}
    elif action == form.WARN:
        done = _("Warning sent to %(name)s.") % name
    elif action == form.UNBLOCK:
        done = _("%(name)s can take part again.") % name
    else:
        done = " ".join(
            [
                (_("%(name)s is suspended.") if decision.until else _("%(name)s is blocked."))
                % name,
                _("Items hidden: %(hidden)d. Places cancelled: %(cancelled)d.")
                % {"hidden": decision.hidden_items, "cancelled": decision.cancelled_registrations},
            ]
        )
    return done


@role_required(Role.ORGANISER)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's history and the decision form. A refused decision (their role, a closed
    account, a date in the past) is shown with the form kept, answered 400."""
    someone = get_object_or_404(User, pk=pk, erased_at__isnull=True)
    status = 200
    form = PersonDecisionForm(auto_id=PERSON_FORM_ID)
    if request.method == "POST":
        form = PersonDecisionForm(request.POST, auto_id=PERSON_FORM_ID)
        if form.is_valid():
            try:
                message = _decide(form, person=someone, by=request.user)
            except IdeaError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, message)
                return redirect("initiatives:person", pk=someone.pk)
        status = 400
    may_decide = not account_services.holds_a_role(someone) or request.user.is_superuser
    return render(
        request,
        "initiatives/person.html",
        {
            "person": someone,
            "state": someone.restriction_in_force(),
            "history": selectors.person_history(someone),
            "upcoming_places": Registration.objects.filter(
                participant=someone,
                status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
                session__starts_at__gt=timezone.now(),
            ).count(),
            "form": form,
            "may_decide": may_decide and someone.pk != request.user.pk,
        },
        status=status,
    )


# --- Reporting a person, and muting (any signed-in participant) ----------------------------


def _person_report_page(request, *, idea=None, comment=None, cocreator=None, label, back_url):
    """The report form for the person behind a name. `label` is the name as this reader sees
    it ("Anonymous participant" for an anonymous author): the page never reveals more."""
    form = PersonReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.person_report_create(
                    reporter=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    idea=idea,
                    comment=comment,
                    cocreator=cocreator,
                )
            except IdeaError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: we have received your report and our moderators will look "
                        "at it. We never tell the person who reported them."
                    ),
                )
                return redirect(back_url)
        status = 400
    return render(
        request,
        "initiatives/person_report_form.html",
        {"form": form, "label": label, "back_url": back_url},
        status=status,
    )


@login_required
def idea_report_author(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_idea_for_user(request.user, pk)
    if not idea.is_public or idea.author_id == request.user.pk:
        raise Http404
    return _person_report_page(
        request,
        idea=idea,
        label=author_label(idea, request.user),
        back_url=idea.get_absolute_url(),
    )


@login_required
def comment_report_author(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_comment_for_user(request.user, pk)
    if not comment.is_published or comment.author_id == request.user.pk:
        raise Http404
    return _person_report_page(
        request,
        comment=comment,
        label=author_label(comment, request.user),
        back_url=f"{comment.idea.get_absolute_url()}#comment-{comment.pk}",
    )


@login_required
def cocreator_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    cocreator = get_object_or_404(
        CoCreator.objects.select_related("user", "initiative"), pk=pk, initiative__slug=slug
    )
    if cocreator.user_id == request.user.pk:
        raise Http404
    return _person_report_page(
        request,
        cocreator=cocreator,
        label=cocreator_label(cocreator, request.user),
        back_url=cocreator.initiative.get_absolute_url(),
    )


@login_required
@require_POST
def comment_mute(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Hide this person's comments from me", from one of their comments."""
    comment = get_comment_for_user(request.user, pk)
    try:
        services.mute_set(user=request.user, comment=comment)
    except IdeaError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "You will no longer see this person's comments. They are not told. You can "
                "show them again from your profile."
            ),
        )
    return redirect(f"{comment.idea.get_absolute_url()}#comments")


@login_required
def muted_people(request: HttpRequest) -> HttpResponse:
    """The people whose comments the reader hid, each named by the comment it was chosen from
    (an anonymous author stays "Anonymous participant"), with "Show their comments again"."""
    if request.method == "POST":
        pk = querystring.as_id(request.POST.get("mute"))
        if pk is not None and services.mute_remove(user=request.user, mute_id=pk):
            messages.success(request, _("You will see this person's comments again."))
        return redirect("initiatives:muted_people")
    page = Paginator(selectors.mutes_of(request.user), PEOPLE_PAGE_SIZE).get_page(
        querystring.page_param(request.GET)
    )
    return render(request, "initiatives/muted_people.html", {"page": page})
