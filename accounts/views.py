from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import AccountEraseForm, ProfileForm
from .permissions import needs_mfa, user_role_names
from .roles import Role


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
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
        },
    )


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


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """My account -> Delete my account: what happens, the one choice, the password again
    (and the second factor where enrolled), then accounts.services.account_erase. A wrong
    password or code is the page again with the error (200); nothing has changed."""
    form = AccountEraseForm(request.POST or None, user=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        services.account_erase(
            user=request.user,
            keep_contributions=form.cleaned_data["keep_contributions"],
            requested_by=request.user,
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
    return render(request, "accounts/account_delete.html", {"form": form})
