"""Following an initiative (issue 17, item 3): the Follow / Unfollow buttons, the list of
initiatives a person follows, and the one-click unsubscribe link of the daily digest."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from audit import querystring

from . import selectors, services
from .follow_links import UnsubscribeLinkInvalid, unsubscribe_link
from .models import Initiative
from .services import IdeaError

FOLLOWING_PAGE_SIZE = 50


@login_required
@require_POST
def initiative_follow(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative, slug=slug)
    try:
        services.follow_start(initiative=initiative, by=request.user)
    except IdeaError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("You follow this initiative: we will email you at most once a day when it has news."),
        )
    return redirect(initiative)


@login_required
@require_POST
def initiative_unfollow(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative, slug=slug)
    services.follow_stop(initiative=initiative, by=request.user)
    messages.success(request, _("You no longer follow this initiative."))
    if request.POST.get("next") == "following":
        return redirect("initiatives:following")
    return redirect(initiative)


@login_required
@require_GET
def following(request: HttpRequest) -> HttpResponse:
    """Initiatives I follow, newest first, each with its Unfollow button."""
    page = Paginator(selectors.followed_initiatives(request.user), FOLLOWING_PAGE_SIZE).get_page(
        querystring.page_param(request.GET)
    )
    return render(request, "initiatives/follow_list.html", {"page": page})


def _unsubscribe_page(request, state: str, *, initiative=None, status: int = 200):
    """States: "confirm", "done", "already", "invalid"."""
    return render(
        request,
        "initiatives/follow_unsubscribe.html",
        {"state": state, "initiative": initiative},
        status=status,
    )


# Mail clients send the RFC 8058 one-click POST (body "List-Unsubscribe=One-Click") with no
# CSRF token and no cookies; the signed token in the URL is the proof instead. GET only
# asks, so a link scanner unsubscribes nobody.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def follow_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = unsubscribe_link(token)
    except UnsubscribeLinkInvalid:
        return _unsubscribe_page(request, "invalid", status=404)
    user = User.objects.filter(pk=link.user_id).first()
    initiative = None
    if link.initiative_id is not None:
        initiative = Initiative.objects.filter(pk=link.initiative_id).first()
        if initiative is None:
            return _unsubscribe_page(request, "invalid", status=404)
    follows = selectors.follows_of(user, initiative) if user else None
    if not follows:
        return _unsubscribe_page(request, "already", initiative=initiative)
    if request.method == "GET":
        return _unsubscribe_page(request, "confirm", initiative=initiative)
    services.follow_stop(initiative=initiative, by=user)
    return _unsubscribe_page(request, "done", initiative=initiative)
