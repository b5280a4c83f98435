"""The MCI staff dashboard."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import role_required
from accounts.roles import Role
from audit import querystring

from .dashboard import dashboard_data
from .filters import ReportFilterForm, ReportFilters


@require_GET
@role_required(Role.STAFF)
def dashboard(request: HttpRequest) -> HttpResponse:
    filter_form = ReportFilterForm(querystring.cleaned(request.GET) or None)
    if filter_form.is_bound and not filter_form.is_valid():
        # Validate first: the figures are the costly part, and they would not be the ones
        # asked for. The page shows the filters with what is wrong.
        return render(
            request,
            "reports/dashboard.html",
            {"filter_form": filter_form, "filters": ReportFilters(), "invalid": True},
            status=400,
        )
    filters = filter_form.filters() if filter_form.is_bound else ReportFilters()
    return render(
        request,
        "reports/dashboard.html",
        {
            "filter_form": filter_form,
            "filters": filters,
            "query": filters.query_string(),
            **dashboard_data(filters),
        },
    )
