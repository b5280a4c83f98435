"""Server-side SVG bar charts: they work in email, in print and without JavaScript.

Each chart carries a <title> and a <desc> that states every number, and `Chart.summary`
gives the same sentence for the page. Presentation attributes only (fill, font-size): the
site's CSP forbids style attributes and <style> elements, in SVG too.
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 680
LABEL_WIDTH = 230
BAR_AREA = 360
BAR_HEIGHT = 18
ROW_GAP = 8
HEADING_HEIGHT = 24
TEXT_COLOUR = "#212529"
# Okabe-Ito hues darkened to at least 3:1 against white (WCAG 1.4.11, non-text contrast).
PALETTE = ["#0072B2", "#A65300", "#007A5E", "#8E3D82", "#595959"]


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    summary: str
    filename: str


def _bar_row(y: int, label: str, value: int, scale: float, colour: str) -> list[str]:
    length = round(value * scale)
    return [
        f'<text x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end" font-size="12" '
        f'fill="{TEXT_COLOUR}">{escape(label)}</text>',
        f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(length, 1)}" height="{BAR_HEIGHT}" '
        f'fill="{colour}"/>',
        f'<text x="{LABEL_WIDTH + max(length, 1) + 6}" y="{y + 13}" font-size="12" '
        f'fill="{TEXT_COLOUR}">{value}</text>',
    ]


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" class="digest-chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="system-ui, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(*, chart_id: str, title: str, bars: list[tuple[str, int]]) -> Chart:
    """One horizontal bar per (label, value)."""
    top = max((value for _label, value in bars), default=0)
    scale = BAR_AREA / top if top else 0
    summary = f"{title}: " + "; ".join(f"{label}: {value}" for label, value in bars) + "."
    body: list[str] = []
    y = ROW_GAP
    for label, value in bars:
        body += _bar_row(y, label, value, scale, PALETTE[0])
        y += BAR_HEIGHT + ROW_GAP
    return Chart(_svg(chart_id, title, summary, y + ROW_GAP, body), summary, f"{chart_id}.svg")


def grouped_bar_chart(
    *, chart_id: str, title: str, groups: list[tuple[str, list[tuple[str, int]]]]
) -> Chart:
    """A heading per group (e.g. a harm category), then one bar per series (e.g. a solution
    area), each labelled, so no colour legend is needed to read it."""
    top = max((value for _g, bars in groups for _l, value in bars), default=0)
    scale = BAR_AREA / top if top else 0
    summary = (
        f"{title}: "
        + "; ".join(
            f"{group}: " + ", ".join(f"{label} {value}" for label, value in bars)
            for group, bars in groups
        )
        + "."
    )
    body: list[str] = []
    y = 0
    for group, bars in groups:
        y += HEADING_HEIGHT
        body.append(
            f'<text x="8" y="{y - 6}" font-size="13" font-weight="bold" '
            f'fill="{TEXT_COLOUR}">{escape(group)}</text>'
        )
        for index, (label, value) in enumerate(bars):
            body += _bar_row(y, label, value, scale, PALETTE[index % len(PALETTE)])
            y += BAR_HEIGHT + 4
        y += ROW_GAP
    return Chart(_svg(chart_id, title, summary, y + ROW_GAP, body), summary, f"{chart_id}.svg")
