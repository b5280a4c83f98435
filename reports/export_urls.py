"""The staff dashboard and exports, mounted inside reports.urls (namespace "reports")."""

from django.urls import path

from . import dashboard_views, export_views

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("exports/", export_views.export_index, name="export_index"),
    path("exports/personal/", export_views.export_personal, name="export_personal"),
    path(
        "exports/<slug:dataset>.<slug:file_format>",
        export_views.export_file,
        name="export_file",
    ),
    path("exports/jobs/<int:pk>/", export_views.exportjob_detail, name="exportjob_detail"),
    path(
        "exports/jobs/<int:pk>/download",
        export_views.exportjob_download,
        name="exportjob_download",
    ),
    path("audit.csv", export_views.audit_log_csv, name="audit_log_csv"),
]
