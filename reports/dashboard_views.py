"""The MCI staff dashboard."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import role_required
from accounts.roles import Role

from .dashboard import dashboard_data
from .filters import ReportFilterForm, ReportFilters


@require_GET
@role_required(Role.STAFF)
def dashboard(request: HttpRequest) -> HttpResponse:
    filter_form = ReportFilterForm(request.GET or None)
    valid = not filter_form.is_bound or filter_form.is_valid()
    filters = filter_form.filters() if filter_form.is_bound and valid else ReportFilters()
    query = filters.query_string()
    return render(
        request,
        "reports/dashboard.html",
        {
            "filter_form": filter_form,
            "filters": filters,
            "query": query,
            **dashboard_data(filters),
        },
        status=200 if valid else 400,
    )
