"""Initiatives move only along INITIATIVE_TRANSITIONS (on to any later status, or back one
step); comments only along COMMENT_TRANSITIONS. A move the table lacks is refused with a
message and writes nothing."""

import pytest
from django.urls import reverse

from afa_platform.states import TransitionError
from initiatives import models, services
from initiatives.models import (
    INITIATIVE_TRANSITIONS,
    CommentStatus,
    Initiative,
    InitiativeStatus,
    ModerationLog,
)
from initiatives.services import IdeaError
from tests.factories import CommentFactory, InitiativeFactory
from tests.state_tables import without

pytestmark = pytest.mark.django_db

I = InitiativeStatus  # noqa: E741


@pytest.mark.parametrize(
    ("before", "after"),
    sorted((a, b) for a, targets in INITIATIVE_TRANSITIONS.items() for b in targets),
)
def test_every_move_in_the_initiative_table_is_made_and_logged(organiser, before, after):
    initiative = InitiativeFactory(leads=[organiser], status=before)
    services.initiative_set_status(initiative=initiative, actor=organiser, status=after)
    assert Initiative.objects.get(pk=initiative.pk).status == after
    (entry,) = ModerationLog.objects.filter(target_kind="initiative")
    assert (entry.from_status, entry.to_status) == (before, after)


def test_a_launched_initiative_cannot_go_back_to_forming(organiser):
    initiative = InitiativeFactory(leads=[organiser], status=I.LAUNCHED)
    with pytest.raises(
        IdeaError, match="An initiative that is “Launched” cannot become “Forming”."
    ):
        services.initiative_set_status(initiative=initiative, actor=organiser, status=I.FORMING)
    assert Initiative.objects.get(pk=initiative.pk).status == I.LAUNCHED
    assert not ModerationLog.objects.filter(target_kind="initiative").exists()


def test_the_status_page_refuses_a_move_the_table_lacks_with_a_message(client, organiser):
    initiative = InitiativeFactory(leads=[organiser], status=I.LAUNCHED)
    client.force_login(organiser)
    url = reverse("initiatives:initiative_status", kwargs={"slug": initiative.slug})
    response = client.post(url, {"status": I.FORMING}, follow=True)
    assert "An initiative that is “Launched” cannot become “Forming”." in response.content.decode()
    assert Initiative.objects.get(pk=initiative.pk).status == I.LAUNCHED


def test_the_status_menu_offers_only_the_moves_the_table_allows(client, organiser):
    initiative = InitiativeFactory(leads=[organiser], status=I.LAUNCHED)
    client.force_login(organiser)
    page = client.get(initiative.get_absolute_url()).content.decode()
    menu = page.split('name="status"', 1)[1].split("</select>", 1)[0]
    assert 'value="launched"' in menu and 'value="in_progress"' in menu
    assert 'value="forming"' not in menu


def test_approving_a_comment_follows_the_comment_table(organiser, monkeypatch):
    comment = CommentFactory(status=CommentStatus.PENDING)
    table = without(models.COMMENT_TRANSITIONS, CommentStatus.PENDING, CommentStatus.PUBLISHED)
    monkeypatch.setattr(services, "COMMENT_TRANSITIONS", table)
    with pytest.raises(TransitionError, match="pending may not become published"):
        services.comment_approve(comment=comment, moderator=organiser)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING


def test_deleting_a_comment_follows_the_comment_table(monkeypatch):
    comment = CommentFactory(status=CommentStatus.PUBLISHED)
    table = without(models.COMMENT_TRANSITIONS, CommentStatus.PUBLISHED, CommentStatus.DELETED)
    monkeypatch.setattr(services, "COMMENT_TRANSITIONS", table)
    with pytest.raises(TransitionError):
        services.comment_delete(comment=comment, author=comment.author)
    comment.refresh_from_db()
    assert (comment.status, bool(comment.body)) == (CommentStatus.PUBLISHED, True)


def test_a_deleted_comment_offers_no_moderation(organiser):
    comment = CommentFactory(status=CommentStatus.DELETED, body="")
    assert not comment.can_be_hidden and not comment.can_be_deleted
    with pytest.raises(IdeaError, match="already"):
        services.comment_hide(comment=comment, moderator=organiser, reason="x")
