"""Feedback pages (/feedback/) and the organisers' quote review. Thin: parse, fetch with an
access helper, call one service, message, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from audit import querystring
from engagement.models import EngagementSession, SessionStatus
from engagement.permissions import get_session_for_organiser
from harms.models import SupportResource
from harms.pii import KIND_LABELS

from . import selectors, services
from .forms import FeedbackForm, QuoteApproveForm, QuoteRejectForm, SessionQuestionForm
from .models import QUESTIONS_PER_SESSION
from .permissions import (
    get_feedback_for_owner,
    get_feedback_for_viewer,
    get_question_for_organiser,
    get_quote_for_review,
)

PAGE_SIZE = 10
STAFF_PAGE_SIZE = 25


def _page(request: HttpRequest, items, per_page: int):
    return Paginator(items, per_page).get_page(querystring.page_param(request.GET))


def _support_resources():
    return SupportResource.objects.order_by("order", "name")[:4]


def _form_page(request, form, *, session=None, feedback=None, status=200):
    return render(
        request,
        "feedback/feedback_form.html",
        {
            "form": form,
            "session": session,
            "feedback": feedback,
            "support_resources": _support_resources(),
        },
        status=status,
    )


def _gone(request: HttpRequest, error: services.FeedbackGone) -> HttpResponse:
    """Deleted in another tab or window while this page was open: say so, back to the list."""
    messages.info(request, str(error))
    return redirect("feedback:home")


@require_GET
@login_required
def feedback_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "feedback/feedback_list.html",
        {
            "page": _page(request, selectors.feedback_of(request.user), PAGE_SIZE),
            "sessions_awaiting": selectors.sessions_awaiting_feedback(request.user),
        },
    )


def _create(request: HttpRequest, session: EngagementSession | None) -> HttpResponse:
    form = FeedbackForm(
        request.POST if request.method == "POST" else None,
        for_session=session is not None,
        questions=selectors.session_questions(session) if session is not None else (),
    )
    if request.method == "POST" and form.is_valid():
        try:
            feedback = services.feedback_create(
                participant=request.user, session=session, details=form.details()
            )
        except services.FeedbackError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you. Your feedback has been sent."))
            return redirect(feedback)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, session=session, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def feedback_general_new(request: HttpRequest) -> HttpResponse:
    return _create(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def feedback_session_new(request: HttpRequest, slug: str) -> HttpResponse:
    session = get_object_or_404(EngagementSession, slug=slug, status=SessionStatus.PUBLISHED)
    if not services.may_give_session_feedback(session=session, participant=request.user):
        messages.info(
            request,
            _(
                "You can give feedback on a session you had a confirmed place at, once it has "
                "started."
            ),
        )
        return redirect("feedback:home")
    existing = session.feedback.filter(participant=request.user).first()
    if existing is not None:
        return redirect("feedback:edit", pk=existing.pk)
    return _create(request, session)


@require_GET
@login_required
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback_for_viewer(request.user, pk)
    return render(
        request,
        "feedback/feedback_detail.html",
        {"feedback": feedback, "is_owner": feedback.participant_id == request.user.pk},
    )


@require_http_methods(["GET", "POST"])
@login_required
def feedback_edit(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback_for_owner(request.user, pk)
    if not feedback.is_editable():
        messages.info(
            request,
            _("This feedback has gone into a digest and can no longer be changed."),
        )
        return redirect(feedback)
    form = FeedbackForm(
        request.POST if request.method == "POST" else None,
        for_session=not feedback.is_general,
        questions=selectors.session_questions(feedback.session) if feedback.session else (),
        initial=FeedbackForm.initial_for(feedback),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_update(
                feedback=feedback, participant=request.user, details=form.details()
            )
        except services.FeedbackGone as error:
            return _gone(request, error)
        except services.FeedbackError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your feedback has been updated."))
            return redirect(feedback)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, feedback=feedback, session=feedback.session, status=status)


@require_POST
@login_required
def feedback_withdraw_quote(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback_for_owner(request.user, pk)
    try:
        services.feedback_withdraw_quote_consent(feedback=feedback, participant=request.user)
    except services.FeedbackGone as error:
        return _gone(request, error)
    messages.success(
        request,
        _("You will not be quoted. Any quote of yours is being taken out of stored digests."),
    )
    return redirect(feedback)


@require_http_methods(["GET", "POST"])
@login_required
def feedback_delete(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback_for_owner(request.user, pk)
    if request.method == "POST":
        try:
            services.feedback_delete(feedback=feedback, participant=request.user)
        except services.FeedbackGone as error:
            return _gone(request, error)
        messages.success(request, _("Your feedback has been deleted."))
        return redirect("feedback:home")
    return render(request, "feedback/feedback_confirm_delete.html", {"feedback": feedback})


@require_GET
@role_required(Role.STAFF)
def feedback_all(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "feedback/feedback_all.html",
        {"page": _page(request, selectors.all_feedback(), STAFF_PAGE_SIZE)},
    )


# --- Quote review -------------------------------------------------------------------------


def _first_words(feedback) -> str:
    """A starting point for the excerpt: the beginning of the first thing they wrote."""
    texts = [feedback.experience, *(s.text for s in feedback.suggestions.all())]
    first = next((text for text in texts if text.strip()), "")
    limit = services.EXCERPT_MAX_LENGTH - 1
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"


@require_GET
@role_required(Role.ORGANISER)
def quote_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "feedback/feedback_quote_queue.html",
        {"page": _page(request, selectors.quotes_waiting(), STAFF_PAGE_SIZE)},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ORGANISER)
def quote_review(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_quote_for_review(pk)
    decision = request.POST.get("decision")
    approve_form = QuoteApproveForm(
        request.POST if decision == "approve" else None,
        initial={"excerpt": _first_words(feedback)},
    )
    reject_form = QuoteRejectForm(request.POST if decision == "reject" else None)
    form = approve_form if decision == "approve" else reject_form
    if request.method == "POST" and decision in ("approve", "reject") and form.is_valid():
        try:
            if decision == "approve":
                services.quote_approve(
                    feedback=feedback,
                    moderator=request.user,
                    excerpt=form.cleaned_data["excerpt"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("Excerpt approved: it can appear in digests."))
            else:
                services.quote_reject(
                    feedback=feedback, moderator=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Quote declined."))
        except services.FeedbackError as error:
            form.add_error(None, str(error))
        else:
            return redirect("feedback:quote_queue")
    return render(
        request,
        "feedback/feedback_quote_review.html",
        {
            "feedback": feedback,
            "approve_form": approve_form,
            "reject_form": reject_form,
            "pii_labels": [
                str(KIND_LABELS[k]) for k in feedback.personal_data_kinds if k in KIND_LABELS
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Questions of a session's own (organisers; issue 17, item 4) ---------------------------


def _questions_url(session) -> str:
    return reverse("feedback:session_questions", args=[session.pk])


def _questions_page(request, session, form, *, status=200, question=None) -> HttpResponse:
    questions = selectors.session_questions(session)
    # The preview is the participants' form as it will be, its fields disabled.
    preview = FeedbackForm(for_session=True, questions=questions, prefix="preview")
    for bound in preview.question_fields():
        bound.field.disabled = True
    return render(
        request,
        "feedback/sessionquestion_list.html",
        {
            "session": session,
            "questions": questions,
            "form": form,
            "editing": question,
            "frozen_reason": services.questions_frozen_reason(session),
            "limit": QUESTIONS_PER_SESSION,
            "preview": preview,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ORGANISER)
def session_questions(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's own questions: the list, a preview and the form to add one."""
    session = get_session_for_organiser(pk)
    form = SessionQuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_question_add(
                session=session, organiser=request.user, details=form.details()
            )
        except services.SessionQuestionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Question added."))
            return redirect(_questions_url(session))
    status = 400 if request.method == "POST" else 200
    return _questions_page(request, session, form, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.ORGANISER)
