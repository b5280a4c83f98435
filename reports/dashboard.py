"""The MCI staff dashboard: the figures of reports.figures over the dashboard's filters
(`ReportFilters.scope`), as headline numbers, tables and charts, with the glossary of the
figures it shows.

The figures read the same filtered querysets the exports use (reports.filters), so a figure
and the export behind it always agree, and the page costs the same dozen queries for ten rows
or a million.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from . import figures as engine
from .charts import Chart, bar_chart, grouped_bar_chart
from .filters import ReportFilters


@dataclass
class Table:
    """A chart's numbers, as the table shown beside it."""

    caption: str
    headers: list[str]
    rows: list[list]


@dataclass
class Figure:
    chart: Chart
    table: Table
    term: str  # its key in reports.figures.GLOSSARY


def dashboard_data(filters: ReportFilters) -> dict:
    """Everything the dashboard shows, for these filters."""
    scope = filters.scope
    now = timezone.now()
    categories = engine.top_level_categories()
    areas = engine.solution_areas()
    sessions = engine.sessions_held_and_upcoming(scope, now=now)
    registrations = engine.registrations_and_attendance(scope, now=now)
    backgrounds = engine.people_who_took_part(scope)
    feedback = engine.feedback_figures(scope, categories=categories, areas=areas, over_time=True)
    ideas = engine.ideas_by_status(scope)
    initiatives = engine.initiatives_by_status(scope)
    launch = engine.launch_date()
    category_names = [category.name for category in categories]
    area_names = [str(area["name"]) for area in areas]
    matrix = [
        (category.name, [cell["count"] for cell in cells], row["count"])
        for category, cells, row in feedback["matrix"]
    ]

    over_time_title = (
        _("Feedback by month and harm category")
        if feedback["monthly"]
        else _("Feedback by week and harm category")
    )
    figures = {
        "over_time": Figure(
            grouped_bar_chart(
                chart_id="chart-feedback-over-time",
                title=over_time_title,
                groups=[
                    (label, list(zip(category_names, counts, strict=True)))
                    for label, counts in feedback["over_time"]
                ],
            ),
            Table(
                over_time_title,
                [_("Month") if feedback["monthly"] else _("Week starting"), *category_names],
                [[label, *counts] for label, counts in feedback["over_time"]],
            ),
            "feedback_over_time",
        ),
        "matrix": Figure(
            grouped_bar_chart(
                chart_id="chart-feedback-matrix",
                title=_("Feedback by harm category and solution area"),
                groups=[
                    (name, list(zip(area_names, cells, strict=True)))
                    for name, cells, _total in matrix
                ],
            ),
            Table(
                _("Feedback by harm category and solution area"),
                [_("Harm category"), *area_names, _("Feedback")],
                [[name, *cells, total] for name, cells, total in matrix],
            ),
            "feedback_by_harm_and_area",
        ),
        "backgrounds": Figure(
            bar_chart(
                chart_id="chart-backgrounds",
                title=_("Participants by background"),
                bars=[(label, count) for _code, label, count in backgrounds["rows"]],
            ),
            Table(
                _("Participants by background"),
                [_("Background"), _("Participants")],
                [[label, count] for _code, label, count in backgrounds["rows"]],
            ),
            "people_took_part",
        ),
        "pipeline": Figure(
            bar_chart(
                chart_id="chart-idea-pipeline",
                title=_("The idea pipeline"),
                bars=[(str(label), count) for label, count in ideas["pipeline"]],
            ),
            Table(
                _("The idea pipeline"),
                [_("Stage"), _("Ideas")],
                [[label, count] for label, count in ideas["pipeline"]],
            ),
            "idea_pipeline",
        ),
    }
    return {
        "headline": {
            # None where reports.disclosure hides it (the templates show figures.HIDDEN).
            "participants": backgrounds["total"],
            "sessions_held": sessions["sessions_held"],
            "sessions_upcoming": sessions["sessions_upcoming"],
            "registrations": registrations["registrations"],
            "attendance_rate": registrations["attendance_rate"],
            "attendance_hidden": registrations["attendance_hidden"],
            "attended": registrations["attended"],
            "confirmed_held": registrations["confirmed_held"],
            "feedback": feedback["total"]["count"],
            "ideas": ideas["submitted"],
            "days_to_launch": engine.days_to_launch(launch=launch, on=timezone.localdate()),
            "launch_date": launch,
        },
        "ideas_by_status": ideas["by_status"],
        "initiatives_by_status": initiatives,
        "figures": figures,
        **engine.glossary_context(engine.DASHBOARD_FIGURES),
    }
