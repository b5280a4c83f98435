"""The Django admin, walked in Chromium as a superuser signed in with TOTP: the index, every
model admin's list, add, change, history and delete pages, and the password pages answer
without a 404 for any of their assets, and axe-core finds nothing, of any impact."""

import re
from datetime import date
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from reports.models import LaunchSettings
from tests.browser_support import sign_in
from tests.factories import DigestSubscriptionFactory, ExportJobFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every rule axe-core runs by default: WCAG 2.0, 2.1 and 2.2 A and AA, and best practice.
AXE_OPTIONS = {"resultTypes": ["violations"]}


def admin_pages(superuser) -> list[str]:
    pages = [
        reverse("admin:index"),
        reverse("admin:password_change"),
        reverse("admin:auth_user_password_change", args=[superuser.pk]),
    ]
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label
    ):
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        pages.append(reverse("admin:app_list", args=[model._meta.app_label]))
        if model_admin.has_add_permission(_request(superuser)):
            pages.append(reverse("admin:{}_{}_add".format(*info)))
        row = model_admin.get_queryset(_request(superuser)).order_by("pk").first()
        assert row is not None, f"no {model._meta.label} to open: seed one"
        pages.append(reverse("admin:{}_{}_change".format(*info), args=[row.pk]))
        pages.append(reverse("admin:{}_{}_history".format(*info), args=[row.pk]))
        if model_admin.has_delete_permission(_request(superuser), row):
            pages.append(reverse("admin:{}_{}_delete".format(*info), args=[row.pk]))
    return list(dict.fromkeys(pages))


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def violations_on(page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]


# On a phone, the pages whose fixes are about layout-dependent widgets; on a laptop, all.
PHONE_PAGES = [
    r"/admin/",
    r"/admin/harms/supportresource/",
    r"/admin/engagement/engagementsession/\d+/change/",
    r"/admin/accounts/user/\d+/change/",
    r"/admin/initiatives/initiative/\d+/change/",
    r"/admin/password_change/",
]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_admin_page_has_no_axe_findings_and_no_missing_assets(
    live_server, browser, settings, width
):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    ExportJobFactory()
    DigestSubscriptionFactory()
    LaunchSettings.objects.create(launch_date=date(2027, 3, 8))
    superuser = UserFactory(is_staff=True, is_superuser=True, mfa=True)

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, superuser)

    # What the page itself asks for. axe-core, once injected, fetches each stylesheet's
    # @import again, resolved against the page's address rather than the stylesheet's (so
    # forms.css's `@import url('widgets.css')` becomes /admin/.../widgets.css): that request
    # is axe's, not the browser's, and is left out by listening only until axe runs.
    missing: list[str] = []
    listening = True

    def on_response(response):
        if listening and response.status >= 400:
            missing.append(f"{response.status} {response.url}")

    page.on("response", on_response)
    found = {}
    pages = admin_pages(superuser)
    if width < 600:
        pages = [path for path in pages if any(re.fullmatch(p, path) for p in PHONE_PAGES)]
        assert len(pages) == len(PHONE_PAGES)
    for path in pages:
        listening = True
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        icon = page.locator("link[rel=icon]").get_attribute("href")
        assert icon and page.request.get(live_server.url + icon).status == 200, path
        listening = False
        problems = violations_on(page)
        if problems:
            found[path] = problems
    context.close()
    assert found == {}, "\n".join(f"{path}\n  " + "\n  ".join(p) for path, p in found.items())
    assert missing == []