def session_question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    session = get_session_for_organiser(pk)
    question = get_question_for_organiser(session, question_pk)
    form = SessionQuestionForm(
        request.POST if request.method == "POST" else None,
        initial=SessionQuestionForm.initial_for(question),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_question_update(
                question=question, organiser=request.user, details=form.details()
            )
        except services.SessionQuestionGone as error:
            messages.info(request, str(error))
            return redirect(_questions_url(session))
        except services.SessionQuestionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Question saved."))
            return redirect(_questions_url(session))
    status = 400 if request.method == "POST" else 200
    return _questions_page(request, session, form, status=status, question=question)


@require_POST
@role_required(Role.ORGANISER)
def session_question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    session = get_session_for_organiser(pk)
    question = get_question_for_organiser(session, question_pk)
    try:
        services.session_question_delete(question=question, organiser=request.user)
    except services.SessionQuestionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Question deleted."))
    return redirect(_questions_url(session))


@require_POST
@role_required(Role.ORGANISER)
def session_question_move(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    session = get_session_for_organiser(pk)
    question = get_question_for_organiser(session, question_pk)
    direction = querystring.choice_param(request.POST, "direction", ["up", "down"], default="")
    if direction:
        try:
            services.session_question_move(
                question=question, organiser=request.user, up=direction == "up"
            )
        except services.SessionQuestionError as error:
            messages.error(request, str(error))
    return redirect(f"{_questions_url(session)}#question-{question.pk}")
