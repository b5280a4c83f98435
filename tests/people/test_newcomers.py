"""Newcomers' first words (issue 15, item 5): a new account's first comment waits for an
organiser (FIRST_CONTRIBUTIONS_PREMODERATED), everyone else's appears at once."""

import pytest
from django.urls import reverse

from initiatives import services
from initiatives.models import CommentStatus, IdeaStatus
from tests.factories import CommentFactory, IdeaFactory

pytestmark = pytest.mark.django_db


def _comment(author, idea):
    return services.comment_create(idea=idea, author=author, body="Hello", is_anonymous=False)


def test_a_new_accounts_first_comment_waits_and_the_next_after_approval_does_not(
    participant, organiser
):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    first = _comment(participant, idea)
    assert first.status == CommentStatus.PENDING
    assert _comment(participant, idea).status == CommentStatus.PENDING
    services.comment_approve(comment=first, moderator=organiser)
    assert _comment(participant, idea).status == CommentStatus.PUBLISHED


def test_the_setting_counts_how_many_first_comments_wait(settings, participant):
    settings.FIRST_CONTRIBUTIONS_PREMODERATED = 2
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    CommentFactory(author=participant, status=CommentStatus.PUBLISHED)
    assert _comment(participant, idea).status == CommentStatus.PENDING
    CommentFactory(author=participant, status=CommentStatus.PUBLISHED)
    assert _comment(participant, idea).status == CommentStatus.PUBLISHED
    settings.FIRST_CONTRIBUTIONS_PREMODERATED = 0
    assert _comment(IdeaFactory().author, idea).status == CommentStatus.PUBLISHED


def test_organisers_are_never_newcomers(organiser, staff):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    assert _comment(organiser, idea).status == CommentStatus.PUBLISHED


def test_the_newcomer_is_told_their_comment_waits_and_others_do_not_see_it(
    client, participant, other_participant
):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    client.force_login(participant)
    response = client.post(
        reverse("initiatives:idea_comment", kwargs={"pk": idea.pk}),
        {"body": "First words"},
        follow=True,
    )
    assert "Waiting for review" in response.content.decode()
    client.force_login(other_participant)
    assert "First words" not in client.get(idea.get_absolute_url()).content.decode()
