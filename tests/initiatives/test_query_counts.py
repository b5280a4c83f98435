"""Each page's query count does not grow with the data behind it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives import services
from initiatives.models import CommentStatus, IdeaStatus
from tests.factories import CommentFactory, IdeaFactory, UserFactory


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_board_queries_do_not_grow_with_ideas(client, participant):
    client.force_login(participant)
    url = reverse("initiatives:idea_board")
    IdeaFactory(status=IdeaStatus.APPROVED)
    small = _count(client, url)
    for idea in IdeaFactory.create_batch(25, status=IdeaStatus.APPROVED, is_anonymous=True):
        services.idea_support_set(idea=idea, user=participant, supported=True)
    assert _count(client, url) == small


@pytest.mark.django_db
def test_idea_page_queries_do_not_grow_with_comments(client, participant):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    CommentFactory(idea=idea)
    url = reverse("initiatives:idea_detail", kwargs={"pk": idea.pk})
    client.force_login(participant)
    small = _count(client, url)
    for status in [CommentStatus.PUBLISHED] * 45 + [CommentStatus.HIDDEN] * 4:
        CommentFactory(idea=idea, status=status, is_anonymous=True)
    assert idea.comments.count() == 50
    assert _count(client, url) == small


@pytest.mark.django_db
def test_moderation_queue_queries_do_not_grow_with_the_queue(client, organiser, settings):
    url = reverse("initiatives:moderation_queue")
    client.force_login(organiser)

    def fill(n):
        for _ in range(n):
            IdeaFactory(status=IdeaStatus.SUBMITTED, personal_data_kinds=["phone"])
            published = IdeaFactory(status=IdeaStatus.APPROVED)
            services.report_create(reporter=UserFactory(), idea=published, reason="spam")
            comment = CommentFactory(status=CommentStatus.PENDING)
            services.report_create(reporter=UserFactory(), comment=comment, reason="minor")

    fill(1)
    small = _count(client, url)
    fill(12)
    assert _count(client, url) == small
