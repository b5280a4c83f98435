"""Personal-data markers on ideas and comments were comma-separated text; initiatives 0006
makes them JSON lists, as on feedback. A database holding markers at 0005 is migrated forward
and back, on SQLite and on PostgreSQL."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from harms.models import HarmCategory, SolutionArea
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = [("initiatives", "0005_outbox_replaces_sent_notifications")]
LISTS = [("initiatives", "0006_personal_data_kinds_as_json_lists")]


def migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def at_text_markers():
    """The database at 0005; whatever happens, the latest state again afterwards."""
    try:
        yield migrate(TEXT)
    finally:
        migrate_to_latest()


def _rows_with_text_markers(apps) -> dict[str, int]:
    OldIdea = apps.get_model("initiatives", "Idea")
    OldComment = apps.get_model("initiatives", "Comment")
    author = UserFactory()
    common = {
        "author_id": author.pk,
        "body": "Body",
        "harm_category_id": HarmCategory.objects.order_by("pk").first().pk,
        "solution_area_id": SolutionArea.objects.order_by("pk").first().pk,
        "status": "submitted",
    }
    flagged = OldIdea.objects.create(title="Flagged", personal_data_kinds="phone,name", **common)
    plain = OldIdea.objects.create(title="Plain", personal_data_kinds="", **common)
    comment = OldComment.objects.create(
        idea_id=flagged.pk, author_id=author.pk, body="Mail me", personal_data_kinds="email"
    )
    quiet = OldComment.objects.create(idea_id=plain.pk, author_id=author.pk, body="Agreed")
    return {"flagged": flagged.pk, "plain": plain.pk, "comment": comment.pk, "quiet": quiet.pk}


def test_comma_separated_markers_become_json_lists(at_text_markers):
    ids = _rows_with_text_markers(at_text_markers)
    # The models as they were at 0006: later migrations add columns (the language, 0011).
    apps = migrate(LISTS)
    Idea = apps.get_model("initiatives", "Idea")
    Comment = apps.get_model("initiatives", "Comment")
    assert Idea.objects.get(pk=ids["flagged"]).personal_data_kinds == ["phone", "name"]
    assert Idea.objects.get(pk=ids["plain"]).personal_data_kinds == []
    assert Comment.objects.get(pk=ids["comment"]).personal_data_kinds == ["email"]
    assert Comment.objects.get(pk=ids["quiet"]).personal_data_kinds == []


def test_migrating_back_joins_the_lists_with_commas_again(at_text_markers):
    ids = _rows_with_text_markers(at_text_markers)
    migrate(LISTS)
    apps = migrate(TEXT)
    OldIdea = apps.get_model("initiatives", "Idea")
    OldComment = apps.get_model("initiatives", "Comment")
    assert OldIdea.objects.get(pk=ids["flagged"]).personal_data_kinds == "phone,name"
    assert OldIdea.objects.get(pk=ids["plain"]).personal_data_kinds == ""
    assert OldComment.objects.get(pk=ids["comment"]).personal_data_kinds == "email"
    assert OldComment.objects.get(pk=ids["quiet"]).personal_data_kinds == ""
