"""/api/v1/: the public, read-only API (django-ninja; ARCHITECTURE.md says why).

Each operation reads only what the site already shows to a stranger, through the apps' own
public querysets (engagement's public sessions, initiatives' public idea statuses), and
builds its answer field by field from the schemas in api/schemas.py: nothing else can leak.
No operation reads an email, an anonymous author's name, access needs, a hidden, pending or
withdrawn item, or any feedback text; feedback appears only as counts, with the disclosure
threshold (reports.figures).

Errors are JSON of one shape (api.http.error_response) with the right status: 400 for a
parameter that is unknown, malformed or out of range, 404 for an unknown slug or id.
"""

from datetime import datetime
from typing import Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from ninja import NinjaAPI, Query
from ninja.errors import ValidationError as NinjaValidationError

from engagement.models import EngagementSession, SessionAccess, SessionMode
from engagement.selectors import PUBLIC_STATUSES as SESSION_PUBLIC_STATUSES
from feedback.models import Feedback
from harms.models import HarmCategory, SolutionArea
from initiatives.models import (
    ANONYMOUS_LABEL,
    Comment,
    CommentStatus,
    Idea,
    Initiative,
    InitiativeStatus,
    ModerationLog,
    TargetKind,
)
from initiatives.permissions import PUBLIC_STATUSES as IDEA_PUBLIC_STATUSES
from initiatives.selectors import search_ideas
from reports.figures import disclosure_threshold

from . import pagination, schemas
from .http import error_response

ERRORS = {400: schemas.Error, 404: schemas.Error, 429: schemas.Error}

