"""Server-side SVG charts: accessible name and description stating the numbers, labels
escaped, and nothing the CSP would block."""

import re

from reports.charts import bar_chart, grouped_bar_chart


def test_bar_chart_states_its_numbers_in_title_desc_and_summary():
    chart = bar_chart(
        chart_id="bg", title="New participants", bars=[("Parent", 3), ("Academic", 1)]
    )
    svg = str(chart.svg)
    assert '<title id="bg-title">New participants</title>' in svg
    assert '<desc id="bg-desc">New participants: Parent: 3; Academic: 1.</desc>' in svg
    assert 'role="img"' in svg and 'aria-labelledby="bg-title bg-desc"' in svg
    assert chart.summary == "New participants: Parent: 3; Academic: 1."
    widths = [int(w) for w in re.findall(r'<rect x="230" y="\d+" width="(\d+)"', svg)]
    assert widths == [360, 120]  # proportional to 3 and 1


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
    svg = str(bar_chart(chart_id="x", title="T", bars=[("a", 1)]).svg)
    assert "style" not in svg
    assert "<script" not in svg


def test_an_empty_chart_renders():
    chart = bar_chart(chart_id="e", title="Nothing", bars=[])
    assert "<svg" in str(chart.svg)
