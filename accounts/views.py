from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .permissions import needs_mfa, user_role_names
from .roles import Role


@login_required
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
