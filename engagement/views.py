"""Session pages, registration, My sessions and the organiser console. Thin: parse, fetch with
an access helper, call one service, message, redirect."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from audit import querystring
from harms.models import HarmCategory
from outbox.services import recipient_language

from . import selectors, services, session_page
from .cancel_links import CancelLinkRefused, cancel_link_registration
from .emails import session_message_email
from .forms import (
    AttendanceForm,
    CheckInCodeForm,
    InvitationPasteForm,
    InvitationUploadForm,
    ReasonForm,
    RegistrationForm,
    RosterPurposeForm,
    SessionEditForm,
    SessionForm,
    SessionMessageForm,
)
from .ics import personal_feed, public_feed, session_calendar, session_calendar_filename
from .models import MessageAudience, RegistrationStatus, SessionMode
from .permissions import (
    can_see_attendee_details,
    get_calendar_feed,
    get_invitation_for_organiser,
    get_invitation_import_for_organiser,
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
    # A session by invitation: the register form is for invitees only (one query, only here).
    invited = (
        registration is None
        and session.is_invitation_only
        and services.is_invited(session=session, user=request.user)
    )
    return render(
        request,
        "engagement/engagementsession_detail.html",
        {
            "session": session,
            "registration": registration,
            "not_invited": session.is_invitation_only and not invited,
            "show_attendee_details": can_see_attendee_details(request.user, session, registration),
            "registration_open": session.registration_is_open(),
            "form": form,
            # What higher apps add (engagement.session_page): "What we heard", from reports.
            "session_sections": session_page.sections_for(
                request, session, place=session_page.PUBLIC
            ),
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
            # Messages to the session (issue 16, item 1): the latest few, and how many in all.
            "session_messages": selectors.session_messages(session)[
                : selectors.SESSION_MESSAGES_SHOWN
            ],
            "session_messages_total": session.messages.count(),
            "roster_sections": session_page.sections_for(
                request, session, place=session_page.ROSTER
            ),
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
            at = date_format(timezone.localtime(registration.checked_in_at), "g:i A")
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


# --- Messages to a session (issue 16, item 1) -------------------------------------------


def _message_preview(session, registration, form: SessionMessageForm) -> dict:
    """The email as `registration`'s person receives it: their name, their language."""
    language = recipient_language(registration.participant)
    with translation.override(language):
        email = session_message_email(
            session=session,
            registration=registration,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
        )
        text = render_to_string(
            f"{email.template}.txt",
            {"site_url": settings.SITE_URL, "recipient": registration.participant, **email.context},
        )
        subject = str(email.subject)
    return {
        "subject": subject,
        "text": text.strip(),
        "reply_to": ", ".join(email.reply_to),
        "name": registration.participant.display_name,
        "language": translation.get_language_info(language)["name_translated"],
    }