api = NinjaAPI(
    title="AfA Platform public API",
    version="1",
    description=(
        "Read-only open data of the Alliance for Action on online harms: the harm categories "
        "and solution areas, public sessions, published ideas, initiatives and aggregate "
        "feedback figures. No personal data. Licence: Singapore Open Data Licence v1.0. "
        "Cursor pagination (`cursor`, `limit` 1-100), ETag with 304 answers, CORS for GET, "
        "and a per-address rate limit (429 with Retry-After)."
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url=None,
)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error_response(exc.status, exc.code, exc.message)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    names = sorted({".".join(str(p) for p in e.get("loc", [])[1:]) or "?" for e in exc.errors})
    return error_response(
        400, "invalid_parameter", "These parameters are not valid: {}.".format(", ".join(names))
    )


@api.exception_handler(pagination.BadCursor)
def _bad_cursor(request, exc: pagination.BadCursor):
    return error_response(400, "invalid_cursor", str(exc))


LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
Language = Literal["en", "zh-hans", "ms", "ta"]
if set(Language.__args__) != set(LANGUAGE_CODES):
    raise ImproperlyConfigured("settings.LANGUAGES changed: update api.endpoints.Language.")
LANGUAGE = Query(None, description="The language of names: en, zh-hans, ms or ta (English).")
LIMIT = Query(None, ge=1, le=100, description="Rows per page, 1 to 100 (20).")
CURSOR = Query(None, max_length=500, description="The next_cursor of the page before.")
COMMON = {"language"}
PAGED = {"cursor", "limit"}


def _only(request: HttpRequest, allowed: set[str]) -> None:
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise ApiError(
            400,
            "unknown_parameter",
            "Unknown parameters: {}. This operation takes: {}.".format(
                ", ".join(unknown), ", ".join(sorted(allowed)) or "none"
            ),
        )


def _language(value: str | None) -> str:
    if value is None or value == "":
        return settings.LANGUAGE_CODE
    if value not in LANGUAGE_CODES:
        raise ApiError(
            400,
            "unknown_language",
            "Unknown language {!r}: use one of {}.".format(value[:20], ", ".join(LANGUAGE_CODES)),
        )
    return value


def _limit(value: int | None) -> int:
    if value is None:
        return pagination.DEFAULT_LIMIT
    if not 1 <= value <= pagination.MAX_LIMIT:
        raise ApiError(400, "invalid_limit", f"limit must be from 1 to {pagination.MAX_LIMIT}.")
    return value


def _column(field: str, language: str) -> str:
    return f"{field}_{language.replace('-', '_')}"


def _name(row, language: str) -> str:
    return getattr(row, _column("name", language)) or row.name_en


def _names(row) -> dict:
    return {code: getattr(row, _column("name", code)) or None for code in LANGUAGE_CODES}


def _label(row, language: str) -> dict:
    return {"slug": row.slug, "name": _name(row, language)}


def _last_modified(response_holder, moments) -> None:
    moments = [m for m in moments if m]
    if moments:
        response_holder["Last-Modified"] = http_date(max(moments).timestamp())


def _narrowed(rows, model, slug: str | None, condition, *, among=None):
    """Rows narrowed to the taxonomy row or session with this slug (looked for `among` the
    rows a stranger may see); an unknown slug matches nothing (an empty page, as the site's
    filters give), never an error."""
    if not slug:
        return rows
    candidates = model.objects.all() if among is None else among
    row = candidates.filter(slug=slug[:200]).first()
    return rows.filter(condition(row)) if row else rows.none()


# --- Taxonomy -------------------------------------------------------------------------------


@api.get(
    "/harm-categories",
    response={200: schemas.HarmCategoryList, **ERRORS},
    operation_id="listHarmCategories",
    by_alias=True,
    tags=["taxonomy"],
    summary="Harm categories, in all four languages",
)
def harm_categories(request, language: Language | None = LANGUAGE):
    _only(request, COMMON)
    language = _language(language)
    return {"items": harm_category_items(language)}


def harm_category_items(language: str) -> list[dict]:
    rows = HarmCategory.objects.select_related("parent").order_by("parent_id", "order", "id")
    return [
        {
            "slug": c.slug,
            "parent": c.parent.slug if c.parent_id else None,
            "name": _name(c, language),
            "names": _names(c),
            "summary": getattr(c, _column("summary", language)) or c.summary_en,
            "order": c.order,
        }
        for c in rows
    ]


@api.get(
    "/solution-areas",
    response={200: schemas.SolutionAreaList, **ERRORS},
    operation_id="listSolutionAreas",
    by_alias=True,
    tags=["taxonomy"],
    summary="Solution areas, in all four languages",
)
def solution_areas(request, language: Language | None = LANGUAGE):
    _only(request, COMMON)
    language = _language(language)
    return {"items": solution_area_items(language)}


def solution_area_items(language: str) -> list[dict]:
    return [
        {"slug": a.slug, "name": _name(a, language), "names": _names(a), "order": a.order}
        for a in SolutionArea.objects.order_by("order", "id")
    ]


# --- Sessions -------------------------------------------------------------------------------

SESSION_ORDER = pagination.Order(("starts_at", "id"), descending=False)


@api.get(
    "/sessions",
    response={200: schemas.SessionPage, **ERRORS},
    operation_id="listSessions",
    tags=["sessions"],
    summary="Public engagement sessions, soonest first",
)
def sessions(
    request,
    response: HttpResponse,
    harm_category: str | None = None,
    mode: Literal["in_person", "online", "hybrid"] | None = None,
    past: bool = False,
    language: Language | None = LANGUAGE,
    cursor: str | None = CURSOR,
    limit: int | None = LIMIT,
):
    _only(request, COMMON | PAGED | {"harm_category", "mode", "past"})
    language, limit = _language(language), _limit(limit)
    now = timezone.now()
    rows = _public_sessions()
    rows = rows.filter(ends_at__lte=now) if past else rows.filter(ends_at__gt=now)
    rows = _narrowed(
        rows,
        HarmCategory,
        harm_category,
        lambda c: Q(harm_categories=c) | Q(harm_categories__parent=c),
    ).distinct()
    if mode:
        if mode not in SessionMode.values:
            raise ApiError(
                400,
                "invalid_parameter",
                "mode must be one of {}.".format(", ".join(SessionMode.values)),
            )
        rows = rows.filter(mode=mode)
    order = pagination.Order(("starts_at", "id"), descending=True) if past else SESSION_ORDER
    found, next_cursor = pagination.page(
        rows.prefetch_related("harm_categories"),
        list_name="sessions-past" if past else "sessions",
        order=order,
        cursor=cursor,
        limit=limit,
    )
    _last_modified(response, [s.updated_at for s in found])
    return {"items": [_session(s, language) for s in found], "next_cursor": next_cursor}


def _public_sessions():
    """What the session list shows a stranger: published and cancelled sessions, never an
    unlisted one."""
    return EngagementSession.objects.filter(status__in=SESSION_PUBLIC_STATUSES).exclude(
        access=SessionAccess.UNLISTED
    )


def _session(s: EngagementSession, language: str) -> dict:
    # No online link, venue, venue details, facilitators or registrations: only what a
    # poster would say.
    return {
        "id": s.pk,
        "slug": s.slug,
        "title": s.title,
        "summary": s.summary,
        "starts_at": timezone.localtime(s.starts_at),
        "ends_at": timezone.localtime(s.ends_at),
        "mode": s.mode,
        "status": s.status,
        "access": s.access,
        "harm_categories": [_label(c, language) for c in s.harm_categories.all()],
        "capacity": s.capacity,
    }


def _in_chunks(rows, size: int = 500):
    """Every row of an ordered queryset by keyset (flat memory), for the open-data files."""
    last = None
    while True:
        chunk = list(rows.filter(pk__gt=last)[:size] if last else rows[:size])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].pk


