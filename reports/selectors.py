"""Reads for digests: every figure is a database aggregate (COUNT, AVG, GROUP BY), never a
Python loop over rows, so a digest costs the same dozen queries for ten rows or a million.

`digest_figures` returns plain JSON-ready data; labels are resolved here, when the digest
is compiled, so a stored digest reads the same later.
"""

from datetime import date, datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Background, User
from accounts.roles import Role
from engagement.models import (
    EngagementSession,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from feedback.models import Feedback, QuoteStatus
from harms.models import HarmCategory, SolutionArea
from initiatives.models import (
    CoCreator,
    Idea,
    IdeaStatus,
    Initiative,
    InitiativeUpdate,
    ModerationAction,
    ModerationLog,
    TargetKind,
)

from .models import Digest, DigestSubscription, LaunchSettings

QUOTES_PER_DIGEST = 12
TOP_IDEAS = 5
NO_AREA = "none"


def launch_date() -> date:
    """The admin's launch settings win over the AFA_LAUNCH_DATE setting."""
    row = LaunchSettings.objects.filter(pk=1).values_list("launch_date", flat=True).first()
    return row or date.fromisoformat(settings.AFA_LAUNCH_DATE)


def _in(field: str, start: datetime, end: datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def session_figures(start: datetime, end: datetime) -> dict:
    held = EngagementSession.objects.filter(
        _in("ends_at", start, end), status=SessionStatus.PUBLISHED
    ).aggregate(count=Count("id"))["count"]
    upcoming = EngagementSession.objects.filter(
        starts_at__gte=end, status=SessionStatus.PUBLISHED
    ).count()
    registrations = Registration.objects.filter(_in("created_at", start, end)).count()
    attendance = Registration.objects.filter(
        _in("session__ends_at", start, end),
        session__status=SessionStatus.PUBLISHED,
        status=RegistrationStatus.CONFIRMED,
    ).aggregate(confirmed=Count("id"), attended=Count("id", filter=Q(attended=True)))
    confirmed, attended = attendance["confirmed"], attendance["attended"]
    return {
        "held": held,
        "upcoming": upcoming,
        "registrations": registrations,
        "confirmed_at_held": confirmed,
        "attended": attended,
        "attendance_rate": round(100 * attended / confirmed, 1) if confirmed else None,
    }


def participant_figures(start: datetime, end: datetime) -> dict:
    counts = dict(
        User.objects.filter(_in("date_joined", start, end))
        .values_list("background")
        .annotate(n=Count("id"))
        .values_list("background", "n")
    )
    by_background = [
        {"code": code, "label": str(label), "count": counts.get(code, 0)}
        for code, label in Background.choices
    ]
    return {"new_total": sum(counts.values()), "by_background": by_background}


def feedback_figures(start: datetime, end: datetime) -> dict:
    """Feedback by top-level harm category x solution area, this period and the one before
    (same length). A feedback counts once in each cell it touches: a row total can be less
    than the sum of its cells."""
    previous_start = start - (end - start)
    window = Feedback.objects.filter(created_at__gte=previous_start, created_at__lt=end)
    now_q = Q(created_at__gte=start)
    before_q = Q(created_at__lt=start)
    totals = window.aggregate(
        total=Count("id", filter=now_q),
        previous=Count("id", filter=before_q),
        session=Count("id", filter=now_q & Q(session__isnull=False)),
        rated=Count("rating", filter=now_q),
        average_rating=Avg("rating", filter=now_q),
    )
    by_category = window.annotate(
        category=Coalesce("harm_categories__parent_id", "harm_categories__id")
    )
    cells = by_category.values("category", "suggestions__solution_area").annotate(
        now=Count("id", distinct=True, filter=now_q),
        before=Count("id", distinct=True, filter=before_q),
    )
    rows = by_category.values("category").annotate(
        now=Count("id", distinct=True, filter=now_q),
        before=Count("id", distinct=True, filter=before_q),
    )
    columns = window.values("suggestions__solution_area").annotate(
        now=Count("id", distinct=True, filter=now_q),
        before=Count("id", distinct=True, filter=before_q),
    )
    cell_map = {(c["category"], c["suggestions__solution_area"] or NO_AREA): c for c in cells}
    row_map = {r["category"]: r for r in rows}
    column_map = {c["suggestions__solution_area"] or NO_AREA: c for c in columns}
    areas = [
        {"key": area.pk, "slug": area.slug, "name": area.name}
        for area in SolutionArea.objects.order_by("order", "name")
    ]
    areas.append({"key": NO_AREA, "slug": NO_AREA, "name": gettext("No suggestion")})
    matrix = []
    for category in HarmCategory.objects.filter(parent__isnull=True).order_by("order", "name"):
        row = row_map.get(category.pk, {"now": 0, "before": 0})
        matrix.append(
            {
                "slug": category.slug,
                "name": category.name,
                "cells": [_change(cell_map.get((category.pk, area["key"]), {})) for area in areas],
                **_change(row),
            }
        )
    column_totals = [_change(column_map.get(area["key"], {})) for area in areas]
    average = totals["average_rating"]
    return {
        "total": totals["total"],
        "previous_total": totals["previous"],
        "change": totals["total"] - totals["previous"],
        "session_feedback": totals["session"],
        "general_feedback": totals["total"] - totals["session"],
        "rated": totals["rated"],
        "average_rating": round(float(average), 2) if average is not None else None,
        "areas": [{"slug": a["slug"], "name": a["name"]} for a in areas],
        "matrix": matrix,
        "column_totals": column_totals,
    }


def _change(counts: dict) -> dict:
    now, before = counts.get("now", 0), counts.get("before", 0)
    return {"count": now, "previous": before, "change": now - before}


def approved_quotes(start: datetime, end: datetime) -> list[dict]:
    """Excerpts approved in the period, with consent still given; never the participant."""
    quotes = (
        Feedback.objects.filter(
            _in("quote_reviewed_at", start, end),
            quote_status=QuoteStatus.APPROVED,
            quote_consent=True,
        )
        .order_by("quote_reviewed_at", "id")
        .values("id", "quote_excerpt", "session__title")[:QUOTES_PER_DIGEST]
    )
    return [
        {
            "feedback_id": q["id"],
            "excerpt": q["quote_excerpt"],
            "session": q["session__title"] or "",
        }
        for q in quotes
    ]


def idea_figures(start: datetime, end: datetime) -> dict:
    submitted = Idea.objects.filter(_in("submitted_at", start, end)).count()
    approved = ModerationLog.objects.filter(
        _in("created_at", start, end),
        target_kind=TargetKind.IDEA,
        action=ModerationAction.TRANSITION,
        to_status=IdeaStatus.APPROVED,
    ).aggregate(n=Count("target_id", distinct=True))["n"]
    top = (
        Idea.objects.filter(status=IdeaStatus.APPROVED, submitted_at__lt=end)
        .annotate(supporters=Count("supports", filter=Q(supports__created_at__lt=end)))
        .filter(supporters__gt=0)
        .order_by("-supporters", "submitted_at", "id")
        .values("id", "title", "supporters")[:TOP_IDEAS]
    )
    return {"submitted": submitted, "approved": approved, "top": list(top)}


def initiative_figures(start: datetime, end: datetime) -> dict:
    new = Initiative.objects.filter(_in("created_at", start, end)).count()
    updated = InitiativeUpdate.objects.filter(_in("created_at", start, end)).aggregate(
        n=Count("initiative", distinct=True)
    )["n"]
    cocreators = CoCreator.objects.filter(joined_at__lt=end).aggregate(
        total=Count("id"), new=Count("id", filter=Q(joined_at__gte=start))
    )
    return {
        "new": new,
        "updated": updated,
        "cocreators_total": cocreators["total"],
        "cocreators_new": cocreators["new"],
    }


def digest_figures(*, start: datetime, end: datetime) -> dict:
    launch = launch_date()
    end_day = timezone.localtime(end).date()
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "launch": {"date": launch.isoformat(), "days_to_launch": (launch - end_day).days},
        "sessions": session_figures(start, end),
        "participants": participant_figures(start, end),
        "feedback": feedback_figures(start, end),
        "quotes": approved_quotes(start, end),
        "ideas": idea_figures(start, end),
        "initiatives": initiative_figures(start, end),
    }


# --- Pages ----------------------------------------------------------------------------


def digest_archive(*, page: str | int | None, per_page: int = 20):
    """One page of digests, newest period first. `figures` is deferred: the list reads its
    headline numbers through JSON key lookups instead of loading whole documents."""
    digests = (
        Digest.objects.order_by("-period_end", "-id")
        .only("id", "kind", "period_start", "period_end", "status", "finished_at", "revised_at")
        .annotate(
            feedback_total=KT("figures__feedback__total"),
            registrations=KT("figures__sessions__registrations"),
            days_to_launch=KT("figures__launch__days_to_launch"),
        )
    )
    return Paginator(digests, per_page).get_page(page)


def digest_subscribers() -> QuerySet[User]:
    """Active MCI staff (or administrators) who asked to receive digests."""
    subscribed = DigestSubscription.objects.values("user_id")
    return (
        User.objects.filter(pk__in=subscribed, is_active=True)
        .filter(Q(groups__name=Role.STAFF) | Q(is_superuser=True))
        .distinct()
    )
