"""The figures engine: every figure the dashboard and the digests show, defined once.

Each figure has a key, a name and a plain-English definition in `GLOSSARY`, and is computed
by one function below from a scope (reports.filters: the dashboard's `ReportFilters.scope`,
or a digest's `Scope.period(start, end)`). The dashboard (reports.dashboard) and the digest
(reports.selectors.digest_figures) call these functions; their pages and the digest email
show the glossary of the figures they use (`DASHBOARD_FIGURES`, `DIGEST_FIGURES`), and label
each figure with its glossary name. Where the dashboard and a digest mean different things
(people who took part, people who joined), they are two figures with two names.

Every figure is a database aggregate (COUNT, AVG, GROUP BY), never a Python loop over rows,
so a page or a digest costs the same queries for ten rows or a million. Counts are of
aggregates only: anonymous feedback and ideas count without anyone being singled out.

Every figure broken down by a property of people (`people_took_part` and `new_participants`
by background; `attendance_rate` and `attendance`, people who came and did not) goes through
reports.disclosure before it leaves this module: a count of 1 to DISCLOSURE_THRESHOLD - 1
people comes out as None (shown as the `HIDDEN` marker), and so does whatever would let a
total give it away. 0 stays 0: it reveals nobody. The other figures count sessions, places,
feedback, ideas and initiatives, not people by who they are.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Avg, Count, Max, Min, Q
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Background, User
from engagement.models import RegistrationStatus, SessionStatus
from feedback.models import (
    SCALE_MAX,
    SCALE_MIN,
    Feedback,
    QuestionAnswer,
    QuestionAnswerChoice,
    QuestionKind,
    QuoteStatus,
    SessionQuestion,
)
from harms.models import HarmCategory, SolutionArea
from initiatives.models import (
    CoCreator,
    Idea,
    IdeaStatus,
    InitiativeStatus,
    InitiativeUpdate,
    ModerationAction,
    ModerationLog,
    TargetKind,
)
from process.selectors import launch_phase_start

from . import disclosure
from .filters import (
    Scope,
    feedback_matching,
    ideas_matching,
    in_range,
    initiatives_matching,
    registrations_matching,
    sessions_matching,
)
from .models import LaunchSettings

# Past this many days the feedback-over-time chart counts months instead of weeks.
WEEKLY_UP_TO_DAYS = 183
NO_AREA = "none"
QUOTES_PER_DIGEST = 12
SESSIONS_WITH_QUESTIONS_PER_DIGEST = 20
TOP_IDEAS = 5


# --- The glossary -----------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One figure: its key (also its `data-figure` in the pages), its name and what it counts."""

    key: str
    name: Promise
    definition: Promise


