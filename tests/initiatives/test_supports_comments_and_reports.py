"""Support, comments, reports and initiatives."""

import pytest
from django.core import mail
from django.urls import reverse

from initiatives import services
from initiatives.models import (
    CoCreator,
    Comment,
    CommentStatus,
    IdeaStatus,
    InitiativeUpdate,
    ModerationLog,
    Report,
    Support,
)
from initiatives.services import IdeaError
from tests.factories import CommentFactory, IdeaFactory, InitiativeFactory, UserFactory


@pytest.mark.django_db
def test_support_toggles_on_and_off_and_counts_once(client, other_participant):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    url = reverse("initiatives:idea_support", kwargs={"pk": idea.pk})
    client.force_login(other_participant)
    client.post(url, {"supported": "1"})
    client.post(url, {"supported": "1"})  # a double click does not count twice
    idea.refresh_from_db()
    assert idea.support_count == 1 and Support.objects.count() == 1
    page = client.get(idea.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in page
    client.post(url, {"supported": "0"})
    client.post(url, {"supported": "0"})
    idea.refresh_from_db()
    assert idea.support_count == 0 and not Support.objects.exists()


@pytest.mark.django_db
def test_cannot_support_own_or_unpublished_ideas(participant, other_participant):
    mine = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    with pytest.raises(IdeaError):
        services.idea_support_set(idea=mine, user=participant, supported=True)
    pending = IdeaFactory(status=IdeaStatus.SUBMITTED)
    with pytest.raises(IdeaError):
        services.idea_support_set(idea=pending, user=other_participant, supported=True)
    assert not Support.objects.exists()


@pytest.mark.django_db
def test_comment_is_visible_at_once_by_default(client, participant, other_participant):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    # Not a newcomer (FIRST_CONTRIBUTIONS_PREMODERATED): one comment of theirs is public.
    CommentFactory(author=participant)
    client.force_login(participant)
    client.post(
        reverse("initiatives:idea_comment", kwargs={"pk": idea.pk}), {"body": "Yes, please!"}
    )
    client.force_login(other_participant)
    assert "Yes, please!" in client.get(idea.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_premoderated_comments_wait_for_an_organiser(
    client, settings, participant, other_participant, organiser
):
    settings.COMMENTS_PREMODERATED = True
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    client.force_login(participant)
    client.post(
        reverse("initiatives:idea_comment", kwargs={"pk": idea.pk}), {"body": "Waiting text"}
    )
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.PENDING
    assert "Waiting text" in client.get(idea.get_absolute_url()).content.decode()  # own
    client.force_login(other_participant)
    assert "Waiting text" not in client.get(idea.get_absolute_url()).content.decode()
    client.force_login(organiser)
    assert "Waiting text" in client.get(reverse("initiatives:moderation_queue")).content.decode()
    client.post(
        reverse("initiatives:moderation_comment", kwargs={"pk": comment.pk}), {"action": "approve"}
    )
    client.force_login(other_participant)
    assert "Waiting text" in client.get(idea.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_author_deletes_own_comment_and_hidden_comments_leave_a_placeholder(
    client, participant, organiser
):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    own = CommentFactory(idea=idea, author=participant, body="Mine to delete")
    other = CommentFactory(idea=idea, body="Rude remark")
    client.force_login(participant)
    client.post(reverse("initiatives:comment_delete", kwargs={"pk": own.pk}))
    assert (
        client.post(reverse("initiatives:comment_delete", kwargs={"pk": other.pk})).status_code
        == 404
    )
    services.comment_hide(comment=other, moderator=organiser, reason="Rude")
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Mine to delete" not in page and "deleted by its author" in page
    assert "Rude remark" not in page and "removed by a moderator" in page
    own.refresh_from_db()
    assert own.body == ""


@pytest.mark.django_db
def test_three_different_reporters_hide_an_idea_and_the_author_is_told(
    participant, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    reporters = UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_create(reporter=reporters[0], idea=idea, reason="spam")
        with pytest.raises(IdeaError, match="already reported"):
            services.report_create(reporter=reporters[0], idea=idea, reason="spam")
        services.report_create(reporter=reporters[1], idea=idea, reason="harassment")
        idea.refresh_from_db()
        assert idea.status == IdeaStatus.APPROVED
        services.report_create(reporter=reporters[2], idea=idea, reason="other")
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.HIDDEN
    hide = ModerationLog.objects.get(idea_id=idea.pk, to_status="hidden")
    assert hide.actor is None
    acknowledgements = [m for m in mail.outbox if m.subject == "We have received your report"]
    assert len(acknowledgements) == 3
    assert [m.to for m in mail.outbox if m.subject == "An update on your idea"] == [
        [participant.email]
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["minor", "personal_details"])
def test_urgent_report_hides_at_once_and_tops_the_queue(client, organiser, reason):
    older = IdeaFactory(status=IdeaStatus.APPROVED, title="Older reported idea")
    services.report_create(reporter=UserFactory(), idea=older, reason="spam")
    urgent = IdeaFactory(status=IdeaStatus.APPROVED, title="Urgent reported idea")
    services.report_create(reporter=UserFactory(), idea=urgent, reason=reason)
    urgent.refresh_from_db()
    older.refresh_from_db()
    assert urgent.status == IdeaStatus.HIDDEN and older.status == IdeaStatus.APPROVED
    client.force_login(organiser)
    response = client.get(reverse("initiatives:moderation_queue"))
    assert [item["target"].title for item in response.context["reported"]] == [
        "Urgent reported idea",
        "Older reported idea",
    ]
    assert response.context["reported"][0]["urgent"]


@pytest.mark.django_db
def test_urgent_report_on_a_comment_hides_it(client, other_participant):
    comment = CommentFactory(body="Her number is 91234567")
    client.force_login(other_participant)
    response = client.post(
        reverse("initiatives:comment_report", kwargs={"pk": comment.pk}),
        {"reason": "personal_details", "note": ""},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN
    assert "Her number" not in client.get(comment.idea.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_resolving_reports_restores_or_removes(organiser, participant):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    services.report_create(reporter=UserFactory(), idea=idea, reason="minor")
    services.reports_resolve(moderator=organiser, idea=idea, uphold=False, note="Fine")
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.APPROVED
    assert Report.objects.get().status == "dismissed"
    services.report_create(reporter=UserFactory(), idea=idea, reason="personal_details")
    services.reports_resolve(moderator=organiser, idea=idea, uphold=True, note="Doxxing")
    idea.refresh_from_db()
    assert (idea.status, idea.moderator_note) == (IdeaStatus.REJECTED, "Doxxing")
    with pytest.raises(IdeaError, match="already resolved"):
        services.reports_resolve(moderator=organiser, idea=idea, uphold=True, note="")


@pytest.mark.django_db
def test_cannot_report_own_content(participant):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    with pytest.raises(IdeaError):
        services.report_create(reporter=participant, idea=idea, reason="spam")


@pytest.mark.django_db
def test_organiser_merges_two_ideas_into_an_initiative(client, organiser, participant):
    named = IdeaFactory(author=participant, status=IdeaStatus.APPROVED, title="Idea one")
    anonymous = IdeaFactory(status=IdeaStatus.APPROVED, title="Idea two", is_anonymous=True)
    client.force_login(organiser)
    response = client.post(
        reverse("initiatives:initiative_create"),
        {
            "title": "Safer Schools Online",
            "summary": "Consent lessons and a parents' guide.",
            "description": "Workshops.\nGuides.",
            "solution_area": named.solution_area_id,
            "harm_categories": [named.harm_category_id],
            "ideas": [named.pk, anonymous.pk],
            "leads": [organiser.pk],
        },
    )
    assert response.status_code == 302
    named.refresh_from_db()
    anonymous.refresh_from_db()
    assert named.status == anonymous.status == IdeaStatus.MERGED
    initiative = named.merged_into
    assert anonymous.merged_into == initiative
    client.logout()
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "Safer Schools Online" in page
    assert participant.display_name in page  # credited
    assert anonymous.author.display_name not in page and "Anonymous participant" in page
    page = client.get(named.get_absolute_url()).content.decode()
    assert initiative.get_absolute_url() in page


@pytest.mark.django_db
def test_merging_an_idea_decided_meanwhile_creates_nothing(organiser):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    stale = IdeaFactory(status=IdeaStatus.APPROVED)
    services.idea_hide(idea=stale, moderator=organiser, reason="Reports")
    from initiatives.models import Idea, Initiative

    stale_copy = Idea.objects.get(pk=stale.pk)
    stale_copy.status = IdeaStatus.APPROVED  # what the form saw
    with pytest.raises(IdeaError):
        services.initiative_create(
            creator=organiser,
            title="X",
            summary="s",
            description="d",
            solution_area=idea.solution_area,
            harm_categories=[],
            leads=[organiser],
            ideas=[idea, stale_copy],
        )
    assert not Initiative.objects.exists()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.APPROVED


@pytest.mark.django_db
def test_an_initiative_named_like_one_created_a_moment_earlier_takes_the_next_slug(
    organiser, monkeypatch
):
    """The race: both organisers found "fast-help" free. Replay it by handing the second
    create the slug the first one has just taken."""
    InitiativeFactory(title="Fast help", slug="fast-help")
    real = services._unique_slug
    answers = iter(["fast-help"])
    monkeypatch.setattr(services, "_unique_slug", lambda title: next(answers, None) or real(title))
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    initiative = services.initiative_create(
        creator=organiser,
        title="Fast help",
        summary="s",
        description="d",
        solution_area=idea.solution_area,
        harm_categories=[],
        leads=[organiser],
        ideas=[idea],
    )
    assert initiative.slug == "fast-help-2"
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.MERGED


@pytest.mark.django_db
def test_join_with_role_and_pledge_once_and_updates_email_cocreators_on_commit(
    client, participant, other_participant, organiser, django_capture_on_commit_callbacks
):
    initiative = InitiativeFactory(leads=[organiser])
    url = reverse("initiatives:initiative_join", kwargs={"slug": initiative.slug})
    for user in (participant, other_participant):
        client.force_login(user)
        client.post(url, {"role": "volunteer", "pledge": "Two hours a month"})
    client.force_login(participant)
    client.post(url, {"role": "expert", "pledge": "Legal advice"})  # joining again edits
    assert CoCreator.objects.count() == 2
    assert CoCreator.objects.get(user=participant).role == "expert"
    assert "Legal advice" in client.get(initiative.get_absolute_url()).content.decode()

    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            reverse("initiatives:initiative_post_update", kwargs={"slug": initiative.slug}),
            {"title": "Pilot school found", "body": "We start in May."},
        )
    assert InitiativeUpdate.objects.count() == 1 and not mail.outbox  # nothing before commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [participant.email, other_participant.email]
    )
    # Draining the outbox again sends nothing twice.
    from outbox.services import outbox_drain

    assert outbox_drain() == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_cocreator_cannot_post_updates_but_lead_can(client, participant, organiser):
    initiative = InitiativeFactory(leads=[participant])
    client.force_login(participant)
    response = client.post(
        reverse("initiatives:initiative_post_update", kwargs={"slug": initiative.slug}),
        {"title": "Lead news", "body": "Hello"},
    )
    assert response.status_code == 302
    assert InitiativeUpdate.objects.filter(title="Lead news").exists()
