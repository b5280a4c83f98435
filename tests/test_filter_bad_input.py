"""Bad input to the dashboard's and the lists' filters (issue 19, "Bad input"): a reversed
range, a 100-year range, unknown ids, huge page numbers. Each gets a clear message, an empty
page or the last page, never a 500 and never a costlier query: a 100-year range runs the same
queries as a 1-year one, a page past the end the same queries as the last page.
Runs on SQLite and, with DATABASE_URL set, on PostgreSQL."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.models import QuoteStatus
from harms.models import HarmCategory, SolutionArea
from initiatives.models import IdeaStatus
from reports.models import DigestKind, DigestStatus
from tests.factories import (
    DigestFactory,
    EngagementSessionFactory,
    FeedbackFactory,
    IdeaFactory,
    InitiativeFactory,
    RegistrationFactory,
    UserFactory,
    sgt,
)

pytestmark = pytest.mark.django_db

UNKNOWN_ID = "999999999"
BEYOND_ANY_ID = "99999999999999999999999"  # more than a 64-bit id can hold
REPORT_PAGES = ["/reports/", "/reports/exports/", "/reports/exports/feedback.csv"]


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def some_data(participant):
    """A little of what the reports count, all in 2026."""
    session = EngagementSessionFactory(
        starts_at=sgt(2026, 6, 1, 10), harm_categories=["non-consensual-publication"]
    )
    RegistrationFactory(session=session, participant=participant)
    for month in (3, 6, 9):
        FeedbackFactory(
            session=session,
            rating=4,
            created_at=sgt(2026, month, 1, 9),
            harm_categories=["non-consensual-publication"],
            suggestions=["public-education"],
        )
    IdeaFactory(status=IdeaStatus.APPROVED, submitted_at=sgt(2026, 4, 1, 9), session=session)
    InitiativeFactory(created_at=sgt(2026, 5, 1, 9))
    return session


def _page(client, url):
    client.raise_request_exception = False
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, queries


def _shapes(queries) -> list[str]:
    """Each query's SQL with its values taken out: what the database is asked to do."""
    shapes = []
    for query in queries.captured_queries:
        # Savepoint and server-side cursor names are numbered per connection.
        sql = re.sub(r'"(s\d+_x\d+|_django_curs_\d+_sync_\d+)"', "NAME", query["sql"])
        sql = re.sub(r"'[^']*'", "?", sql)
        shapes.append(re.sub(r"\b\d+(\.\d+)?\b", "N", sql))
    return shapes


# --- The dashboard's and the exports' filters ---------------------------------------------


BAD_REPORT_FILTERS = [
    pytest.param(
        "date_from=2026-03-02&date_to=2026-03-01",
        "The end date must be on or after the start date.",
        id="reversed-range",
    ),
    pytest.param(
        "date_from=2099-12-31&date_to=2000-01-01",
        "The end date must be on or after the start date.",
        id="reversed-100-years",
    ),
    pytest.param("date_from=1900-01-01", "Enter a date from the year 2000 to 2099.", id="1900"),
    pytest.param("date_to=2100-01-01", "Enter a date from the year 2000 to 2099.", id="2100"),
    pytest.param(f"session={UNKNOWN_ID}", "Select a valid choice", id="unknown-session"),
    pytest.param(f"session={BEYOND_ANY_ID}", "Select a valid choice", id="session-beyond-ids"),
    pytest.param(f"harm_category={UNKNOWN_ID}", "Select a valid choice", id="unknown-category"),
    pytest.param(f"solution_area={UNKNOWN_ID}", "Select a valid choice", id="unknown-area"),
    pytest.param("session=-1", "Select a valid choice", id="negative-session"),
]


@pytest.mark.parametrize("url", REPORT_PAGES)
@pytest.mark.parametrize(("query", "message"), BAD_REPORT_FILTERS)
def test_a_bad_report_filter_gets_a_message_and_no_figures(
    staff_client, some_data, url, query, message
):
    response, _queries = _page(staff_client, f"{url}?{query}")
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert message in page
    assert 'data-figure="feedback"' not in page  # nothing computed for filters not asked for


def _range_queries(client, url: str, date_from: str, date_to: str, extra: str = ""):
    response, queries = _page(client, f"{url}?date_from={date_from}&date_to={date_to}{extra}")
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    return response, queries


