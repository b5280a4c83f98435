"""Export pages for MCI staff: the export page, the files and export jobs.

Default exports are pseudonymised and linked with GET, carrying the dashboard's filters.
Exports with names and emails are POSTed from a form that needs the permission and a
purpose. Every export writes an audit row before its first byte leaves (or on failure).
"""

import logging
import tempfile
from collections.abc import Callable, Iterator

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from audit import querystring
from audit.services import audit_record
from reports.filters import ReportFilterForm, ReportFilters

from . import services
from .datasets import (
    DATASETS,
    FORMATS,
    Dataset,
    ProgressCounter,
    csv_chunks,
    dictionary_csv,
    dictionary_filename,
    export_filename,
    stream_rows_in_transaction,
    write_xlsx,
)
from .forms import PersonalExportForm
from .models import ExportJob, ExportJobStatus

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTER_FIELDS = ("date_from", "date_to", "session", "harm_category", "solution_area")


def get_export_job_for_user(user, pk: int) -> ExportJob:
    """Only the requester's own job: anyone else (administrators too) gets a 404."""
    return get_object_or_404(ExportJob, pk=pk, requested_by_id=user.pk)


def _filter_initial(filters: ReportFilters) -> dict:
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "session": filters.session_id,
        "harm_category": filters.harm_category_id,
        "solution_area": filters.solution_area_id,
    }