GLOSSARY: dict[str, Term] = {
    term.key: term
    for term in (
        Term(
            "people_took_part",
            _("People who took part"),
            _(
                "Distinct people with a registration that was not cancelled for a session "
                "within the filters, feedback given within them or an idea submitted within "
                "them, each counted once, by the background they stated. Anonymous feedback "
                "and ideas count here but are never shown one by one."
            ),
        ),
        Term(
            "sessions_held",
            _("Sessions held"),
            _(
                "Published sessions starting within the filters that have ended by now. "
                "Cancelled and draft sessions never count."
            ),
        ),
        Term(
            "sessions_upcoming",
            _("Sessions upcoming"),
            _("Published sessions starting within the filters that have not started yet."),
        ),
        Term(
            "registrations",
            _("Registrations"),
            _(
                "Places asked for at sessions starting within the filters, confirmed or on "
                "the waiting list, whatever the session's status; cancelled registrations do "
                "not count."
            ),
        ),
        Term(
            "attendance_rate",
            _("Attendance rate"),
            _(
                "Of the confirmed places at published sessions within the filters that have "
                "ended, the share the organisers marked attended."
            ),
        ),
        Term(
            "days_to_launch",
            _("Days to launch"),
            _(
                "Days from today (Singapore time) to the official launch date in the launch "
                "settings."
            ),
        ),
        Term(
            "sessions_held_in_period",
            _("Sessions held in the period"),
            _("Published sessions that ended within the period."),
        ),
        Term(
            "sessions_after_period",
            _("Sessions coming up after it"),
            _("Published sessions starting at or after the end of the period."),
        ),
        Term(
            "new_registrations",
            _("New registrations"),
            _(
                "Registrations made in the period, whatever became of them since (cancelled "
                "and waiting-list ones included)."
            ),
        ),
        Term(
            "attendance",
            _("Attendance at sessions held"),
            _(
                "Of the confirmed places at published sessions that ended in the period, the "
                "share the organisers marked attended."
            ),
        ),
        Term(
            "new_participants",
            _("New participants"),
            _("Accounts created in the period, by the background their owners stated."),
        ),
        Term(
            "days_to_launch_from_period_end",
            _("Days to the official launch"),
            _(
                "Days from the day the period ends (Singapore time) to the official launch "
                "date in the launch settings."
            ),
        ),
        Term(
            "feedback",
            _("Feedback"),
            _(
                "Pieces of feedback, about a session or general, given in the dates chosen "
                "(on the dashboard) or in the period (in a digest). On the dashboard, a "
                "session, harm category (with its sub-categories) or solution area chosen "
                "narrows it too."
            ),
        ),
        Term(
            "feedback_change",
            _("Change on the period before"),
            _(
                "This period's count minus the count in the period of the same length just "
                "before it."
            ),
        ),
        Term(
            "average_rating",
            _("Average session rating"),
            _(
                "The mean of the ratings (1 to 5) given with feedback in the period; feedback "
                "without a rating does not count."
            ),
        ),
        Term(
            "feedback_by_harm_and_area",
            _("Feedback by harm category and solution area"),
            _(
                "A piece of feedback counts once under each top-level harm category it names "
                "(a sub-category counts under its parent) and once under each solution area "
                "it suggests action in (“No suggestion” when none), so cells can add up to "
                "more than the total."
            ),
        ),
        Term(
            "feedback_over_time",
            _("Feedback by week or month and harm category"),
            _(
                "Feedback counted in the week (starting Monday, Singapore time) or, over more "
                "than six months, the month it was given, under each top-level harm category "
                "it names."
            ),
        ),
        Term(
            "quotes",
            _("In participants' words"),
            _(
                "Excerpts an organiser approved in the period, from feedback whose author "
                "agreed to be quoted and still does; never who wrote them."
            ),
        ),
        Term(
            "session_questions",
            _("Answers to sessions' own questions"),
            _(
                "For each session with questions of its own (added by its organisers) that "
                "had feedback given in the period: out of that feedback, how many people chose "
                "each option or point on the scale, and how many did not answer (with several "
                "choices, a person counts under each option they chose). Text answers are "
                "never shown, only how many answered. These count people by what they said, "
                "so the hidden marker's rule applies."
            ),
        ),
        Term(
            "ideas_submitted",
            _("Ideas submitted"),
            _(
                "Ideas sent for moderation in the dates chosen (on the dashboard) or in the "
                "period (in a digest), whatever their status now; drafts never count."
            ),
        ),
        Term(
            "ideas_by_status",
            _("Ideas by status"),
            _("Ideas submitted within the filters, by the status they have now."),
        ),
        Term(
            "idea_pipeline",
            _("The idea pipeline"),
            _(
                "Ideas submitted within the filters; of them, those approved and published "
                "(approved, or in an initiative, now) and those in an initiative."
            ),
        ),
        Term(
            "ideas_approved",
            _("Ideas approved"),
            _("Ideas an organiser approved in the period (moderation log), each counted once."),
        ),
        Term(
            "most_supported_ideas",
            _("The five most supported ideas"),
            _(
                "Published ideas (approved, or merged into an initiative) submitted before the "
                "end of the period, by the supporters they had at its end; ideas without "
                "supporters are left out."
            ),
        ),
        Term(
            "initiatives_by_status",
            _("Initiatives by status"),
            _("Initiatives started within the filters, by the status they have now."),
        ),
        Term(
            "initiatives_new",
            _("New initiatives"),
            _("Initiatives started in the period."),
        ),
        Term(
            "initiatives_updated",
            _("Initiatives with updates"),
            _("Initiatives that posted at least one update in the period, each counted once."),
        ),
        Term(
            "cocreators",
            _("Co-creators"),
            _(
                "Co-creator places in initiatives at the end of the period (a person in two "
                "initiatives counts twice); in brackets, those taken in the period."
            ),
        ),
        # "What we heard" (issue 17, item 2): one session's figures, as published.
        Term(
            "session_attendance",
            _("People who came"),
            _(
                "People with a confirmed place at this session whom the organisers marked "
                "present or checked in at the door, out of the confirmed places."
            ),
        ),
        Term(
            "session_feedback",
            _("Feedback about this session"),
            _("Feedback given about this session, anonymous feedback included."),
        ),
        Term(
            "session_feedback_by_harm",
            _("Feedback by harm category"),
            _(
                "Feedback about this session by the top-level harm category it names (a "
                "sub-category counts under its parent); feedback naming two counts in both."
            ),
        ),
        Term(
            "session_feedback_by_area",
            _("Feedback by solution area"),
            _(
                "Feedback about this session by the solution area of its suggestions; "
                "feedback with suggestions in two areas counts in both."
            ),
        ),
    )
}


