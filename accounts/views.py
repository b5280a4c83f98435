from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import querystring

from . import services
from .consent import safe_next
from .forms import AccountEraseForm, ModerationAlertsForm, ProfileForm
from .middleware import set_language_cookie, supported_language
from .models import PersonalDataArchive, Restriction
from .permissions import needs_mfa, user_role_names
from .roles import Role


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Said in the language just chosen, as the next page will be.
        translation.activate(user.preferred_language)
        messages.success(request, _("Your details have been saved."))
        return redirect("accounts:profile")
    roles = [role.label for role in Role if role.value in user_role_names(user)]
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "roles": roles,
            "mfa_enabled": is_mfa_enabled(user),
            "needs_mfa": needs_mfa(user),
            "consent_history": services.consent_history(user),
            "alerts_form": ModerationAlertsForm(
                initial={
                    "urgent_report_alerts": user.urgent_report_alerts,
                    "moderation_summary": user.moderation_summary,
                },
                auto_id="alerts-%s",
            )
            if user.has_perm("accounts.decide_about_person")
            else None,
        },
    )


@login_required
@require_POST
def moderation_alerts(request: HttpRequest) -> HttpResponse:
    """An organiser's moderation emails (the form on their profile)."""
    form = ModerationAlertsForm(request.POST)
    form.is_valid()  # two optional ticks: always valid
    try:
        services.user_set_moderation_alerts(
            user=request.user,
            urgent_report_alerts=form.cleaned_data.get("urgent_report_alerts", False),
            moderation_summary=form.cleaned_data.get("moderation_summary", False),
        )
    except services.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your moderation emails have been saved."))
    return redirect("accounts:profile")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher in every page's header: a plain form, no script. Django's
    set_language, plus the profile for a signed-in person; a code the site does not have
    is English, and `next` is a path on this site (else the home page)."""
    language = supported_language(request.POST.get("language")) or settings.LANGUAGE_CODE
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    target = safe_next(request, request.POST.get("next", ""), default=reverse("home"))
    response = HttpResponseRedirect(target)
    set_language_cookie(response, language)
    return response


@login_required
@require_POST
def stay_signed_in(request: HttpRequest) -> HttpResponse:
    """The "Stay signed in" button of the idle warning: the request itself restarts the idle
    clock (accounts.middleware). From a script it answers 204; as a plain form it goes back."""
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "accounts:profile"
    messages.info(request, _("You are still signed in."))
    return redirect(target)


ARCHIVES_PAGE_SIZE = 10


def get_archive_for_user(user, pk: int) -> PersonalDataArchive:
    """Only the person's own archive: anyone else (administrators too) gets a 404."""
    return get_object_or_404(PersonalDataArchive, pk=pk, requested_by_id=user.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def personal_data(request: HttpRequest) -> HttpResponse:
    """My account -> My data: what a copy holds, one button to ask for it, and the copies
    asked for so far with where each stands."""
    if request.method == "POST":
        try:
            services.personal_data_archive_request(
                user=request.user, language=translation.get_language() or ""
            )
        except services.AccountError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Your data is being gathered. We will email you a link when it is ready."),
            )
        return redirect("accounts:personal_data")
    page = Paginator(
        PersonalDataArchive.objects.filter(requested_by=request.user), ARCHIVES_PAGE_SIZE
    ).get_page(querystring.page_param(request.GET))
    return render(
        request,
        "accounts/personal_data.html",
        {"page": page, "archives": page.object_list, "file_days": settings.PERSONAL_DATA_FILE_DAYS},
    )


@never_cache
@login_required
@require_GET
def personal_data_download(request: HttpRequest, pk: int) -> HttpResponse:
    archive = get_archive_for_user(request.user, pk)
    if archive.is_pending or archive.has_failed:
        return redirect("accounts:personal_data")
    path = services.personal_data_archive_download(archive=archive, user=request.user)
    if path is None:
        return render(
            request,
            "accounts/personal_data_expired.html",
            {"archive": archive, "file_days": settings.PERSONAL_DATA_FILE_DAYS},
            status=410,
        )
    # never_cache marks it no-store: no shared cache keeps a copy.
    return FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=archive.file_name,
        content_type="application/zip",
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """My account -> Delete my account: what happens, the one choice, the password again
    (and the second factor where enrolled), then accounts.services.account_erase. A wrong
    password or code is the page again with the error (200); nothing has changed."""
    withdrawing = (request.POST if request.method == "POST" else request.GET).get("withdraw") == "1"
    form = AccountEraseForm(request.POST or None, user=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        keep = form.cleaned_data["keep_contributions"]
        if withdrawing:
            services.consent_withdraw(user=request.user, keep_contributions=keep)
        else:
            services.account_erase(
                user=request.user, keep_contributions=keep, requested_by=request.user
            )
        logout(request)
        messages.success(
            request,
            _(
                "Your account has been deleted and you are signed out. We have sent a "
                "confirmation to your old email address."
            ),
        )
        return redirect("home")
    return render(
        request, "accounts/account_delete.html", {"form": form, "withdrawing": withdrawing}
    )


@login_required
@require_POST
def notice_accept(request: HttpRequest) -> HttpResponse:
    """The privacy page's accept button. It posts the version it showed: if the notice has
    changed since, nothing is recorded and the page shows the newer version."""
    target = safe_next(request, request.POST.get("next", ""))
    try:
        services.consent_accept(user=request.user, version=request.POST.get("version", ""))
    except services.NoticeChanged as error:
        messages.warning(request, str(error))
        privacy = reverse("privacy")
        return redirect(f"{privacy}?{urlencode({'next': target})}" if target else privacy)
    messages.success(request, _("Thank you: you have accepted the current privacy notice."))
    return redirect(target or "accounts:profile")


@login_required
@require_GET
def restricted(request: HttpRequest) -> HttpResponse:
    """What a suspended or blocked person sees instead of the site (RestrictedPersonMiddleware
    sends them here): why, until when, how to ask for a review, and what they can still do.
    Anyone else is sent on to their profile."""
    user = request.user
    state = user.restriction_in_force()
    if not state:
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/restricted.html",
        {
            "suspended": state == Restriction.SUSPENDED,
            "until": user.restricted_until,
            "reason": user.restriction_reason,
            "support_email": settings.SUPPORT_EMAIL,
        },
    )
