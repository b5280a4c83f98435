"""Anonymity in every number: the dashboard (under every combination of its filters), the
digest page, the emailed digest (HTML and text) never show a count of 1 to 4 people by
background or attendance, nor one a total would give away; the marker is explained in every
glossary; zero stays 0; DISCLOSURE_THRESHOLD sets the line."""

import itertools
import re
from datetime import date, timedelta

import pytest
from django.core import mail

from accounts.models import Background
from audit.periods import period_for_dates
from outbox.services import outbox_drain
from reports import services
from reports.dashboard import dashboard_data
from reports.filters import ReportFilters
from reports.models import Digest, DigestKind, DigestSubscription
from tests.factories import (
    EngagementSessionFactory,
    FeedbackFactory,
    FeedbackSuggestionFactory,
    IdeaFactory,
    RegistrationFactory,
    UserFactory,
    area,
    category,
    sgt,
)

pytestmark = pytest.mark.django_db

MARKER = '<span class="figure-hidden" data-hidden-count>hidden</span>'
THRESHOLD = 5


def _people(background: str, n: int, **extra) -> list:
    return [UserFactory(background=background, **extra) for _ in range(n)]


@pytest.fixture
def one_small_group():
    """Session A (doxxing): one person from a government agency, who did not come, and six
    from community organisations, who did. Session B: five parents, all came, and two
    academics, who did not. One legal professional gave general feedback; one activist
    submitted an idea."""
    held = sgt(2021, 3, 1, 15)
    a = EngagementSessionFactory(starts_at=held, title="Session A", harm_categories=["doxxing"])
    b = EngagementSessionFactory(starts_at=held + timedelta(days=7), title="Session B")
    (official,) = _people(Background.GOVERNMENT, 1)
    RegistrationFactory(session=a, participant=official, attended=False)
    for person in _people(Background.COMMUNITY, 6):
        RegistrationFactory(session=a, participant=person, attended=True)
    for person in _people(Background.PARENT, 5):
        RegistrationFactory(session=b, participant=person, attended=True)
    for person in _people(Background.ACADEMIC, 2):
        RegistrationFactory(session=b, participant=person, attended=False)
    FeedbackFactory(session=a, participant=official, created_at=held, harm_categories=["doxxing"])
    (lawyer,) = _people(Background.LEGAL, 1)
    general = FeedbackFactory(
        participant=lawyer, created_at=held, harm_categories=["cyberstalking"]
    )
    FeedbackSuggestionFactory(feedback=general, solution_area=area("partnerships"))
    (activist,) = _people(Background.ACTIVIST, 1)
    IdeaFactory(author=activist, submitted_at=held, session=b)
    return {"a": a, "b": b}


def _assert_no_count_gives_anyone_away(data: dict) -> None:
    rows = data["figures"]["backgrounds"].table.rows
    counts = [count for _label, count in rows]
    total = data["headline"]["participants"]
    for count in counts:
        assert count is None or count == 0 or count >= THRESHOLD, rows
    hidden = counts.count(None)
    if total is not None:
        assert total == 0 or total >= THRESHOLD
        assert hidden != 1, "a total minus the shown counts would give the hidden one"
        if hidden:
            assert total - sum(c for c in counts if c) > hidden
    headline = data["headline"]
    for key in ("attended", "confirmed_held"):
        value = headline[key]
        assert value is None or value == 0 or value >= THRESHOLD, (key, value)
    if headline["attendance_rate"] is not None:
        not_attended = headline["confirmed_held"] - headline["attended"]
        assert not_attended == 0 or not_attended >= THRESHOLD


def test_one_session_and_one_small_background_reveal_nobody(client, staff, one_small_group):
    a = one_small_group["a"]
    data = dashboard_data(ReportFilters(session_id=a.pk))
    counts = dict(data["figures"]["backgrounds"].table.rows)
    # One official: hidden; the six community members are hidden with them, or 7 - 6 = 1.
    assert counts["Government agency"] is None
    assert counts["Community organisation"] is None
    assert counts["Parent"] == 0  # zero stays 0: it reveals nobody
    assert data["headline"]["participants"] == 7
    # 6 of 7 came: the one who did not is hidden, so the rate and the 6 are hidden too.
    assert data["headline"]["attendance_hidden"] is True
    assert data["headline"]["attended"] is None
    assert data["headline"]["confirmed_held"] == 7

    client.force_login(staff)
    page = client.get(f"/reports/?session={a.pk}").content.decode()
    table = page[page.index('data-table="backgrounds"') :]
    table = table[: table.index("</table>")]
    assert table.count(MARKER) == 2
    assert not re.search(r'<td class="text-end">[1-4]</td>', table)
    assert "Government agency: hidden" in page  # the chart's description and caption
    assert re.search(r'data-figure="attendance_rate">' + re.escape(MARKER), page)
    assert "85.7%" not in page
    assert 'data-glossary-marker="hidden"' in page