@role_required(Role.ORGANISER)
@require_http_methods(["GET", "POST"])
def session_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Compose (GET, or POST step=edit to change it), preview (step=preview: the email as one
    recipient sees it, with a Send button) and send (step=send, then back to the roster)."""
    session = get_session_for_organiser(pk)
    counts = selectors.message_audience_counts(session)
    step = querystring.choice_param(request.POST, "step", ["preview", "send", "edit"])
    if request.method == "POST" and step == "edit":
        fields = ("audience", "subject", "body")
        form = SessionMessageForm(
            initial={f: request.POST.get(f, "") for f in fields}, counts=counts
        )
    else:
        form = SessionMessageForm(request.POST or None, counts=counts)
    if request.method == "POST" and step != "edit" and form.is_valid():
        data = form.cleaned_data
        try:
            if step == "send":
                message = services.session_message_send(
                    session=session,
                    by=request.user,
                    audience=data["audience"],
                    subject=data["subject"],
                    body=data["body"],
                )
            else:
                recipients, first = services.session_message_validate(
                    session=session,
                    audience=data["audience"],
                    subject=data["subject"],
                    body=data["body"],
                )
        except services.SessionMessageError as error:
            form.add_error(error.field or None, str(error))
        else:
            if step == "send":
                messages.success(
                    request,
                    ngettext(
                        "Message sent to %(count)d person. It is listed below.",
                        "Message sent to %(count)d people. It is listed below.",
                        message.recipient_count,
                    )
                    % {"count": message.recipient_count},
                )
                return redirect(
                    f"{reverse('engagement:console_roster', args=[session.pk])}#session-messages"
                )
            return render(
                request,
                "engagement/session_message_preview.html",
                {
                    "session": session,
                    "form": form,
                    "recipients": recipients,
                    "audience_label": MessageAudience(data["audience"]).label,
                    "preview": _message_preview(session, first, form),
                },
            )
    return render(
        request,
        "engagement/session_message_form.html",
        {
            "session": session,
            "form": form,
            "refusal": services.session_message_refusal(session)
            or services.session_message_limit_refusal(session),
            "per_day": settings.SESSION_MESSAGES_PER_DAY,
        },
        status=400 if form.errors else 200,
    )


# --- Invitations (issue 16, item 2) ------------------------------------------------------------

INVITATIONS_PAGE_SIZE = 50


def _invitations_page(
    request: HttpRequest,
    session,
    *,
    paste_form=None,
    upload_form=None,
    report=None,
    status: int = 200,
) -> HttpResponse:
    from .models import INVITATION_STATUS_LABELS, InvitationStatus

    shown = querystring.choice_param(request.GET, "status", InvitationStatus.values)
    counts = selectors.invitation_counts(session)
    return render(
        request,
        "engagement/invitations.html",
        {
            "session": session,
            "refusal": services.invitation_refusal(session),
            "paste_form": paste_form or InvitationPasteForm(),
            "upload_form": upload_form or InvitationUploadForm(),
            "report": report,
            "report_problems": _problem_rows(report.problems) if report else [],
            "counts": counts,
            "shown": shown,
            "tabs": [
                {
                    "label": INVITATION_STATUS_LABELS[value],
                    "count": counts[value],
                    "current": value == shown,
                    "link": urlencode({"status": value}),
                }
                for value in InvitationStatus.values
            ],
            "imports": selectors.invitation_imports_of(session),
            "page": _page(
                request,
                selectors.session_invitations(session=session, status=shown),
                INVITATIONS_PAGE_SIZE,
            ),
            "querystring": urlencode({"status": shown}) if shown else "",
        },
        status=status,
    )


def _problem_rows(problems: list[dict]) -> list[dict]:
    """Each problem with its sentence, for the per-row report."""
    return [
        {
            **problem,
            "message": problem.get("message")
            or services.invitation_problem_message(problem["problem"]),
        }
        for problem in problems
    ]


@role_required(Role.ORGANISER)
@require_http_methods(["GET", "POST"])
def session_invitations(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's invitations: paste addresses or upload a CSV (a small file is added at
    once, with its per-row report; a large one becomes an import with a progress page), and
    the list with resend and withdraw."""
    session = get_session_for_organiser(pk)
    if request.method == "GET":
        return _invitations_page(request, session)
    if "file" in request.FILES or request.POST.get("action") == "upload":
        form = InvitationUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return _invitations_page(request, session, upload_form=form, status=400)
        try:
            result = services.invitation_import_create(
                session=session, organiser=request.user, data=form.cleaned_data["file"].read()
            )
        except services.InvitationError as error:
            form.add_error("file", str(error))
            return _invitations_page(request, session, upload_form=form, status=400)
        if isinstance(result, services.InviteReport):
            return _invitations_page(request, session, report=result)
        messages.info(
            request, _("The file is being processed. This page shows how far it has got.")
        )
        return redirect("engagement:console_invitation_import", pk=session.pk, import_pk=result.pk)
    form = InvitationPasteForm(request.POST)
    if not form.is_valid():
        return _invitations_page(request, session, paste_form=form, status=400)
    try:
        invitees, problems = services.invitees_parse_paste(text=form.cleaned_data["emails"])
        report = services.invitations_add(
            session=session, organiser=request.user, invitees=invitees, problems=problems
        )
    except services.InvitationError as error:
        form.add_error("emails", str(error))
        return _invitations_page(request, session, paste_form=form, status=400)
    return _invitations_page(request, session, report=report)