@pytest.mark.parametrize("url", REPORT_PAGES)
@pytest.mark.parametrize("extra", ["", "&harm_category={category}&solution_area={area}"])
def test_a_100_year_range_asks_the_database_what_a_1_year_range_does(
    staff_client, some_data, url, extra
):
    extra = extra.format(
        category=HarmCategory.objects.get(slug="non-consensual-publication").pk,
        area=SolutionArea.objects.get(slug="public-education").pk,
    )
    _range_queries(staff_client, url, "2026-01-01", "2026-12-31", extra)  # warm up
    one_year, one_year_queries = _range_queries(
        staff_client, url, "2026-01-01", "2026-12-31", extra
    )
    century, century_queries = _range_queries(staff_client, url, "2000-01-01", "2099-12-31", extra)
    assert len(century_queries) == len(one_year_queries)
    assert _shapes(century_queries) == _shapes(one_year_queries)
    if url == "/reports/":
        # Same data in both, so the same figures: nothing is spread over empty years.
        assert re.search(r'data-figure="feedback">\s*3<', century.content.decode())
        assert century.context["figures"]["over_time"].table.rows == (
            one_year.context["figures"]["over_time"].table.rows
        )


# --- Pages of the lists -------------------------------------------------------------------


def _sessions(n, people):
    EngagementSessionFactory.create_batch(n)


def _my_sessions(n, people):
    for _ in range(n):
        RegistrationFactory(participant=people["participant"])


def _my_feedback(n, people):
    FeedbackFactory.create_batch(n, participant=people["participant"])


def _all_feedback(n, people):
    FeedbackFactory.create_batch(n)


def _quotes(n, people):
    FeedbackFactory.create_batch(n, quote_status=QuoteStatus.PENDING)


def _board(n, people):
    IdeaFactory.create_batch(n, status=IdeaStatus.APPROVED)


def _my_ideas(n, people):
    IdeaFactory.create_batch(n, author=people["participant"], status=IdeaStatus.DRAFT)


def _queue(n, people):
    IdeaFactory.create_batch(n, status=IdeaStatus.SUBMITTED)


def _initiatives(n, people):
    InitiativeFactory.create_batch(n)


def _console(n, people):
    EngagementSessionFactory.create_batch(n)


def _digests(n, people):
    for day in range(n):
        DigestFactory(
            kind=DigestKind.ON_DEMAND,
            period_start=sgt(2025, 1, 1) + timedelta(days=day),
            status=DigestStatus.READY,
            queued_at=timezone.now(),
        )


# (url, who asks, how to fill it, rows on a page): every paginated list.
LISTS = {
    "sessions": ("/sessions/", None, _sessions, 10),
    "my-sessions": ("/sessions/mine/", "participant", _my_sessions, 10),
    "my-feedback": ("/feedback/", "participant", _my_feedback, 10),
    "all-feedback": ("/feedback/all/", "staff", _all_feedback, 25),
    "quotes": ("/feedback/quotes/", "organiser", _quotes, 25),
    "idea-board": ("/ideas/", None, _board, 20),
    "my-ideas": ("/ideas/mine/", "participant", _my_ideas, 50),
    "moderation": ("/moderation/", "organiser", _queue, 25),
    "initiatives": ("/initiatives/", None, _initiatives, 20),
    "console": ("/organise/", "organiser", _console, 20),
    "digests": ("/reports/digests/", "staff", _digests, 20),
}


@pytest.fixture
def a_full_list(request, client, participant, organiser, staff):
    """The list named by the test's `name`, filled to two pages, and a client for its user."""
    url, who, fill, per_page = LISTS[request.getfixturevalue("name")]
    people = {"participant": participant, "organiser": organiser, "staff": staff}
    fill(per_page + 1, people)
    if who is not None:
        client.force_login(people[who])
    client.get(url)  # warm up: content types, the session
    return client, url


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("number", ["99999999999", "3", "9" * 5000], ids=lambda p: p[:12])
def test_a_page_past_the_last_shows_the_last_page_for_the_same_queries(a_full_list, name, number):
    client, url = a_full_list
    last, last_queries = _page(client, f"{url}?page=2")
    assert last.status_code == 200
    assert last.context["page"].number == 2  # the list really has two pages
    response, queries = _page(client, f"{url}?page={number}")
    assert response.status_code == 200
    assert response.context["page"].number == 2
    assert "Page 2 of 2" in response.content.decode()
    assert len(queries) == len(last_queries)


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("number", ["0", "-1", "1e9"])
def test_a_page_number_that_is_no_page_shows_the_first_page(a_full_list, name, number):
    client, url = a_full_list
    response, _queries = _page(client, f"{url}?page={number}")
    assert response.status_code == 200
    assert response.context["page"].number == 1


