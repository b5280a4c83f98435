from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import role_required
from accounts.roles import Role

from . import selectors, services
from .forms import PhaseForm
from .models import Phase
from .services import PhaseError


@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    """The public road to the launch: every phase, the current one marked."""
    entries = selectors.timeline()
    return render(
        request,
        "process/phase_list.html",
        {"entries": entries, "current": next((e for e in entries if e.is_current), None)},
    )


@role_required(Role.STAFF)
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    return render(request, "process/phase_manage.html", {"entries": selectors.timeline()})


def _form_page(request, form, *, phase=None, status=200) -> HttpResponse:
    return render(request, "process/phase_form.html", {"form": form, "phase": phase}, status=status)


@role_required(Role.STAFF)
def phase_create(request: HttpRequest) -> HttpResponse:
    form = PhaseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                phase = services.phase_create(actor=request.user, fields=form.phase_fields())
            except PhaseError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("“%(title)s” is added.") % {"title": phase.title})
                return redirect("process:manage")
        return _form_page(request, form, status=400)
    return _form_page(request, form)


@role_required(Role.STAFF)
def phase_edit(request: HttpRequest, pk: int) -> HttpResponse:
    phase = get_object_or_404(Phase, pk=pk)
    form = PhaseForm(request.POST or None, phase=phase)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.phase_update(phase=phase, actor=request.user, fields=form.phase_fields())
            except PhaseError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("process:manage")
        return _form_page(request, form, phase=phase, status=400)
    return _form_page(request, form, phase=phase)


@role_required(Role.STAFF)
def phase_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks "are you sure?"; POST deletes."""
    phase = get_object_or_404(Phase, pk=pk)
    if request.method != "POST":
        return render(request, "process/phase_delete.html", {"phase": phase})
    try:
        services.phase_delete(phase=phase, actor=request.user)
    except PhaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(title)s” is deleted.") % {"title": phase.title})
    return redirect("process:manage")