def _hidden_definition() -> str:
    return gettext(
        "A count of fewer than %(threshold)s people (1 to %(largest)s) is never shown, so that "
        "no figure can single anyone out, whatever the filters. Where a total and the other "
        "counts would let such a count be worked out, the smallest other count (or the total) "
        "is hidden too, so a hidden count may also be %(threshold)s or more: every hidden "
        "count carries the same marker, so that they cannot be told apart. 0 is always "
        "shown: it reveals nobody."
    ) % {"largest": disclosure_threshold() - 1, "threshold": disclosure_threshold()}


# The marker a hidden count shows instead of its number (reports.disclosure), and what the
# glossary of every surface says about it, after the figures' terms.
HIDDEN = _("hidden")
HIDDEN_TERM = Term("hidden", HIDDEN, lazy(_hidden_definition, str)())

# The figures each surface shows, in the order its glossary lists them.
DASHBOARD_FIGURES = (
    "people_took_part",
    "sessions_held",
    "sessions_upcoming",
    "registrations",
    "attendance_rate",
    "feedback",
    "ideas_submitted",
    "days_to_launch",
    "ideas_by_status",
    "initiatives_by_status",
    "feedback_over_time",
    "feedback_by_harm_and_area",
    "idea_pipeline",
)
DIGEST_FIGURES = (
    "days_to_launch_from_period_end",
    "sessions_held_in_period",
    "sessions_after_period",
    "new_registrations",
    "attendance",
    "new_participants",
    "feedback",
    "feedback_change",
    "average_rating",
    "feedback_by_harm_and_area",
    "quotes",
    "session_questions",
    "ideas_submitted",
    "ideas_approved",
    "initiatives_new",
    "initiatives_updated",
    "cocreators",
    "most_supported_ideas",
)

# The figures a session's "What we heard" shows (session_figures).
SESSION_SUMMARY_FIGURES = (
    "session_attendance",
    "session_feedback",
    "session_feedback_by_harm",
    "session_feedback_by_area",
)

# Digest figures the archive of digests lists for each one (selectors.digest_archive).
ARCHIVE_FIGURES = ("feedback", "new_registrations", "days_to_launch_from_period_end")


def glossary(keys: tuple[str, ...]) -> list[Term]:
    return [GLOSSARY[key] for key in keys]


def glossary_context(keys: tuple[str, ...]) -> dict:
    """What a surface's template needs to label its figures and explain them (and the
    hidden marker): `glossary`, `terms` and `hidden_term`."""
    return {"glossary": glossary(keys), "terms": terms(keys), "hidden_term": HIDDEN_TERM}


def terms(keys: tuple[str, ...]) -> dict[str, Term]:
    """The same, by key: templates label each figure with `terms.<key>.name`."""
    return {key: GLOSSARY[key] for key in keys}


# --- Anonymity in numbers ---------------------------------------------------------------


def disclosure_threshold() -> int:
    """The smallest count of people a figure may show (0 aside): DISCLOSURE_THRESHOLD."""
    return settings.DISCLOSURE_THRESHOLD


def suppressed_breakdown(rows: list[tuple[str, str, int]]) -> dict:
    """People counted by a property ((code, label, count) rows, each person in one row), with
    their total: {"rows": [(code, label, count or None)], "total": total or None}, None where
    reports.disclosure hides it."""
    counts = [count for _code, _label, count in rows]
    hidden, total_hidden = disclosure.suppress_counts(counts, threshold=disclosure_threshold())
    shown = disclosure.masked(counts, hidden)
    return {
        "rows": [
            (code, label, value) for (code, label, _count), value in zip(rows, shown, strict=True)
        ],
        "total": None if total_hidden else sum(counts),
    }


