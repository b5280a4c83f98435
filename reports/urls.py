from django.urls import path

from . import audit_views, dashboard_views, summary_views, views

app_name = "reports"

urlpatterns = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("audit.csv", audit_views.audit_log_csv, name="audit_log_csv"),
    path("digests/", views.digest_list, name="digest_list"),
    path("digests/request/", views.digest_request, name="digest_request"),
    path("digests/subscription/", views.digest_subscription, name="digest_subscription"),
    path("digests/<int:pk>/", views.digest_detail, name="digest_detail"),
    path("digests/<int:pk>/recompile/", views.digest_recompile, name="digest_recompile"),
    path("digests/<int:pk>/status/", views.digest_status, name="digest_status"),
    # "What we heard" (issue 17, item 2): the organisers' pages for one held session.
    path(
        "sessions/<int:pk>/what-we-heard/",
        summary_views.session_summary_edit,
        name="session_summary_edit",
    ),
    path(
        "sessions/<int:pk>/what-we-heard/preview/",
        summary_views.session_summary_preview,
        name="session_summary_preview",
    ),
    path(
        "sessions/<int:pk>/what-we-heard/publish/",
        summary_views.session_summary_publish,
        name="session_summary_publish",
    ),
]
