"""Reads shaped for pages: each returns a bounded, pre-joined query."""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from accounts.models import Restriction, User

from .models import (
    STEMMED_SEARCH_CONFIGS,
    SUBSTRING_SEARCH_LANGUAGES,
    CoCreator,
    Comment,
    CommentStatus,
    DraftComment,
    DraftVersion,
    Follow,
    Idea,
    IdeaStatus,
    Initiative,
    InitiativeStatus,
    ModerationAction,
    ModerationLog,
    Mute,
    PersonReport,
    PersonReportStatus,
    Report,
    ReportStatus,
    Support,
    TargetKind,
)

SORTS = {"newest": ("-decided_at", "-id"), "supported": ("-support_count", "-decided_at", "-id")}


def search_vector(config: str = "english") -> SearchVector:
    # Identical to the expressions of Idea's GIN indexes (idea_search_gin for English,
    # idea_search_ms_gin, idea_search_simple_gin), so PostgreSQL can use them.
    return SearchVector("title", "body", config=config)


class _ILike(Func):
    """`column ILIKE pattern`: what pg_trgm's gin_trgm_ops indexes (idea_title_trgm,
    idea_body_trgm) serve, on the column itself. Django's icontains wraps both sides in
    UPPER(), which no index of ours covers."""

    arg_joiner = " ILIKE "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _substring_pattern(query: str) -> Value:
    return Value(f"%{connection.ops.prep_for_like_query(query)}%")


def search_ideas(ideas: QuerySet[Idea], query: str) -> QuerySet[Idea]:
    """Ideas matching `query`, each read in the language it was written in (issue 14):
    English and Malay stemmed (PostgreSQL's "english" and "indonesian" configurations),
    Chinese and Tamil by the "simple" configuration or as a substring of the title or the
    body (a two-character Chinese word is too short for a trigram match, and Chinese has
    no spaces to split words on), every word of the query in either. SQLite, the embedded
    demo, finds substrings in any language. One query, whatever the mix of languages."""
    query = query.strip()
    if not query:
        return ideas
    if connection.vendor != "postgresql":
        return ideas.filter(Q(title__icontains=query) | Q(body__icontains=query))
    vectors = {
        f"search_{language}": search_vector(config)
        for language, config in STEMMED_SEARCH_CONFIGS.items()
    }
    matches = Q()
    for language, config in STEMMED_SEARCH_CONFIGS.items():
        matches |= Q(language=language) & Q(
            **{f"search_{language}": SearchQuery(query, config=config, search_type="websearch")}
        )
    substring_rows = Q(language__in=SUBSTRING_SEARCH_LANGUAGES)
    matches |= substring_rows & Q(
        search_simple=SearchQuery(query, config="simple", search_type="websearch")
    )
    # Each word the reader typed (Chinese readers put spaces between words the text runs
    # together) is in the title or the body.
    every_word = Q()
    for word in query.split():
        pattern = _substring_pattern(word)
        every_word &= Q(_ILike(F("title"), pattern)) | Q(_ILike(F("body"), pattern))
    matches |= substring_rows & every_word
    return ideas.alias(**vectors, search_simple=search_vector("simple")).filter(matches)


def board_ideas(
    *,
    query: str = "",
    harm_category: int | None = None,
    solution_area: int | None = None,
    session: int | None = None,
    sort: str = "newest",
) -> QuerySet[Idea]:
    ideas = Idea.objects.filter(status=IdeaStatus.APPROVED).select_related(
        "author", "harm_category", "solution_area", "session"
    )
    if harm_category:
        # A top-level category includes its sub-categories.
        ideas = ideas.filter(
            Q(harm_category_id=harm_category) | Q(harm_category__parent_id=harm_category)
        )
    if solution_area:
        ideas = ideas.filter(solution_area_id=solution_area)
    if session:
        ideas = ideas.filter(session_id=session)
    ideas = search_ideas(ideas, query)
    return ideas.order_by(*SORTS.get(sort, SORTS["newest"]))


def supported_idea_ids(user, ideas) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Support.objects.filter(user=user, idea__in=[idea.pk for idea in ideas]).values_list(
            "idea_id", flat=True
        )
    )


def idea_comments(idea: Idea, user, *, moderator: bool) -> QuerySet[Comment]:
    """Comments in thread order. Pending ones show to their author and moderators only;
    hidden and deleted ones stay in place as a placeholder. Each carries `muted`: its author
    is one the reader chose to hide (split_muted leaves those out, in the same query)."""
    comments = idea.comments.select_related("author")
    if user.is_authenticated:
        comments = comments.annotate(
            muted=Exists(Mute.objects.filter(user=user, muted=OuterRef("author")))
        )
    if moderator:
        return comments
    visible = ~Q(status=CommentStatus.PENDING)
    if user.is_authenticated:
        visible |= Q(author=user)
    return comments.filter(visible)


