"""Server-side SVG bar charts: they work in email, in print and without JavaScript.

Each chart carries a <title> and a <desc> that states every number, and `Chart.summary`
gives the same sentence for the page. Presentation attributes only (fill, font-size): the
site's CSP forbids style attributes and <style> elements, in SVG too.

Every label sits above its bar, on as many lines as it needs (<tspan>s), so none is cut
off. A value of None is a count reports.disclosure hides: it gets no bar, and the hidden
marker (reports.figures.HIDDEN) where its number would be. The chart is narrow (WIDTH) so
that a phone shows it at about its natural size: the page scales an SVG down to its column,
and a wide one would shrink the text to a few pixels.
"""

import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

from .figures import HIDDEN

WIDTH = 360
PADDING = 4
FONT_SIZE = 14
HEADING_FONT_SIZE = 15
LINE_HEIGHT = 18
HEADING_LINE_HEIGHT = 20
LABEL_GAP = 4  # between a label's last line and its bar
BAR_HEIGHT = 16
ROW_GAP = 10
GROUP_GAP = 8
TEXT_WIDTH = WIDTH - 2 * PADDING
VALUE_SPACE = 56  # room after the longest bar for its number
BAR_AREA = TEXT_WIDTH - VALUE_SPACE
TEXT_COLOUR = "#212529"
# Okabe-Ito hues darkened to at least 3:1 against white (WCAG 1.4.11, non-text contrast).
PALETTE = ["#0072B2", "#A65300", "#007A5E", "#8E3D82", "#595959"]


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    summary: str
    filename: str


def _char_em(char: str) -> float:
    """A generous guess at a character's advance in a sans-serif font, in ems, so a wrapped
    line is never wider than the space it was wrapped to."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char in "mwMW@%":
        return 0.9
    if char.isupper() or char.isdigit():
        return 0.7
    if char.isspace():
        return 0.3
    return 0.58


def text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    """The estimated width of `text` in user units (pixels at the chart's natural size)."""
    return sum(_char_em(char) for char in text) * font_size * (1.08 if bold else 1.0)


def wrap_label(text: str, font_size: float, width: float, *, bold: bool = False) -> list[str]:
    """Break `text` between words into lines no wider than `width`; a word too long for a
    line of its own is broken between characters."""

    def fits(candidate: str) -> bool:
        return text_width(candidate, font_size, bold=bold) <= width

    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if fits(candidate):
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if line and not fits(line + char):
                lines.append(line)
                line = ""
            line += char
    if line or not lines:
        lines.append(line)
    return lines


def _text_block(
    y: int, text: str, *, font_size: int, line_height: int, bold: bool = False
) -> tuple[str, int]:
    """A left-aligned <text> whose top is at `y`, one <tspan> a line; returns it and its
    height."""
    lines = wrap_label(text, font_size, TEXT_WIDTH, bold=bold)
    baseline = y + font_size
    spans = "".join(
        f'<tspan x="{PADDING}" y="{baseline + index * line_height}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    weight = ' font-weight="bold"' if bold else ""
    element = (
        f'<text x="{PADDING}" y="{baseline}" font-size="{font_size}"{weight} '
        f'fill="{TEXT_COLOUR}">{spans}</text>'
    )
    return element, len(lines) * line_height


def _shown(value: int | None) -> str:
    return str(HIDDEN) if value is None else str(value)


def _bar_row(
    y: int, label: str, value: int | None, scale: float, colour: str
) -> tuple[list[str], int]:
    """The label (wrapped above the bar), the bar and its number (a hidden count: no bar,
    the marker); returns them and the row's height."""
    label_element, label_height = _text_block(
        y, label, font_size=FONT_SIZE, line_height=LINE_HEIGHT
    )
    bar_y = y + label_height + LABEL_GAP
    text_y = bar_y + BAR_HEIGHT - 3
    if value is None:
        return [
            label_element,
            f'<text x="{PADDING}" y="{text_y}" font-size="{FONT_SIZE}" '
            f'fill="{TEXT_COLOUR}">{escape(_shown(value))}</text>',
        ], label_height + LABEL_GAP + BAR_HEIGHT
    length = max(round(value * scale), 1)
    return [
        label_element,
        f'<rect x="{PADDING}" y="{bar_y}" width="{length}" height="{BAR_HEIGHT}" fill="{colour}"/>',
        f'<text x="{PADDING + length + 6}" y="{text_y}" '
        f'font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">{value}</text>',
    ], label_height + LABEL_GAP + BAR_HEIGHT


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


def bar_chart(*, chart_id: str, title: str, bars: list[tuple[str, int | None]]) -> Chart:
    """One horizontal bar per (label, value)."""
    top = max((value or 0 for _label, value in bars), default=0)
    scale = BAR_AREA / top if top else 0
    summary = f"{title}: " + "; ".join(f"{label}: {_shown(value)}" for label, value in bars) + "."
    body: list[str] = []
    y = ROW_GAP
    for label, value in bars:
        elements, height = _bar_row(y, label, value, scale, PALETTE[0])
        body += elements
        y += height + ROW_GAP
    return Chart(_svg(chart_id, title, summary, y, body), summary, f"{chart_id}.svg")


def grouped_bar_chart(
    *, chart_id: str, title: str, groups: list[tuple[str, list[tuple[str, int | None]]]]
) -> Chart:
    """A heading per group (e.g. a harm category), then one bar per series (e.g. a solution
    area), each labelled, so no colour legend is needed to read it."""
    top = max((value or 0 for _g, bars in groups for _l, value in bars), default=0)
    scale = BAR_AREA / top if top else 0
    summary = (
        f"{title}: "
        + "; ".join(
            f"{group}: " + ", ".join(f"{label} {_shown(value)}" for label, value in bars)
            for group, bars in groups
        )
        + "."
    )
    body: list[str] = []
    y = ROW_GAP
    for group, bars in groups:
        heading, height = _text_block(
            y, group, font_size=HEADING_FONT_SIZE, line_height=HEADING_LINE_HEIGHT, bold=True
        )
        body.append(heading)
        y += height + LABEL_GAP
        for index, (label, value) in enumerate(bars):
            elements, height = _bar_row(y, label, value, scale, PALETTE[index % len(PALETTE)])
            body += elements
            y += height + ROW_GAP
        y += GROUP_GAP
    return Chart(_svg(chart_id, title, summary, y, body), summary, f"{chart_id}.svg")
