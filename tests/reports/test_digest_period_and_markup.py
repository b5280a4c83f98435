"""How a digest's period reads, and the markup of its pages.

A digest's period_end is exclusive (the midnight after the last day asked for): pages and
emails show the last day included, never that boundary. Tables that scroll sideways on a
phone sit in a wrapper that a keyboard can reach and that has a name (axe:
scrollable-region-focusable)."""

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from reports import services
from reports.models import Digest, DigestKind
from tests.factories import DigestFactory, DigestSubscriptionFactory, FeedbackFactory, sgt

pytestmark = pytest.mark.django_db


def _digest(start, end, *, kind=DigestKind.ON_DEMAND, compile=True) -> Digest:
    digest = DigestFactory(kind=kind, period_start=start, period_end=end, queued_at=timezone.now())
    if compile:
        services.digest_compile(digest_id=digest.pk)
        digest.refresh_from_db()
    return digest


@pytest.fixture
def november(participant):
    """Asked for 1 to 29 November 2026 inclusive: it ends at midnight starting 30 November."""
    FeedbackFactory(
        participant=participant, created_at=sgt(2026, 11, 3), harm_categories=["doxxing"]
    )
    return _digest(sgt(2026, 11, 1), sgt(2026, 11, 30))


def _between(html: str, start: str, end: str) -> str:
    match = re.search(re.escape(start) + r"(.*?)" + re.escape(end), html, re.S)
    assert match, f"{start!r} … {end!r} not found"
    return match.group(1)


def _breadcrumb(html: str) -> str:
    return _between(html, 'aria-current="page">', "</li>").strip()


def _lead(html: str) -> str:
    return _between(html, '<p class="lead', "</p>")


# --- The period -------------------------------------------------------------------------


def test_last_day_is_the_day_before_an_exclusive_midnight_end():
    digest = Digest(period_start=sgt(2026, 11, 1), period_end=sgt(2026, 11, 30))
    assert (digest.first_day, digest.last_day) == (date(2026, 11, 1), date(2026, 11, 29))
    assert digest.is_whole_days


def test_last_day_of_a_weekly_period_is_the_day_it_closes_on():
    # Monday 08:00 to Monday 08:00: the closing Monday's first eight hours are in it.
    digest = Digest(period_start=sgt(2026, 11, 2, 8), period_end=sgt(2026, 11, 9, 8))
    assert (digest.first_day, digest.last_day) == (date(2026, 11, 2), date(2026, 11, 9))
    assert not digest.is_whole_days


def test_last_day_is_counted_in_singapore_time():
    # 16:00 UTC on 29 Nov is midnight starting 30 Nov in Singapore.
    end = datetime(2026, 11, 29, 16, tzinfo=UTC)
    digest = Digest(period_start=sgt(2026, 11, 1), period_end=end)
    assert digest.last_day == date(2026, 11, 29)
    assert digest.is_whole_days


def test_digest_page_shows_the_last_day_asked_for_not_the_day_after(client, staff, november):
    client.force_login(staff)
    html = client.get(november.get_absolute_url()).content.decode()
    title = _between(html, "<title>", "</title>")
    assert "1 Nov 2026 – 29 Nov 2026" in title
    assert _breadcrumb(html) == "1 Nov 2026 – 29 Nov 2026"
    lead = _lead(html)
    assert "From 1 November 2026 to 29 November 2026 inclusive (Singapore time)" in lead
    for shown in (title, _breadcrumb(html), lead):
        assert "30 Nov" not in shown
        assert "00:00" not in shown


def test_queued_digest_page_shows_the_last_day_asked_for(client, staff):
    digest = _digest(sgt(2026, 11, 1), sgt(2026, 11, 30), compile=False)
    client.force_login(staff)
    html = client.get(digest.get_absolute_url()).content.decode()
    assert _breadcrumb(html) == "1 Nov 2026 – 29 Nov 2026"
    lead = _lead(html)
    assert "From 1 November 2026 to 29 November 2026 inclusive" in lead
    assert "30 November" not in lead


