"""Turning a digest's stored figures into charts, HTML and plain text, each labelled and
explained by the glossary of reports.figures (the same definitions the dashboard shows)."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from . import figures as engine
from .charts import Chart, bar_chart, grouped_bar_chart


def digest_charts(figures: dict) -> list[Chart]:
    feedback = figures.get("feedback") or {}
    areas = [area["name"] for area in feedback.get("areas", [])]
    charts = [
        grouped_bar_chart(
            chart_id="feedback-by-harm-and-area",
            title=_("Feedback by harm and solution area"),
            groups=[
                (
                    row["name"],
                    [(area, cell["count"]) for area, cell in zip(areas, row["cells"], strict=True)],
                )
                for row in feedback.get("matrix", [])
            ],
        )
    ]
    backgrounds = (figures.get("participants") or {}).get("by_background", [])
    # A hidden count (None) keeps its bar's place, drawn as the hidden marker; zeros go.
    if any(item["count"] != 0 for item in backgrounds):
        charts.append(
            bar_chart(
                chart_id="new-participants-by-background",
                title=_("New participants by background"),
                bars=[(item["label"], item["count"]) for item in backgrounds if item["count"] != 0],
            )
        )
    return charts


def digest_context(digest, figures: dict) -> dict:
    return {
        "digest": digest,
        "figures": figures,
        "charts": digest_charts(figures),
        **engine.glossary_context(engine.DIGEST_FIGURES),
    }


def render_digest_html(digest, figures: dict) -> str:
    """The digest body shown on its page and in the email (charts inline as SVG)."""
    return render_to_string("reports/_digest_body.html", digest_context(digest, figures))


def render_digest_text(digest, figures: dict) -> str:
    return render_to_string("reports/email/digest.txt", digest_context(digest, figures))
