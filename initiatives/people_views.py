"""The moderation area's People tab: find a person, read their history, warn, suspend, block
or unblock them (accounts.services.person_block and friends do the work and the checks)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.forms import PersonDecisionForm
from accounts.models import User
from accounts.permissions import role_required
from accounts.roles import Role
from accounts.services import AccountError
from audit import querystring
from engagement.models import Registration, RegistrationStatus

from . import selectors

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
    """Carry out a valid form's decision; the message to show. Raises AccountError."""
    data = form.cleaned_data
    action, reason = data["action"], data["reason"]
    if action == form.WARN:
        account_services.person_warn(person=person, by=by, reason=reason)
        return _("Warning sent to %(name)s.") % {"name": person.display_name}
    if action == form.UNBLOCK:
        account_services.person_unblock(person=person, by=by, reason=reason)
        return _("%(name)s can take part again.") % {"name": person.display_name}
    decision = account_services.person_block(
        person=person,
        by=by,
        reason=reason,
        until=form.until_time() if action == form.SUSPEND else None,
        hide_content=data["hide_content"],
        cancel_registrations=data["cancel_registrations"],
    )
    done = (_("%(name)s is suspended.") if decision.until else _("%(name)s is blocked.")) % {
        "name": person.display_name
    }
    return " ".join(
        [
            done,
            _("Items hidden: %(hidden)d. Places cancelled: %(cancelled)d.")
            % {"hidden": decision.hidden_items, "cancelled": decision.cancelled_registrations},
        ]
    )


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
            except AccountError as error:
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