UNKNOWN_FILTERS = [
    pytest.param(
        "/ideas/", f"category={UNKNOWN_ID}", "No published ideas match yet.", id="board-category"
    ),
    pytest.param("/ideas/", f"area={UNKNOWN_ID}", "No published ideas match yet.", id="board-area"),
    pytest.param(
        "/ideas/", f"session={UNKNOWN_ID}", "No published ideas match yet.", id="board-session"
    ),
    pytest.param(
        "/sessions/",
        "category=no-such-category",
        "No upcoming sessions match.",
        id="sessions-category",
    ),
    pytest.param(
        "/sessions/",
        "when=past&category=no-such-category&page=99999999999",
        "No past sessions match.",
        id="past-sessions-category",
    ),
    pytest.param(
        "/moderation/", f"category={UNKNOWN_ID}", "No ideas are waiting.", id="queue-category"
    ),
    pytest.param("/moderation/", f"area={UNKNOWN_ID}", "No ideas are waiting.", id="queue-area"),
]


@pytest.mark.parametrize(("url", "query", "message"), UNKNOWN_FILTERS)
def test_an_unknown_id_in_a_list_filter_gives_an_empty_list_that_says_so(
    client, organiser, url, query, message
):
    IdeaFactory(status=IdeaStatus.APPROVED)
    IdeaFactory(status=IdeaStatus.SUBMITTED)
    EngagementSessionFactory()
    EngagementSessionFactory(starts_at=timezone.now() - timedelta(days=7))
    client.force_login(organiser)
    response, _queries = _page(client, f"{url}?{query}")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert message in html.unescape(response.content.decode())


def test_a_filter_id_that_cannot_be_an_id_is_ignored_as_the_query_parser_says(client):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    response, _queries = _page(client, f"/ideas/?category={BEYOND_ANY_ID}&page=99999999999")
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [idea]


UNKNOWN_PAGES = [
    ("/sessions/no-such-session/", None),
    (f"/sessions/s/{UNKNOWN_ID}/", None),
    (f"/sessions/s/{BEYOND_ANY_ID}/", None),
    (f"/ideas/{UNKNOWN_ID}/", None),
    (f"/ideas/{BEYOND_ANY_ID}/", None),
    ("/initiatives/no-such-initiative/", None),
    (f"/feedback/{BEYOND_ANY_ID}/", "participant"),
    (f"/sessions/mine/{BEYOND_ANY_ID}/cancel/", "participant"),
    (f"/organise/sessions/{BEYOND_ANY_ID}/", "organiser"),
    (f"/moderation/ideas/{BEYOND_ANY_ID}/", "organiser"),
    (f"/feedback/quotes/{BEYOND_ANY_ID}/", "organiser"),
    (f"/reports/digests/{UNKNOWN_ID}/", "staff"),
    (f"/reports/digests/{BEYOND_ANY_ID}/", "staff"),
    (f"/reports/exports/jobs/{BEYOND_ANY_ID}/", "staff"),
    ("/reports/exports/no-such-dataset.csv", "staff"),
]


@pytest.mark.parametrize(("url", "who"), UNKNOWN_PAGES)
def test_an_unknown_id_in_a_link_is_a_404_not_a_server_error(client, request, url, who):
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    response, _queries = _page(client, url)
    assert response.status_code == 404


def test_a_person_with_no_rows_sees_an_empty_list_not_an_error(client):
    client.force_login(UserFactory())
    for url in ("/sessions/mine/?page=99999999999", "/ideas/mine/?page=99999999999"):
        response, _queries = _page(client, url)
        assert response.status_code == 200
        assert response.context["page"].number == 1