def split_muted(comments) -> tuple[list[Comment], int]:
    """The comments the reader sees, and how many were left out because they muted their
    authors."""
    shown = [comment for comment in comments if not getattr(comment, "muted", False)]
    return shown, len(comments) - len(shown)


def mutes_of(user) -> QuerySet[Mute]:
    return Mute.objects.filter(user=user).select_related("muted", "via_comment__idea")


def my_ideas(user) -> QuerySet[Idea]:
    return (
        Idea.objects.filter(author=user)
        .select_related("harm_category", "solution_area", "merged_into")
        .order_by("-updated_at", "-id")
    )


def idea_log(idea: Idea) -> QuerySet[ModerationLog]:
    return ModerationLog.objects.filter(idea_id=idea.pk).select_related("actor")


# --- Moderation queue ---------------------------------------------------------------


def pending_ideas(*, harm_category: int | None = None, solution_area: int | None = None):
    ideas = Idea.objects.filter(status=IdeaStatus.SUBMITTED).select_related(
        "author", "harm_category", "solution_area"
    )
    if harm_category:
        ideas = ideas.filter(
            Q(harm_category_id=harm_category) | Q(harm_category__parent_id=harm_category)
        )
    if solution_area:
        ideas = ideas.filter(solution_area_id=solution_area)
    # Oldest first: whoever has waited longest is answered first.
    return ideas.order_by("submitted_at", "id")


def reported_items(*, max_reports: int = 1000) -> list[dict]:
    """Items with open reports, one entry each, urgent first then oldest report first.

    Reads at most `max_reports` open reports (urgent ones first), so the page stays bounded
    however long the backlog grows."""
    open_reports = Report.objects.filter(status=ReportStatus.OPEN).select_related(
        "idea__author", "comment__author", "comment__idea", "reporter"
    )
    items: dict[tuple[str, int], dict] = {}
    for report in open_reports.order_by("-urgent", "created_at", "id")[:max_reports]:
        key = ("idea", report.idea_id) if report.idea_id else ("comment", report.comment_id)
        item = items.setdefault(
            key,
            {
                "kind": key[0],
                "target": report.target,
                "reports": [],
                "urgent": False,
                "first_at": report.created_at,
            },
        )
        item["reports"].append(report)
        item["urgent"] = item["urgent"] or report.urgent
    return sorted(items.values(), key=lambda item: (not item["urgent"], item["first_at"]))


def pending_comments():
    return (
        Comment.objects.filter(status=CommentStatus.PENDING)
        .select_related("author", "idea")
        .order_by("created_at", "id")
    )


def queue_counts() -> dict[str, int]:
    counts = Idea.objects.aggregate(pending=Count("id", filter=Q(status=IdeaStatus.SUBMITTED)))
    reports = Report.objects.filter(status=ReportStatus.OPEN).aggregate(
        ideas=Count("idea", distinct=True),
        comments=Count("comment", distinct=True),
        urgent=Count("id", filter=Q(urgent=True)),
    )
    return {
        "ideas": counts["pending"],
        "reported": reports["ideas"] + reports["comments"],
        "urgent": reports["urgent"],
        "comments": Comment.objects.filter(status=CommentStatus.PENDING).count(),
    }


def pending_total() -> int:
    """For the navigation badge: one cheap count."""
    return Idea.objects.filter(status=IdeaStatus.SUBMITTED).count()


def urgent_open_total() -> int:
    """For the navigation badge, shown first: urgent reports still open, one per reported
    item (idea or comment) and one per report about a person. Two indexed counts."""
    content = Report.objects.filter(status=ReportStatus.OPEN, urgent=True).aggregate(
        ideas=Count("idea", distinct=True), comments=Count("comment", distinct=True)
    )
    people = PersonReport.objects.filter(status=PersonReportStatus.OPEN, urgent=True).count()
    return content["ideas"] + content["comments"] + people


def urgent_person_reports(*, limit: int = 50) -> list[PersonReport]:
    """Urgent reports about people still open, oldest first, for the top of the queue."""
    return list(
        PersonReport.objects.filter(status=PersonReportStatus.OPEN, urgent=True)
        .select_related("person", "reporter")
        .order_by("created_at", "pk")[:limit]
    )


def moderation_waiting() -> dict[str, int]:
    """The morning summary's figures."""
    counts = queue_counts()
    return {
        "urgent": urgent_open_total(),
        "reported": counts["reported"],
        "people": PersonReport.objects.filter(status=PersonReportStatus.OPEN).count(),
        "ideas": counts["ideas"],
        "comments": counts["comments"],
    }


