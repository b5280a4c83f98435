"""The site shell: security headers, accessibility scaffolding, error pages."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import path

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=|<style[\s>]", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def _templates():
    for directory in TEMPLATE_DIRS:
        yield from directory.rglob("*.html")


def test_no_template_has_inline_script_style_or_event_handlers():
    offenders = []
    for template in _templates():
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
            if pattern.search(text):
                offenders.append(f"{template}: {pattern.pattern}")
    assert not offenders, offenders


@pytest.mark.django_db
def test_pages_carry_csp_and_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/harms/", "/accounts/login/", "/accounts/signup/", "/nope/"])
def test_every_page_has_the_shell(client, url):
    page = client.get(url).content.decode()
    assert '<html lang="en">' in page
    assert 'href="#main"' in page and 'id="main"' in page
    assert "Leave this site quickly" in page
    assert settings.QUICK_EXIT_URL in page
    assert "<nav" in page and "<footer" in page
    assert "/static/vendor/sgds/sgds.css" in page
    assert "A Singapore Government Agency Website" in page
    # No asset from a CDN (a CSRF token may hold the letters "cdn" by chance).
    assert not re.search(r"""(?:src|href)=["'][^"']*cdn""", page, re.IGNORECASE)


@pytest.mark.django_db
def test_missing_page_is_a_404_in_the_sites_look(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Leave this site quickly" in response.content.decode()


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]
handler500 = "afa_platform.views.error_500"


@pytest.mark.django_db
@pytest.mark.urls("tests.test_shell")
def test_server_error_shows_a_friendly_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    from afa_platform import views

    class Broken:
        def cursor(self):
            raise OSError("database down")

    monkeypatch.setattr(views, "connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_static_assets_are_vendored():
    static = Path(settings.BASE_DIR) / "static"
    assert (static / "vendor/sgds/sgds.css").stat().st_size > 100_000
    assert (static / "vendor/sgds/LICENSE").exists()
    assert (static / "vendor/bootstrap/bootstrap.bundle.min.js").stat().st_size > 50_000


NAV_LINKS = {
    "anonymous": {"/sessions/", "/ideas/", "/initiatives/", "/process/", "/harms/", "/support/"},
    "participant": {
        "/sessions/mine/",
        "/ideas/mine/",
        "/following/",
        "/feedback/",
        "/accounts/profile/",
    },
    "organiser": {"/organise/", "/moderation/", "/moderation/people/"},
    "staff": {
        "/reports/",
        "/reports/digests/",
        "/feedback/all/",
        "/reports/exports/",
        "/process/manage/",
    },
}


def _nav_hrefs(client) -> set[str]:
    import re

    html = client.get("/").content.decode()
    nav = html[
        html.index('<nav class="navbar') : html.index("</nav>", html.index('<nav class="navbar'))
    ]
    return set(re.findall(r'href="([^"#]+)"', nav))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, expected",
    [
        ("anonymous", ["anonymous"]),
        ("participant", ["anonymous", "participant"]),
        ("organiser", ["anonymous", "participant", "organiser"]),
        ("staff", ["anonymous", "participant", "staff"]),
    ],
)
def test_navigation_offers_what_the_role_can_do_and_nothing_else(client, request, who, expected):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    hrefs = _nav_hrefs(client) - {"/", "/accounts/login/", "/accounts/signup/"}
    assert hrefs == set().union(*(NAV_LINKS[role] for role in expected))


def test_every_template_shows_times_in_one_format():
    """Times read "5:15 PM" everywhere (Singapore time), never "17:15" on some pages. The
    machine-readable `datetime="..."` of a <time> element is ISO 8601, not shown."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    machine = re.compile(r'datetime="[^"]*"')
    twenty_four_hour = [
        str(path.relative_to(root))
        for path in root.rglob("*.*")
        if path.suffix in (".html", ".txt")
        and "H:i" in machine.sub("", path.read_text(encoding="utf-8"))
    ]
    assert twenty_four_hour == []


@pytest.mark.django_db
def test_forms_offer_a_worded_empty_choice_not_dashes(client):
    from accounts.roles import Role
    from tests.factories import UserFactory

    participant = UserFactory(roles=[Role.PARTICIPANT])
    organiser = UserFactory(roles=[Role.ORGANISER], mfa=True)
    client.force_login(participant)
    pages = ["/ideas/new/", "/feedback/new/", "/accounts/profile/"]
    shown = {url: client.get(url) for url in pages}
    client.force_login(organiser)
    shown["/initiatives/new/"] = client.get("/initiatives/new/")
    for url, response in shown.items():
        assert response.status_code == 200, url
        assert "---------" not in response.content.decode(), url


@pytest.mark.django_db
@pytest.mark.urls("tests.test_shell")
def test_server_error_page_offers_leave_this_site_quickly_in_its_banner(client):
    client.raise_request_exception = False
    page = client.get("/boom/").content.decode()
    banner = page[page.index("<header") : page.index("</header>")]
    assert "Leave this site quickly" in banner
    assert f'href="{settings.QUICK_EXIT_URL}"' in banner
    assert "A Singapore Government Agency Website" in banner
    assert page.index("Leave this site quickly") < page.index("Skip to main content")
