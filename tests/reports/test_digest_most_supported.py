"""The digest's "five most supported ideas" (issue 12, item 7).

A new digest said no idea had supporters while the ideas' pages showed one with a supporter.
Why: the figure counted only ideas whose status is still "approved", so an idea an organiser
had merged into an initiative (published, its supporters shown on its page) dropped out of
it, with all its supporters; and the empty message said "has supporters yet", about today,
when the figure is about the end of the period."""

from datetime import date

import pytest
from django.urls import reverse

from audit.periods import period_for_dates
from initiatives import services as initiatives_services
from initiatives.models import IdeaStatus
from reports import figures, services
from reports.filters import Scope
from reports.models import Digest, DigestKind
from tests.factories import IdeaFactory, SupportFactory, area, category, sgt

pytestmark = pytest.mark.django_db

PERIOD = period_for_dates(date(2026, 11, 1), date(2026, 11, 7))


def _supported(idea, *moments):
    for moment in moments:
        support = SupportFactory(idea=idea)
        type(support).objects.filter(pk=support.pk).update(created_at=moment)


def _top(period=PERIOD):
    return [
        (i["title"], i["supporters"]) for i in figures.most_supported_ideas(Scope.period(*period))
    ]


def test_an_idea_merged_into_an_initiative_keeps_its_supporters_in_the_digest(organiser):
    merged = IdeaFactory(
        title="Merged idea", status=IdeaStatus.APPROVED, submitted_at=sgt(2026, 10, 20)
    )
    published = IdeaFactory(
        title="Still on its own", status=IdeaStatus.APPROVED, submitted_at=sgt(2026, 10, 21)
    )
    _supported(merged, sgt(2026, 11, 2), sgt(2026, 11, 3))
    _supported(published, sgt(2026, 11, 4))
    # Through the service an organiser uses: the idea becomes "merged" into the initiative.
    initiatives_services.initiative_create(
        creator=organiser,
        title="Safer group chats",
        summary="S",
        description="D",
        solution_area=area("regulation"),
        harm_categories=[category("doxxing")],
        leads=[organiser],
        ideas=[merged],
    )
    merged.refresh_from_db()
    assert merged.status == IdeaStatus.MERGED
    assert _top() == [("Merged idea", 2), ("Still on its own", 1)]


def test_ideas_not_on_the_site_stay_out_of_the_most_supported():
    for status in (IdeaStatus.HIDDEN, IdeaStatus.WITHDRAWN, IdeaStatus.REJECTED):
        idea = IdeaFactory(title=f"Idea {status}", status=status, submitted_at=sgt(2026, 10, 20))
        _supported(idea, sgt(2026, 11, 2))
    assert _top() == []


def test_supporters_are_counted_at_the_end_of_the_period():
    idea = IdeaFactory(title="Idea", status=IdeaStatus.APPROVED, submitted_at=sgt(2026, 10, 20))
    # One before the period, one in it, one on the midnight that ends it (the end is exclusive).
    _supported(idea, sgt(2026, 10, 25), sgt(2026, 11, 7, 23, 59), sgt(2026, 11, 8))
    assert _top() == [("Idea", 2)]


def test_a_digest_without_supported_ideas_says_so_about_its_period(client, staff):
    later = IdeaFactory(title="Later", status=IdeaStatus.APPROVED, submitted_at=sgt(2026, 10, 1))
    _supported(later, sgt(2026, 11, 20))  # after the period: the idea's page shows it today
    start, end = PERIOD
    digest = Digest.objects.create(
        kind=DigestKind.ON_DEMAND, period_start=start, period_end=end, queued_at=start
    )
    services.digest_compile(digest_id=digest.pk)
    client.force_login(staff)
    page = client.get(reverse("reports:digest_detail", args=[digest.pk])).content.decode()
    assert "has supporters yet" not in page
    assert "No published idea had supporters by the end of the period." in page


def test_the_most_supported_definition_names_ideas_in_an_initiative():
    definition = str(figures.GLOSSARY["most_supported_ideas"].definition)
    assert "initiative" in definition
