"""The public read API (/api/v1/): fields against the live schema, the privacy rules, cursor
pagination, ETag and 304, CORS, the rate limit, bad input as JSON errors, flat query counts."""

import json
from datetime import timedelta

import jsonschema_rs
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagement.models import SessionAccess, SessionStatus
from initiatives.models import (
    CommentStatus,
    IdeaStatus,
    ModerationAction,
    ModerationLog,
    TargetKind,
)
from tests.factories import (
    CommentFactory,
    DraftVersionFactory,
    EngagementSessionFactory,
    FeedbackFactory,
    IdeaFactory,
    InitiativeFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OPERATIONS = {
    "/api/v1/harm-categories": "HarmCategoryList",
    "/api/v1/solution-areas": "SolutionAreaList",
    "/api/v1/sessions": "SessionPage",
    "/api/v1/ideas": "IdeaPage",
    "/api/v1/initiatives": "InitiativePage",
    "/api/v1/figures/feedback": "FeedbackFigures",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def schema(client):
    return client.get("/api/v1/openapi.json").json()


def _validator(schema, component):
    resolver_schema = {"$ref": f"#/components/schemas/{component}", **schema}
    return jsonschema_rs.Draft202012Validator(resolver_schema)


def _public_world():
    session = EngagementSessionFactory(harm_categories=["non-consensual-publication"])
    idea = IdeaFactory(status=IdeaStatus.APPROVED, session=session, title="Named idea")
    CommentFactory(idea=idea)
    CommentFactory(idea=idea, status=CommentStatus.HIDDEN)
    initiative = InitiativeFactory()
    ModerationLog.objects.create(
        action=ModerationAction.INITIATIVE_STATUS,
        target_kind=TargetKind.INITIATIVE,
        target_id=initiative.pk,
        from_status="forming",
        to_status="in_progress",
        reason="Lead Wendy Tan said so",
    )
    for _ in range(5):
        FeedbackFactory(harm_categories=["non-consensual-publication"], suggestions=["regulation"])
    return session, idea, initiative


def test_every_operation_answers_what_its_schema_says(client, schema):
    _public_world()
    assert schema["openapi"].startswith("3.1")
    for path, component in OPERATIONS.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"] == "application/json; charset=utf-8"
        _validator(schema, component).validate(response.json())
        assert response.json()["items"], path


def test_one_idea_and_one_initiative_match_their_schemas(client, schema):
    _session, idea, initiative = _public_world()
    _validator(schema, "Idea").validate(client.get(f"/api/v1/ideas/{idea.pk}").json())
    body = client.get(f"/api/v1/initiatives/{initiative.slug}").json()
    _validator(schema, "Initiative").validate(body)
    assert [h["status"] for h in body["status_history"]] == ["in_progress"]
    assert "Wendy" not in json.dumps(body)  # the reason for a change never leaves


def test_an_initiative_shows_its_published_text_never_the_working_draft(client, schema):
    initiative = _drafted_initiative()
    body = client.get(f"/api/v1/initiatives/{initiative.slug}").json()
    _validator(schema, "Initiative").validate(body)
    assert body["published_text"]["version"] == 1
    assert body["published_text"]["proposal"] == "Lessons in four languages."
    assert "Working text not yet agreed" not in json.dumps(body)
    unpublished = InitiativeFactory()
    assert client.get(f"/api/v1/initiatives/{unpublished.slug}").json()["published_text"] is None


def test_idea_fields_count_only_published_comments(client):
    _session, idea, _initiative = _public_world()
    body = client.get(f"/api/v1/ideas/{idea.pk}").json()
    assert body["comment_count"] == 1
    assert body["author"] == idea.author.display_name
    assert body["harm_category"]["slug"] == "non-consensual-publication"


def test_taxonomy_comes_in_all_four_languages(client):
    body = client.get("/api/v1/harm-categories").json()
    names = body["items"][0]["names"]
    assert set(names) == {"en", "zh-hans", "ms", "ta"}
    assert all(names.values())
    tamil = client.get("/api/v1/solution-areas", {"language": "ta"}).json()["items"][0]
    assert tamil["name"] == tamil["names"]["ta"] != tamil["names"]["en"]


def test_sessions_never_show_links_venues_or_unlisted_sessions(client):
    listed = EngagementSessionFactory(online_link="https://meet.example.sg/room-42")
    EngagementSessionFactory(access=SessionAccess.UNLISTED, title="Closed circle")
    EngagementSessionFactory(status=SessionStatus.DRAFT, title="Not yet")
    text = client.get("/api/v1/sessions").content.decode()
    assert listed.slug in text
    for secret in ("room-42", "Room 3", "Central Public Library", "Closed circle", "Not yet"):
        assert secret not in text


def test_past_sessions_are_their_own_list(client):
    EngagementSessionFactory(title="Held last month", starts_at=timezone.now() - timedelta(days=30))
    assert "Held last month" not in client.get("/api/v1/sessions").content.decode()
    assert "Held last month" in client.get("/api/v1/sessions?past=true").content.decode()


def test_feedback_figures_hide_counts_below_the_threshold(client, settings):
    settings.DISCLOSURE_THRESHOLD = 5
    for _ in range(5):
        FeedbackFactory(harm_categories=["non-consensual-publication"], suggestions=["regulation"])
    FeedbackFactory(harm_categories=["non-consensual-publication"], suggestions=["partnerships"])
    items = client.get("/api/v1/figures/feedback").json()["items"]
    counts = {i["solution_area"]: i["count"] for i in items}
    assert counts == {"regulation": 5, "partnerships": None}


# --- Pagination -----------------------------------------------------------------------------


def test_cursor_pages_are_stable_while_ideas_are_added(client):
    first = [IdeaFactory(status=IdeaStatus.APPROVED) for _ in range(5)]
    page1 = client.get("/api/v1/ideas", {"limit": 2}).json()
    assert [i["id"] for i in page1["items"]] == [first[4].pk, first[3].pk]
    IdeaFactory(status=IdeaStatus.APPROVED)  # newer than all: lands before page 1
    page2 = client.get("/api/v1/ideas", {"limit": 2, "cursor": page1["next_cursor"]}).json()
    page3 = client.get("/api/v1/ideas", {"limit": 2, "cursor": page2["next_cursor"]}).json()
    assert [i["id"] for i in page2["items"]] == [first[2].pk, first[1].pk]
    assert [i["id"] for i in page3["items"]] == [first[0].pk]
    assert page3["next_cursor"] is None


def test_a_cursor_from_another_list_is_refused(client):
    for _ in range(3):
        IdeaFactory(status=IdeaStatus.APPROVED)
        InitiativeFactory()
    cursor = client.get("/api/v1/ideas", {"limit": 1}).json()["next_cursor"]
    response = client.get("/api/v1/initiatives", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/ideas", "/api/v1/sessions", "/api/v1/initiatives"],
)
def test_each_page_costs_the_same_queries_at_any_size(client, path):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, {"limit": 100}).status_code == 200
        return len(captured)

    def more(n):
        for _ in range(n):
            idea = IdeaFactory(status=IdeaStatus.APPROVED)
            CommentFactory(idea=idea)
            EngagementSessionFactory(harm_categories=["non-consensual-publication"])
            InitiativeFactory()

    more(3)
    small = queries()
    more(30)
    assert queries() == small


# --- HTTP -----------------------------------------------------------------------------------


def test_a_matching_etag_gets_304_without_a_body(client):
    _public_world()
    first = client.get("/api/v1/ideas")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/api/v1/ideas", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    IdeaFactory(status=IdeaStatus.APPROVED)
    assert client.get("/api/v1/ideas", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_hiding_an_idea_changes_the_etag(client):
    _session, idea, _initiative = _public_world()
    first = client.get("/api/v1/ideas")
    type(idea).objects.filter(pk=idea.pk).update(status=IdeaStatus.HIDDEN)
    assert client.get("/api/v1/ideas", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_any_site_may_read_and_preflight(client):
    response = client.get("/api/v1/ideas", HTTP_ORIGIN="https://research.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/ideas",
        HTTP_ORIGIN="https://research.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 204
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert preflight["Access-Control-Allow-Origin"] == "*"


def test_head_answers_like_get_without_a_body(client):
    _public_world()
    get, head = client.get("/api/v1/ideas"), client.head("/api/v1/ideas")
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == get["ETag"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused_as_json(client, method):
    response = getattr(client, method)("/api/v1/ideas")
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_past_the_limit_an_address_gets_429_with_retry_after(client, settings):
    settings.API_RATE_LIMIT = 3
    for _ in range(3):
        assert client.get("/api/v1/solution-areas").status_code == 200
    refused = client.get("/api/v1/solution-areas")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= settings.API_RATE_WINDOW
    assert refused.json()["error"]["code"] == "rate_limited"
    other = client.get("/api/v1/solution-areas", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200  # the limit is per address


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=0", "invalid_parameter"),
        ("limit=1000000", "invalid_parameter"),
        ("limit=ten", "invalid_parameter"),
        ("cursor=not-a-cursor", "invalid_cursor"),
        ("cursor=" + "A" * 600, "invalid_parameter"),
        ("language=xx", "invalid_parameter"),
        ("colour=red", "unknown_parameter"),
        ("q=" + "x" * 201, "invalid_parameter"),
    ],
)
def test_bad_input_is_a_clear_json_400(client, query, code):
    response = client.get("/api/v1/ideas?" + query)
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message"]


@pytest.mark.parametrize(
    "query",
    ["from_month=2027-13", "from_month=1999-01", "from_month=2027-05&to_month=2027-01"],
)
def test_bad_months_are_a_clear_json_400(client, query):
    response = client.get("/api/v1/figures/feedback?" + query)
    assert response.status_code == 400 and response.json()["error"]["message"]


def test_unknown_slugs_and_ids_give_an_empty_page_or_a_json_404(client):
    assert client.get("/api/v1/ideas?harm_category=nothing-like-it").json()["items"] == []
    for path in ("/api/v1/ideas/99999999", "/api/v1/initiatives/no-such-one", "/api/v1/nowhere"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


def test_the_docs_page_lists_every_operation(client):
    page = client.get("/api/v1/docs/").content.decode()
    for path in OPERATIONS:
        assert path in page
    assert "/api/v1/openapi.json" in page


# --- Privacy --------------------------------------------------------------------------------


def _secrets_world():
    """Everything the API must never show, beside what it may."""
    secret_author = UserFactory(display_name="Siti Secretauthor", email="siti.secret@example.org")
    IdeaFactory(status=IdeaStatus.APPROVED, author=secret_author, is_anonymous=True)
    for status in (
        IdeaStatus.HIDDEN,
        IdeaStatus.SUBMITTED,
        IdeaStatus.WITHDRAWN,
        IdeaStatus.REJECTED,
    ):
        IdeaFactory(status=status, title=f"Never show {status} idea", body=f"body of {status}")
    session = EngagementSessionFactory()
    RegistrationFactory(
        session=session, participant=secret_author, access_needs="Wheelchair access, Siti"
    )
    withdrawn = FeedbackFactory(
        participant=secret_author,
        experience="My ex posted my photos",
        harm_categories=["non-consensual-publication"],
        suggestions={"regulation": "Fine the platforms"},
    )
    withdrawn.delete()
    FeedbackFactory(experience="A stranger kept messaging me", suggestions={"regulation": "Ban"})
    _drafted_initiative()
    commented = IdeaFactory(status=IdeaStatus.APPROVED)
    CommentFactory(
        idea=commented,
        author=secret_author,
        body="Hidden comment text",
        status=CommentStatus.HIDDEN,
    )
    return secret_author


def _drafted_initiative():
    """An initiative whose version 1 is published and whose working draft has moved on."""
    initiative = InitiativeFactory(title="Safer campuses")
    author = UserFactory(display_name="Dara Drafter", email="dara.drafter@example.org")
    first = DraftVersionFactory(
        initiative=initiative, number=1, author=author, proposal="Lessons in four languages."
    )
    DraftVersionFactory(
        initiative=initiative,
        number=2,
        author=author,
        proposal="Working text not yet agreed",
        note="Dara's private note",
    )
    type(initiative).objects.filter(pk=initiative.pk).update(
        published_version=first, published_at=timezone.now()
    )
    return initiative


SECRETS = [
    "Siti",
    "siti.secret@example.org",
    "@example.org",
    "Wheelchair",
    "Never show",
    "body of",
    "My ex posted",
    "A stranger kept",
    "Fine the platforms",
    "Hidden comment text",
    "meet.example.sg",
    "Room 3",
    "Dara",
    "Working text not yet agreed",
]


def test_no_api_answer_holds_an_email_a_hidden_name_or_any_private_text(client):
    _secrets_world()
    answers = [client.get(path).content.decode() for path in OPERATIONS]
    answers.append(client.get("/api/v1/openapi.json").content.decode())
    for page in ("/api/v1/sessions?past=true", "/api/v1/ideas?limit=100"):
        answers.append(client.get(page).content.decode())
    everything = "\n".join(answers)
    assert "Anonymous participant" in everything
    for secret in SECRETS:
        assert secret not in everything, secret


def test_most_supported_first_pages_through_every_idea_once(client):
    ideas = [IdeaFactory(status=IdeaStatus.APPROVED, support_count=n % 3) for n in range(7)]
    seen, cursor = [], None
    while True:
        params = {"sort": "supported", "limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/ideas", params).json()
        seen += [(i["support_count"], i["id"]) for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(i.pk for i in ideas) == sorted(pk for _count, pk in seen)
    assert [count for count, _pk in seen] == sorted((i.support_count for i in ideas), reverse=True)


def test_a_newest_cursor_is_not_a_most_supported_one(client):
    for _ in range(3):
        IdeaFactory(status=IdeaStatus.APPROVED)
    cursor = client.get("/api/v1/ideas", {"limit": 1}).json()["next_cursor"]
    response = client.get("/api/v1/ideas", {"sort": "supported", "cursor": cursor})
    assert response.status_code == 400


def test_search_finds_ideas_by_their_words(client):
    IdeaFactory(status=IdeaStatus.APPROVED, title="Helplines at every polyclinic")
    IdeaFactory(status=IdeaStatus.APPROVED, title="Workshops for parents")
    found = client.get("/api/v1/ideas", {"q": "polyclinic"}).json()["items"]
    assert [i["title"] for i in found] == ["Helplines at every polyclinic"]


def test_an_idea_from_an_unlisted_session_never_names_it(client):
    closed = EngagementSessionFactory(
        access=SessionAccess.UNLISTED, title="Closed circle", slug="closed-circle"
    )
    idea = IdeaFactory(status=IdeaStatus.APPROVED, session=closed)
    body = client.get(f"/api/v1/ideas/{idea.pk}").json()
    assert body["session"] is None
    assert client.get("/api/v1/ideas", {"session": "closed-circle"}).json()["items"] == []
    listed = EngagementSessionFactory(slug="open-talk")
    IdeaFactory(status=IdeaStatus.APPROVED, session=listed)
    found = client.get("/api/v1/ideas", {"session": "open-talk"}).json()["items"]
    assert [i["session"] for i in found] == ["open-talk"]