def all_session_items(language: str):
    rows = _public_sessions().prefetch_related("harm_categories").order_by("pk")
    for s in _in_chunks(rows):
        yield _session(s, language)


# --- Ideas ----------------------------------------------------------------------------------

# The board's two orders (initiatives.selectors.SORTS), on its indexes (idea_board_newest,
# idea_board_supported): newest published first, or most supported first.
IDEA_ORDERS = {
    "newest": pagination.Order(("decided_at", "id"), descending=True),
    "supported": pagination.Order(("support_count", "decided_at", "id"), descending=True),
}


def _public_ideas():
    comments = (
        Comment.objects.filter(idea=OuterRef("pk"), status=CommentStatus.PUBLISHED)
        .order_by()
        .values("idea")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Idea.objects.filter(
            status__in=IDEA_PUBLIC_STATUSES, submitted_at__isnull=False, decided_at__isnull=False
        )
        .select_related("author", "harm_category", "solution_area", "session", "merged_into")
        .annotate(public_comment_count=Coalesce(Subquery(comments), 0))
    )


def _idea(idea: Idea, language: str) -> dict:
    return {
        "id": idea.pk,
        "title": idea.title,
        "body": idea.body,
        "language": idea.language,
        # The anonymous author's name never leaves: the label, as on the site.
        "author": str(ANONYMOUS_LABEL) if idea.is_anonymous else idea.author.display_name,
        "harm_category": _label(idea.harm_category, language),
        "solution_area": _label(idea.solution_area, language),
        # Never the slug of an unlisted or draft session (Idea.shown_session).
        "session": idea.shown_session.slug if idea.shown_session else None,
        "status": idea.status,
        "merged_into": idea.merged_into.slug if idea.merged_into_id else None,
        "content_warning": (idea.content_warning_note or None)
        if idea.has_content_warning
        else None,
        "support_count": idea.support_count,
        "comment_count": idea.public_comment_count,
        "submitted_at": timezone.localtime(idea.submitted_at),
    }


def all_idea_items(language: str):
    for idea in _in_chunks(_public_ideas().order_by("pk")):
        yield _idea(idea, language)


@api.get(
    "/ideas",
    response={200: schemas.IdeaPage, **ERRORS},
    operation_id="listIdeas",
    tags=["ideas"],
    summary="Published ideas, newest or most supported first",
)
def ideas(
    request,
    response: HttpResponse,
    harm_category: str | None = None,
    solution_area: str | None = None,
    session: str | None = None,
    q: str | None = Query(None, max_length=200, description="Words to search for."),
    sort: Literal["newest", "supported"] = Query(
        "newest", description="newest (published) first, or most supported first."
    ),
    language: Language | None = LANGUAGE,
    cursor: str | None = CURSOR,
    limit: int | None = LIMIT,
):
    _only(request, COMMON | PAGED | {"harm_category", "solution_area", "session", "q", "sort"})
    language, limit = _language(language), _limit(limit)
    rows = _public_ideas()
    rows = _narrowed(
        rows, HarmCategory, harm_category, lambda c: Q(harm_category=c) | Q(harm_category__parent=c)
    )
    rows = _narrowed(rows, SolutionArea, solution_area, lambda a: Q(solution_area=a))
    rows = _narrowed(
        rows, EngagementSession, session, lambda s: Q(session=s), among=_public_sessions()
    )
    if q:
        if len(q) > 200:
            raise ApiError(400, "invalid_parameter", "q must be at most 200 characters.")
        rows = search_ideas(rows, q)
    found, next_cursor = pagination.page(
        rows, list_name=f"ideas-{sort}", order=IDEA_ORDERS[sort], cursor=cursor, limit=limit
    )
    _last_modified(response, [i.updated_at for i in found])
    return {"items": [_idea(i, language) for i in found], "next_cursor": next_cursor}


