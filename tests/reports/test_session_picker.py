"""The filters' session list holds the newest sessions, a search's matches and the chosen one,
never every session (issue 19: 2,000 options took 0.8 s to render on each page)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.filters import SESSION_OPTIONS_SHOWN, ReportFilterForm
from tests.factories.engagement import EngagementSessionFactory

PAGES = ["/reports/", "/reports/exports/"]


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def sessions(db):
    """Forty sessions, one a day going back; the oldest is "Conversation in Jurong"."""
    now = timezone.now()
    made = [
        EngagementSessionFactory(
            title=f"Weekly conversation {n}", starts_at=now - timedelta(days=n)
        )
        for n in range(1, 40)
    ]
    oldest = EngagementSessionFactory(
        title="Conversation in Jurong", starts_at=now - timedelta(days=400)
    )
    return [*made, oldest]


def session_options(page: str) -> list[str]:
    select = re.search(r'<select name="session".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="(\d*)"', select)


@pytest.mark.parametrize("url", PAGES)
def test_the_session_list_holds_only_the_newest_sessions(staff_client, sessions, url):
    page = staff_client.get(url).content.decode()
    options = session_options(page)
    assert options[0] == ""  # All sessions
    assert len(options) == SESSION_OPTIONS_SHOWN + 1
    newest = sorted(sessions, key=lambda s: s.starts_at, reverse=True)[:SESSION_OPTIONS_SHOWN]
    assert options[1:] == [str(s.pk) for s in newest]
    assert "Find a session" in page


@pytest.mark.parametrize("url", PAGES)
def test_a_search_lists_the_sessions_whose_title_matches(staff_client, sessions, url):
    page = staff_client.get(url, {"session_search": "jurong"}).content.decode()
    assert session_options(page) == ["", str(sessions[-1].pk)]
    assert 'value="jurong"' in page


@pytest.mark.parametrize("url", PAGES)
def test_an_old_chosen_session_is_listed_and_selected(staff_client, sessions, url):
    oldest = sessions[-1]
    response = staff_client.get(url, {"session": oldest.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert session_options(page)[1] == str(oldest.pk)
    assert re.search(rf'<option value="{oldest.pk}" selected>Conversation in Jurong \(', page)


def test_options_are_labelled_with_the_date_in_singapore_time(db):
    # 20:00 UTC on 31 March is 1 April in Singapore.
    starts = datetime(2027, 3, 31, 20, 0, tzinfo=UTC)
    session = EngagementSessionFactory(title="Late talk", starts_at=starts)
    labels = dict(ReportFilterForm().session_options())
    assert labels[session.pk] == "Late talk (1 April 2027)"


@pytest.mark.parametrize("search", ["%", "_", "\x00", "x" * 5000, "' OR 1=1 --"])
def test_odd_searches_list_nothing_or_something_never_fail(staff_client, sessions, search):
    response = staff_client.get("/reports/exports/", {"session_search": search})
    assert response.status_code in (200, 400)
    assert "<select" in response.content.decode()


def test_a_session_not_listed_still_filters(staff_client, sessions):
    """The list is a convenience: any session id is still a valid filter."""
    oldest = sessions[-1]
    response = staff_client.get("/reports/", {"session": oldest.pk, "session_search": "weekly"})
    assert response.status_code == 200
    assert f'value="{oldest.pk}" selected' in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_the_pages_query_count_does_not_grow_with_the_sessions(staff_client, db, url):
    EngagementSessionFactory.create_batch(3)
    staff_client.get(url)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    EngagementSessionFactory.create_batch(60)
    with CaptureQueriesContext(connection) as many:
        page = staff_client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(session_options(page)) == SESSION_OPTIONS_SHOWN + 1
