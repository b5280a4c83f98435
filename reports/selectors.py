"""Reads for digests. `digest_figures` is what a digest stores: the figures of
reports.figures over the digest's period (a `Scope.period`), as plain JSON-ready data; labels
are resolved here, when the digest is compiled, so a stored digest reads the same later.
"""

from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role

from . import figures as engine
from .figures import launch_date
from .filters import Scope
from .models import Digest, DigestSubscription

__all__ = [
    "digest_archive",
    "digest_figures",
    "digest_subscribers",
    "launch_date",
]


def digest_figures(*, start: datetime, end: datetime) -> dict:
    """The figures named in reports.figures.DIGEST_FIGURES, for the period [start, end)."""
    period = Scope.period(start, end)
    launch = launch_date()
    attendance = engine.attendance_in_period(period)
    backgrounds = engine.new_participants(period)
    areas = engine.solution_areas()
    feedback = engine.feedback_figures(
        period,
        categories=engine.top_level_categories(),
        areas=areas,
        compare_with_before=True,
    )
    total = feedback["total"]
    ideas = engine.ideas_by_status(period)
    cocreators = engine.cocreators(period)
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "launch": {
            "date": launch.isoformat(),
            "days_to_launch": engine.days_to_launch(
                launch=launch, on=timezone.localtime(end).date()
            ),
        },
        "sessions": {
            "held": engine.sessions_held_in_period(period),
            "upcoming": engine.sessions_after_period(period),
            "registrations": engine.new_registrations(period),
            # Counts of people are None where reports.disclosure hides them: a stored digest
            # never holds a count it may not show.
            "confirmed_at_held": attendance["confirmed"],
            "attended": attendance["attended"],
            "attendance_rate": attendance["attendance_rate"],
            "attendance_hidden": attendance["attendance_hidden"],
        },
        "participants": {
            "new_total": backgrounds["total"],
            "by_background": [
                {"code": code, "label": label, "count": count}
                for code, label, count in backgrounds["rows"]
            ],
        },
        "feedback": {
            "total": total["count"],
            "previous_total": total["previous"],
            "change": total["change"],
            "session_feedback": feedback["session_feedback"],
            "general_feedback": total["count"] - feedback["session_feedback"],
            "rated": feedback["rated"],
            "average_rating": feedback["average_rating"],
            "areas": [{"slug": area["slug"], "name": area["name"]} for area in areas],
            "matrix": [
                {"slug": category.slug, "name": category.name, "cells": cells, **row}
                for category, cells, row in feedback["matrix"]
            ],
            "column_totals": feedback["column_totals"],
        },
        "quotes": engine.approved_quotes(period),
        "session_questions": engine.session_question_answers(period),
        "ideas": {
            "submitted": ideas["submitted"],
            "approved": engine.ideas_approved(period),
            "top": engine.most_supported_ideas(period),
        },
        "initiatives": {
            "new": sum(count for _code, _label, count in engine.initiatives_by_status(period)),
            "updated": engine.initiatives_updated(period),
            "cocreators_total": cocreators["total"],
            "cocreators_new": cocreators["new"],
        },
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
