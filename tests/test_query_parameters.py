"""Every page that reads its query string survives what a fuzzer sends there: a NUL
(PostgreSQL refuses it in a query), 10,000 characters and bytes that are not UTF-8. The answer
is the page (or, for the staff reports, their documented 400 for a bad filter), never a 500.
Runs on SQLite and, with DATABASE_URL set, on PostgreSQL."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from audit import querystring
from tests.factories import EngagementSessionFactory

pytestmark = pytest.mark.django_db

BAD_VALUES = {
    "nul": "a%00b",
    "long": "x" * 10_000,
    "not_utf8": "%ff%fe",
}
REPORT_FILTERS = ("date_from", "date_to", "session", "harm_category", "solution_area")

# (url, who asks, the parameters the view reads, the answers it may give to a bad value)
PAGES = [
    ("/sessions/", None, ("when", "category", "mode", "page"), {200}),
    ("/sessions/mine/", "participant", ("page",), {200}),
    ("/organise/", "organiser", ("page",), {200}),
    ("/organise/sessions/{session}/", "organiser", ("status", "page"), {200}),
    ("/feedback/", "participant", ("page",), {200}),
    ("/feedback/all/", "staff", ("page",), {200}),
    ("/feedback/quotes/", "organiser", ("page",), {200}),
    ("/ideas/", None, ("q", "sort", "category", "area", "session", "page"), {200}),
    ("/ideas/mine/", "participant", ("page",), {200}),
    ("/moderation/", "organiser", ("category", "area", "page"), {200}),
    ("/initiatives/", None, ("page",), {200}),
    ("/initiatives/new/", "organiser", ("idea",), {200}),
    ("/reports/", "staff", REPORT_FILTERS, {200, 400}),
    ("/reports/exports/", "staff", REPORT_FILTERS, {200, 400}),
    ("/reports/exports/feedback.csv", "staff", REPORT_FILTERS, {200, 400}),
    ("/reports/digests/", "staff", ("page",), {200}),
    ("/accounts/signup/", None, ("email", "next"), {200}),
    ("/accounts/login/", None, ("next",), {200}),
]

CASES = [
    pytest.param(url, who, f"{name}={value}", allowed, id=f"{url}?{name}={kind}")
    for url, who, names, allowed in PAGES
    for name in names
    for kind, value in BAD_VALUES.items()
] + [
    pytest.param(
        url, who, "&".join(f"{name}={value}" for name in names), allowed, id=f"{url}?all={kind}"
    )
    for url, who, names, allowed in PAGES
    for kind, value in BAD_VALUES.items()
]


@pytest.fixture
def a_session(db):
    return EngagementSessionFactory(starts_at=timezone.now() + timedelta(days=7))


@pytest.mark.parametrize(("url", "who", "query", "allowed"), CASES)
def test_a_garbled_query_parameter_never_makes_a_server_error(
    client, request, a_session, url, who, query, allowed
):
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    client.raise_request_exception = False
    response = client.get(url.format(session=a_session.pk) + "?" + query)
    assert response.status_code in allowed


def test_the_session_list_ignores_a_category_that_cannot_be_a_slug(client, a_session):
    response = client.get("/sessions/?when=upcoming&category=a%00b")
    assert response.status_code == 200
    assert a_session.title in response.content.decode()


def test_query_helpers_drop_nuls_and_values_that_cannot_be_what_they_claim():
    query = QueryDict("q=a%00b&category=a%00b&id=1%00&ids=3&ids=x&ids=4&page=%ff&mode=zz")
    assert querystring.text_param(query, "q") == "ab"
    assert querystring.slug_param(query, "category") == ""
    assert querystring.id_param(query, "id") is None
    assert querystring.id_list_param(query, "ids") == [3, 4]
    assert querystring.page_param(query) == ""
    assert querystring.choice_param(query, "mode", ["online"], default="online") == "online"
    assert querystring.text_param(QueryDict("q=" + "x" * 10_000), "q") == "x" * 200
    assert "\x00" not in querystring.urlencode_without(query, "page")