def suppressed_attendance(*, attended: int, confirmed: int) -> dict:
    """Confirmed places split into people who came and who did not: {"attended",
    "confirmed", "attendance_rate", "attendance_hidden"}, the counts None where hidden and the
    rate None when hidden (attendance_hidden) or when there were no confirmed places."""
    hidden, total_hidden = disclosure.suppress_counts(
        [attended, confirmed - attended], threshold=disclosure_threshold()
    )
    rate_hidden = bool(hidden) or total_hidden
    return {
        "attended": None if 0 in hidden else attended,
        "confirmed": None if total_hidden else confirmed,
        "attendance_rate": None if rate_hidden else _rate(attended, confirmed),
        "attendance_hidden": rate_hidden,
    }


# --- Launch -------------------------------------------------------------------------------


def launch_date(*, phases: list | None = None) -> date:
    """The official launch date, from one source in this order: the first day of the process
    phase marked as the launch (the public timeline shows it), else the admin's launch
    settings, else the AFA_LAUNCH_DATE setting. `phases`: every process phase, when the
    caller has read them already (the home page), saving a query."""
    phase_start = launch_phase_start(among=phases)
    if phase_start is not None:
        return phase_start
    row = LaunchSettings.objects.filter(pk=1).values_list("launch_date", flat=True).first()
    return row or date.fromisoformat(settings.AFA_LAUNCH_DATE)


def days_to_launch(*, launch: date, on: date) -> int:
    """`days_to_launch` (on = today) and `days_to_launch_from_period_end` (on = the day the
    period ends)."""
    return (launch - on).days


# --- Sessions and registrations -----------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def sessions_held_and_upcoming(scope: Scope, *, now: datetime) -> dict:
    """`sessions_held` and `sessions_upcoming`."""
    return sessions_matching(scope).aggregate(
        sessions_held=Count("id", filter=Q(ends_at__lte=now)),
        sessions_upcoming=Count("id", filter=Q(starts_at__gt=now)),
    )


def registrations_and_attendance(scope: Scope, *, now: datetime) -> dict:
    """`registrations` and `attendance_rate` (with the attended and confirmed places, hidden
    as `suppressed_attendance` says)."""
    held = Q(
        status=RegistrationStatus.CONFIRMED,
        session__ends_at__lte=now,
        session__status=SessionStatus.PUBLISHED,
    )
    figures = registrations_matching(scope).aggregate(
        registrations=Count("id", filter=~Q(status=RegistrationStatus.CANCELLED)),
        confirmed_held=Count("id", filter=held),
        attended=Count("id", filter=held & Q(attended=True)),
    )
    shown = suppressed_attendance(
        attended=figures["attended"], confirmed=figures.pop("confirmed_held")
    )
    figures["confirmed_held"] = shown.pop("confirmed")
    figures.update(shown)
    return figures


def sessions_held_in_period(period: Scope) -> int:
    return sessions_matching(period, dated_by="ends_at").aggregate(count=Count("id"))["count"]


def sessions_after_period(period: Scope) -> int:
    return sessions_matching(period.after).count()


def new_registrations(period: Scope) -> int:
    return registrations_matching(period, dated_by="created_at").count()


def attendance_in_period(period: Scope) -> dict:
    """`attendance`: confirmed places at published sessions that ended in the period (hidden
    as `suppressed_attendance` says)."""
    figures = (
        registrations_matching(period, dated_by="session__ends_at")
        .filter(session__status=SessionStatus.PUBLISHED, status=RegistrationStatus.CONFIRMED)
        .aggregate(confirmed=Count("id"), attended=Count("id", filter=Q(attended=True)))
    )
    return suppressed_attendance(attended=figures["attended"], confirmed=figures["confirmed"])


# --- People -------------------------------------------------------------------------------


def people_who_took_part(scope: Scope) -> dict:
    """`people_took_part`, by background: `suppressed_breakdown` of (code, label, count) for
    every background."""
    registrants = (
        registrations_matching(scope)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by()
        .values("participant_id")
    )
    feedback_givers = feedback_matching(scope).order_by().values("participant_id")
    authors = ideas_matching(scope).order_by().values("author_id")
    # One IN over the UNION of the three id lists, not three INs joined by OR: PostgreSQL
    # cannot hash a subplan of 500,000 feedback rows within work_mem and re-scanned it for
    # every user (345 s at national scale, bench/pages.py); the union is one sort or hash.
    counts = dict(
        User.objects.filter(pk__in=registrants.union(feedback_givers, authors))
        .values("background")
        .annotate(count=Count("id"))
        .values_list("background", "count")
    )
    return suppressed_breakdown(
        [(code, str(label), counts.get(code, 0)) for code, label in Background.choices]
    )


