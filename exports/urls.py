"""The export page, the files and export jobs, mounted at /reports/exports/."""

from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.export_index, name="export_index"),
    path("personal/", views.export_personal, name="export_personal"),
    path("dictionary/<slug:dataset>.csv", views.export_dictionary, name="export_dictionary"),
    path("<slug:dataset>.<slug:file_format>", views.export_file, name="export_file"),
    path("jobs/<int:pk>/", views.exportjob_detail, name="exportjob_detail"),
    path("jobs/<int:pk>/download", views.exportjob_download, name="exportjob_download"),
]