# --- Initiatives ------------------------------------------------------------------------


def initiative_list() -> QuerySet[Initiative]:
    return (
        Initiative.objects.select_related("solution_area")
        .prefetch_related("harm_categories")
        .annotate(cocreator_count=Count("cocreators", distinct=True))
        .order_by("-created_at", "-id")
    )


def initiative_detail(slug: str, *, viewer=None) -> QuerySet[Initiative]:
    """The initiative page's row; `viewer_follows` says whether the viewer follows it, in the
    same query."""
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    return (
        Initiative.objects.filter(slug=slug)
        .annotate(
            viewer_follows=Exists(
                Follow.objects.filter(initiative_id=OuterRef("pk"), user_id=viewer_id)
            )
        )
        .select_related("solution_area", "published_version")
        .prefetch_related(
            "harm_categories",
            "leads",
            "updates",
            Prefetch(
                "ideas",
                queryset=Idea.objects.filter(status=IdeaStatus.MERGED).select_related("author"),
            ),
            Prefetch("cocreators", queryset=CoCreator.objects.select_related("user")),
        )
    )


def anonymous_author_of(initiative: Initiative, user) -> bool:
    """Whether `user` wrote an idea merged into the initiative anonymously: joining it, they
    are listed as "Anonymous participant" unless they choose to be named."""
    if not user.is_authenticated:
        return False
    return Idea.objects.filter(merged_into=initiative, author=user, is_anonymous=True).exists()


def initiative_progress(initiative: Initiative) -> list[tuple[str, object]]:
    """The initiative's public timeline, oldest first: (status label, when) for where it
    started and each status change since. One query. Who made a change stays in the
    moderation log, for organisers."""
    changes = list(
        ModerationLog.objects.filter(
            action=ModerationAction.INITIATIVE_STATUS,
            target_kind=TargetKind.INITIATIVE,
            target_id=initiative.pk,
        )
        .order_by("created_at", "id")
        .values_list("from_status", "to_status", "created_at")
    )
    first = changes[0][0] if changes else initiative.status
    steps = [(first, initiative.created_at)] + [(to, when) for _, to, when in changes]
    labels = dict(InitiativeStatus.choices)
    return [(str(labels.get(status, status)), when) for status, when in steps]


def mergeable_ideas() -> QuerySet[Idea]:
    return (
        Idea.objects.filter(status=IdeaStatus.APPROVED)
        .select_related("harm_category", "solution_area")
        .order_by("-support_count", "-id")
    )


def home_ideas(limit: int = 3) -> list[Idea]:
    return list(
        Idea.objects.filter(status=IdeaStatus.APPROVED)
        .select_related("author", "harm_category")
        .order_by("-decided_at", "-id")[:limit]
    )


def home_initiatives(limit: int = 2) -> list[Initiative]:
    return list(Initiative.objects.order_by("-created_at", "-id")[:limit])


def reports_open_by(user, *, idea: Idea) -> tuple[bool, set[int]]:
    """What `user` has reported on an idea's page and is still open: whether the idea itself,
    and which of its comments. One query, however many comments the idea has."""
    if not user.is_authenticated:
        return False, set()
    idea_reported = False
    comment_ids: set[int] = set()
    for comment_id in Report.objects.filter(
        Q(idea=idea) | Q(comment__idea=idea), reporter=user, status=ReportStatus.OPEN
    ).values_list("comment_id", flat=True):
        if comment_id is None:
            idea_reported = True
        else:
            comment_ids.add(comment_id)
    return idea_reported, comment_ids


def has_open_report(user, *, idea: Idea | None = None, comment: Comment | None = None) -> bool:
    """Whether `user` already has an open report on this idea or comment."""
    lookup = {"idea": idea} if idea is not None else {"comment": comment}
    return Report.objects.filter(reporter=user, status=ReportStatus.OPEN, **lookup).exists()


# --- People (the moderation area's People tab) ---------------------------------------------

PERSON_HISTORY_LIMIT = 20


def restricted_people(now=None) -> QuerySet:
    """People suspended (until a time still to come) or blocked, most recently decided first
    (the latest decision is the newest PersonDecision; ordered by id as a cheap proxy)."""
    now = now or timezone.now()
    return User.objects.filter(
        Q(restriction=Restriction.BLOCKED)
        | Q(restriction=Restriction.SUSPENDED, restricted_until__gt=now)
    ).order_by("display_name", "pk")


def people_matching(query: str) -> QuerySet:
    """People whose display name contains `query`, or whose email is exactly it."""
    return (
        User.objects.filter(erased_at__isnull=True)
        .filter(Q(display_name__icontains=query) | Q(email__iexact=query))
        .order_by("display_name", "pk")
    )


