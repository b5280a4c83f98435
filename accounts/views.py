from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import ProfileForm
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