@api.get(
    "/ideas/{idea_id}",
    response={200: schemas.Idea, **ERRORS},
    operation_id="getIdea",
    tags=["ideas"],
    summary="One published idea",
)
def idea(request, response: HttpResponse, idea_id: int, language: Language | None = LANGUAGE):
    _only(request, COMMON)
    language = _language(language)
    found = _public_ideas().filter(pk=idea_id).first() if 0 < idea_id < 2**63 else None
    if found is None:
        raise ApiError(404, "not_found", "There is no published idea with this id.")
    _last_modified(response, [found.updated_at])
    return _idea(found, language)


# --- Initiatives ----------------------------------------------------------------------------

INITIATIVE_ORDER = pagination.Order(("created_at", "id"), descending=True)


def _initiatives():
    return Initiative.objects.select_related("solution_area", "published_version").prefetch_related(
        "harm_categories"
    )


def _published_text(initiative: Initiative) -> dict | None:
    """The published version only: the working draft, its authors, notes and comments are
    for its co-creators."""
    version = initiative.published_version
    if version is None or initiative.published_at is None:
        return None
    return {
        "version": version.number,
        "published_at": timezone.localtime(initiative.published_at),
        "problem": version.problem,
        "proposal": version.proposal,
        "roles": version.roles,
        "milestones": version.milestones,
    }


def _status_history(initiatives: list[Initiative]) -> dict[int, list[dict]]:
    """Each initiative's status changes from the moderation log: the status and when; never
    who or why."""
    history: dict[int, list[dict]] = {i.pk: [] for i in initiatives}
    rows = (
        ModerationLog.objects.filter(target_kind=TargetKind.INITIATIVE, target_id__in=list(history))
        .exclude(to_status="")
        .order_by("created_at", "id")
        .values_list("target_id", "to_status", "created_at")
    )
    for target_id, status, at in rows:
        history[target_id].append({"status": status, "at": timezone.localtime(at)})
    return history


def _initiative(initiative: Initiative, history: list[dict], language: str) -> dict:
    return {
        "slug": initiative.slug,
        "title": initiative.title,
        "summary": initiative.summary,
        "description": initiative.description,
        "status": initiative.status,
        "harm_categories": [_label(c, language) for c in initiative.harm_categories.all()],
        "solution_area": _label(initiative.solution_area, language),
        "created_at": timezone.localtime(initiative.created_at),
        "status_history": history,
        "published_text": _published_text(initiative),
    }


def all_initiative_items(language: str):
    chunk: list[Initiative] = []
    for initiative in _in_chunks(_initiatives().order_by("pk")):
        chunk.append(initiative)
        if len(chunk) == 500:
            yield from _initiative_rows(chunk, language)
            chunk = []
    yield from _initiative_rows(chunk, language)


def _initiative_rows(chunk: list[Initiative], language: str):
    history = _status_history(chunk)
    for initiative in chunk:
        yield _initiative(initiative, history[initiative.pk], language)


@api.get(
    "/initiatives",
    response={200: schemas.InitiativePage, **ERRORS},
    operation_id="listInitiatives",
    tags=["initiatives"],
    summary="Initiatives, newest first, with their status history",
)
def initiatives(
    request,
    response: HttpResponse,
    status: Literal["forming", "in_progress", "launched"] | None = None,
    language: Language | None = LANGUAGE,
    cursor: str | None = CURSOR,
    limit: int | None = LIMIT,
):
    _only(request, COMMON | PAGED | {"status"})
    language, limit = _language(language), _limit(limit)
    rows = _initiatives()
    if status:
        if status not in InitiativeStatus.values:
            raise ApiError(
                400,
                "invalid_parameter",
                "status must be one of {}.".format(", ".join(InitiativeStatus.values)),
            )
        rows = rows.filter(status=status)
    found, next_cursor = pagination.page(
        rows, list_name="initiatives", order=INITIATIVE_ORDER, cursor=cursor, limit=limit
    )
    history = _status_history(found)
    _last_modified(
        response, [i.created_at for i in found] + [h["at"] for v in history.values() for h in v]
    )
    return {
        "items": [_initiative(i, history[i.pk], language) for i in found],
        "next_cursor": next_cursor,
    }