def _render_index(
    request: HttpRequest,
    filter_form: ReportFilterForm,
    filters: ReportFilters,
    *,
    personal_form: PersonalExportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_personal = services.can_export_personal_data(request.user)
    if can_personal and personal_form is None:
        personal_form = PersonalExportForm(prefix="personal", initial=_filter_initial(filters))
    query = filters.query_string()
    datasets = [
        {
            "dataset": dataset,
            "columns": dataset.columns(personal=can_personal, filters=filters),
            "dictionary_url": reverse("exports:export_dictionary", args=[dataset.slug]),
            "links": [
                (
                    file_format,
                    reverse("exports:export_file", args=[dataset.slug, file_format])
                    + (f"?{query}" if query else ""),
                )
                for file_format in FORMATS
            ],
        }
        for dataset in DATASETS.values()
    ]
    return render(
        request,
        "exports/exports.html",
        {
            "filter_form": filter_form,
            "filters": filters,
            "datasets": datasets,
            "personal_form": personal_form,
            "filter_fields": FILTER_FIELDS,
            "jobs": ExportJob.objects.filter(requested_by=request.user)[:10],
            "async_threshold": settings.EXPORT_XLSX_ASYNC_THRESHOLD,
            "file_days": settings.EXPORT_FILE_DAYS,
        },
        status=status,
    )


@require_GET
@role_required(Role.STAFF)
def export_index(request: HttpRequest) -> HttpResponse:
    filter_form = ReportFilterForm(querystring.cleaned(request.GET) or None)
    if filter_form.is_bound and not filter_form.is_valid():
        return _render_index(request, filter_form, ReportFilters(), status=400)
    filters = filter_form.filters() if filter_form.is_bound else ReportFilters()
    return _render_index(request, filter_form, filters)


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def export_file(request: HttpRequest, dataset: str, file_format: str) -> HttpResponse:
    """GET: a pseudonymised export with the filters in the query string. A large XLSX asks
    first (the confirmation POSTs back here) and is then built by a job."""
    chosen = DATASETS.get(dataset)
    if chosen is None or file_format not in FORMATS:
        raise Http404
    form = ReportFilterForm(
        request.POST if request.method == "POST" else querystring.cleaned(request.GET)
    )
    if not form.is_valid():
        return _render_index(request, form, ReportFilters(), status=400)
    return _export(
        request,
        chosen,
        file_format,
        form.filters(),
        personal=False,
        purpose="",
        confirmed=request.method == "POST",
    )


@require_GET
@role_required(Role.STAFF)
def export_dictionary(request: HttpRequest, dataset: str) -> HttpResponse:
    """The data dictionary of one dataset, as CSV: each column's code (the CSV header), its
    label (the XLSX header), what it holds, its type and the codes it may hold with their
    labels. It holds no data, so it is not an export the audit log records; the columns
    with names and emails are listed only to those who may export them."""
    chosen = DATASETS.get(dataset)
    if chosen is None:
        raise Http404
    columns = chosen.columns(personal=services.can_export_personal_data(request.user))
    response = HttpResponse(dictionary_csv(columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{dictionary_filename(chosen)}"'
    return response


@require_POST
@role_required(Role.STAFF)
def export_personal(request: HttpRequest) -> HttpResponse:
    """An export with names and emails: needs the permission and a stated purpose."""
    if not services.can_export_personal_data(request.user):
        raise PermissionDenied
    form = PersonalExportForm(request.POST, prefix="personal")
    if not form.is_valid():
        return _render_index(
            request, ReportFilterForm(), ReportFilters(), personal_form=form, status=400
        )
    return _export(
        request,
        DATASETS[form.cleaned_data["dataset"]],
        form.cleaned_data["file_format"],
        form.filters(),
        personal=True,
        purpose=form.cleaned_data["purpose"],
        confirmed=True,
    )


def _export(
    request: HttpRequest,
    dataset: Dataset,
    file_format: str,
    filters: ReportFilters,
    *,
    personal: bool,
    purpose: str,
    confirmed: bool,
) -> HttpResponse:
    try:
        services.check_personal_export(request.user, personal, purpose)
    except services.ExportError as error:
        messages.error(request, str(error))
        return redirect("exports:export_index")
    row_count = dataset.count(filters)
    audit = {
        "actor": request.user,
        "dataset": dataset,
        "file_format": file_format,
        "filters": filters,
        "personal": personal,
        "purpose": purpose,
    }
    if file_format == "csv":
        return _csv_response(dataset, filters, row_count, audit)
    if row_count <= settings.EXPORT_XLSX_ASYNC_THRESHOLD:
        return _xlsx_response(request, dataset, filters, audit)
    if not confirmed:
        return render(
            request,
            "exports/exportjob_confirm.html",
            {
                "dataset": dataset,
                "file_format": file_format,
                "row_count": row_count,
                "form": ReportFilterForm(initial=_filter_initial(filters)),
                "filter_fields": FILTER_FIELDS,
                "filters": filters,
                "file_days": settings.EXPORT_FILE_DAYS,
            },
        )
    try:
        job = services.export_job_create(
            user=request.user,
            dataset=dataset,
            file_format=file_format,
            filters=filters,
            personal=personal,
            purpose=purpose,
            rows_total=row_count,
        )
    except services.ExportError as error:
        messages.error(request, str(error))
        return redirect("exports:export_index")
    messages.success(
        request,
        _("Your file is being prepared. We will email you when it is ready."),
    )
    return redirect(job)


def _on_failure(chunks: Iterator[bytes], record: Callable[[Exception], None]) -> Iterator[bytes]:
    """Record a failure that happens while the file streams, then let it cut the download
    (the browser then marks the download failed rather than keeping half a file)."""
    try:
        yield from chunks
    except Exception as exc:
        record(exc)
        raise


def _csv_response(
    dataset: Dataset, filters: ReportFilters, row_count: int, audit: dict
) -> StreamingHttpResponse:
    services.export_audit(row_count=row_count, **audit)
    rows = ProgressCounter(dataset.rows(filters, personal=audit["personal"]))
    source = stream_rows_in_transaction(rows)

    def record(exc: Exception) -> None:
        logger.exception("CSV export of %s failed", dataset.slug)
        services.export_audit(
            row_count=rows.count, failed=True, error=exc.__class__.__name__, **audit
        )

    response = StreamingHttpResponse(
        _on_failure(
            csv_chunks(dataset.columns(personal=audit["personal"], filters=filters), source),
            record,
        ),
        content_type="text/csv; charset=utf-8",
    )
    filename = export_filename(dataset, "csv", personal=audit["personal"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _xlsx_response(
    request: HttpRequest, dataset: Dataset, filters: ReportFilters, audit: dict
) -> HttpResponse:
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    personal = audit["personal"]
    rows = ProgressCounter(dataset.rows(filters, personal=personal))
    try:
        write_xlsx(handle, dataset.columns(personal=personal, filters=filters), rows)
    except Exception as exc:
        handle.close()
        logger.exception("XLSX export of %s failed", dataset.slug)
        services.export_audit(
            row_count=rows.count, failed=True, error=exc.__class__.__name__, **audit
        )
        messages.error(request, _("The file could not be written. Please try again."))
        return redirect("exports:export_index")
    services.export_audit(row_count=rows.count, **audit)
    handle.seek(0)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=export_filename(dataset, "xlsx", personal=personal),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_GET
@role_required(Role.STAFF)
def exportjob_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's status; as JSON for the page's polling script."""
    job = get_export_job_for_user(request.user, pk)
    expired = job.is_expired
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "status": ExportJobStatus.EXPIRED if expired else job.status,
                "status_label": str(
                    ExportJobStatus.EXPIRED.label if expired else job.get_status_display()
                ),
                "rows_written": job.rows_written,
                "rows_total": job.rows_total,
                "error": job.error,
                "download_url": (
                    reverse("exports:exportjob_download", args=[job.pk])
                    if job.is_ready and not expired
                    else None
                ),
            }
        )
    return render(
        request,
        "exports/exportjob_detail.html",
        {"job": job, "dataset": DATASETS.get(job.dataset), "expired": expired},
    )


@never_cache
@require_GET
@role_required(Role.STAFF)
def exportjob_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_export_job_for_user(request.user, pk)
    if job.is_pending or job.has_failed:
        return redirect(job)
    name = services.export_job_file(job)
    if name is None:
        return render(
            request,
            "exports/exportjob_expired.html",
            {"job": job, "file_days": settings.EXPORT_FILE_DAYS},
            status=410,
        )
    audit_record(
        actor=request.user,
        action="export_download",
        object_type="export_job",
        object_id=job.pk,
        details={"dataset": job.dataset, "format": job.file_format},
    )
    response = FileResponse(
        services.export_storage().open(name, "rb"),
        as_attachment=True,
        filename=job.file_name,
        content_type=XLSX_CONTENT_TYPE if job.file_format == "xlsx" else "text/csv",
    )
    response["Cache-Control"] = "no-store"
    return response