def new_participants(period: Scope) -> dict:
    """`new_participants`, by background: `suppressed_breakdown` of (code, label, count) for
    every background."""
    counts = dict(
        in_range(User.objects.all(), "date_joined", period)
        .values_list("background")
        .annotate(n=Count("id"))
        .values_list("background", "n")
    )
    return suppressed_breakdown(
        [(code, str(label), counts.get(code, 0)) for code, label in Background.choices]
    )


# Registrations split by what became of them: the columns of
# `registrations_by_background_and_attendance`, each registration in exactly one.
ATTENDANCE_PARTS = ("attended", "confirmed_not_attended", "waitlisted")


def registrations_by_background_and_attendance(scope: Scope) -> dict:
    """Registrations that were not cancelled, within the scope, by the background the
    participant stated (rows, every background) and by attended / confirmed but not marked
    attended / on the waiting list (columns, ATTENDANCE_PARTS), with row, column and grand
    totals; hidden as reports.disclosure says over the whole table, its margins included.

    {"rows": [(code, label, [count or None per part], total or None)],
     "column_totals": [count or None per part], "total": count or None}. One query."""
    confirmed = Q(status=RegistrationStatus.CONFIRMED)
    found = {
        row["participant__background"]: row
        for row in registrations_matching(scope)
        .exclude(status=RegistrationStatus.CANCELLED)
        .values("participant__background")
        .annotate(
            # Named apart from the model's own `attended` field, which the filters read.
            n_attended=Count("id", filter=confirmed & Q(attended=True)),
            n_confirmed_not_attended=Count("id", filter=confirmed & Q(attended=False)),
            n_waitlisted=Count("id", filter=Q(status=RegistrationStatus.WAITLISTED)),
        )
    }
    cells = [
        [found.get(code, {}).get(f"n_{part}", 0) for part in ATTENDANCE_PARTS]
        for code, _label in Background.choices
    ]
    hidden = disclosure.suppress(
        cells,
        threshold=disclosure_threshold(),
        row_totals=True,
        column_totals=True,
        grand_total=True,
    )
    return {
        "rows": [
            (
                code,
                str(label),
                [None if (i, j) in hidden.cells else value for j, value in enumerate(row)],
                None if i in hidden.row_totals else sum(row),
            )
            for i, ((code, label), row) in enumerate(zip(Background.choices, cells, strict=True))
        ],
        "column_totals": [
            None if j in hidden.column_totals else sum(row[j] for row in cells)
            for j in range(len(ATTENDANCE_PARTS))
        ],
        "total": None if hidden.grand_total else sum(map(sum, cells)),
    }


# --- Feedback -----------------------------------------------------------------------------


def top_level_categories() -> list[HarmCategory]:
    return list(HarmCategory.objects.filter(parent__isnull=True).order_by("order", "name"))


def solution_areas() -> list[dict]:
    """Every solution area ({"key", "slug", "name"}), then "No suggestion" (key NO_AREA)."""
    areas = [
        {"key": area.pk, "slug": area.slug, "name": area.name}
        for area in SolutionArea.objects.order_by("order", "name")
    ]
    areas.append({"key": NO_AREA, "slug": NO_AREA, "name": gettext("No suggestion")})
    return areas


def _date_label(moment, date_format: str) -> str:
    return format_date(timezone.localtime(moment), date_format)


