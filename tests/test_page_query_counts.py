"""Every page of the national-scale benchmark (issue 19, item 2) costs the same number of
queries with 3 rows of everything as with 300: a count that grows with the data is an N+1.

One data set is built at 3 rows and grown to 300, and each page is asked for at both sizes,
signed in as the person who uses it (organisers and staff with their second factor). Both
counts are compared, and the count itself is pinned so that a page that quietly needs one
more query each time shows up in review. Runs on SQLite and, with DATABASE_URL set, on
PostgreSQL (the pinned numbers are the same on both).
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagement.models import RegistrationStatus
from feedback.models import QuoteStatus
from harms.models import HarmCategory, SolutionArea
from initiatives.models import (
    CommentStatus,
    IdeaStatus,
    ModerationAction,
    ModerationLog,
    Report,
    ReportReason,
    Support,
    TargetKind,
)
from reports.models import DigestKind, DigestStatus
from reports.selectors import digest_figures
from tests.factories import (
    CoCreatorFactory,
    CommentFactory,
    DigestFactory,
    EngagementSessionFactory,
    ExportJobFactory,
    FeedbackFactory,
    IdeaFactory,
    InitiativeFactory,
    InitiativeUpdateFactory,
    RegistrationFactory,
    UserFactory,
    sgt,
)

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 300


class World:
    """The rows every page reads, grown in step: `grow(n)` adds n of each."""

    def __init__(self, *, participant, staff):
        self.participant = participant
        self.staff = staff
        now = timezone.now()
        self.session = EngagementSessionFactory(
            starts_at=now + timedelta(days=3),
            capacity=1000,
            harm_categories=["non-consensual-publication"],
        )
        self.idea = IdeaFactory(status=IdeaStatus.APPROVED, session=self.session)
        self.initiative = InitiativeFactory(harm_categories=["non-consensual-publication"])
        self.category = HarmCategory.objects.get(slug="non-consensual-publication")
        self.area = SolutionArea.objects.order_by("order").first()
        self.digest = DigestFactory(status=DigestStatus.READY, requested_by=staff)
        self.rounds = 0
        self.digests = 0

    def grow(self, n: int) -> None:
        self.rounds += 1
        now = timezone.now()
        people = UserFactory.create_batch(n)
        categories = list(HarmCategory.objects.all())
        areas = list(SolutionArea.objects.all())
        # Sessions, upcoming and past, each with the participant on it; others on the session.
        for i, person in enumerate(people):
            session = EngagementSessionFactory(
                starts_at=now + timedelta(days=(i % 40) - 20, hours=self.rounds),
                harm_categories=[categories[i % len(categories)]],
            )
            RegistrationFactory(
                session=session,
                participant=self.participant,
                status=RegistrationStatus.CONFIRMED if i % 3 else RegistrationStatus.WAITLISTED,
            )
            RegistrationFactory(session=self.session, participant=person)
        # Ideas: on the board (supported and commented), the participant's own, in the queue.
        board = IdeaFactory.create_batch(
            n,
            status=IdeaStatus.APPROVED,
            session=self.session,
            harm_category=self.category,
            solution_area=self.area,
            support_count=1,
        )
        Support.objects.bulk_create(
            [Support(user=self.participant, idea=idea) for idea in board]
            + [Support(user=person, idea=self.idea) for person in people]
        )
        statuses = [IdeaStatus.DRAFT, IdeaStatus.SUBMITTED, IdeaStatus.APPROVED, IdeaStatus.MERGED]
        for i in range(n):
            IdeaFactory(
                author=self.participant,
                status=statuses[i % len(statuses)],
                merged_into=self.initiative if statuses[i % len(statuses)] == "merged" else None,
            )
        IdeaFactory.create_batch(n, status=IdeaStatus.SUBMITTED, personal_data_kinds=["phone"])
        for person in people:
            CommentFactory(idea=self.idea, author=person, is_anonymous=person.pk % 2 == 0)
        CommentFactory.create_batch(n, idea=self.idea, status=CommentStatus.PENDING)
        Report.objects.bulk_create(
            [
                Report(reporter=person, idea=idea, reason=ReportReason.SPAM)
                for person, idea in zip(people, board, strict=True)
            ]
        )
        # Initiatives, each with a co-creator; the initiative's own co-creators and updates.
        for person in people:
            initiative = InitiativeFactory(harm_categories=[self.category])
            CoCreatorFactory(initiative=initiative, user=person)
            CoCreatorFactory(initiative=self.initiative, user=person)
        InitiativeUpdateFactory.create_batch(n, initiative=self.initiative)
        self.initiative.leads.add(*people)
        # The idea's moderation history, which its page shows moderators.
        ModerationLog.objects.bulk_create(
            ModerationLog(
                actor=self.staff,
                action=ModerationAction.COMMENT_APPROVE,
                target_kind=TargetKind.COMMENT,
                target_id=self.idea.pk,
                idea=self.idea,
            )
            for _ in range(n)
        )
        # Feedback with categories, suggestions and quotes, on sessions and general.
        for i, person in enumerate(people):
            FeedbackFactory(
                participant=person,
                session=self.session if i % 2 else None,
                rating=1 + i % 5 if i % 2 else None,
                harm_categories=[categories[i % len(categories)]],
                suggestions=[areas[i % len(areas)]],
                quote_excerpt="It helped." if i % 3 == 0 else "",
                quote_status=QuoteStatus.APPROVED if i % 3 == 0 else QuoteStatus.PENDING,
            )
        # Digests in the archive, export jobs of the staff member.
        figures = self.figures()
        for _ in range(n):
            self.digests += 1
            DigestFactory(
                kind=DigestKind.ON_DEMAND,
                period_start=sgt(2025, 1, 1) + timedelta(days=self.digests),
                status=DigestStatus.READY,
                figures=figures,
            )
        ExportJobFactory.create_batch(n, requested_by=self.staff)
        # The digest page shows a digest compiled over what there is now.
        self.digest.figures = self.figures()
        self.digest.save(update_fields=["figures"])

    def figures(self) -> dict:
        now = timezone.now()
        return digest_figures(start=now - timedelta(days=30), end=now + timedelta(days=30))


# (name, who asks, url): every page of bench/pages.py.
def pages(world: World) -> list[tuple[str, str, str]]:
    return [
        ("home", "participant", "/"),
        ("session list", "participant", "/sessions/"),
        ("session page", "participant", f"/sessions/{world.session.slug}/"),
        ("session page, as an organiser", "organiser", f"/sessions/{world.session.slug}/"),
        ("ideas board: newest", "participant", "/ideas/"),
        ("ideas board: most supported", "participant", "/ideas/?sort=supported"),
        ("ideas board: a search", "participant", "/ideas/?q=workshops"),
        ("ideas board: a filter", "participant", f"/ideas/?category={world.category.pk}"),
        ("idea page with comments", "participant", f"/ideas/{world.idea.pk}/"),
        ("idea page, as a moderator", "organiser", f"/ideas/{world.idea.pk}/"),
        ("initiatives list", "participant", "/initiatives/"),
        ("initiative page", "participant", f"/initiatives/{world.initiative.slug}/"),
        ("My sessions", "participant", "/sessions/mine/"),
        ("My ideas", "participant", "/ideas/mine/"),
        ("moderation queue", "organiser", "/moderation/"),
        ("dashboard", "staff", "/reports/"),
        ("dashboard: dates", "staff", "/reports/?date_from=2026-01-01&date_to=2027-12-31"),
        ("dashboard: session", "staff", f"/reports/?session={world.session.pk}"),
        ("dashboard: harm category", "staff", f"/reports/?harm_category={world.category.pk}"),
        ("dashboard: solution area", "staff", f"/reports/?solution_area={world.area.pk}"),
        (
            "dashboard: every filter",
            "staff",
            "/reports/?date_from=2026-01-01&date_to=2027-12-31"
            f"&session={world.session.pk}&harm_category={world.category.pk}"
            f"&solution_area={world.area.pk}",
        ),
        ("digests list", "staff", "/reports/digests/"),
        ("a digest", "staff", f"/reports/digests/{world.digest.pk}/"),
        ("exports page", "staff", "/reports/exports/"),
        ("all feedback", "staff", "/feedback/all/"),
    ]


# What each page costs today, whatever the size of the data. Lower is welcome (update it);
# higher needs a reason in review.
PINNED = {
    # +2 (issue 17): the process phases (the current phase and the launch phase) and the
    # launch settings behind them.
    "home": 12,
    "session list": 8,
    "session page": 7,
    # An organiser's menu badge counts urgent reports first (content items, people): +2.
    "session page, as an organiser": 11,
    # +1 each (issue 17): the phases, whether idea submission is open.
    "ideas board: newest": 11,
    "ideas board: most supported": 11,
    "ideas board: a search": 11,
    "ideas board: a filter": 11,
    "idea page with comments": 9,
    "idea page, as a moderator": 13,
    "initiatives list": 7,
    # +1 (issue 17): the phases, whether co-creation is open.
    "initiative page": 12,
    # +1 for the person's calendar feed address (issue 16, item 5).
    "My sessions": 7,
    # +1 (issue 17): the phases, whether idea submission is open.
    "My ideas": 7,
    # +2 for the badge, +1 for the urgent reports about people at the top.
    "moderation queue": 19,
    # +1 each (issue 17): the launch date asks the process phases for a launch phase first.
    "dashboard": 21,
    "dashboard: dates": 21,
    "dashboard: session": 22,
    "dashboard: harm category": 22,
    "dashboard: solution area": 22,
    "dashboard: every filter": 24,
    "digests list": 8,
    "a digest": 6,
    "exports page": 13,  # the feedback file's session-question columns in scope
    "all feedback": 9,
}


def _count(client, url: str) -> int:
    """The queries of one request, after a first one has warmed what any first request
    warms (the content types, the session); the cache is emptied in between so that what
    is measured is the page's own work, not a cached copy of it."""
    assert client.get(url).status_code == 200, url
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _counts(clients: dict, world: World) -> dict[str, int]:
    return {name: _count(clients[who], url) for name, who, url in pages(world)}


@pytest.fixture
def clients(participant, organiser, staff):
    signed_in = {}
    for who, user in (("participant", participant), ("organiser", organiser), ("staff", staff)):
        signed_in[who] = Client()
        signed_in[who].force_login(user)
    return signed_in


def test_every_benchmarked_page_costs_the_same_queries_for_3_rows_or_300(
    clients, participant, staff
):
    world = World(participant=participant, staff=staff)
    world.grow(SMALL)
    small = _counts(clients, world)
    world.grow(LARGE - SMALL)
    large = _counts(clients, world)

    grew = {name: (small[name], large[name]) for name in small if large[name] != small[name]}
    assert grew == {}, "pages whose query count grows with the data (3 rows, 300 rows)"
    assert large == PINNED, f"query counts now: {large}"
