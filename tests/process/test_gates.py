"""The phases switch actions on and off in the services, and the pages follow: idea
submission closes when its phase ends (refused with the date it closed, the form and the
"Put forward an idea" buttons gone), co-creation likewise."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from harms.models import HarmCategory, SolutionArea
from initiatives import services
from initiatives.models import CoCreator, DraftComment, DraftVersion, Idea, IdeaStatus
from initiatives.services import IdeaError, IdeaFields
from tests.factories import CoCreatorFactory, IdeaFactory, InitiativeFactory, PhaseFactory

pytestmark = pytest.mark.django_db


def long(day) -> str:
    return day.strftime("%-d %B %Y")


@pytest.fixture
def ideas_ended():
    """The ideas phase ended yesterday; today is co-creation only."""
    today = timezone.localdate()
    ideas = PhaseFactory(
        start_date=today - timedelta(days=30), end_date=today - timedelta(days=1), allows_ideas=True
    )
    PhaseFactory(start_date=today, end_date=today + timedelta(days=30), allows_co_creation=True)
    return ideas


@pytest.fixture
def nothing_open():
    today = timezone.localdate()
    PhaseFactory(start_date=today - timedelta(days=5), end_date=today + timedelta(days=5))
    return PhaseFactory(
        start_date=today + timedelta(days=6),
        end_date=today + timedelta(days=20),
        allows_ideas=True,
        allows_co_creation=True,
    )


def fields() -> IdeaFields:
    return IdeaFields(
        title="Parents' guide to privacy settings",
        body="A short guide in four languages.",
        harm_category=HarmCategory.objects.get(slug="doxxing"),
        solution_area=SolutionArea.objects.get(name="Public education"),
        session=None,
        is_anonymous=False,
        has_content_warning=False,
        content_warning_note="",
    )


def form(**overrides) -> dict:
    return {
        "title": "Consent lessons in every secondary school",
        "body": "Teach what image-based abuse is and how to get help.",
        "harm_category": HarmCategory.objects.get(slug="image-based-sexual-abuse").pk,
        "solution_area": SolutionArea.objects.get(name="Public education").pk,
        "submission_token": str(uuid.uuid4()),
        **overrides,
    }


# --- Services -------------------------------------------------------------------------------


def test_idea_create_is_refused_with_the_date_submission_closed(participant, ideas_ended):
    for submit in (True, False):
        with pytest.raises(IdeaError) as refusal:
            services.idea_create(
                author=participant, fields=fields(), submit=submit, submission_token=uuid.uuid4()
            )
        assert str(refusal.value) == f"Idea submission closed on {long(ideas_ended.end_date)}."
    assert not Idea.objects.exists()


def test_idea_create_before_the_phase_says_when_it_opens(participant, nothing_open):
    with pytest.raises(
        IdeaError, match=f"Idea submission opens on {long(nothing_open.start_date)}"
    ):
        services.idea_create(
            author=participant, fields=fields(), submit=True, submission_token=uuid.uuid4()
        )


def test_a_draft_cannot_be_sent_once_submission_closed(participant, ideas_ended):
    draft = IdeaFactory(author=participant, status=IdeaStatus.DRAFT, submitted_at=None)
    with pytest.raises(IdeaError, match="Idea submission closed"):
        services.idea_submit(idea=draft, author=participant)
    with pytest.raises(IdeaError, match="Idea submission closed"):
        services.idea_update(idea=draft, author=participant, fields=fields(), submit=True)
    # Saving the draft without sending it is still possible.
    services.idea_update(idea=draft, author=participant, fields=fields(), submit=False)
    draft.refresh_from_db()
    assert draft.status == IdeaStatus.DRAFT and draft.title == fields().title


def test_an_idea_sent_back_for_changes_may_be_resubmitted_after_the_phase(participant, ideas_ended):
    idea = IdeaFactory(author=participant, status=IdeaStatus.CHANGES_REQUESTED)
    services.idea_update(idea=idea, author=participant, fields=fields(), submit=True)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED


def test_the_same_submission_token_still_returns_the_first_idea(participant, ideas_ended):
    token = uuid.uuid4()
    first = IdeaFactory(author=participant, submission_token=token)
    assert services.idea_create(
        author=participant, fields=fields(), submit=True, submission_token=token
    ) == (first, False)


def test_cocreator_join_is_refused_while_co_creation_is_closed(participant, nothing_open):
    initiative = InitiativeFactory()
    with pytest.raises(IdeaError, match="Co-creating initiatives opens on"):
        services.cocreator_join(initiative=initiative, user=participant, role="volunteer")
    assert not CoCreator.objects.exists()


def test_cocreator_join_works_while_co_creation_is_open(participant, ideas_ended):
    initiative = InitiativeFactory()
    services.cocreator_join(initiative=initiative, user=participant, role="volunteer")
    assert CoCreator.objects.filter(user=participant).exists()


def test_without_phases_ideas_and_co_creation_stay_open(participant):
    idea, created = services.idea_create(
        author=participant, fields=fields(), submit=True, submission_token=uuid.uuid4()
    )
    assert created and idea.status == IdeaStatus.SUBMITTED
    services.cocreator_join(initiative=InitiativeFactory(), user=participant, role="volunteer")


# --- Pages ----------------------------------------------------------------------------------


def test_posting_an_idea_after_the_phase_ended_shows_the_date_and_saves_nothing(
    client, participant, ideas_ended
):
    client.force_login(participant)
    response = client.post("/ideas/new/", form())
    assert response.status_code == 409
    page = response.content.decode()
    assert f"Idea submission closed on {long(ideas_ended.end_date)}." in page
    assert not Idea.objects.exists()


def test_the_new_idea_page_shows_the_message_instead_of_the_form(client, participant, ideas_ended):
    client.force_login(participant)
    response = client.get("/ideas/new/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Idea submission closed on" in page
    assert 'name="submission_token"' not in page
    assert 'href="/process/"' in page


def test_the_board_and_my_ideas_hide_the_button_and_say_why(client, participant, ideas_ended):
    client.force_login(participant)
    for url in ("/ideas/", "/ideas/mine/"):
        page = client.get(url).content.decode()
        assert 'href="/ideas/new/"' not in page, url
        assert f"Idea submission closed on {long(ideas_ended.end_date)}." in page, url


def test_the_board_offers_the_button_while_submission_is_open(client, participant):
    today = timezone.localdate()
    PhaseFactory(start_date=today, end_date=today, allows_ideas=True)
    client.force_login(participant)
    page = client.get("/ideas/").content.decode()
    assert 'href="/ideas/new/"' in page and "data-action-closed" not in page
    response = client.post("/ideas/new/", form())
    assert response.status_code == 302 and Idea.objects.count() == 1


def test_joining_an_initiative_while_co_creation_is_closed_is_refused(
    client, participant, nothing_open
):
    initiative = InitiativeFactory()
    client.force_login(participant)
    page = client.get(f"/initiatives/{initiative.slug}/").content.decode()
    assert "Co-creating initiatives opens on" in page
    assert f'action="/initiatives/{initiative.slug}/join/"' not in page
    response = client.post(
        f"/initiatives/{initiative.slug}/join/", {"role": "volunteer"}, follow=True
    )
    assert response.status_code == 200
    assert "Co-creating initiatives opens on" in response.content.decode()
    assert not CoCreator.objects.exists()


def test_a_co_creator_cannot_save_or_comment_on_the_draft_while_co_creation_is_closed(
    participant, nothing_open
):
    initiative = InitiativeFactory()
    CoCreatorFactory(initiative=initiative, user=participant)
    with pytest.raises(IdeaError, match="Co-creating initiatives opens on"):
        services.draft_save(initiative=initiative, by=participant, base_number=0, problem="Text")
    with pytest.raises(IdeaError, match="Co-creating initiatives opens on"):
        services.draft_comment_create(
            initiative=initiative, section="problem", author=participant, body="A thought"
        )
    assert not DraftVersion.objects.exists() and not DraftComment.objects.exists()


def test_a_co_creator_saves_the_draft_while_co_creation_is_open(participant, ideas_ended):
    initiative = InitiativeFactory()
    CoCreatorFactory(initiative=initiative, user=participant)
    version = services.draft_save(
        initiative=initiative, by=participant, base_number=0, problem="Text"
    )
    assert version.number == 1


def test_organisers_keep_the_draft_right_after_co_creation_closed(organiser, nothing_open):
    initiative = InitiativeFactory()
    version = services.draft_save(initiative=initiative, by=organiser, base_number=0, problem="Fix")
    assert version.number == 1
