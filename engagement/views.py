"""Session pages, registration, My sessions and the organiser console. Thin: parse, fetch with
an access helper, call one service, message, redirect."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from audit import querystring
from harms.models import HarmCategory

from . import selectors, services
from .cancel_links import CancelLinkRefused, cancel_link_registration
from .forms import (
    AttendanceForm,
    CheckInCodeForm,
    ReasonForm,
    RegistrationForm,
    RosterPurposeForm,
    SessionEditForm,
    SessionForm,
)
from .ics import personal_feed, public_feed, session_calendar, session_calendar_filename
from .models import RegistrationStatus, SessionMode
from .permissions import (
    can_see_attendee_details,
    get_calendar_feed,
    get_registration_for_organiser,
    get_registration_for_participant,
    get_session_by_id_for_user,
    get_session_for_organiser,
    get_session_for_user,
)

PAGE_SIZE = 10
ROSTER_PAGE_SIZE = 50


def _page(request: HttpRequest, items, per_page: int):
    return Paginator(items, per_page).get_page(querystring.page_param(request.GET))


# --- Public pages ---------------------------------------------------------------------


@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    past = querystring.choice_param(request.GET, "when", ["past"]) == "past"
    category = querystring.slug_param(request.GET, "category")
    mode = querystring.choice_param(request.GET, "mode", SessionMode.values)
    sessions = selectors.public_sessions(past=past, category=category, mode=mode)
    return render(
        request,
        "engagement/engagementsession_list.html",
        {
            "page": _page(request, sessions, PAGE_SIZE),
            "past": past,
            "category": category,
            "mode": mode,
            "categories": HarmCategory.objects.order_by("order", "name"),
            "modes": SessionMode.choices,
            "querystring": querystring.urlencode_without(request.GET, "page"),
        },
    )


@require_GET
def session_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _session_page(request, get_session_for_user(request.user, slug), RegistrationForm())


def _session_page(request: HttpRequest, session, form: RegistrationForm, status: int = 200):
    """The session page; a registration form that failed is shown again with its errors."""
    registration = selectors.active_registration(session=session, participant=request.user)
    return render(
        request,
        "engagement/engagementsession_detail.html",
        {
            "session": session,
            "registration": registration,
            "show_attendee_details": can_see_attendee_details(request.user, session, registration),
            "registration_open": session.registration_is_open(),
            "form": form,
        },
        status=status,
    )


@require_GET
def session_short_link(request: HttpRequest, pk: int) -> HttpResponse:
    return redirect(get_session_by_id_for_user(request.user, pk))


@require_GET
def session_calendar_download(request: HttpRequest, slug: str) -> HttpResponse:
    session = get_session_for_user(request.user, slug)
    response = HttpResponse(session_calendar(session), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{session_calendar_filename(session)}"'
    return response


@login_required
@require_POST
def session_register(request: HttpRequest, slug: str) -> HttpResponse:
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        return _session_page(request, get_session_for_user(request.user, slug), form, status=400)
    try:
        # By slug: the claim finds and checks the session itself, so the busy path (a
        # popular session opening) reads no session row first.
        registration = services.registration_create_by_slug(
            slug=slug,
            participant=request.user,
            registered_by=request.user,
            access_needs=form.cleaned_data["access_needs"],
        )
    except services.RegistrationError as error:
        # A session this person may not see (unknown, or a draft) is a 404, not a message.
        session = get_session_for_user(request.user, slug, for_page=False)
        messages.error(request, str(error))
        return redirect(session)
    if registration.is_confirmed:
        messages.success(request, _("Your seat is confirmed. We have emailed you the details."))
    else:
        messages.info(
            request,
            _("The session is full, so you are on the waiting list, in place %(position)d.")
            % {"position": registration.waitlist_position},
        )
    return redirect("engagement:session_detail", slug=slug)


# --- My sessions ----------------------------------------------------------------------


@login_required
@require_GET
def my_sessions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "engagement/registration_list.html",
        {
            "page": _page(request, selectors.registrations_of(request.user), PAGE_SIZE),
            "now": timezone.now(),
            **_calendar_feed_context(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks first (a seat given up may go to the waiting list for good); POST cancels."""
    registration = get_registration_for_participant(request.user, pk)
    if request.method == "GET":
        if registration.is_cancelled:
            messages.info(request, _("This registration is already cancelled."))
            return redirect("engagement:my_sessions")
        return render(
            request, "engagement/registration_cancel.html", {"registration": registration}
        )
    try:
        services.registration_cancel(registration=registration, cancelled_by=request.user)
    except services.RegistrationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("engagement:my_sessions")


# --- Organiser console ----------------------------------------------------------------