def feedback_figures(
    scope: Scope,
    *,
    categories: list[HarmCategory],
    areas: list[dict],
    compare_with_before: bool = False,
    over_time: bool = False,
) -> dict:
    """`feedback`, `average_rating` and `feedback_by_harm_and_area` over the scope; with
    `compare_with_before`, each also for the period before (`feedback_change`) and the matrix's
    column totals; with `over_time`, `feedback_over_time`.

    Counts are {"count": n}, with "previous" and "change" when compared. The matrix is, per
    top-level category, (category, [count per area], row count)."""
    if compare_with_before:
        window = feedback_matching(scope.with_before)
        now_q, before_q = Q(created_at__gte=scope.starts), Q(created_at__lt=scope.starts)
    else:
        window = feedback_matching(scope)
        now_q, before_q = Q(), None

    def counts(**extra) -> dict:
        found = {"now": Count("id", filter=now_q, **extra)}
        if before_q is not None:
            found["before"] = Count("id", filter=before_q, **extra)
        return found

    def change(found: dict) -> dict:
        count = found.get("now", 0)
        if not compare_with_before:
            return {"count": count}
        previous = found.get("before", 0)
        return {"count": count, "previous": previous, "change": count - previous}

    # The first and last feedback choose weeks or months when the dates are left open.
    span = (
        {"first": Min("created_at", filter=now_q), "last": Max("created_at", filter=now_q)}
        if over_time
        else {}
    )
    totals = window.aggregate(
        **counts(),
        session=Count("id", filter=now_q & Q(session__isnull=False)),
        rated=Count("rating", filter=now_q),
        average_rating=Avg("rating", filter=now_q),
        **span,
    )
    by_category = window.annotate(
        category=Coalesce("harm_categories__parent_id", "harm_categories__id")
    )
    cells = by_category.values("category", "suggestions__solution_area").annotate(
        **counts(distinct=True)
    )
    rows = by_category.values("category").annotate(**counts(distinct=True))
    cell_map = {(c["category"], c["suggestions__solution_area"] or NO_AREA): c for c in cells}
    row_map = {r["category"]: r for r in rows}
    average = totals["average_rating"]
    figures = {
        "total": change(totals),
        "session_feedback": totals["session"],
        "rated": totals["rated"],
        "average_rating": round(float(average), 2) if average is not None else None,
        "matrix": [
            (
                category,
                [change(cell_map.get((category.pk, area["key"]), {})) for area in areas],
                change(row_map.get(category.pk, {})),
            )
            for category in categories
        ],
    }
    if compare_with_before:
        columns = window.values("suggestions__solution_area").annotate(**counts(distinct=True))
        column_map = {c["suggestions__solution_area"] or NO_AREA: c for c in columns}
        figures["column_totals"] = [change(column_map.get(area["key"], {})) for area in areas]
    if over_time:
        figures.update(
            _feedback_over_time(
                by_category, scope, categories, first=totals["first"], last=totals["last"]
            )
        )
    return figures


def _feedback_over_time(by_category, scope: Scope, categories, *, first, last) -> dict:
    start = scope.starts or first
    end = scope.ends or last
    monthly = bool(start and end and end - start > timedelta(days=WEEKLY_UP_TO_DAYS))
    trunc = TruncMonth if monthly else TruncWeek
    rows = (
        by_category.annotate(period=trunc("created_at"))
        .values("period", "category")
        .annotate(count=Count("id", distinct=True))
        .order_by("period")
    )
    periods: dict = {}
    for row in rows:
        if row["category"] is None:
            continue
        periods.setdefault(row["period"], {})[row["category"]] = row["count"]
    period_format = "M Y" if monthly else "j M Y"
    return {
        "monthly": monthly,
        "over_time": [
            (
                _date_label(period, period_format),
                [found.get(category.pk, 0) for category in categories],
            )
            for period, found in sorted(periods.items())
        ],
    }


def quotable_feedback():
    """The one rule for quoting anyone: feedback whose excerpt an organiser approved in the
    quote review, with consent still given. Digests and "What we heard" both use it."""
    return Feedback.objects.filter(quote_status=QuoteStatus.APPROVED, quote_consent=True)