def test_archive_shows_the_days_a_digest_covers_without_times(client, staff, november):
    client.force_login(staff)
    html = client.get("/reports/digests/").content.decode()
    row = _between(html, f'<a href="{november.get_absolute_url()}">', "</a>")
    assert row == "1 Nov 2026 – 29 Nov 2026"


def test_a_one_day_digest_names_its_day_once(client, staff, participant):
    digest = _digest(sgt(2026, 11, 3), sgt(2026, 11, 4))
    client.force_login(staff)
    html = client.get(digest.get_absolute_url()).content.decode()
    assert _breadcrumb(html) == "3 Nov 2026"
    assert "On 3 November 2026 (Singapore time)" in _lead(html)


def test_weekly_digest_gives_the_exact_times_it_runs_between(client, staff, participant):
    digest = _digest(sgt(2026, 11, 2, 8), sgt(2026, 11, 9, 8), kind=DigestKind.WEEKLY)
    client.force_login(staff)
    html = client.get(digest.get_absolute_url()).content.decode()
    assert _breadcrumb(html) == "2 Nov 2026 – 9 Nov 2026"
    assert "From 2 November 2026, 8:00 AM until 9 November 2026, 8:00 AM" in _lead(html)


def test_emailed_digest_gives_the_last_day_in_subject_text_and_html(staff, november):
    from outbox.services import outbox_drain

    DigestSubscriptionFactory(user=staff)
    mail.outbox.clear()
    services._queue_digest_emails(november.pk)
    assert outbox_drain() == 1
    message = mail.outbox[0]
    assert "01 Nov 2026 to 29 Nov 2026" in message.subject
    assert "From 1 November 2026 to 29 November 2026 inclusive (Singapore time)" in message.body
    html = message.alternatives[0][0]
    assert "From 1 November 2026 to 29 November 2026 inclusive (Singapore time)" in html
    for text in (message.subject, message.body, html):
        assert "30 Nov" not in text


# --- Scrollable tables ------------------------------------------------------------------


class _Wrappers(HTMLParser):
    """The attributes of every element with the class table-responsive."""

    def __init__(self):
        super().__init__()
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "table-responsive" in (attributes.get("class") or "").split():
            self.found.append(attributes)


def _scroll_wrappers(html: str) -> list[dict]:
    parser = _Wrappers()
    parser.feed(html)
    return parser.found


def _assert_focusable_named_regions(wrappers: list[dict]) -> None:
    assert wrappers
    for wrapper in wrappers:
        assert wrapper.get("tabindex") == "0"
        assert wrapper.get("role") == "region"
        assert (wrapper.get("aria-label") or "").strip() or wrapper.get("aria-labelledby")


def test_digest_matrix_scrolls_in_a_keyboard_focusable_named_region(client, staff, november):
    client.force_login(staff)
    html = client.get(november.get_absolute_url()).content.decode()
    wrappers = _scroll_wrappers(html)
    _assert_focusable_named_regions(wrappers)
    assert any(
        wrapper.get("aria-label") == "Feedback by harm and solution area, as a table"
        for wrapper in wrappers
    )


def test_digest_archive_table_scrolls_in_a_keyboard_focusable_named_region(client, staff, november):
    client.force_login(staff)
    html = client.get("/reports/digests/").content.decode()
    _assert_focusable_named_regions(_scroll_wrappers(html))


def test_every_scrolling_table_wrapper_in_the_reports_templates_is_a_named_region():
    # The export pages moved to templates/exports/ with the exports app; they are still
    # reports pages to the people who read them.
    templates = Path(settings.BASE_DIR) / "templates"
    wrappers = []
    paths = [*(templates / "reports").rglob("*.html"), *(templates / "exports").rglob("*.html")]
    for path in sorted(paths):
        found = _scroll_wrappers(path.read_text())
        wrappers += found
        for wrapper in found:
            assert wrapper.get("tabindex") == "0", path
            assert wrapper.get("role") == "region", path
            assert wrapper.get("aria-label") or wrapper.get("aria-labelledby"), path
    assert len(wrappers) >= 5
