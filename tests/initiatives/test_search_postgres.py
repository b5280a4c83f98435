import pytest
from django.db import connection

from initiatives import selectors
from initiatives.models import Idea, IdeaStatus
from tests.factories import IdeaFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_full_text_search_uses_stemming_and_the_gin_index():
    IdeaFactory(status=IdeaStatus.APPROVED, title="Teach students", body="Workshops on reporting")
    IdeaFactory(status=IdeaStatus.APPROVED, title="Fine platforms", body="Regulation")
    found = selectors.board_ideas(query="workshop reported")
    assert [idea.title for idea in found] == ["Teach students"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        query = selectors.search_ideas(Idea.objects.all(), "workshop")
        plan = query.explain()
    assert "idea_search_gin" in plan
