"""Chromium: on a phone and on a laptop, every word of the dashboard's and the digest's chart
labels is drawn inside its chart at a readable size, and the digest page passes axe on a
phone (its table scrolls in a region a keyboard can reach)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from reports import services
from reports.models import DigestKind
from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import DigestFactory, FeedbackFactory, UserFactory, sgt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
LONG_LABELS = [
    "Non-consensual publication of images and personal details",
    "Platforms and sites that encourage vice and harm",
]

# For each chart: its label texts as drawn, any part of a text outside the chart's box, and
# the smallest font size on screen (the chart's font-size times the scale it is shown at).
MEASURE_CHARTS = """() => [...document.querySelectorAll('svg.digest-chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  const texts = [...svg.querySelectorAll('text')];
  return {
    id: svg.getAttribute('aria-labelledby'),
    labels: texts.map(t => [...t.querySelectorAll('tspan')].map(s => s.textContent).join(' ')
                           || t.textContent),
    outside: texts.filter(t => {
      const r = t.getBoundingClientRect();
      return r.left < box.left - 0.5 || r.right > box.right + 0.5
          || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5;
    }).map(t => t.textContent),
    smallestPx: Math.min(...texts.map(t => parseFloat(t.getAttribute('font-size')) * scale)),
  };
})"""


def _feedback_in_every_top_category():
    author = UserFactory()
    for slug in ("doxxing", "sexual-harassment", "sites-promoting-vice"):
        FeedbackFactory(
            participant=author,
            created_at=timezone.now() - timedelta(days=3),
            harm_categories=[slug],
            suggestions=["regulation"],
        )


def _assert_labels_whole_and_readable(page, min_px: float) -> None:
    charts = page.evaluate(MEASURE_CHARTS)
    assert charts
    drawn = [label for chart in charts for label in chart["labels"]]
    for label in LONG_LABELS:
        assert label in drawn
    for chart in charts:
        assert chart["outside"] == [], chart["id"]
        assert chart["smallestPx"] >= min_px, chart["id"]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_dashboard_chart_labels_are_whole_and_readable(live_server, page, viewport):
    _feedback_in_every_top_category()
    staff = UserFactory(roles=[Role.STAFF], mfa=True)
    page.set_viewport_size(viewport)
    sign_in(page, live_server.url, staff)
    page.goto(f"{live_server.url}/reports/")
    expect(
        page.get_by_role("img", name="Feedback by harm category and solution area")
    ).to_be_visible()
    _assert_labels_whole_and_readable(page, min_px=12)
    assert_no_serious_axe_violations(page)


def test_digest_on_a_phone_has_whole_labels_and_a_focusable_table(live_server, page):
    author = UserFactory()
    FeedbackFactory(
        participant=author,
        created_at=sgt(2026, 11, 3),
        harm_categories=["doxxing", "sites-promoting-vice"],
        suggestions=["regulation"],
    )
    digest = DigestFactory(
        kind=DigestKind.ON_DEMAND,
        period_start=sgt(2026, 11, 1),
        period_end=sgt(2026, 11, 30),
        queued_at=timezone.now(),
    )
    services.digest_compile(digest_id=digest.pk)
    staff = UserFactory(roles=[Role.STAFF], mfa=True)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, staff)
    page.goto(f"{live_server.url}{digest.get_absolute_url()}")
    expect(page.get_by_role("heading", name="AfA feedback digest", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text(
        "1 Nov 2026 – 29 Nov 2026"
    )
    region = page.get_by_role("region", name="Feedback by harm and solution area, as a table")
    region.focus()
    expect(region).to_be_focused()
    _assert_labels_whole_and_readable(page, min_px=12)
    assert_no_serious_axe_violations(page)
