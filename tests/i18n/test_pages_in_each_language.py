"""Every public page and each role's pages in each language (issue 14, "Tests that must
exist"): `<html lang>` says the language, and no English is left in the page chrome.

Needs the translated catalogues (locale/{zh_Hans,ms,ta}); English is checked too, so that the
list of chrome strings stays the list of what the pages show.
"""

import pytest
from django.conf import settings

from engagement.models import SessionStatus
from initiatives.models import IdeaStatus
from tests.factories import EngagementSessionFactory, IdeaFactory, InitiativeFactory

from .page_chrome import ENGLISH_CHROME, english_left, html_lang

TRANSLATED = ["zh-hans", "ms", "ta"]

PUBLIC = [
    "/",
    "/privacy/",
    "/accessibility/",
    "/open-data/",
    "/api/v1/docs/",
    "/support/",
    "/harms/",
    "/harms/non-consensual-publication/",
    "/sessions/",
    "/ideas/",
    "/initiatives/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]
PARTICIPANT = [
    "/sessions/mine/",
    "/ideas/mine/",
    "/ideas/new/",
    "/feedback/",
    "/feedback/new/",
    "/accounts/profile/",
    "/accounts/profile/my-data/",
    "/accounts/email/",
    "/accounts/password/change/",
]
ORGANISER = ["/organise/", "/organise/sessions/new/", "/moderation/"]
STAFF = ["/reports/", "/reports/digests/", "/feedback/all/", "/reports/exports/"]


@pytest.fixture
def content(db):
    session = EngagementSessionFactory(status=SessionStatus.PUBLISHED)
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    initiative = InitiativeFactory()
    return [
        f"/sessions/{session.slug}/",
        f"/ideas/{idea.pk}/",
        f"/initiatives/{initiative.slug}/",
    ]


def pages_for(role, request, content):
    """(user or None, paths): what the role opens from its menu."""
    if role == "anonymous":
        return None, PUBLIC + content
    user = request.getfixturevalue(role)
    return user, {"participant": PARTICIPANT, "organiser": ORGANISER, "staff": STAFF}[role]


def render_all(client, user, paths, language):
    if user is None:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    else:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        client.force_login(user)
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        pages[path] = response.content.decode()
    return pages


ROLES = ["anonymous", "participant", "organiser", "staff"]


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("role", ROLES)
def test_pages_are_in_the_chosen_language_with_no_english_chrome(
    client, request, content, role, language
):
    user, paths = pages_for(role, request, content)
    pages = render_all(client, user, paths, language)
    wrong_lang = {
        path: html_lang(html) for path, html in pages.items() if html_lang(html) != language
    }
    assert wrong_lang == {}
    english = {path: sorted(english_left(html)) for path, html in pages.items()}
    assert {path: left for path, left in english.items() if left} == {}


def test_english_pages_show_every_listed_chrome_string(client, request, content):
    """The list is what the pages really show: no string in it that no page has."""
    shown = set()
    for role in ROLES:
        user, paths = pages_for(role, request, content)
        client.logout()
        pages = render_all(client, user, paths, "en")
        for path, html in pages.items():
            assert html_lang(html) == "en", path
            shown |= english_left(html)
    assert ENGLISH_CHROME - shown == set()
