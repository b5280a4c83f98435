from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from afa_platform import views
from afa_platform.metrics import metrics_view
from api import views as api_views
from api.endpoints import api as public_api
from harms import views as harms_views

# The admin signs in through allauth, so its rate limits and two-factor step apply there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("support/", harms_views.support, name="support"),
    # The language switcher (Django's set_language, kept in the profile too); URLs carry no
    # language prefix.
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics_view(backlog=views.outbox_backlog), name="metrics"),
    path("harms/", include("harms.urls")),
    path("process/", include("process.urls")),
    path("", include("engagement.urls")),
    path("feedback/", include("feedback.urls")),
    path("", include("initiatives.urls")),
    path("reports/exports/", include("exports.urls")),
    path("reports/", include("reports.urls")),
    path("accounts/profile/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/docs/", api_views.docs, name="api_docs"),
    path("api/v1/", public_api.urls),
    path("open-data/", include("api.open_data_urls")),
]

if settings.BENCH_CEILING_VIEW:
    urlpatterns.append(path("bench/ceiling/", views.bench_ceiling, name="bench_ceiling"))

handler404 = "afa_platform.views.error_404"
handler403 = "afa_platform.views.error_403"
handler500 = "afa_platform.views.error_500"
