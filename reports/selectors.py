"""Reads for digests. `digest_figures` is what a digest stores: the figures of
reports.figures over the digest's period (a `Scope.period`), as plain JSON-ready data; labels
are resolved here, when the digest is compiled, so a stored digest reads the same later.
"""

from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from engagement.models import EngagementSession, Registration, RegistrationStatus
from feedback.models import Feedback
from harms.models import HarmCategory, SolutionArea
from initiatives.models import Idea

from . import figures as engine
from .figures import launch_date
from .filters import Scope
from .models import Digest, DigestSubscription, SessionSummary, SessionSummaryStatus

__all__ = [
    "digest_archive",
    "digest_figures",
    "digest_subscribers",
    "launch_date",
    "summary_attendees",
    "summary_idea_choices",
    "summary_ideas",
    "summary_quote_choices",
    "summary_for_page",
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


# --- "What we heard" (issue 17, item 2) ----------------------------------------------------

# How many ideas the summary form offers at most (the newest first).
SUMMARY_IDEA_CHOICES = 200


def summary_ideas(session: EngagementSession) -> QuerySet[Idea]:
    """The ideas a summary may link: published ones (approved, or merged into an initiative),
    linked to the session or submitted since it started. Never a hidden, withdrawn or pending
    one; the page shows only those that still are published."""
    return Idea.objects.filter(status__in=engine.PUBLISHED_IDEA_STATUSES).filter(
        Q(session=session) | Q(submitted_at__gte=session.starts_at)
    )


def summary_idea_choices(session: EngagementSession) -> list[Idea]:
    return list(
        summary_ideas(session)
        .order_by("-submitted_at", "-id")
        .only("id", "title", "session_id")[:SUMMARY_IDEA_CHOICES]
    )


def summary_quotes(session: EngagementSession) -> QuerySet[Feedback]:
    """Feedback about this session that may be quoted: the digests' rule
    (figures.quotable_feedback), narrowed to the session."""
    return engine.quotable_feedback().filter(session=session)


def summary_quote_choices(session: EngagementSession) -> list[Feedback]:
    return list(
        summary_quotes(session).order_by("quote_reviewed_at", "id").only("id", "quote_excerpt")
    )


def summary_attendees(session: EngagementSession) -> QuerySet[User]:
    """Who is told a summary is up: the people marked present or checked in; when nobody
    was (attendance never taken), everyone with a confirmed place. Active accounts only
    (an erased account is inactive), with an address."""
    confirmed = Registration.objects.filter(session=session, status=RegistrationStatus.CONFIRMED)
    came = confirmed.filter(Q(attended=True) | Q(checked_in_at__isnull=False))
    chosen = came if came.exists() else confirmed
    return (
        User.objects.filter(pk__in=chosen.values("participant_id"), is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def summary_for_page(session: EngagementSession, *, published_only: bool = True):
    """The session's summary with what its page shows, in a fixed number of queries: the
    ideas still published, the quotes still quotable, the themes' tags."""
    summaries = SessionSummary.objects.filter(session=session).prefetch_related(
        Prefetch(
            "ideas",
            queryset=Idea.objects.filter(status__in=engine.PUBLISHED_IDEA_STATUSES).order_by(
                "-submitted_at", "-id"
            ),
        ),
        Prefetch(
            "quotes",
            queryset=engine.quotable_feedback()
            .filter(session=session)
            .order_by("quote_reviewed_at", "id"),
        ),
        "harm_categories",
        "solution_areas",
    )
    if published_only:
        summaries = summaries.filter(status=SessionSummaryStatus.PUBLISHED)
    return summaries.first()


def summary_figure_rows(figures: dict) -> dict:
    """A summary's stored figures with the categories and areas named (two queries)."""
    if not figures:
        return {}
    categories = HarmCategory.objects.in_bulk([key for key, _count in figures["by_harm"]])
    areas = SolutionArea.objects.in_bulk(
        [key for key, _count in figures["by_area"] if key != engine.NO_AREA]
    )
    return {
        **figures,
        "by_harm": [
            (categories[key], count) for key, count in figures["by_harm"] if key in categories
        ],
        "by_area": [
            (areas.get(key), count)
            for key, count in figures["by_area"]
            if key in areas or key == engine.NO_AREA
        ],
    }
