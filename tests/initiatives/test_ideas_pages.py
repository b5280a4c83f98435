"""Submitting, editing, reading and searching ideas through the pages."""

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from engagement.models import SessionAccess
from harms.models import HarmCategory, SolutionArea
from initiatives.models import BODY_MAX, TITLE_MAX, Idea, IdeaStatus
from tests.factories import CommentFactory, EngagementSessionFactory, IdeaFactory


def _form(**overrides) -> dict:
    data = {
        "title": "Consent lessons in every secondary school",
        "body": "Teach what image-based abuse is and how to get help.\nInclude parents.",
        "harm_category": HarmCategory.objects.get(slug="image-based-sexual-abuse").pk,
        "solution_area": SolutionArea.objects.get(name="Public education").pk,
        "submission_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_participant_submits_an_idea_and_sees_it_waiting_on_my_ideas(client, participant):
    client.force_login(participant)
    response = client.post(reverse("initiatives:idea_create"), _form())
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert (idea.author, idea.status, idea.personal_data_kinds) == (participant, "submitted", [])
    page = client.get(reverse("initiatives:my_ideas")).content.decode()
    assert "Consent lessons in every secondary school" in page
    assert "Waiting for review" in page


@pytest.mark.django_db
def test_save_as_draft_keeps_it_private(client, participant):
    client.force_login(participant)
    client.post(reverse("initiatives:idea_create"), _form(save_draft="1"))
    assert Idea.objects.get().status == IdeaStatus.DRAFT


@pytest.mark.django_db
def test_personal_data_is_flagged_before_submit_and_marked_when_confirmed(client, participant):
    client.force_login(participant)
    data = _form(body="Call my friend Aisyah on +65 9123 4567 to hear what happened.")
    response = client.post(reverse("initiatives:idea_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Your idea seems to include a name of another person (“Aisyah”) and a phone number "
        "(“+65 9123 4567”)"
    ) in page
    assert not Idea.objects.exists()

    data["confirm_personal_data"] = "on"
    response = client.post(reverse("initiatives:idea_create"), data)
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert idea.personal_data_kinds == ["name", "phone"]


@pytest.mark.django_db
def test_double_click_on_submit_makes_one_idea(client, participant):
    client.force_login(participant)
    data = _form()
    first = client.post(reverse("initiatives:idea_create"), data)
    second = client.post(reverse("initiatives:idea_create"), data)
    assert first.status_code == second.status_code == 302
    assert Idea.objects.count() == 1


@pytest.mark.django_db
def test_rapid_fire_submissions_get_a_clear_message(client, participant, settings):
    settings.IDEAS_PER_HOUR = 1
    client.force_login(participant)
    client.post(reverse("initiatives:idea_create"), _form())
    response = client.post(reverse("initiatives:idea_create"), _form())
    assert response.status_code == 200
    assert "in the last hour" in response.content.decode()
    assert Idea.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "x" * (TITLE_MAX + 1)),
        ("body", "y" * (BODY_MAX + 1)),
        ("title", "   "),
        ("body", ""),
        ("harm_category", "999999"),
        ("solution_area", "not-a-number"),
        ("submission_token", "not-a-uuid"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, participant, field, value):
    client.force_login(participant)
    response = client.post(reverse("initiatives:idea_create"), _form(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Idea.objects.exists()


@pytest.mark.django_db
def test_form_shows_limits_and_explains_why_there_is_no_upload(client, participant):
    client.force_login(participant)
    page = client.get(reverse("initiatives:idea_create")).content.decode()
    assert f"up to {TITLE_MAX} characters" in page
    assert f'maxlength="{BODY_MAX}"' in page
    assert "We never collect images" in page
    assert 'type="file"' not in page


@pytest.mark.django_db
def test_author_edits_and_resubmits_after_changes_requested(client, participant, organiser):
    idea = IdeaFactory(
        author=participant,
        status=IdeaStatus.CHANGES_REQUESTED,
        moderator_note="Say who would run it.",
    )
    client.force_login(participant)
    page = client.get(reverse("initiatives:idea_edit", kwargs={"pk": idea.pk})).content.decode()
    assert "Say who would run it." in page
    client.post(
        reverse("initiatives:idea_edit", kwargs={"pk": idea.pk}),
        _form(title="Run by the school counsellors"),
    )
    idea.refresh_from_db()
    assert (idea.title, idea.status) == ("Run by the school counsellors", IdeaStatus.SUBMITTED)


@pytest.mark.django_db
def test_my_ideas_shows_decision_and_reason_and_allows_withdraw(client, participant):
    rejected = IdeaFactory(
        author=participant, status=IdeaStatus.REJECTED, moderator_note="Not about online harms."
    )
    waiting = IdeaFactory(author=participant, status=IdeaStatus.SUBMITTED)
    client.force_login(participant)
    page = client.get(reverse("initiatives:my_ideas")).content.decode()
    assert "Not published" in page and "Not about online harms." in page
    client.post(reverse("initiatives:idea_withdraw", kwargs={"pk": waiting.pk}))
    waiting.refresh_from_db()
    assert waiting.status == IdeaStatus.WITHDRAWN
    assert rejected.status == IdeaStatus.REJECTED


XSS = '<script>alert(1)</script><a href="javascript:alert(2)">click</a><b>bold</b>'


@pytest.mark.django_db
def test_html_in_titles_bodies_and_comments_renders_as_text(client, participant, organiser):
    idea = IdeaFactory(
        status=IdeaStatus.APPROVED,
        title=f"T {XSS}",
        body=f"B {XSS}",
        has_content_warning=True,
        content_warning_note=f"W {XSS}",
    )
    CommentFactory(idea=idea, body=f"C {XSS}")
    for viewer in (None, participant, organiser):
        client.logout()
        if viewer:
            client.force_login(viewer)
        for url in (
            reverse("initiatives:idea_detail", kwargs={"pk": idea.pk}),
            reverse("initiatives:idea_board"),
            "/",
        ):
            page = client.get(url).content.decode()
            assert "<script>alert(1)" not in page
            assert 'href="javascript:' not in page
            assert "<b>bold</b>" not in page
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    client.force_login(organiser)
    page = client.get(reverse("initiatives:moderation_idea", kwargs={"pk": idea.pk})).content
    assert b"<script>alert(1)" not in page


@pytest.mark.django_db
def test_anonymous_authors_never_appear_in_public_html(
    client, participant, other_participant, organiser
):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED, is_anonymous=True)
    CommentFactory(idea=idea, author=other_participant, is_anonymous=True)
    pages = [
        reverse("initiatives:idea_detail", kwargs={"pk": idea.pk}),
        reverse("initiatives:idea_board"),
        "/",
    ]
    for viewer in (None, other_participant):
        client.logout()
        if viewer:
            client.force_login(viewer)
        for url in pages:
            page = client.get(url).content.decode()
            assert participant.display_name not in page, url
            assert "Anonymous participant" in page
    # The comment's anonymous author is hidden from the idea's author too.
    client.force_login(participant)
    page = client.get(pages[0]).content.decode()
    assert other_participant.display_name not in page
    client.force_login(organiser)
    page = client.get(pages[0]).content.decode()
    assert participant.display_name in page and other_participant.display_name in page


@pytest.mark.django_db
def test_content_warning_collapses_text_unless_the_reader_chose_expanded(client, participant):
    idea = IdeaFactory(
        status=IdeaStatus.APPROVED,
        has_content_warning=True,
        content_warning_note="Describes grooming of a child",
    )
    url = reverse("initiatives:idea_detail", kwargs={"pk": idea.pk})
    page = client.get(url).content.decode()
    assert '<details class="content-warning">' in page
    assert "Describes grooming of a child" in page
    client.force_login(participant)
    client.post(
        reverse("accounts:profile"),
        {
            "display_name": participant.display_name,
            "background": "parent",
            "organisation": "",
            "content_warning_display": "expanded",
        },
    )
    participant.refresh_from_db()
    assert participant.content_warning_display == "expanded"
    assert '<details class="content-warning" open>' in client.get(url).content.decode()


@pytest.mark.django_db
def test_board_shows_only_published_ideas_filtered_and_sorted(client):
    doxxing = HarmCategory.objects.get(slug="doxxing")
    regulation = SolutionArea.objects.get(name="Regulation")
    popular = IdeaFactory(
        status=IdeaStatus.APPROVED,
        title="Popular idea",
        support_count=9,
        harm_category=HarmCategory.objects.get(slug="unwelcome-interactions"),
    )
    newer = IdeaFactory(
        status=IdeaStatus.APPROVED,
        title="Newer idea about doxxing",
        harm_category=doxxing,
        solution_area=regulation,
    )
    IdeaFactory(status=IdeaStatus.SUBMITTED, title="Pending idea")
    IdeaFactory(status=IdeaStatus.HIDDEN, title="Hidden idea")
    board = reverse("initiatives:idea_board")

    def titles(**params):
        return [idea.title for idea in client.get(board, params).context["page"].object_list]

    assert titles() == [newer.title, popular.title]
    assert titles(sort="supported") == [popular.title, newer.title]
    # A top-level category includes its sub-categories.
    assert titles(category=doxxing.parent_id) == [newer.title]
    assert titles(area=regulation.pk) == [newer.title]
    assert titles(q="doxxing") == [newer.title]
    assert titles(q="Pending") == []


@pytest.mark.django_db
def test_board_filters_by_session(client):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    session = EngagementSessionFactory(
        title="Second engagement session",
        slug="second",
        summary="s",
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        capacity=30,
        registration_opens_at=now - timedelta(days=9),
        registration_closes_at=now - timedelta(days=1),
        status="published",
    )
    from_session = IdeaFactory(status=IdeaStatus.APPROVED, session=session)
    IdeaFactory(status=IdeaStatus.APPROVED)
    response = client.get(reverse("initiatives:idea_board"), {"session": session.pk})
    assert [i.pk for i in response.context["page"].object_list] == [from_session.pk]
    assert "Second engagement session" in response.content.decode()


@pytest.mark.django_db
def test_home_page_and_nav_show_ideas(client, organiser):
    IdeaFactory(status=IdeaStatus.APPROVED, title="Helpline stickers in MRT stations")
    IdeaFactory(status=IdeaStatus.SUBMITTED)
    page = client.get("/").content.decode()
    assert "Helpline stickers in MRT stations" in page
    assert reverse("initiatives:idea_board") in page
    client.force_login(organiser)
    page = client.get("/").content.decode()
    assert reverse("initiatives:moderation_queue") in page
    assert '1<span class="visually-hidden"> ideas waiting' in page


@pytest.mark.django_db
def test_author_decision_email_names_no_harm(
    client, participant, organiser, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(
        author=participant, status=IdeaStatus.SUBMITTED, title="Stop grooming on gaming platforms"
    )
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("initiatives:moderation_idea", kwargs={"pk": idea.pk}),
            {"decision": "reject", "preset": "off_topic", "reason": "See the guide."},
        )
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.REJECTED
    assert (
        "not about online harms" in idea.moderator_note and "See the guide." in idea.moderator_note
    )
    (message,) = mail.outbox
    assert message.subject == "An update on your idea"
    assert "grooming" not in message.subject.lower()


@pytest.mark.django_db
def test_an_idea_names_its_session_only_where_strangers_may_see_that_session(client):
    closed = EngagementSessionFactory(access=SessionAccess.UNLISTED, title="Closed circle")
    open_talk = EngagementSessionFactory(title="Open talk")
    hidden_link = IdeaFactory(status=IdeaStatus.APPROVED, session=closed)
    shown_link = IdeaFactory(status=IdeaStatus.APPROVED, session=open_talk)
    board = client.get("/ideas/").content.decode()
    assert "Closed circle" not in board and "Open talk" in board
    assert "Closed circle" not in client.get(f"/ideas/{hidden_link.pk}/").content.decode()
    assert "Open talk" in client.get(f"/ideas/{shown_link.pk}/").content.decode()


@pytest.mark.django_db
def test_the_new_idea_form_never_offers_an_unlisted_session(client, participant):
    EngagementSessionFactory(access=SessionAccess.UNLISTED, title="Closed circle")
    EngagementSessionFactory(title="Open talk")
    client.force_login(participant)
    page = client.get("/ideas/new/").content.decode()
    assert "Open talk" in page and "Closed circle" not in page