def test_every_combination_of_dashboard_filters_keeps_every_count_safe(one_small_group):
    a, b = one_small_group["a"], one_small_group["b"]
    publication = category("doxxing").parent_id
    unwelcome = category("cyberstalking").parent_id
    sessions = (None, a.pk, b.pk)
    harms = (None, publication, unwelcome)
    areas = (None, area("partnerships").pk)
    dates = ((None, None), (date(2021, 3, 1), date(2021, 3, 1)), (date(2021, 3, 2), None))
    for session, harm, solution, (since, until) in itertools.product(sessions, harms, areas, dates):
        filters = ReportFilters(
            date_from=since,
            date_to=until,
            session_id=session,
            harm_category_id=harm,
            solution_area_id=solution,
        )
        _assert_no_count_gives_anyone_away(dashboard_data(filters))


def test_the_threshold_comes_from_the_setting(settings, one_small_group):
    a = one_small_group["a"]
    settings.DISCLOSURE_THRESHOLD = 8
    data = dashboard_data(ReportFilters(session_id=a.pk))
    assert data["headline"]["participants"] is None  # 7 people: fewer than 8
    settings.DISCLOSURE_THRESHOLD = 1  # off
    counts = dict(
        dashboard_data(ReportFilters(session_id=a.pk))["figures"]["backgrounds"].table.rows
    )
    assert counts["Government agency"] == 1 and counts["Community organisation"] == 6


def test_glossary_explains_the_marker_with_the_threshold(client, staff, settings, db):
    client.force_login(staff)
    page = client.get("/reports/").content.decode()
    assert "A count of fewer than 5 people (1 to 4) is never shown" in page
    settings.DISCLOSURE_THRESHOLD = 10
    page = client.get("/reports/").content.decode()
    assert "A count of fewer than 10 people (1 to 9) is never shown" in page


@pytest.fixture
def digest_with_a_small_group(db):
    """In the week of 1-7 November 2026: one person from a government agency and six from
    community organisations joined; at a session held in it, 6 of 7 confirmed came."""
    joined = sgt(2026, 11, 3, 10)
    people = _people(Background.GOVERNMENT, 1, date_joined=joined) + _people(
        Background.COMMUNITY, 6, date_joined=joined
    )
    session = EngagementSessionFactory(starts_at=sgt(2026, 11, 4, 15))
    for index, person in enumerate(people):
        RegistrationFactory(session=session, participant=person, attended=index > 0)
    start, end = period_for_dates(date(2026, 11, 1), date(2026, 11, 7))
    digest = Digest.objects.create(
        kind=DigestKind.ON_DEMAND, period_start=start, period_end=end, queued_at=start
    )
    services.digest_compile(digest_id=digest.pk)
    digest.refresh_from_db()
    return digest


def test_a_digest_stores_and_shows_no_small_count(client, staff, digest_with_a_small_group):
    digest = digest_with_a_small_group
    participants = digest.figures["participants"]
    counts = {item["code"]: item["count"] for item in participants["by_background"]}
    assert counts["government"] is None and counts["community"] is None
    assert participants["new_total"] == 7
    assert digest.figures["sessions"]["attended"] is None
    assert digest.figures["sessions"]["attendance_rate"] is None
    assert digest.figures["sessions"]["confirmed_at_held"] == 7

    client.force_login(staff)
    page = client.get(digest.get_absolute_url()).content.decode()
    for html in (digest.html, page):
        assert "7 new participants." in html
        assert "Government agency: hidden" in html and "Government agency: 1" not in html
        assert f'data-figure="attendance">{MARKER} of 7 confirmed' in html
        assert 'data-glossary-marker="hidden"' in html


def test_the_emailed_digest_html_and_text_show_the_marker(staff, digest_with_a_small_group):
    DigestSubscription.objects.create(user=staff)
    mail.outbox.clear()
    services._queue_digest_emails(digest_with_a_small_group.pk)
    assert outbox_drain() == 1
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert "Government agency: hidden" in html and MARKER in html
    text = message.body
    assert "Government agency: hidden" in text and "Community organisation: 6" not in text
    assert "Attendance at sessions held: hidden/7" in text
    assert "- hidden: A count of fewer than 5 people (1 to 4) is never shown" in text
    # The attached chart says the same.
    svg = next(body for name, body, _type in message.attachments if "background" in name)
    assert ">hidden</text>" in svg and "Government agency: 1" not in svg


def test_a_period_with_no_one_shows_zeros_not_the_marker(db):
    start, end = period_for_dates(date(2020, 1, 6), date(2020, 1, 12))
    digest = Digest.objects.create(
        kind=DigestKind.ON_DEMAND, period_start=start, period_end=end, queued_at=start
    )
    services.digest_compile(digest_id=digest.pk)
    digest.refresh_from_db()
    assert digest.figures["participants"]["new_total"] == 0
    assert {item["count"] for item in digest.figures["participants"]["by_background"]} == {0}
    assert "0 new participants." in digest.html
    assert MARKER not in digest.html
