"""The ideas board's first page (both sorts) and the home page's ideas read an index range
in order, not a sort of every approved idea (PostgreSQL)."""

import pytest
from django.db import connection

from initiatives import selectors
from initiatives.models import IdeaStatus
from tests.factories.initiatives import IdeaFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows would be seq-scanned whatever the indexes: ask what it can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("sort", "index"), [("newest", "idea_board_newest"), ("supported", "idea_board_supported")]
)
def test_each_board_sort_reads_its_index_in_order(sort, index):
    IdeaFactory.create_batch(3, status=IdeaStatus.APPROVED)
    first_page = selectors.board_ideas(sort=sort)[:20]
    explained = plan(first_page)
    assert index in explained, explained
    assert "Sort" not in explained.replace("Sort Key", ""), explained
