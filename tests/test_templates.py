"""The template conventions of templates/base.html's opening comment: a partial's name starts
with an underscore, and every paginated list renders the one _pagination.html."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import paginator
from django.core.management import call_command
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from engagement.models import EngagementSession, RegistrationStatus
from feedback.models import QuoteStatus
from reports import services as report_services
from reports.models import DigestKind
from tests.factories import DigestFactory, FeedbackFactory, sgt

BASE_DIR = Path(django_settings.BASE_DIR)
TEMPLATES = BASE_DIR / "templates"
PYTHON_SOURCES = [
    path
    for path in BASE_DIR.glob("*/**/*.py")
    if path.relative_to(BASE_DIR).parts[0] not in {".venv", "tests", "node_modules"}
]
INCLUDE = re.compile(r"{%-?\s*include\s+(\S+)")
INCLUSION_TAG = re.compile(r"inclusion_tag\(\s*[\"']([^\"']+)[\"']")
# Folder and file names of the conventions we left behind; none may come back.
OTHER_CONVENTIONS = {"includes", "partials", "components", "fragments"}


def _template_files():
    return sorted(path for path in TEMPLATES.rglob("*") if path.is_file())


def _name(path: Path) -> str:
    return path.relative_to(TEMPLATES).as_posix()


def _is_ours(name: str) -> bool:
    """False for a template another package ships (allauth's account/snippets/...): its
    name is not ours to choose."""
    return Path(get_template(name).origin.name).is_relative_to(TEMPLATES)


def _included_names() -> dict[str, list[str]]:
    """Every template name pulled in by an include tag, with the templates that do it."""
    included: dict[str, list[str]] = {}
    for path in _template_files():
        for argument in INCLUDE.findall(path.read_text()):
            assert argument[0] in "\"'", (
                f"{_name(path)} includes {argument}: name partials literally so this test "
                "can check them"
            )
            included.setdefault(argument.strip("\"'"), []).append(_name(path))
    return included


def _inclusion_tag_names() -> list[str]:
    return [name for path in PYTHON_SOURCES for name in INCLUSION_TAG.findall(path.read_text())]


def test_every_include_and_inclusion_tag_names_an_underscore_partial():
    misnamed = {
        name: users
        for name, users in _included_names().items()
        if not Path(name).name.startswith("_") and _is_ours(name)
    }
    misnamed.update(
        {
            name: ["inclusion_tag"]
            for name in _inclusion_tag_names()
            if not Path(name).name.startswith("_")
        }
    )
    assert misnamed == {}, "partials must be named _name.html (see templates/base.html)"


def test_every_included_partial_exists_in_our_templates():
    for name in [*_included_names(), *_inclusion_tag_names()]:
        get_template(name)


def test_no_template_folder_or_file_follows_another_partial_convention():
    strays = [
        _name(path)
        for path in _template_files()
        if OTHER_CONVENTIONS & set(path.relative_to(TEMPLATES).parts[:-1])
        or path.name.startswith(("fragment_", "partial_", "component_"))
    ]
    assert strays == []


def test_every_underscore_template_is_used_as_a_partial():
    """An underscore file nobody includes is dead or a page misnamed as a partial."""
    used = set(_included_names()) | set(_inclusion_tag_names())
    python = "\n".join(path.read_text() for path in PYTHON_SOURCES)
    unused = [
        _name(path)
        for path in _template_files()
        if path.name.startswith("_")
        and _name(path) not in used
        and f'"{_name(path)}"' not in python
    ]
    assert unused == []


# --- One pagination partial ------------------------------------------------------------------


def test_only_the_pagination_partial_draws_page_links():
    drawing = [_name(path) for path in _template_files() if "page-link" in path.read_text()]
    assert drawing == ["_pagination.html"]


def test_every_template_that_lists_a_page_includes_the_pagination_partial():
    listing = [
        path
        for path in _template_files()
        if re.search(r"{%\s*for\s+\w+\s+in\s+page(\.object_list)?\s*%}", path.read_text())
    ]
    assert len(listing) >= 12
    missing = [_name(path) for path in listing if '"_pagination.html"' not in path.read_text()]
    assert missing == []


PAGINATION_NAV = '<nav aria-label="Pages">'


@pytest.fixture
def one_row_per_page(monkeypatch):
    """Every Paginator shows one row per page, so two rows are enough for a second page."""
    original = paginator.Paginator.__init__

    def one_per_page(self, object_list, per_page, *args, **kwargs):
        original(self, object_list, 1, *args, **kwargs)

    monkeypatch.setattr(paginator.Paginator, "__init__", one_per_page)


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    author = User.objects.get(email="attendee01@example.com")
    for day in (3, 4):
        FeedbackFactory(
            participant=author,
            created_at=sgt(2026, 11, day, 9),
            harm_categories=["doxxing"],
            quote_status=QuoteStatus.PENDING,
        )
    for week in (0, 1):
        digest = DigestFactory(
            kind=DigestKind.WEEKLY,
            period_start=sgt(2026, 11, 2, 8) + timedelta(weeks=week),
            period_end=sgt(2026, 11, 9, 8) + timedelta(weeks=week),
            queued_at=timezone.now(),
        )
        report_services.digest_compile(digest_id=digest.pk)


def _roster_with_most(status: str) -> int:
    sessions = EngagementSession.objects.filter(registrations__status=status)
    return max(sessions, key=lambda s: s.registrations.filter(status=status).count()).pk


# (who, url name, url args, query string the page links must keep)
PAGINATED_LISTS = [
    ("anonymous", "engagement:session_list", None, ""),
    ("anonymous", "engagement:session_list", None, "category=&when=upcoming"),
    ("attendee01@example.com", "engagement:my_sessions", None, ""),
    ("organiser@example.com", "engagement:console", None, ""),
    ("organiser@example.com", "engagement:console_roster", RegistrationStatus.CONFIRMED, ""),
    ("attendee01@example.com", "feedback:home", None, ""),
    ("staff@example.com", "feedback:all", None, ""),
    ("organiser@example.com", "feedback:quote_queue", None, ""),
    ("anonymous", "initiatives:idea_board", None, ""),
    ("anonymous", "initiatives:idea_board", None, "sort=newest"),
    ("participant@example.com", "initiatives:my_ideas", None, ""),
    ("organiser@example.com", "initiatives:moderation_queue", None, ""),
    ("anonymous", "initiatives:initiative_list", None, ""),
    ("staff@example.com", "reports:digest_list", None, ""),
]


@pytest.mark.parametrize(("who", "url_name", "roster_status", "query"), PAGINATED_LISTS)
def test_every_paginated_list_renders_the_one_pagination_partial(
    client, demo, one_row_per_page, who, url_name, roster_status, query
):
    if who != "anonymous":
        client.force_login(User.objects.get(email=who))
    if roster_status:
        url = reverse(url_name, args=[_roster_with_most(roster_status)])
        # The roster keeps only its status tab, whatever else the address carries.
        query, expected_kept = f"status={roster_status}&junk=1", f"status={roster_status}"
    else:
        url, expected_kept = reverse(url_name), query
    response = client.get(f"{url}?{query}" if query else url)
    assert response.status_code == 200
    assert "_pagination.html" in [template.name for template in response.templates]
    page = response.content.decode()
    assert page.count(PAGINATION_NAV) == 1, f"{url_name}: no single pagination nav"
    nav = page[page.index(PAGINATION_NAV) :]
    nav = nav[: nav.index("</nav>")]
    assert 'aria-current="page"' in nav and "Page 1 of " in nav
    kept = escape(f"{expected_kept}&") if expected_kept else ""
    next_link = f'href="?{kept}page=2"'
    assert next_link in nav and ">Next</a>" in nav
