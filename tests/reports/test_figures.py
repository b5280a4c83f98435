"""The figures engine (reports.figures): every figure the dashboard and the digests show has one
definition, shown in a glossary on the dashboard, on the digest page and in the digest email
(HTML and text); and a figure both show gives the same number over the same period."""

import re
from datetime import date

import pytest
from django.core import mail
from django.utils.functional import Promise
from django.utils.html import escape

from audit.periods import period_for_dates
from outbox.services import outbox_drain
from reports import figures, services
from reports.dashboard import dashboard_data
from reports.filters import ReportFilters, Scope, feedback_matching, registrations_matching
from reports.models import Digest, DigestKind, DigestSubscription
from reports.selectors import digest_figures
from tests.factories import FeedbackFactory, sgt
from tests.scenarios import build_known_data

pytestmark = pytest.mark.django_db


def _figures_shown(html: str) -> set[str]:
    return set(re.findall(r'data-figure="([^"]+)"', html))


def _glossary_shown(html: str) -> list[str]:
    return re.findall(r'data-glossary-term="([^"]+)"', html)


def _assert_glossary_explains_every_figure(html: str, keys: tuple[str, ...]) -> None:
    shown = _figures_shown(html)
    glossary = _glossary_shown(html)
    # Every figure on the page is explained, and the glossary lists only what the page shows.
    assert shown == set(keys)
    assert glossary == list(keys)
    for key in keys:
        term = figures.GLOSSARY[key]
        assert escape(str(term.name)) in html
        assert escape(str(term.definition)) in html


@pytest.fixture
def known(db):
    return build_known_data()


@pytest.fixture
def compiled_digest(participant) -> Digest:
    FeedbackFactory(
        participant=participant, created_at=sgt(2026, 11, 3), harm_categories=["doxxing"]
    )
    start, end = period_for_dates(date(2026, 11, 1), date(2026, 11, 7))
    digest = Digest.objects.create(
        kind=DigestKind.ON_DEMAND, period_start=start, period_end=end, queued_at=start
    )
    services.digest_compile(digest_id=digest.pk)
    digest.refresh_from_db()
    return digest


def test_every_glossary_entry_is_translatable_and_shown_somewhere():
    used = (
        set(figures.DASHBOARD_FIGURES)
        | set(figures.DIGEST_FIGURES)
        | set(figures.SESSION_SUMMARY_FIGURES)
    )
    assert used == set(figures.GLOSSARY)
    for key, term in figures.GLOSSARY.items():
        assert term.key == key
        assert isinstance(term.name, Promise) and isinstance(term.definition, Promise)
    names = [str(term.name) for term in figures.GLOSSARY.values()]
    assert len(names) == len(set(names)), "two figures share a name"


def test_the_two_meanings_of_participants_are_two_figures():
    took_part = figures.GLOSSARY["people_took_part"]
    joined = figures.GLOSSARY["new_participants"]
    assert str(took_part.name) == "People who took part"
    assert str(joined.name) == "New participants"
    assert "people_took_part" in figures.DASHBOARD_FIGURES
    assert "new_participants" in figures.DIGEST_FIGURES
    assert "people_took_part" not in figures.DIGEST_FIGURES
    assert "new_participants" not in figures.DASHBOARD_FIGURES


def test_dashboard_shows_the_glossary_of_every_figure_on_it(client, staff, known):
    client.force_login(staff)
    html = client.get("/reports/").content.decode()
    _assert_glossary_explains_every_figure(html, figures.DASHBOARD_FIGURES)
    assert "What the figures count" in html