@role_required(Role.ORGANISER)
@require_GET
def session_invitation_import(request: HttpRequest, pk: int, import_pk: int) -> HttpResponse:
    """How far an import has got; the page reloads itself (a meta refresh) until it is done."""
    session = get_session_for_organiser(pk)
    job = get_invitation_import_for_organiser(session, import_pk)
    page = _page(request, _problem_rows(job.problems), INVITATIONS_PAGE_SIZE)
    return render(
        request,
        "engagement/invitation_import.html",
        {
            "session": session,
            "job": job,
            "page": page,
            "percent": int(100 * job.processed_rows / job.total_rows) if job.total_rows else 0,
        },
    )


def _invitations_return(request: HttpRequest, invitation) -> HttpResponse:
    page = querystring.page_param(request.POST)
    url = reverse("engagement:console_invitations", args=[invitation.session_id])
    if page and page != "1":
        url += f"?{urlencode({'page': page})}"
    return redirect(f"{url}#invitation-{invitation.pk}")


@role_required(Role.ORGANISER)
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_invitation_for_organiser(pk)
    try:
        services.invitation_resend(invitation=invitation, organiser=request.user)
    except services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The invitation will be sent again in a minute."))
    return _invitations_return(request, invitation)


@role_required(Role.ORGANISER)
@require_POST
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_invitation_for_organiser(pk)
    try:
        services.invitation_withdraw(invitation=invitation, organiser=request.user)
    except services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Invitation withdrawn: its link no longer works. A registration already made "
                "stays; cancel it from the roster if needed."
            ),
        )
    return _invitations_return(request, invitation)


def _invitation_gone(request: HttpRequest, error: services.InvitationError) -> HttpResponse:
    """A link that does not work gets a page that says why: 410 when it worked once, 404 when
    it was never one of ours."""
    return render(
        request,
        "engagement/invitation_gone.html",
        {"message": str(error)},
        status=410 if error.gone else 404,
    )


@require_GET
def invitation_landing(request: HttpRequest, token: str) -> HttpResponse:
    """Where the invitation email's link leads: the session, and register (or decline) for a
    signed-in person; sign up or sign in, returning here, for anyone else."""
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationError as error:
        return _invitation_gone(request, error)
    return _invitation_page(request, token, invitation, RegistrationForm())


def _invitation_page(request, token, invitation, form, status: int = 200) -> HttpResponse:
    session = invitation.session
    registration = selectors.active_registration(session=session, participant=request.user)
    here = reverse("engagement:invitation", args=[token])
    return render(
        request,
        "engagement/invitation_landing.html",
        {
            "invitation": invitation,
            "session": session,
            "token": token,
            "registration": registration,
            "other_account": (
                services.invitation_other_account_refusal(invitation, request.user)
                if request.user.is_authenticated
                else ""
            ),
            "registration_open": session.registration_is_open(),
            "form": form,
            "login_url": f"{reverse('account_login')}?{urlencode({'next': here})}",
            "signup_url": f"{reverse('account_signup')}?{urlencode({'next': here})}",
        },
        status=status,
    )


@login_required
@require_POST
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationError as error:
        return _invitation_gone(request, error)
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        return _invitation_page(request, token, invitation, form, status=400)
    try:
        registration = services.invitation_accept(
            invitation=invitation,
            participant=request.user,
            access_needs=form.cleaned_data["access_needs"],
        )
    except services.EngagementError as error:
        messages.error(request, str(error))
        return redirect("engagement:invitation", token=token)
    if registration.is_confirmed:
        messages.success(request, _("Your seat is confirmed. We have emailed you the details."))
    else:
        messages.info(
            request,
            _("The session is full, so you are on the waiting list, in place %(position)d.")
            % {"position": registration.waitlist_position},
        )
    return redirect(invitation.session)


@login_required
@require_POST
def invitation_decline(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_from_token(token)
        services.invitation_decline(invitation=invitation, participant=request.user)
    except services.InvitationError as error:
        if error.gone:
            return _invitation_gone(request, error)
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Thank you for letting us know. If you change your mind, this link still works."),
        )
    return redirect("engagement:invitation", token=token)
