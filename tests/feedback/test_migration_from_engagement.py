"""Moving feedback out of engagement (issue 11) loses no row: a database holding feedback at
the migrations before the move finds all of it, its suggestions and its harm links, through
feedback.models afterwards; and its content type (with the permissions granted on it and
the admin log entries that point at it) follows the models to the feedback app."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from feedback.models import Feedback, FeedbackSuggestion, QuoteStatus
from harms.models import HarmCategory, SolutionArea
from tests.factories import FeedbackFactory, UserFactory

# The last migrations before the move: engagement still owns feedback, the feedback app has
# none applied.
BEFORE_THE_MOVE = [("engagement", "0004_registration_notice_outbox"), ("feedback", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # so that the next executor reads what is applied now
    return executor


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _feedback_rows(model):
    return {
        (*row[:-1], tuple(row[-1]))  # the personal data kinds, a JSON list
        for row in model.objects.values_list(
            "pk",
            "participant_id",
            "session_id",
            "experience",
            "rating",
            "quote_consent",
            "quote_status",
            "quote_excerpt",
            "personal_data_kinds",
        )
    }


def _seed_before_the_move(old_apps) -> dict:
    """Feedback as engagement stored it, written through the historical models."""
    OldFeedback = old_apps.get_model("engagement", "Feedback")
    OldSuggestion = old_apps.get_model("engagement", "FeedbackSuggestion")
    ContentType_ = old_apps.get_model("contenttypes", "ContentType")
    Permission_ = old_apps.get_model("auth", "Permission")
    Group = old_apps.get_model("auth", "Group")

    participant, other, reviewer = UserFactory(), UserFactory(), UserFactory()
    started = timezone.now() - timedelta(days=1)
    # Through the historical model: today's factory would write columns added since.
    session = old_apps.get_model("engagement", "EngagementSession").objects.create(
        title="Conversation before the move",
        slug="conversation-before-the-move",
        summary="A facilitated conversation.",
        description="Details.",
        starts_at=started,
        ends_at=started + timedelta(hours=2),
        mode="in_person",
        venue="Central Public Library",
        capacity=10,
        registration_opens_at=started - timedelta(days=7),
        registration_closes_at=started - timedelta(hours=1),
        status="published",
    )
    harms = list(HarmCategory.objects.order_by("pk").values_list("pk", flat=True)[:3])
    areas = list(SolutionArea.objects.order_by("pk").values_list("pk", flat=True)[:2])
    later = timezone.now() + timedelta(days=3)

    quoted = OldFeedback.objects.create(
        participant_id=participant.pk,
        session_id=session.pk,
        experience="The chat group kept sharing the photo.",
        rating=4,
        quote_consent=True,
        quote_status=QuoteStatus.APPROVED,
        quote_excerpt="The chat group kept sharing the photo.",
        quote_reviewed_by_id=reviewer.pk,
        quote_reviewed_at=timezone.now(),
        personal_data_kinds=["phone"],
        editable_until=later,
    )
    general = OldFeedback.objects.create(
        participant_id=participant.pk,
        experience="",
        share_anonymously=False,
        editable_until=later,
    )
    pending = OldFeedback.objects.create(
        participant_id=other.pk,
        experience="Reporting took weeks.",
        quote_consent=True,
        quote_status=QuoteStatus.PENDING,
        editable_until=later,
    )
    quoted.harm_categories.set(harms[:2])
    general.harm_categories.set(harms[1:3])
    pending.harm_categories.set(harms[:1])
    OldSuggestion.objects.create(feedback=quoted, solution_area_id=areas[0], text="Teach it.")
    OldSuggestion.objects.create(feedback=general, solution_area_id=areas[0], text="Partner.")
    OldSuggestion.objects.create(feedback=general, solution_area_id=areas[1], text="Regulate.")

    content_type, _ = ContentType_.objects.get_or_create(app_label="engagement", model="feedback")
    permission, _ = Permission_.objects.get_or_create(
        content_type=content_type, codename="view_feedback", defaults={"name": "Can view feedback"}
    )
    readers = Group.objects.create(name="Feedback readers (migration test)")
    readers.permissions.add(permission)
    log_entry = LogEntry.objects.create(
        user_id=reviewer.pk,
        content_type_id=content_type.pk,
        object_id=str(quoted.pk),
        object_repr=f"Feedback #{quoted.pk}",
        action_flag=CHANGE,
    )
    return {
        "feedback": _feedback_rows(OldFeedback),
        "suggestions": set(
            OldSuggestion.objects.values_list("pk", "feedback_id", "solution_area_id", "text")
        ),
        "harm_links": set(
            OldFeedback.harm_categories.through.objects.values_list(
                "feedback_id", "harmcategory_id"
            )
        ),
        "content_type": content_type.pk,
        "permission": permission.pk,
        "log_entry": log_entry.pk,
        "quoted": quoted.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_moving_feedback_to_its_app_keeps_every_row_suggestion_harm_link_and_permission():
    executor = _migrate(BEFORE_THE_MOVE)
    try:
        old_apps = executor.loader.project_state(BEFORE_THE_MOVE[:1]).apps
        before = _seed_before_the_move(old_apps)
    finally:
        _migrate(_latest())
    ContentType.objects.clear_cache()

    assert len(before["feedback"]) == 3
    assert _feedback_rows(Feedback) == before["feedback"]
    assert (
        set(FeedbackSuggestion.objects.values_list("pk", "feedback_id", "solution_area_id", "text"))
        == before["suggestions"]
    )
    assert len(before["harm_links"]) == 5
    assert (
        set(Feedback.harm_categories.through.objects.values_list("feedback_id", "harmcategory_id"))
        == before["harm_links"]
    )
    quoted = Feedback.objects.get(pk=before["quoted"])
    assert quoted.quote_status == QuoteStatus.APPROVED
    assert quoted.suggestions.get().text == "Teach it."

    # The same content type row, now labelled feedback: what was granted on it still is.
    content_type = ContentType.objects.get_for_model(Feedback)
    assert content_type.pk == before["content_type"]
    assert not ContentType.objects.filter(app_label="engagement", model="feedback").exists()
    permission = Permission.objects.get(pk=before["permission"])
    assert permission.content_type_id == content_type.pk
    assert Permission.objects.filter(
        group__name="Feedback readers (migration test)",
        content_type__app_label="feedback",
        codename="view_feedback",
    ).exists()
    assert LogEntry.objects.get(pk=before["log_entry"]).get_edited_object() == quoted

    # New rows carry on after the old ones (the tables and their id sequences are the same).
    newer = FeedbackFactory(participant_id=quoted.participant_id, editable_until=timezone.now())
    assert newer.pk > max(row[0] for row in before["feedback"])