def test_digest_page_and_email_show_the_glossary_of_every_figure_in_them(
    client, staff, compiled_digest
):
    _assert_glossary_explains_every_figure(compiled_digest.html, figures.DIGEST_FIGURES)
    client.force_login(staff)
    page = client.get(compiled_digest.get_absolute_url()).content.decode()
    _assert_glossary_explains_every_figure(page, figures.DIGEST_FIGURES)

    DigestSubscription.objects.create(user=staff)
    mail.outbox.clear()
    services._queue_digest_emails(compiled_digest.pk)
    assert outbox_drain() == 1
    message = mail.outbox[0]
    _assert_glossary_explains_every_figure(message.alternatives[0][0], figures.DIGEST_FIGURES)
    assert "What the figures count" in message.body
    for key in figures.DIGEST_FIGURES:
        term = figures.GLOSSARY[key]
        assert f"- {term.name}: {term.definition}" in message.body


# How each surface reports a figure both show: (dashboard data, digest figures) -> number.
SAME_FIGURE = {
    "feedback": (
        lambda dashboard: dashboard["headline"]["feedback"],
        lambda digest: digest["feedback"]["total"],
    ),
    "ideas_submitted": (
        lambda dashboard: dashboard["headline"]["ideas"],
        lambda digest: digest["ideas"]["submitted"],
    ),
    "feedback_by_harm_and_area": (
        lambda dashboard: [row[1:] for row in dashboard["figures"]["matrix"].table.rows],
        lambda digest: [
            [cell["count"] for cell in row["cells"]] + [row["count"]]
            for row in digest["feedback"]["matrix"]
        ],
    ),
}


def test_every_figure_both_show_is_compared_below():
    assert set(figures.DASHBOARD_FIGURES) & set(figures.DIGEST_FIGURES) == set(SAME_FIGURE)


@pytest.mark.parametrize(
    ("first_day", "last_day"),
    [
        (date(2021, 2, 1), date(2021, 3, 31)),  # everything
        (date(2021, 2, 22), date(2021, 2, 28)),  # one week
        (date(2021, 3, 1), date(2021, 3, 31)),  # the later feedback only
        (date(2021, 4, 1), date(2021, 4, 30)),  # nothing
    ],
)
@pytest.mark.parametrize("key", sorted(SAME_FIGURE))
def test_dashboard_and_digest_give_the_same_number_for_the_same_figure_and_period(
    known, first_day, last_day, key
):
    start, end = period_for_dates(first_day, last_day)
    digest = Digest.objects.create(
        kind=DigestKind.ON_DEMAND, period_start=start, period_end=end, queued_at=start
    )
    services.digest_compile(digest_id=digest.pk)
    digest.refresh_from_db()
    dashboard = dashboard_data(ReportFilters(date_from=first_day, date_to=last_day))
    on_dashboard, in_digest = SAME_FIGURE[key]
    assert on_dashboard(dashboard) == in_digest(digest.figures)
    assert on_dashboard(dashboard) == in_digest(digest_figures(start=start, end=end))


def test_a_digest_period_and_the_dashboard_filters_for_its_days_select_the_same_rows(known):
    filters = ReportFilters(date_from=date(2021, 2, 22), date_to=date(2021, 3, 7))
    period = Scope.period(*period_for_dates(filters.date_from, filters.date_to))
    assert filters.scope == period
    assert set(feedback_matching(filters)) == set(feedback_matching(period))
    assert set(registrations_matching(filters)) == set(registrations_matching(period))
    assert set(feedback_matching(filters)) == {known.fb_alice, known.fb_bala}


def test_digest_archive_names_its_columns_as_the_digest_glossary_does(
    client, staff, compiled_digest
):
    assert set(figures.ARCHIVE_FIGURES) <= set(figures.DIGEST_FIGURES)
    client.force_login(staff)
    html = client.get("/reports/digests/").content.decode()
    assert _figures_shown(html) == set(figures.ARCHIVE_FIGURES)
    for key in figures.ARCHIVE_FIGURES:
        assert f'data-figure="{key}">{escape(str(figures.GLOSSARY[key].name))}</th>' in html
    # A digest's registrations are the ones made in the period, not the dashboard's figure.
    assert ">Registrations</th>" not in html