def reported_authors(*, limit: int = 50) -> list[dict]:
    """The authors of content with open reports, the most reported first: each with how many
    open reports and whether any is urgent. Reads one grouped query per kind."""
    counts: dict[int, dict] = {}
    sources = [
        (Report.objects.filter(status=ReportStatus.OPEN, idea__isnull=False), "idea__author"),
        (Report.objects.filter(status=ReportStatus.OPEN, comment__isnull=False), "comment__author"),
        (PersonReport.objects.filter(status=PersonReportStatus.OPEN), "person"),
    ]
    for reports, field in sources:
        rows = (
            reports.values(field)
            .annotate(reports=Count("id"), urgent=Count("id", filter=Q(urgent=True)))
            .order_by("-urgent", "-reports")[: limit * 2]
        )
        for row in rows:
            entry = counts.setdefault(row[field], {"reports": 0, "urgent": 0})
            entry["reports"] += row["reports"]
            entry["urgent"] += row["urgent"]
    top = sorted(counts.items(), key=lambda item: (-item[1]["urgent"], -item[1]["reports"]))
    top = top[:limit]
    people = User.objects.in_bulk([pk for pk, _counts in top])
    return [{"person": people[pk], **entry} for pk, entry in top if pk in people]


def person_history(person) -> dict:
    """What an organiser reads before deciding about `person`: their latest ideas and
    comments (anonymous ones marked in the page), reports about their content and by them,
    and the decisions about them, each the newest PERSON_HISTORY_LIMIT with a total."""
    limit = PERSON_HISTORY_LIMIT
    ideas = Idea.objects.filter(author=person)
    comments = Comment.objects.filter(author=person)
    about = Report.objects.filter(Q(idea__author=person) | Q(comment__author=person))
    by = Report.objects.filter(reporter=person)
    decisions = person.decisions_about.all()
    about_person = PersonReport.objects.filter(person=person)
    by_person = PersonReport.objects.filter(reporter=person)
    totals = {
        "ideas": ideas.count(),
        "comments": comments.count(),
        "reports_about": about.count(),
        "reports_by": by.count(),
        "person_reports": about_person.count(),
        "person_reports_by": by_person.count(),
        "decisions": decisions.count(),
    }
    return {
        "totals": totals,
        "ideas": list(ideas.order_by("-created_at", "-pk")[:limit]),
        "comments": list(comments.select_related("idea").order_by("-created_at", "-pk")[:limit]),
        "reports_about": list(
            about.select_related("idea", "comment__idea").order_by("-created_at", "-pk")[:limit]
        ),
        "reports_by": list(
            by.select_related("idea", "comment__idea").order_by("-created_at", "-pk")[:limit]
        ),
        "person_reports": list(
            about_person.select_related("reporter").order_by("-created_at", "-pk")[:limit]
        ),
        "person_reports_by": list(
            by_person.select_related("person").order_by("-created_at", "-pk")[:limit]
        ),
        "decisions": list(decisions.select_related("by")[:limit]),
    }


# --- Following ----------------------------------------------------------------------


def followed_initiatives(user) -> QuerySet:
    """The initiatives a person follows, newest follow first (one query a page)."""
    return (
        Follow.objects.filter(user=user).select_related("initiative").order_by("-created_at", "-id")
    )


def follows_of(user, initiative: Initiative | None) -> bool:
    """Does this person follow this initiative (or, None, any initiative)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    follows = Follow.objects.filter(user=user)
    if initiative is not None:
        follows = follows.filter(initiative=initiative)
    return follows.exists()


# --- The working draft ------------------------------------------------------------------

# The newest comments on a draft shown on its page (all sections together).
DRAFT_COMMENTS_SHOWN = 200


def draft_versions(initiative: Initiative) -> QuerySet[DraftVersion]:
    """Newest first, with their authors: one query per page however many there are."""
    return DraftVersion.objects.filter(initiative=initiative).select_related("author")


def draft_latest(initiative: Initiative) -> DraftVersion | None:
    return draft_versions(initiative).order_by("-number").first()


def draft_comments_by_section(initiative: Initiative) -> dict[str, list[DraftComment]]:
    """The newest DRAFT_COMMENTS_SHOWN comments, oldest first within each section."""
    newest = list(
        DraftComment.objects.filter(initiative=initiative)
        .select_related("author")
        .order_by("-created_at", "-id")[:DRAFT_COMMENTS_SHOWN]
    )
    by_section: dict[str, list[DraftComment]] = {}
    for comment in reversed(newest):
        by_section.setdefault(comment.section, []).append(comment)
    return by_section
