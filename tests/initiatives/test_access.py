"""The role matrix: every URL of the app for anonymous, participant (the author), other
participant, organiser and MCI staff."""

import pytest
from django.urls import reverse

from initiatives.models import IdeaStatus, Report
from tests.factories import CommentFactory, IdeaFactory, InitiativeFactory, ReportFactory

ANON, AUTHOR, OTHER, ORGANISER, STAFF = "anonymous", "participant", "other", "organiser", "staff"
CAST = [ANON, AUTHOR, OTHER, ORGANISER, STAFF]


@pytest.fixture
def cast(participant, other_participant, organiser, staff):
    return {
        ANON: None,
        AUTHOR: participant,
        OTHER: other_participant,
        ORGANISER: organiser,
        STAFF: staff,
    }


@pytest.fixture
def world(participant, organiser):
    approved = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    return {
        "approved": approved,
        "draft": IdeaFactory(author=participant, status=IdeaStatus.DRAFT),
        "submitted": IdeaFactory(author=participant, status=IdeaStatus.SUBMITTED),
        "changes": IdeaFactory(author=participant, status=IdeaStatus.CHANGES_REQUESTED),
        "rejected": IdeaFactory(author=participant, status=IdeaStatus.REJECTED),
        "hidden": IdeaFactory(author=participant, status=IdeaStatus.HIDDEN),
        "comment": CommentFactory(idea=approved, author=participant),
        "initiative": InitiativeFactory(leads=[organiser]),
    }


def _get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


# (url name, kwargs key, expected GET status per role)
GET_MATRIX = [
    ("idea_board", None, {ANON: 200, AUTHOR: 200, OTHER: 200, ORGANISER: 200, STAFF: 200}),
    ("idea_create", None, {ANON: 302, AUTHOR: 200, OTHER: 200, ORGANISER: 200, STAFF: 200}),
    ("my_ideas", None, {ANON: 302, AUTHOR: 200, OTHER: 200, ORGANISER: 200, STAFF: 200}),
    ("idea_detail", "approved", {ANON: 200, AUTHOR: 200, OTHER: 200, ORGANISER: 200, STAFF: 200}),
    ("idea_detail", "draft", {ANON: 404, AUTHOR: 200, OTHER: 404, ORGANISER: 200, STAFF: 404}),
    ("idea_detail", "submitted", {ANON: 404, AUTHOR: 200, OTHER: 404, ORGANISER: 200, STAFF: 404}),
    ("idea_detail", "rejected", {ANON: 404, AUTHOR: 200, OTHER: 404, ORGANISER: 200, STAFF: 404}),
    ("idea_detail", "hidden", {ANON: 404, AUTHOR: 200, OTHER: 404, ORGANISER: 200, STAFF: 404}),
    ("idea_edit", "draft", {ANON: 302, AUTHOR: 200, OTHER: 404, ORGANISER: 404, STAFF: 404}),
    ("idea_edit", "changes", {ANON: 302, AUTHOR: 200, OTHER: 404, ORGANISER: 404, STAFF: 404}),
    ("idea_edit", "approved", {ANON: 302, AUTHOR: 302, OTHER: 404, ORGANISER: 404, STAFF: 404}),
    (
        "idea_withdraw",
        "submitted",
        {ANON: 302, AUTHOR: 200, OTHER: 404, ORGANISER: 404, STAFF: 404},
    ),
    ("idea_report", "approved", {ANON: 302, AUTHOR: 200, OTHER: 200, ORGANISER: 200, STAFF: 200}),
    ("idea_report", "submitted", {ANON: 302, AUTHOR: 200, OTHER: 404, ORGANISER: 200, STAFF: 404}),
    ("comment_report", "comment", {ANON: 302, AUTHOR: 200, OTHER: 200, ORGANISER: 200, STAFF: 200}),
    ("moderation_queue", None, {ANON: 302, AUTHOR: 403, OTHER: 403, ORGANISER: 200, STAFF: 403}),
    (
        "moderation_idea",
        "submitted",
        {ANON: 302, AUTHOR: 403, OTHER: 403, ORGANISER: 200, STAFF: 403},
    ),
    (
        "moderation_comment_redact",
        "comment",
        {ANON: 302, AUTHOR: 403, OTHER: 403, ORGANISER: 200, STAFF: 403},
    ),
    ("initiative_list", None, {ANON: 200, AUTHOR: 200, OTHER: 200, ORGANISER: 200, STAFF: 200}),
    ("initiative_create", None, {ANON: 302, AUTHOR: 403, OTHER: 403, ORGANISER: 200, STAFF: 403}),
    (
        "initiative_detail",
        "initiative",
        {ANON: 200, AUTHOR: 200, OTHER: 200, ORGANISER: 200, STAFF: 200},
    ),
]


def _url(world, name, key):
    if key is None:
        return reverse(f"initiatives:{name}")
    obj = world[key]
    if key == "initiative":
        return reverse(f"initiatives:{name}", kwargs={"slug": obj.slug})
    return reverse(f"initiatives:{name}", kwargs={"pk": obj.pk})


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "key", "expected"), GET_MATRIX)
def test_get_role_matrix(client, cast, world, name, key, expected):
    url = _url(world, name, key)
    got = {role: _get(client, cast[role], url) for role in CAST}
    assert got == expected


