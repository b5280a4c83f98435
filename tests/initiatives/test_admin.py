"""The admin corrects an initiative's wording; its status, its co-creators and its existence
belong to initiatives.services. Ideas, comments and reports are read-only there."""

import pytest

from harms.models import HarmCategory
from initiatives.models import (
    CoCreatorRole,
    Idea,
    IdeaStatus,
    Initiative,
    InitiativeStatus,
    ModerationLog,
)
from tests.factories import (
    CoCreatorFactory,
    CommentFactory,
    IdeaFactory,
    InitiativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _form_data(initiative, **changes) -> dict:
    data = {
        "slug": initiative.slug,
        "title": initiative.title,
        "summary": initiative.summary,
        "description": initiative.description,
        "solution_area": initiative.solution_area_id,
        "harm_categories": [c.pk for c in initiative.harm_categories.all()],
        "leads": [u.pk for u in initiative.leads.all()],
        "cocreators-TOTAL_FORMS": initiative.cocreators.count(),
        "cocreators-INITIAL_FORMS": initiative.cocreators.count(),
        "cocreators-MIN_NUM_FORMS": 0,
        "cocreators-MAX_NUM_FORMS": 1000,
    }
    for index, cocreator in enumerate(initiative.cocreators.all()):
        data[f"cocreators-{index}-id"] = cocreator.pk
        data[f"cocreators-{index}-initiative"] = initiative.pk
    data.update(changes)
    return data


def test_admin_corrects_the_wording_but_not_the_status(admin_client):
    lead = UserFactory()
    initiative = InitiativeFactory(leads=[lead])
    initiative.harm_categories.set(HarmCategory.objects.all()[:1])
    CoCreatorFactory(initiative=initiative, user=UserFactory(), role=CoCreatorRole.values[0])
    url = f"/admin/initiatives/initiative/{initiative.pk}/change/"

    page = admin_client.get(url).content.decode()
    assert 'name="title"' in page
    assert 'name="status"' not in page
    assert 'name="cocreators-0-role"' not in page

    data = _form_data(initiative, title="Safer schools, renamed", status=InitiativeStatus.LAUNCHED)
    response = admin_client.post(url, data)

    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.title == "Safer schools, renamed"
    assert initiative.status == InitiativeStatus.FORMING
    assert not ModerationLog.objects.exists()
    assert initiative.cocreators.count() == 1


def test_admin_cannot_add_or_delete_initiatives(admin_client):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    initiative = InitiativeFactory(leads=[UserFactory()])
    Idea.objects.filter(pk=idea.pk).update(status=IdeaStatus.MERGED, merged_into=initiative)

    assert admin_client.get("/admin/initiatives/initiative/add/").status_code == 403
    url = f"/admin/initiatives/initiative/{initiative.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Initiative.objects.filter(pk=initiative.pk).exists()
    idea.refresh_from_db()
    assert idea.merged_into == initiative


@pytest.mark.parametrize("model_name", ["idea", "comment"])
def test_admin_shows_moderation_state_read_only(admin_client, model_name):
    comment = CommentFactory()
    row = comment if model_name == "comment" else comment.idea
    url = f"/admin/initiatives/{model_name}/{row.pk}/change/"

    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert admin_client.post(url, {"status": "hidden"}).status_code == 403
    assert admin_client.post(url.replace("change", "delete"), {"post": "yes"}).status_code == 403
    before = row.status
    row.refresh_from_db()
    assert row.status == before
