"""Server-side SVG charts: accessible name and description stating the numbers, labels
escaped, and nothing the CSP would block."""

import re
import xml.etree.ElementTree as ET

from reports.charts import PADDING, bar_chart, grouped_bar_chart, text_width

SVG = "{http://www.w3.org/2000/svg}"
LONG_LABELS = [
    "Non-consensual publication of images and personal details",
    "Platforms and sites that encourage vice and harm",
    "Student at an Institute of Higher Learning",
]
# A 390 px phone gives the chart's column 366 px (the container's padding takes 24).
PHONE_COLUMN = 366


def test_bar_chart_states_its_numbers_in_title_desc_and_summary():
    chart = bar_chart(
        chart_id="bg", title="New participants", bars=[("Parent", 3), ("Academic", 1)]
    )
    svg = str(chart.svg)
    assert '<title id="bg-title">New participants</title>' in svg
    assert '<desc id="bg-desc">New participants: Parent: 3; Academic: 1.</desc>' in svg
    assert 'role="img"' in svg and 'aria-labelledby="bg-title bg-desc"' in svg
    assert chart.summary == "New participants: Parent: 3; Academic: 1."
    widths = [int(w) for w in re.findall(rf'<rect x="{PADDING}" y="\d+" width="(\d+)"', svg)]
    assert len(widths) == 2 and abs(widths[0] - 3 * widths[1]) <= 1  # proportional to 3 and 1


def test_grouped_chart_labels_every_bar_and_escapes_text():
    chart = grouped_bar_chart(
        chart_id="m",
        title="Feedback",
        groups=[("Harm <A> & co", [("Regulation", 2), ("Partnerships", 0)])],
    )
    svg = str(chart.svg)
    assert "Harm &lt;A&gt; &amp; co" in svg
    assert "<A>" not in svg
    assert svg.count("<rect") == 3  # background and two bars (an empty one still shows)
    assert chart.summary == "Feedback: Harm <A> & co: Regulation 2, Partnerships 0."


def test_charts_use_no_style_attributes_or_elements():
    for chart in (
        bar_chart(chart_id="x", title="T", bars=[("a", 1), (LONG_LABELS[0], 2)]),
        grouped_bar_chart(
            chart_id="g", title="T", groups=[(LONG_LABELS[1], [(LONG_LABELS[0], 1)])]
        ),
    ):
        svg = str(chart.svg)
        assert "style" not in svg
        assert "<script" not in svg


def _texts(svg: str) -> list[tuple[ET.Element, list[str]]]:
    """Each <text> of the chart with its lines (its <tspan>s, or its own text)."""
    root = ET.fromstring(svg)  # noqa: S314 - the chart module's own output
    return [
        (text, [span.text for span in text.findall(f"{SVG}tspan")] or [text.text])
        for text in root.iter(f"{SVG}text")
    ]


def _charts_with_long_labels():
    return [
        bar_chart(chart_id="b", title="Bars", bars=[(label, 7) for label in LONG_LABELS]),
        grouped_bar_chart(
            chart_id="g",
            title="Groups",
            groups=[("3 Nov 2025", [(label, 12) for label in LONG_LABELS])]
            + [(label, [("Regulation", 1), ("No suggestion", 0)]) for label in LONG_LABELS],
        ),
    ]


def test_long_labels_are_shown_in_full_and_inside_the_chart():
    for chart in _charts_with_long_labels():
        svg = str(chart.svg)
        width = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
        shown = [" ".join(lines) for _text, lines in _texts(svg)]
        for label in LONG_LABELS:
            assert label in shown  # every word, none cut off or elided
            assert label in chart.summary  # and in the text alternative
        assert f'<desc id="{chart.filename[:-4]}-desc">' in svg
        for text, lines in _texts(svg):
            size = float(text.get("font-size"))
            bold = text.get("font-weight") == "bold"
            for line in lines:
                x = float(text.get("x"))
                left = (
                    x - text_width(line, size, bold=bold) if text.get("text-anchor") == "end" else x
                )
                right = left + text_width(line, size, bold=bold)
                assert left >= 0 and right <= width, (line, left, right, width)


def test_wrapped_labels_push_the_next_bar_down():
    chart = bar_chart(chart_id="b", title="Bars", bars=[(LONG_LABELS[0], 1), ("Parent", 1)])
    root = ET.fromstring(str(chart.svg))  # noqa: S314 - the chart module's own output
    bars = list(root.iter(f"{SVG}rect"))[1:]
    label_lines = _texts(str(chart.svg))[0][1]
    assert len(label_lines) >= 2  # wrapped, not squeezed
    line_ys = [float(span.get("y")) for span in root.iter(f"{SVG}tspan")]
    # Each bar sits below its whole label, and the next label below the bar.
    first_bar_top = float(bars[0].get("y"))
    assert first_bar_top > max(line_ys[: len(label_lines)])
    assert line_ys[len(label_lines)] > first_bar_top + float(bars[0].get("height"))
    assert float(root.get("height")) > float(bars[1].get("y")) + float(bars[1].get("height"))


def test_chart_text_stays_readable_in_a_phone_column():
    """The page scales an SVG down to its column: a chart no wider than a phone's column is
    shown at its natural size, so 14 px text stays 14 px rather than shrinking to 6."""
    for chart in _charts_with_long_labels():
        svg = str(chart.svg)
        width = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
        assert width <= PHONE_COLUMN
        assert f'width="{width}"' in svg
        sizes = [float(text.get("font-size")) for text, _lines in _texts(svg)]
        assert min(sizes) >= 13


def test_an_empty_chart_renders():
    chart = bar_chart(chart_id="e", title="Nothing", bars=[])
    assert "<svg" in str(chart.svg)
