"""`people_took_part` counts each person once across registrations, feedback and ideas, in one
query PostgreSQL can plan without a subplan per user (345 s at national scale before)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Background
from engagement.models import RegistrationStatus
from reports.figures import people_who_took_part
from reports.filters import ReportFilters
from tests.conftest import ON_POSTGRES
from tests.factories.accounts import UserFactory
from tests.factories.engagement import EngagementSessionFactory, RegistrationFactory
from tests.factories.feedback import FeedbackFactory
from tests.factories.initiatives import IdeaFactory

pytestmark = pytest.mark.django_db


def took_part():
    """Ten parents, in every overlap of the three ways of taking part, and people who did not."""
    session = EngagementSessionFactory(capacity=50)
    parents = UserFactory.create_batch(7, background=Background.PARENT)
    a, b, c, ab, ac, bc, abc = parents
    for person in (a, ab, ac, abc):
        RegistrationFactory(session=session, participant=person)
    for person in (b, ab, bc, abc):
        FeedbackFactory(participant=person)
    for person in (c, ac, bc, abc):
        IdeaFactory(author=person)
    cancelled = UserFactory(background=Background.PARENT)
    RegistrationFactory(session=session, participant=cancelled, status=RegistrationStatus.CANCELLED)
    UserFactory(background=Background.PARENT)  # signed up, nothing else
    return parents


def test_each_person_counts_once_however_many_ways_they_took_part():
    took_part()
    figures = people_who_took_part(ReportFilters().scope)
    counts = {code: count for code, _label, count in figures["rows"]}
    assert counts[Background.PARENT] == 7
    assert figures["total"] == 7


@pytest.mark.postgres
def test_the_query_has_no_subplan_run_per_user():
    took_part()
    with CaptureQueriesContext(connection) as queries:
        people_who_took_part(ReportFilters().scope)
    (query,) = [q["sql"] for q in queries.captured_queries if '"accounts_user"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "SubPlan" not in plan, plan
    assert ON_POSTGRES