@api.get(
    "/initiatives/{slug}",
    response={200: schemas.Initiative, **ERRORS},
    operation_id="getInitiative",
    tags=["initiatives"],
    summary="One initiative",
)
def initiative(request, response: HttpResponse, slug: str, language: Language | None = LANGUAGE):
    _only(request, COMMON)
    language = _language(language)
    found = _initiatives().filter(slug=slug[:200]).first()
    if found is None:
        raise ApiError(404, "not_found", "There is no initiative with this address.")
    history = _status_history([found])
    _last_modified(response, [found.created_at] + [h["at"] for h in history[found.pk]])
    return _initiative(found, history[found.pk], language)


# --- Aggregate feedback ---------------------------------------------------------------------

MONTHS_MAX = 120


def _month(value: str | None, what: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.strptime(value, "%Y-%m")
    except ValueError as error:
        raise ApiError(400, "invalid_parameter", f"{what} must be a month: YYYY-MM.") from error
    if moment.year < 2000 or moment.year > 2100:
        raise ApiError(400, "invalid_parameter", f"{what} must be a month from 2000 to 2100.")
    return timezone.make_aware(moment)


@api.get(
    "/figures/feedback",
    response={200: schemas.FeedbackFigures, **ERRORS},
    operation_id="feedbackFigures",
    tags=["figures"],
    summary="Feedback counted by month, harm category and solution area",
)
def feedback_figures(
    request,
    response: HttpResponse,
    from_month: str | None = Query(
        None, pattern=r"^(20[0-9][0-9]|2100)-(0[1-9]|1[0-2])$", description="YYYY-MM"
    ),
    to_month: str | None = Query(
        None, pattern=r"^(20[0-9][0-9]|2100)-(0[1-9]|1[0-2])$", description="YYYY-MM"
    ),
    harm_category: str | None = None,
    solution_area: str | None = None,
):
    """One row per month, top-level harm category and solution area that has feedback. A
    feedback about two harms counts in both; counts from 1 to the threshold minus one are
    null. No text of any feedback is ever read."""
    _only(request, {"from_month", "to_month", "harm_category", "solution_area"})
    start, end = _month(from_month, "from_month"), _month(to_month, "to_month")
    if start and end and end < start:
        raise ApiError(400, "invalid_range", "to_month is before from_month.")
    rows = Feedback.objects.all()
    if start:
        rows = rows.filter(created_at__gte=start)
    if end:
        month_after = end.replace(year=end.year + end.month // 12, month=end.month % 12 + 1)
        rows = rows.filter(created_at__lt=month_after)
    rows = _narrowed(
        rows,
        HarmCategory,
        harm_category,
        lambda c: Q(harm_categories=c) | Q(harm_categories__parent=c),
    )
    rows = _narrowed(rows, SolutionArea, solution_area, lambda a: Q(suggestions__solution_area=a))
    return {"threshold": disclosure_threshold(), "items": feedback_cells(rows)}


def feedback_cells(rows=None) -> list[dict]:
    """Feedback counted per month, top-level harm category and solution area, each count
    from 1 to the disclosure threshold minus one as None."""
    rows = Feedback.objects.all() if rows is None else rows
    threshold = disclosure_threshold()
    cells = (
        rows.annotate(
            month=TruncMonth("created_at"),
            category=Coalesce("harm_categories__parent__slug", "harm_categories__slug"),
            area=F("suggestions__solution_area__slug"),
        )
        .values("month", "category", "area")
        .annotate(n=Count("id", distinct=True))
        .order_by("month", "category", "area")
    )
    return [
        {
            "month": timezone.localtime(cell["month"]).date()
            if isinstance(cell["month"], datetime)
            else cell["month"],
            "harm_category": cell["category"],
            "solution_area": cell["area"],
            "count": cell["n"] if cell["n"] >= threshold else None,
        }
        for cell in cells
    ]
