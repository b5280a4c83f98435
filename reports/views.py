"""Digest pages for MCI staff: archive, on-demand request, one digest, its status for polling,
and the email opt-in. Thin: role check, form, one service call, message, redirect."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from audit import querystring
from audit.periods import PeriodError, period_for_dates

from . import figures, selectors, services
from .forms import DigestRequestForm
from .models import DigestKind, DigestSubscription
from .permissions import get_digest_for_staff


def _archive(request: HttpRequest, form: DigestRequestForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "reports/digest_list.html",
        {
            "page": selectors.digest_archive(page=querystring.page_param(request.GET)),
            "form": form,
            "subscribed": DigestSubscription.objects.filter(user=request.user).exists(),
            "terms": figures.terms(figures.ARCHIVE_FIGURES),
        },
        status=status,
    )


@require_GET
@role_required(Role.STAFF)
def digest_list(request: HttpRequest) -> HttpResponse:
    return _archive(request, DigestRequestForm())


@require_POST
@role_required(Role.STAFF)
def digest_request(request: HttpRequest) -> HttpResponse:
    form = DigestRequestForm(request.POST)
    if form.is_valid():
        try:
            start, end = period_for_dates(
                form.cleaned_data["first_day"], form.cleaned_data["last_day"]
            )
            digest = services.digest_request(
                kind=DigestKind.ON_DEMAND,
                period_start=start,
                period_end=end,
                requested_by=request.user,
            )
        except (PeriodError, services.DigestError) as error:
            form.add_error(None, str(error))
        else:
            # No flash: the digest's page shows its status (queued, compiling, ready, failed)
            # from the digest itself, so nothing says "being compiled" above a finished one.
            return redirect(digest)
    return _archive(request, form, status=400)


@require_GET
@role_required(Role.STAFF)
def digest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    digest = get_digest_for_staff(pk)
    return render(request, "reports/digest_detail.html", {"digest": digest})


@require_POST
@role_required(Role.STAFF)
def digest_recompile(request: HttpRequest, pk: int) -> HttpResponse:
    """Compile the same period again: the one digest's figures are replaced."""
    digest = get_digest_for_staff(pk)
    try:
        services.digest_request(
            kind=digest.kind,
            period_start=digest.period_start,
            period_end=digest.period_end,
            requested_by=request.user,
        )
    except services.DigestError as error:
        messages.error(request, str(error))
    return redirect(digest)


@never_cache
@require_GET
@role_required(Role.STAFF)
def digest_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Polled by static/js/digest.js while a digest is queued or compiling."""
    digest = get_digest_for_staff(pk)
    return JsonResponse(
        {
            "status": digest.status,
            "label": digest.get_status_display(),
            "done": not digest.is_pending,
            "url": digest.get_absolute_url(),
        }
    )


@require_POST
@role_required(Role.STAFF)
def digest_subscription(request: HttpRequest) -> HttpResponse:
    subscribed = services.digest_subscription_set(
        user=request.user, subscribed=request.POST.get("subscribe") == "1"
    )
    messages.success(
        request,
        _("You will receive each digest by email.")
        if subscribed
        else _("You will no longer receive digests by email."),
    )
    return redirect("reports:digest_list")