def approved_quotes(period: Scope) -> list[dict]:
    """`quotes`: excerpts approved in the period, with consent still given; never who."""
    quotes = (
        in_range(quotable_feedback(), "quote_reviewed_at", period)
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


def _suppressed_question(question, *, given: int, answered: int, counts: list[int]) -> dict:
    """One question's counts out of `given` people (the session's feedback in the period),
    through reports.disclosure: None where hidden. A scale or one choice splits the people
    into its options and "no answer"; several choices split them, option by option, into
    those who chose it and those who did not; a text question into answered and not."""
    threshold = disclosure_threshold()
    no_answer = given - answered
    if question.kind == QuestionKind.SEVERAL_CHOICES:
        table = [[count, given - count] for count in counts] + [[answered, no_answer]]
        found = disclosure.suppress(table, threshold=threshold, row_totals=True)
        shown = [None if (row, 0) in found.cells else table[row][0] for row in range(len(table))]
        counts_shown, answered_shown = shown[:-1], shown[-1]
        no_answer_hidden = (len(counts), 1) in found.cells
        total_hidden = bool(found.row_totals)
    else:
        # Text: answered or not; a scale or one choice: each option, then no answer.
        is_text = question.kind == QuestionKind.SHORT_TEXT
        cells = [answered, no_answer] if is_text else [*counts, no_answer]
        hidden, total_hidden = disclosure.suppress_counts(cells, threshold=threshold)
        shown = disclosure.masked(cells, hidden)
        no_answer_hidden = len(cells) - 1 in hidden
        if is_text:
            counts_shown, answered_shown = [], shown[0]
        else:
            counts_shown = shown[:-1]
            answered_shown = None if no_answer_hidden or total_hidden else answered
    if question.kind == QuestionKind.SCALE:
        labels = [str(point) for point in range(SCALE_MIN, SCALE_MAX + 1)]
    else:
        labels = list(question.choices)
    return {
        "text": question.text,
        "kind": question.kind,
        "kind_label": str(QuestionKind(question.kind).label),
        "is_text": question.kind == QuestionKind.SHORT_TEXT,
        "rows": [
            {"label": label, "count": count}
            for label, count in zip(labels, counts_shown, strict=False)
        ],
        "answered": None if total_hidden else answered_shown,
        "no_answer": None if no_answer_hidden or total_hidden else no_answer,
        "given": None if total_hidden else given,
    }


def session_question_answers(period: Scope) -> list[dict]:
    """`session_questions`: per session with questions of its own and feedback in the period
    (the first SESSIONS_WITH_QUESTIONS_PER_DIGEST by start), each question's counts, hidden
    by reports.disclosure where they could single someone out. Never a text answer. Five
    aggregate queries, whatever the number of sessions, questions or answers."""
    window = feedback_matching(period).filter(session__feedback_questions__isnull=False)
    given = dict(
        window.order_by()
        .values("session_id")
        .annotate(count=Count("id", distinct=True))
        .values_list("session_id", "count")
    )
    if not given:
        return []
    questions = list(
        SessionQuestion.objects.filter(session_id__in=given)
        .select_related("session")
        .order_by("session__starts_at", "session_id", "position")
    )
    session_ids = list(dict.fromkeys(q.session_id for q in questions))
    session_ids = session_ids[:SESSIONS_WITH_QUESTIONS_PER_DIGEST]
    answers = QuestionAnswer.objects.filter(
        feedback__in=feedback_matching(period), question__session_id__in=session_ids
    )
    answered = dict(
        answers.order_by()
        .values("question_id")
        .annotate(count=Count("id"))
        .values_list("question_id", "count")
    )
    points = {
        (row["question_id"], row["scale"]): row["count"]
        for row in answers.filter(scale__isnull=False)
        .order_by()
        .values("question_id", "scale")
        .annotate(count=Count("id"))
    }
    chosen = {
        (row["answer__question_id"], row["option"]): row["count"]
        for row in QuestionAnswerChoice.objects.filter(answer__in=answers)
        .order_by()
        .values("answer__question_id", "option")
        .annotate(count=Count("id"))
    }
    parts: dict[int, dict] = {}
    for question in questions:
        if question.session_id not in session_ids:
            continue
        part = parts.setdefault(
            question.session_id,
            {
                "session_id": question.session_id,
                "session": question.session.title,
                "questions": [],
            },
        )
        if question.kind == QuestionKind.SCALE:
            counts = [points.get((question.pk, p), 0) for p in range(SCALE_MIN, SCALE_MAX + 1)]
        else:
            counts = [chosen.get((question.pk, n), 0) for n, _label in question.options()]
        part["questions"].append(
            _suppressed_question(
                question,
                given=given[question.session_id],
                answered=answered.get(question.pk, 0),
                counts=counts,
            )
        )
    return [parts[session_id] for session_id in session_ids]


# --- Ideas and initiatives ----------------------------------------------------------------


def ideas_by_status(scope: Scope) -> dict:
    """`ideas_by_status` (every status but draft), `ideas_submitted` (their sum) and the
    `idea_pipeline`."""
    counts = dict(
        ideas_matching(scope)
        .values("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )
    submitted = sum(counts.values())
    in_initiative = counts.get(IdeaStatus.MERGED, 0)
    return {
        "by_status": [
            (code, str(label), counts.get(code, 0))
            for code, label in IdeaStatus.choices
            if code != IdeaStatus.DRAFT
        ],
        "submitted": submitted,
        "pipeline": [
            (gettext("Submitted"), submitted),
            (gettext("Approved and published"), counts.get(IdeaStatus.APPROVED, 0) + in_initiative),
            (gettext("In an initiative"), in_initiative),
        ],
    }


def ideas_approved(period: Scope) -> int:
    return in_range(
        ModerationLog.objects.filter(
            target_kind=TargetKind.IDEA,
            action=ModerationAction.TRANSITION,
            to_status=IdeaStatus.APPROVED,
        ),
        "created_at",
        period,
    ).aggregate(n=Count("target_id", distinct=True))["n"]


# Ideas on the site with their supporters shown: an idea merged into an initiative stays
# published (the pipeline counts it so) and keeps its supporters.
PUBLISHED_IDEA_STATUSES = (IdeaStatus.APPROVED, IdeaStatus.MERGED)


def most_supported_ideas(period: Scope) -> list[dict]:
    end = period.ends
    return list(
        Idea.objects.filter(status__in=PUBLISHED_IDEA_STATUSES, submitted_at__lt=end)
        .annotate(supporters=Count("supports", filter=Q(supports__created_at__lt=end)))
        .filter(supporters__gt=0)
        .order_by("-supporters", "submitted_at", "id")
        .values("id", "title", "supporters")[:TOP_IDEAS]
    )


def initiatives_by_status(scope: Scope) -> list[tuple[str, str, int]]:
    """`initiatives_by_status`; their sum is `initiatives_new`."""
    counts = dict(
        initiatives_matching(scope)
        .values("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )
    return [(code, str(label), counts.get(code, 0)) for code, label in InitiativeStatus.choices]


def initiatives_updated(period: Scope) -> int:
    return in_range(InitiativeUpdate.objects.all(), "created_at", period).aggregate(
        n=Count("initiative", distinct=True)
    )["n"]


def cocreators(period: Scope) -> dict:
    return CoCreator.objects.filter(joined_at__lt=period.ends).aggregate(
        total=Count("id"), new=Count("id", filter=Q(joined_at__gte=period.starts))
    )


# --- One session ("What we heard") --------------------------------------------------------


def _suppressed_rows(found: dict, keys: list) -> list[list]:
    """[[key, count or None]] for each key, small counts hidden (reports.disclosure), with
    the secondary suppression of a list shown beside its sum."""
    counts = [found.get(key, 0) for key in keys]
    hidden, _total_hidden = disclosure.suppress_counts(counts, threshold=disclosure_threshold())
    return [list(row) for row in zip(keys, disclosure.masked(counts, hidden), strict=True)]


def session_figures(session_id: int) -> dict:
    """`session_attendance`, `session_feedback`, `session_feedback_by_harm` and
    `session_feedback_by_area` for one session, JSON-safe (a summary stores them).

    Feedback about one session is one per person, so its counts are counts of people: every
    one of them goes through reports.disclosure like attendance does. The breakdowns are by
    id (harm category id, solution area id or NO_AREA), the page names them."""
    scope = Scope(session_id=session_id)
    places = (
        registrations_matching(scope)
        .filter(status=RegistrationStatus.CONFIRMED)
        .aggregate(
            confirmed=Count("id"),
            attended=Count("id", filter=Q(attended=True) | Q(checked_in_at__isnull=False)),
        )
    )
    attendance = suppressed_attendance(attended=places["attended"], confirmed=places["confirmed"])
    feedback = feedback_matching(scope)
    total = feedback.count()
    by_category = dict(
        feedback.annotate(category=Coalesce("harm_categories__parent_id", "harm_categories__id"))
        .filter(category__isnull=False)
        .values("category")
        .annotate(count=Count("id", distinct=True))
        .values_list("category", "count")
    )
    by_area = {
        (area or NO_AREA): count
        for area, count in feedback.values("suggestions__solution_area")
        .annotate(count=Count("id", distinct=True))
        .values_list("suggestions__solution_area", "count")
    }
    category_ids = [category.pk for category in top_level_categories()]
    area_ids = [area["key"] for area in solution_areas()]
    threshold = disclosure_threshold()
    return {
        "attendance": attendance,
        "feedback": total if total == 0 or total >= threshold else None,
        "by_harm": _suppressed_rows(by_category, category_ids),
        "by_area": _suppressed_rows(by_area, area_ids),
        "computed_at": timezone.now().isoformat(),
    }