@role_required(Role.ORGANISER)
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "engagement/console.html",
        {"page": _page(request, selectors.console_sessions(), 20)},
    )


@role_required(Role.ORGANISER)
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(created_by=request.user, details=form.details())
        except services.SessionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Draft session created. Publish it when it is ready."))
            return redirect("engagement:console_roster", pk=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "engagement/engagementsession_form.html", {"form": form}, status=status)


@role_required(Role.ORGANISER)
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_organiser(pk)
    form = SessionEditForm(request.POST or None, initial=SessionForm.initial_from(session))
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(
                session=session,
                editor=request.user,
                details=form.details(),
                fill_from_waiting_list=form.cleaned_data["fill_from_waiting_list"],
            )
        except services.SessionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Session saved."))
            return redirect("engagement:console_roster", pk=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "engagement/engagementsession_form.html",
        {"form": form, "session": session},
        status=status,
    )


@role_required(Role.ORGANISER)
@require_POST
def session_publish(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_organiser(pk)
    try:
        services.session_publish(session=session, organiser=request.user)
    except services.SessionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Session published: participants can now see it."))
    return redirect("engagement:console_roster", pk=session.pk)


@role_required(Role.ORGANISER)
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_organiser(pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(
                session=session, organiser=request.user, reason=form.cleaned_data["reason"]
            )
        except services.SessionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Session cancelled. Everyone registered is being told."))
            return redirect("engagement:console_roster", pk=session.pk)
    return render(
        request,
        "engagement/engagementsession_cancel.html",
        {"form": form, "session": session},
        status=400 if request.method == "POST" else 200,
    )


ROSTER_SEARCH_MAX_LENGTH = 100


def _roster_url(session_id: int, *, status: str, search: str = "", page: str = "") -> str:
    """The roster tab with its search and page kept: where a change on the roster returns."""
    params = {"status": status}
    if search:
        params["q"] = search
    if page and page != "1":
        params["page"] = page
    return f"{reverse('engagement:console_roster', args=[session_id])}?{urlencode(params)}"


def _roster_return(request: HttpRequest) -> tuple[str, str]:
    """The search and page a roster form was posted from (hidden fields), cleaned."""
    search = querystring.text_param(request.POST, "q", max_length=ROSTER_SEARCH_MAX_LENGTH)
    return search, querystring.page_param(request.POST)


@role_required(Role.ORGANISER)
@require_GET
def session_roster(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_organiser(pk)
    status = querystring.choice_param(
        request.GET, "status", RegistrationStatus.values, default=RegistrationStatus.CONFIRMED
    )
    search = querystring.text_param(request.GET, "q", max_length=ROSTER_SEARCH_MAX_LENGTH)
    counts = selectors.roster_counts(session)
    can_mark_attendance = session.has_started and not session.is_cancelled
    showing_confirmed = status == RegistrationStatus.CONFIRMED
    tab_query = {"status": status, **({"q": search} if search else {})}
    return render(
        request,
        "engagement/roster.html",
        {
            "session": session,
            "status": status,
            "search": search,
            "showing_confirmed": showing_confirmed,
            "showing_waitlist": status == RegistrationStatus.WAITLISTED,
            # (status, label, how many, whether it is the tab shown, its link)
            "tabs": [
                (
                    value,
                    label,
                    counts[value],
                    value == status,
                    urlencode({**tab_query, "status": value}),
                )
                for value, label in RegistrationStatus.choices
            ],
            "counts": counts,
            "unmarked": counts[RegistrationStatus.CONFIRMED] - counts["attended"],
            "page": _page(
                request,
                selectors.roster(session=session, status=status, search=search),
                ROSTER_PAGE_SIZE,
            ),
            "querystring": urlencode(tab_query),
            "can_mark_attendance": can_mark_attendance,
            "move_refusal": services.waitlist_move_refusal(session),
        },
    )


@role_required(Role.ORGANISER)
@require_http_methods(["GET", "POST"])
def session_roster_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks what the roster is for (prefilled); POST with a purpose downloads it."""
    session = get_session_for_organiser(pk)
    form = RosterPurposeForm(
        request.POST or None, initial={"purpose": RosterPurposeForm.suggested_purpose(session)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            content = services.roster_export_csv(
                session=session, organiser=request.user, purpose=form.cleaned_data["purpose"]
            )
        except services.EngagementError as error:
            form.add_error("purpose", str(error))
        else:
            response = HttpResponse(content, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="roster-session-{session.pk}.csv"'
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "engagement/roster_csv_purpose.html",
        {"form": form, "session": session},
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.ORGANISER)
@require_POST
def registration_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one person attended, or undo it, and return to their card on the same tab, search
    and page."""
    registration = get_registration_for_organiser(pk)
    form = AttendanceForm(request.POST)
    form.is_valid()
    try:
        services.registration_mark_attendance(
            registration=registration,
            organiser=request.user,
            attended=form.cleaned_data.get("attended", False),
        )
    except services.RegistrationError as error:
        messages.error(request, str(error))
    else:
        name = registration.participant.display_name
        if registration.attended:
            messages.success(request, _("%(name)s marked as attended.") % {"name": name})
        else:
            messages.success(request, _("%(name)s marked as absent.") % {"name": name})
    search, page = _roster_return(request)
    url = _roster_url(
        registration.session_id, status=RegistrationStatus.CONFIRMED, search=search, page=page
    )
    return redirect(f"{url}#registration-{registration.pk}")


@role_required(Role.ORGANISER)
@require_POST
def session_mark_all_attended(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_organiser(pk)
    try:
        marked = services.session_mark_all_attended(session=session, by=request.user)
    except services.RegistrationError as error:
        messages.error(request, str(error))
    else:
        if marked:
            messages.success(
                request,
                ngettext(
                    "%(count)d person marked as attended.",
                    "%(count)d people marked as attended.",
                    marked,
                )
                % {"count": marked},
            )
        else:
            messages.info(request, _("Everyone with a confirmed seat was already marked."))
    search, page = _roster_return(request)
    url = _roster_url(session.pk, status=RegistrationStatus.CONFIRMED, search=search, page=page)
    return redirect(f"{url}#roster-counts")


@role_required(Role.ORGANISER)
@require_http_methods(["GET", "POST"])
def registration_move(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_registration_for_organiser(pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_move_from_waitlist(
                registration=registration,
                organiser=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.RegistrationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Moved from the waiting list: their seat is confirmed."))
            return redirect("engagement:console_roster", pk=registration.session_id)
    return render(
        request,
        "engagement/registration_move.html",
        {
            "form": form,
            "registration": registration,
            "session": registration.session,
            "move_refusal": services.waitlist_move_refusal(registration.session),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- "I can no longer come" links (issue 16, item 3) ----------------------------------


def _cancel_link_page(
    request: HttpRequest, state: str, registration=None, *, error: str = "", status: int = 200
) -> HttpResponse:
    """The one page of the cancel link, in one of its states: "confirm", "done", "already",
    "session_cancelled", "error", or a refusal ("invalid", "expired", "other")."""
    return render(
        request,
        "engagement/registration_cancel_link.html",
        {
            "state": state,
            "registration": registration,
            "session": registration.session if registration else None,
            "error": error,
        },
        status=status,
    )


# --- Check-in codes at the door (issue 16, item 4) ------------------------------------------
# Two steps, each a plain form post, so the page works on any phone without script: type (or
# scan) the code, see the person's name, confirm. The page after a check-in offers its undo.


def _check_in_page(
    request: HttpRequest,
    session,
    *,
    form: CheckInCodeForm | None = None,
    found: services.CheckIn | None = None,
    status: int = 200,
) -> HttpResponse:
    last_id = querystring.id_param(request.GET, "last")
    last = (
        selectors.checked_in_registration(session=session, pk=last_id)
        if last_id and found is None
        else None
    )
    form = form or CheckInCodeForm()
    if not form.errors:
        # Ready for the next code without a tap; after an error the summary takes focus.
        form.fields["code"].widget.attrs["autofocus"] = True
    return render(
        request,
        "engagement/check_in.html",
        {
            "session": session,
            "form": form,
            "found": found,
            "last": last,
            "counts": selectors.check_in_counts(session),
            "refusal": services.check_in_refusal(session),
        },
        status=status,
    )


REFUSAL_STATUS = {"invalid": 400, "expired": 410, "other": 403}


@require_http_methods(["GET", "POST"])
def registration_cancel_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in registration emails. GET only asks (a mail scanner following the link
    cancels nothing); POST cancels. Works signed out: the signed token is the proof. Signed
    in as someone else, it is refused rather than cancel a place that is not theirs."""
    try:
        registration = cancel_link_registration(token)
    except CancelLinkRefused as refused:
        return _cancel_link_page(request, refused.reason, status=REFUSAL_STATUS[refused.reason])
    if request.user.is_authenticated and request.user.pk != registration.participant_id:
        return _cancel_link_page(request, "other", status=REFUSAL_STATUS["other"])
    if registration.is_cancelled:
        return _cancel_link_page(request, "already", registration)
    if registration.session.is_cancelled:
        return _cancel_link_page(request, "session_cancelled", registration)
    if request.method == "GET":
        return _cancel_link_page(request, "confirm", registration)
    try:
        services.registration_cancel(
            registration=registration, cancelled_by=registration.participant
        )
    except services.RegistrationError as error:
        return _cancel_link_page(request, "error", registration, error=str(error), status=409)
    return _cancel_link_page(request, "done", registration)


# --- Calendar feeds (issue 16, item 5) ------------------------------------------------


def _calendar_response(content: bytes, cache_control: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = cache_control
    return response


@require_GET
def calendar_public(request: HttpRequest) -> HttpResponse:
    """Every listed upcoming session, for anyone to subscribe to. One query."""
    return _calendar_response(
        public_feed(selectors.calendar_public_sessions()), "public, max-age=900"
    )


@require_GET
def calendar_personal(request: HttpRequest, secret: str) -> HttpResponse:
    """A person's own places, behind their secret address (no sign-in: calendar apps fetch
    it). A forged or reset secret is a 404."""
    feed = get_calendar_feed(secret)
    response = _calendar_response(
        personal_feed(selectors.calendar_feed_registrations(user=feed.user)),
        "private, max-age=300",
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def _calendar_feed_context(user) -> dict:
    """My sessions' "Calendar feed" section: the secret address, https and webcal://."""
    feed = selectors.calendar_feed_of(user)
    if feed is None:
        return {"calendar_feed": None}
    url = settings.SITE_URL + reverse("engagement:calendar_personal", args=[feed.token])
    return {
        "calendar_feed": feed,
        "calendar_feed_url": url,
        "calendar_feed_webcal": "webcal://" + url.split("://", 1)[-1],
    }


@login_required
@require_POST
def calendar_feed_reset(request: HttpRequest) -> HttpResponse:
    """Create the person's feed address, or replace it (the old one stops working)."""
    had_feed = selectors.calendar_feed_of(request.user) is not None
    services.calendar_feed_reset(user=request.user)
    if had_feed:
        messages.success(
            request, _("Your calendar feed has a new address. The old one no longer works.")
        )
    else:
        messages.success(
            request, _("Your calendar feed is ready. Add its address to your calendar.")
        )
    return redirect(reverse("engagement:my_sessions") + "#calendar-feed")


def _check_in_url(session_id: int, *, last: int | None = None) -> str:
    url = reverse("engagement:console_check_in", args=[session_id])
    return f"{url}?{urlencode({'last': last})}" if last else url


@role_required(Role.ORGANISER)
@require_http_methods(["GET", "POST"])
def session_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the code field. POST (step 1): whose code it is, with a button to confirm; a code
    already checked in says when, with its undo. Nothing is written in this step."""
    session = get_session_for_organiser(pk)
    if request.method == "GET":
        return _check_in_page(request, session)
    form = CheckInCodeForm(request.POST)
    if form.is_valid():
        try:
            found = services.check_in_find(session=session, code=form.cleaned_data["code"])
        except services.CheckInError as error:
            form.add_error("code", str(error))
        else:
            return _check_in_page(request, session, form=form, found=found)
    return _check_in_page(request, session, form=form, status=400)


@role_required(Role.ORGANISER)
@require_POST
def session_check_in_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: check the person in, then back to an empty code field for the next one."""
    session = get_session_for_organiser(pk)
    form = CheckInCodeForm(request.POST)
    if form.is_valid():
        try:
            done = services.registration_check_in(
                session=session, code=form.cleaned_data["code"], by=request.user
            )
        except services.CheckInError as error:
            form.add_error("code", str(error))
        else:
            registration = done.registration
            name = registration.participant.display_name
            at = timezone.localtime(registration.checked_in_at).strftime("%H:%M")
            if done.already:
                messages.info(
                    request,
                    _("%(name)s was already checked in at %(time)s.") % {"name": name, "time": at},
                )
            else:
                messages.success(request, _("%(name)s is checked in.") % {"name": name})
            return redirect(_check_in_url(session.pk, last=registration.pk))
    return _check_in_page(request, session, form=form, status=400)


@role_required(Role.ORGANISER)
@require_POST
def session_check_in_undo(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_organiser(pk)
    registration_id = querystring.id_param(request.POST, "registration")
    try:
        if registration_id is None:
            raise services.CheckInError(_("This check-in is not at this session."))
        registration, undone = services.registration_check_in_undo(
            session=session, registration_id=registration_id, by=request.user
        )
    except services.CheckInError as error:
        messages.error(request, str(error))
    else:
        name = registration.participant.display_name
        if undone:
            messages.success(
                request, _("Check-in undone: %(name)s is not checked in.") % {"name": name}
            )
        else:
            messages.info(request, _("%(name)s is not checked in.") % {"name": name})
    return redirect(_check_in_url(session.pk))