# POST-only endpoints: who may act (anything not listed as allowed must not change state).
POST_MATRIX = [
    ("idea_submit", "draft", {ANON: 302, AUTHOR: 302, OTHER: 404, ORGANISER: 404, STAFF: 404}),
    (
        "idea_withdraw",
        "submitted",
        {ANON: 302, AUTHOR: 302, OTHER: 404, ORGANISER: 404, STAFF: 404},
    ),
    ("idea_support", "submitted", {ANON: 302, AUTHOR: 302, OTHER: 404, ORGANISER: 302, STAFF: 404}),
    ("idea_comment", "hidden", {ANON: 302, AUTHOR: 400, OTHER: 404, ORGANISER: 400, STAFF: 404}),
    ("comment_delete", "comment", {ANON: 302, AUTHOR: 302, OTHER: 404, ORGANISER: 404, STAFF: 404}),
    (  # an empty form is shown again with its errors
        "moderation_bulk",
        None,
        {ANON: 302, AUTHOR: 403, OTHER: 403, ORGANISER: 400, STAFF: 403},
    ),
    (
        "moderation_idea_warning",
        "submitted",
        {ANON: 302, AUTHOR: 403, OTHER: 403, ORGANISER: 302, STAFF: 403},
    ),
    (  # an empty form is shown again with its errors
        "moderation_idea_redact",
        "submitted",
        {ANON: 302, AUTHOR: 403, OTHER: 403, ORGANISER: 400, STAFF: 403},
    ),
    (
        "moderation_comment",
        "comment",
        {ANON: 302, AUTHOR: 403, OTHER: 403, ORGANISER: 302, STAFF: 403},
    ),
    (  # an empty form is shown again with its errors
        "initiative_post_update",
        "initiative",
        {ANON: 302, AUTHOR: 403, OTHER: 403, ORGANISER: 400, STAFF: 403},
    ),
    (  # an empty form is shown again with its errors
        "initiative_status",
        "initiative",
        {ANON: 302, AUTHOR: 403, OTHER: 403, ORGANISER: 400, STAFF: 403},
    ),
    (  # an empty join form is shown again with its errors
        "initiative_join",
        "initiative",
        {ANON: 302, AUTHOR: 400, OTHER: 400, ORGANISER: 400, STAFF: 400},
    ),
    (
        "initiative_leave",
        "initiative",
        {ANON: 302, AUTHOR: 302, OTHER: 302, ORGANISER: 302, STAFF: 302},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "key", "expected"), POST_MATRIX)
def test_post_role_matrix(client, cast, world, name, key, expected):
    url = _url(world, name, key)
    got = {}
    for role in CAST:
        client.logout()
        if cast[role] is not None:
            client.force_login(cast[role])
        got[role] = client.post(url, {}).status_code
    assert got == expected


@pytest.mark.django_db
def test_moderation_resolve_is_for_organisers_only(client, cast, world):
    ReportFactory(reporter=cast[OTHER], idea=world["approved"], reason="spam")
    url = reverse(
        "initiatives:moderation_resolve", kwargs={"kind": "idea", "pk": world["approved"].pk}
    )
    for role, expected in [(ANON, 302), (AUTHOR, 403), (OTHER, 403), (STAFF, 403)]:
        client.logout()
        if cast[role]:
            client.force_login(cast[role])
        assert client.post(url, {"outcome": "dismiss"}).status_code == expected
    assert Report.objects.get().status == "open"
    client.force_login(cast[ORGANISER])
    assert client.post(url, {"outcome": "dismiss"}).status_code == 302
    assert Report.objects.get().status == "dismissed"


@pytest.mark.django_db
def test_participant_cannot_moderate_by_posting_a_decision(client, other_participant, world):
    idea = world["submitted"]
    client.force_login(other_participant)
    url = reverse("initiatives:moderation_idea", kwargs={"pk": idea.pk})
    assert client.post(url, {"decision": "approve"}).status_code == 403
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED


@pytest.mark.django_db
def test_participant_cannot_edit_someone_elses_idea(client, other_participant, world):
    idea = world["draft"]
    client.force_login(other_participant)
    url = reverse("initiatives:idea_edit", kwargs={"pk": idea.pk})
    response = client.post(url, {"title": "Hijacked", "body": "x"})
    assert response.status_code == 404
    idea.refresh_from_db()
    assert idea.title != "Hijacked"


@pytest.mark.django_db
def test_organiser_without_mfa_is_sent_to_set_it_up(client, organiser_without_mfa):
    client.force_login(organiser_without_mfa)
    response = client.get(reverse("initiatives:moderation_queue"))
    assert response.status_code == 302 and "totp" in response.url


@pytest.mark.django_db
def test_forged_ids_are_404_not_errors(client, participant, organiser):
    client.force_login(participant)
    assert client.get("/ideas/999999/").status_code == 404
    assert client.post("/ideas/999999/support/", {"supported": "1"}).status_code == 404
    assert client.get("/ideas/?category=abc&area=-1&session=x&page=zz").status_code == 200
    client.force_login(organiser)
    assert client.post("/moderation/reports/bogus/1/", {"outcome": "uphold"}).status_code == 404
    response = client.post("/moderation/bulk/", {"decision": "approve", "ideas": ["999999"]})
    assert response.status_code == 400  # the queue again: no idea chosen is valid
