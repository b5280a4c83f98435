"""The staff dashboard: figures on the known data set, checked number by number; filters
applied to every figure; a query count that does not grow with the data."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from harms.models import HarmCategory
from reports.dashboard import dashboard_data
from reports.filters import ReportFilters
from reports.selectors import launch_date
from tests.scenarios import KnownData, build_known_data, build_more_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(db) -> KnownData:
    return build_known_data()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_headline_figures_on_the_known_data(known, settings):
    # Three people: every count of people is hidden (reports.disclosure) ...
    headline = dashboard_data(ReportFilters())["headline"]
    assert headline["participants"] is None
    assert headline["attendance_hidden"] is True
    assert headline["attendance_rate"] is headline["attended"] is headline["confirmed_held"] is None
    assert headline["registrations"] == 3  # places, not people by who they are
    # ... and with suppression off, the counting itself is checked number by number.
    settings.DISCLOSURE_THRESHOLD = 1
    data = dashboard_data(ReportFilters())
    assert data["headline"] == {
        "participants": 3,
        "sessions_held": 2,
        "sessions_upcoming": 0,
        "registrations": 3,  # the cancelled one does not count
        "attendance_rate": 66.7,  # 2 of 3 confirmed seats at sessions held
        "attendance_hidden": False,
        "attended": 2,
        "confirmed_held": 3,
        "feedback": 3,
        "ideas": 3,  # the draft was never submitted
        "days_to_launch": (launch_date() - timezone.localdate()).days,
        "launch_date": launch_date(),
    }
    assert {code: count for code, _label, count in data["ideas_by_status"]} == {
        "submitted": 1,
        "changes_requested": 0,
        "approved": 1,
        "rejected": 0,
        "hidden": 0,
        "merged": 1,
        "withdrawn": 0,
    }
    assert [(code, count) for code, _label, count in data["initiatives_by_status"]] == [
        ("forming", 0),
        ("in_progress", 1),
        ("launched", 0),
    ]


def test_chart_tables_on_the_known_data(known, settings):
    hidden = dashboard_data(ReportFilters())["figures"]["backgrounds"].table.rows
    assert {row[0]: row[1] for row in hidden if row[1] != 0} == {
        "Parent": None,
        "Academic": None,
        "Legal professional": None,
    }
    settings.DISCLOSURE_THRESHOLD = 1  # the counting, with suppression off
    figures = dashboard_data(ReportFilters())["figures"]
    over_time = figures["over_time"].table
    assert over_time.headers == [
        "Week starting",
        *HarmCategory.objects.filter(parent__isnull=True).values_list("name", flat=True),
    ]
    # Weeks start on Monday, Singapore time. Feedback with a sub-category counts under its
    # top-level category; one feedback touching two categories counts once in each.
    assert over_time.rows == [["22 Feb 2021", 1, 2, 0], ["8 Mar 2021", 1, 0, 0]]

    matrix = figures["matrix"].table
    assert matrix.headers[1:] == [
        "Public education",
        "Partnerships",
        "Regulation",
        "No suggestion",
        "Feedback",
    ]
    assert [row[1:] for row in matrix.rows] == [
        [2, 0, 1, 0, 2],  # publication: alice (education, regulation), citra (education)
        [1, 1, 1, 0, 2],  # unwelcome: alice (education, regulation), bala (partnerships)
        [0, 0, 0, 0, 0],  # platforms
    ]

    backgrounds = {row[0]: row[1] for row in figures["backgrounds"].table.rows}
    assert backgrounds["Parent"] == 1
    assert backgrounds["Academic"] == 1
    assert backgrounds["Legal professional"] == 1
    assert sum(backgrounds.values()) == 3

    assert figures["pipeline"].table.rows == [
        ["Submitted", 3],
        ["Approved and published", 2],
        ["In an initiative", 1],
    ]


def test_filters_apply_to_every_figure(known, settings):
    # Which rows each filter selects, with suppression off (tests/reports/test_disclosure_*
    # check what the same filters show with it on).
    settings.DISCLOSURE_THRESHOLD = 1
    data = dashboard_data(ReportFilters(session_id=known.later_session.pk))
    headline = data["headline"]
    assert headline["sessions_held"] == 1
    assert headline["registrations"] == 1
    assert headline["attendance_rate"] == 100.0
    assert headline["feedback"] == 0
    assert headline["ideas"] == 0
    assert headline["participants"] == 1  # alice, registered for the later session
    assert sum(count for _c, _l, count in data["initiatives_by_status"]) == 0

    unwelcome = known.harassment.parent_id
    data = dashboard_data(ReportFilters(harm_category_id=unwelcome))
    headline = data["headline"]
    assert headline["sessions_held"] == 1  # only the first session discusses it
    assert headline["registrations"] == 2
    assert headline["attendance_rate"] == 50.0
    assert headline["feedback"] == 2
    assert data["figures"]["matrix"].table.rows[1][1:] == [1, 1, 1, 0, 2]

    data = dashboard_data(ReportFilters(solution_area_id=known.partnerships.pk))
    assert data["headline"]["feedback"] == 1
    assert data["headline"]["ideas"] == 1

    data = dashboard_data(ReportFilters(date_from=date(2021, 3, 1), date_to=date(2021, 3, 31)))
    assert data["headline"]["feedback"] == 1
    assert data["headline"]["sessions_held"] == 1
    assert data["figures"]["over_time"].table.rows == [["8 Mar 2021", 1, 0, 0]]


def test_dashboard_page_shows_figures_with_tables_beside_charts(staff_client, known):
    response = staff_client.get(f"/reports/?session={known.session.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'data-figure="registrations">\s*2<', page)
    # 1 of 2 confirmed came: hidden, rate and counts alike.
    assert re.search(r'data-figure="attendance_rate">\s*<span class="figure-hidden"', page)
    assert "50.0%" not in page
    for key in ("over_time", "matrix", "backgrounds", "pipeline"):
        assert f'data-table="{key}"' in page
    assert page.count("<svg") == 4
    assert page.count('role="img"') == 4
    # The CSP forbids inline style, inside SVG too.
    assert " style=" not in page and "<style" not in page
    assert f"/reports/exports/?session={known.session.pk}" in page


def test_bad_dashboard_filters_get_a_message(staff_client, known):
    response = staff_client.get("/reports/?date_from=2021-03-02&date_to=2021-03-01")
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.content.decode()


def test_dashboard_query_count_does_not_grow_with_the_data(
    staff_client, known, django_assert_num_queries
):
    url = f"/reports/?harm_category={known.publication.pk}"
    staff_client.get(url)  # warm up: sessions, content types
    with CaptureQueriesContext(connection) as small:
        assert staff_client.get(url).status_code == 200
    build_more_rows(known, count=30)
    with django_assert_num_queries(len(small.captured_queries)):
        response = staff_client.get(url)
    assert response.status_code == 200
    assert re.search(r'data-figure="feedback">\s*32<', response.content.decode())


@pytest.mark.parametrize(
    "query",
    ["?date_to=9999-12-31", "?date_from=0001-01-01", "?date_from=2021-02-30", "?session=x"],
)
def test_impossible_or_far_off_dashboard_filters_get_a_message_not_a_server_error(
    staff_client, known, query
):
    response = staff_client.get("/reports/" + query)
    assert response.status_code == 400
    page = response.content.decode()
    assert "invalid-feedback" in page or "Enter a" in page
    assert 'data-testid="filters-invalid"' in page
    assert 'data-figure="feedback"' not in page  # no figures that were not asked for


# The dashboard's own tables: an invalid filter must not read any of them.
FIGURE_TABLES = (
    "engagement_feedback",
    "engagement_registration",
    "initiatives_idea",
    "initiatives_initiative",
    "reports_launchsettings",
)


def test_an_invalid_dashboard_filter_answers_400_before_computing_any_figure(
    staff_client, known, django_assert_max_num_queries
):
    url = "/reports/?date_from=2021-03-02&date_to=2021-03-01"
    staff_client.get(url)  # warm up: content types, the session
    # What is left: the session and the user (4 today: session, user, groups, two-factor),
    # the filter form's three lists of choices and the footer's support services, with room
    # for auth to grow a little. The figures alone take more than twice that.
    with django_assert_max_num_queries(10) as captured:
        response = staff_client.get(url)
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.content.decode()
    sql = " ".join(query["sql"] for query in captured.captured_queries).lower()
    assert not [table for table in FIGURE_TABLES if table in sql]
