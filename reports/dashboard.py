"""The MCI staff dashboard: headline figures and charts of the whole process, with the
dashboard filters (reports.filters) applied to every figure at once.

Every figure is a database aggregate over the same filtered querysets the exports use
(reports.filters), so a figure and the export behind it always agree, and the page costs
the same dozen queries for ten rows or a million.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

from accounts.models import Background, User
from engagement.models import EngagementSession, RegistrationStatus, SessionStatus
from harms.models import HarmCategory, SolutionArea
from initiatives.models import IdeaStatus, InitiativeStatus

from .charts import Chart, bar_chart, grouped_bar_chart
from .filters import (
    ReportFilters,
    feedback_matching,
    harm_category_ids,
    ideas_matching,
    initiatives_matching,
    registrations_matching,
)
from .selectors import launch_date

# Past this many days the feedback-over-time chart counts months instead of weeks.
WEEKLY_UP_TO_DAYS = 183
NO_AREA = "none"


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


def sessions_for(filters: ReportFilters) -> QuerySet[EngagementSession]:
    """Published sessions the filters select (a solution area does not apply to sessions)."""
    sessions = EngagementSession.objects.filter(status=SessionStatus.PUBLISHED)
    if filters.starts:
        sessions = sessions.filter(starts_at__gte=filters.starts)
    if filters.ends:
        sessions = sessions.filter(starts_at__lt=filters.ends)
    if filters.session_id:
        sessions = sessions.filter(pk=filters.session_id)
    if filters.harm_category_id:
        sessions = sessions.filter(
            Exists(
                EngagementSession.harm_categories.through.objects.filter(
                    engagementsession_id=OuterRef("pk"),
                    harmcategory_id__in=harm_category_ids(filters.harm_category_id),
                )
            )
        )
    return sessions


def session_figures(filters: ReportFilters, now) -> dict:
    return sessions_for(filters).aggregate(
        held=Count("id", filter=Q(ends_at__lte=now)),
        upcoming=Count("id", filter=Q(starts_at__gt=now)),
    )


def registration_figures(filters: ReportFilters, now) -> dict:
    """Attendance rate: of confirmed seats at sessions that have ended, how many attended."""
    figures = registrations_matching(filters).aggregate(
        active=Count("id", filter=~Q(status=RegistrationStatus.CANCELLED)),
        confirmed_held=Count(
            "id",
            filter=Q(
                status=RegistrationStatus.CONFIRMED,
                session__ends_at__lte=now,
                session__status=SessionStatus.PUBLISHED,
            ),
        ),
        attended=Count(
            "id",
            filter=Q(
                status=RegistrationStatus.CONFIRMED,
                session__ends_at__lte=now,
                session__status=SessionStatus.PUBLISHED,
                attended=True,
            ),
        ),
    )
    confirmed = figures["confirmed_held"]
    figures["attendance_rate"] = (
        round(100 * figures["attended"] / confirmed, 1) if confirmed else None
    )
    return figures


def participants_by_background(filters: ReportFilters) -> list[tuple[str, str, int]]:
    """People who took part (an active registration, feedback or a submitted idea in the
    filtered data), by the background they stated. Aggregates only: anonymous submissions
    count here without being singled out."""
    registrants = (
        registrations_matching(filters)
        .exclude(status=RegistrationStatus.CANCELLED)
        .values("participant_id")
    )
    feedback_givers = feedback_matching(filters).values("participant_id")
    authors = ideas_matching(filters).values("author_id")
    counts = dict(
        User.objects.filter(Q(pk__in=registrants) | Q(pk__in=feedback_givers) | Q(pk__in=authors))
        .values("background")
        .annotate(count=Count("id"))
        .values_list("background", "count")
    )
    return [(code, str(label), counts.get(code, 0)) for code, label in Background.choices]


def feedback_figures(filters: ReportFilters, categories: list, areas: list) -> dict:
    """Feedback counts overall, over time by top-level harm category, and by harm category x
    solution area. A feedback counts once in each cell it touches, so cells can add up to
    more than the total."""
    feedback = feedback_matching(filters)
    totals = feedback.aggregate(total=Count("id"), first=Min("created_at"), last=Max("created_at"))
    by_category = feedback.annotate(
        category=Coalesce("harm_categories__parent_id", "harm_categories__id")
    )
    start = filters.starts or totals["first"]
    end = filters.ends or totals["last"]
    monthly = bool(start and end and end - start > timedelta(days=WEEKLY_UP_TO_DAYS))
    trunc = TruncMonth if monthly else TruncWeek
    over_time = (
        by_category.annotate(period=trunc("created_at"))
        .values("period", "category")
        .annotate(count=Count("id", distinct=True))
        .order_by("period")
    )
    cells = by_category.values("category", "suggestions__solution_area").annotate(
        count=Count("id", distinct=True)
    )
    category_totals = by_category.values("category").annotate(count=Count("id", distinct=True))

    periods: dict = {}
    for row in over_time:
        if row["category"] is None:
            continue
        periods.setdefault(row["period"], {})[row["category"]] = row["count"]
    cell_map = {
        (c["category"], c["suggestions__solution_area"] or NO_AREA): c["count"] for c in cells
    }
    row_totals = {r["category"]: r["count"] for r in category_totals}
    period_format = "M Y" if monthly else "j M Y"
    return {
        "total": totals["total"],
        "monthly": monthly,
        "over_time": [
            (
                _date_label(period, period_format),
                [counts.get(category.pk, 0) for category in categories],
            )
            for period, counts in sorted(periods.items())
        ],
        "matrix": [
            (
                category.name,
                [cell_map.get((category.pk, key), 0) for key, _name in areas],
                row_totals.get(category.pk, 0),
            )
            for category in categories
        ],
    }


def _date_label(moment, date_format: str) -> str:
    return format_date(timezone.localtime(moment), date_format)


def idea_figures(filters: ReportFilters) -> dict:
    counts = dict(
        ideas_matching(filters)
        .values("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )
    by_status = [
        (code, str(label), counts.get(code, 0))
        for code, label in IdeaStatus.choices
        if code != IdeaStatus.DRAFT
    ]
    submitted = sum(counts.values())
    in_initiative = counts.get(IdeaStatus.MERGED, 0)
    published = counts.get(IdeaStatus.APPROVED, 0) + in_initiative
    return {
        "by_status": by_status,
        "submitted": submitted,
        "pipeline": [
            (_("Submitted"), submitted),
            (_("Approved and published"), published),
            (_("In an initiative"), in_initiative),
        ],
    }


def initiative_figures(filters: ReportFilters) -> list[tuple[str, str, int]]:
    counts = dict(
        initiatives_matching(filters)
        .values("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )
    return [(code, str(label), counts.get(code, 0)) for code, label in InitiativeStatus.choices]


def dashboard_data(filters: ReportFilters) -> dict:
    """Everything the dashboard shows, for these filters."""
    now = timezone.now()
    categories = list(HarmCategory.objects.filter(parent__isnull=True).order_by("order", "name"))
    areas = [(area.pk, area.name) for area in SolutionArea.objects.order_by("order", "name")]
    areas.append((NO_AREA, _("No suggestion")))
    sessions = session_figures(filters, now)
    registrations = registration_figures(filters, now)
    backgrounds = participants_by_background(filters)
    feedback = feedback_figures(filters, categories, areas)
    ideas = idea_figures(filters)
    initiatives = initiative_figures(filters)
    launch = launch_date()
    category_names = [category.name for category in categories]
    area_names = [str(name) for _key, name in areas]

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
        ),
        "matrix": Figure(
            grouped_bar_chart(
                chart_id="chart-feedback-matrix",
                title=_("Feedback by harm category and solution area"),
                groups=[
                    (name, list(zip(area_names, cells, strict=True)))
                    for name, cells, _total in feedback["matrix"]
                ],
            ),
            Table(
                _("Feedback by harm category and solution area"),
                [_("Harm category"), *area_names, _("Feedback")],
                [[name, *cells, total] for name, cells, total in feedback["matrix"]],
            ),
        ),
        "backgrounds": Figure(
            bar_chart(
                chart_id="chart-backgrounds",
                title=_("Participants by background"),
                bars=[(label, count) for _code, label, count in backgrounds],
            ),
            Table(
                _("Participants by background"),
                [_("Background"), _("Participants")],
                [[label, count] for _code, label, count in backgrounds],
            ),
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
        ),
    }
    return {
        "headline": {
            "participants": sum(count for _code, _label, count in backgrounds),
            "sessions_held": sessions["held"],
            "sessions_upcoming": sessions["upcoming"],
            "registrations": registrations["active"],
            "attendance_rate": registrations["attendance_rate"],
            "attended": registrations["attended"],
            "confirmed_held": registrations["confirmed_held"],
            "feedback": feedback["total"],
            "ideas": ideas["submitted"],
            "days_to_launch": (launch - timezone.localdate()).days,
            "launch_date": launch,
        },
        "ideas_by_status": ideas["by_status"],
        "initiatives_by_status": initiatives,
        "figures": figures,
    }
