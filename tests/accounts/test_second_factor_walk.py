"""Two-factor sign-in is enforced on the data, not only on the role areas (issue 10, item 1).

Every URL in the URL conf is fetched, with every object id and slug of the data below, by a
participant and by each privileged person whose session has not passed a second factor: an
organiser, an MCI staff member and an administrator without TOTP, and an organiser with TOTP
whose session used a password only. None of them may see more than the participant: where the
participant is refused, so are they (or they are sent to set up or enter a second factor), and
no page shows them a secret the participant's page does not.
"""

import re
from itertools import product

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from accounts.roles import Role
from engagement.models import RegistrationStatus, SessionStatus
from initiatives.models import CommentStatus, IdeaStatus
from reports.models import DigestKind, DigestStatus
from tests.factories import (
    CommentFactory,
    DigestFactory,
    EngagementSessionFactory,
    FeedbackFactory,
    IdeaFactory,
    InitiativeFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRETS = {
    "draft session title": "Draft conversation SECRET-7731",
    "draft session link": "https://meet.example.sg/draft-SECRET-7732",
    "other session link": "https://meet.example.sg/published-SECRET-7733",
    "other session room": "Room SECRET-7734",
    "draft idea": "Draft idea SECRET-7735",
    "hidden idea": "Hidden idea SECRET-7736",
    "anonymous author": "Anonymous Author SECRET-7737",
    "anonymous commenter": "Anonymous Commenter SECRET-7738",
    "feedback text": "What I saw SECRET-7739",
    "pending comment": "Pending comment SECRET-7740",
}

# Where a privileged person without a second factor in this session may be sent instead
# (the admin's login page sends a signed-in administrator to /admin/, walked too).
SECOND_FACTOR_PATHS = ("/accounts/2fa/", "/accounts/login/", "/accounts/reauthenticate/", "/admin/")
# Pages about the person's own account (their authenticator, say) may answer differently for
# someone with TOTP; what they show is still checked for other people's secrets.
OWN_ACCOUNT = "/accounts/"


@pytest.fixture
def secrets_data(db):
    someone = UserFactory(display_name="Someone Else")
    draft = EngagementSessionFactory(
        title=SECRETS["draft session title"],
        slug="draft-conversation",
        online_link=SECRETS["draft session link"],
        status=SessionStatus.DRAFT,
    )
    published = EngagementSessionFactory(
        slug="published-conversation",
        online_link=SECRETS["other session link"],
        venue_details=SECRETS["other session room"],
    )
    registration = RegistrationFactory(
        session=published, participant=someone, status=RegistrationStatus.CONFIRMED
    )
    draft_idea = IdeaFactory(author=someone, title=SECRETS["draft idea"], status=IdeaStatus.DRAFT)
    hidden_idea = IdeaFactory(
        author=someone, title=SECRETS["hidden idea"], status=IdeaStatus.HIDDEN
    )
    anonymous_idea = IdeaFactory(
        author=UserFactory(display_name=SECRETS["anonymous author"]),
        status=IdeaStatus.APPROVED,
        is_anonymous=True,
    )
    anonymous_comment = CommentFactory(
        idea=anonymous_idea,
        author=UserFactory(display_name=SECRETS["anonymous commenter"]),
        is_anonymous=True,
    )
    pending_comment = CommentFactory(
        idea=anonymous_idea, body=SECRETS["pending comment"], status=CommentStatus.PENDING
    )
    initiative = InitiativeFactory(slug="safer-schools")
    feedback = FeedbackFactory(
        participant=someone,
        session=published,
        experience=SECRETS["feedback text"],
        editable_until=published.ends_at,
    )
    digest = DigestFactory(
        kind=DigestKind.ON_DEMAND,
        period_start=published.starts_at,
        period_end=published.ends_at,
        status=DigestStatus.READY,
        queued_at=published.starts_at,
        html=f"<p>{SECRETS['feedback text']}</p>",
    )
    ids = sorted(
        {
            obj.pk
            for obj in (
                draft,
                published,
                registration,
                draft_idea,
                hidden_idea,
                anonymous_idea,
                anonymous_comment,
                pending_comment,
                initiative,
                feedback,
                digest,
            )
        }
    )
    slugs = [draft.slug, published.slug, initiative.slug, "non-consensual-publication"]
    return {"ids": [str(pk) for pk in ids], "slugs": slugs}


def _sample(name: str, converter: str, data) -> list[str]:
    if converter in ("int", "path") and not name.endswith("key"):
        return data["ids"] if converter == "int" or name in ("object_id",) else ["1"]
    if converter == "slug":
        return data["slugs"]
    return ["x"]


def _expand_route(route: str, data) -> list[str]:
    parts = re.split(r"<(?:(\w+):)?(\w+)>", route)
    # parts: literal, converter, name, literal, converter, name, ..., literal
    literals, params = parts[0::3], list(zip(parts[1::3], parts[2::3], strict=True))
    options = [_sample(name, converter or "str", data) for converter, name in params]
    urls = []
    for values in product(*options):
        url = literals[0]
        for value, literal in zip(values, literals[1:], strict=True):
            url += value + literal
        urls.append(url)
    return urls


def _expand_regex(regex: str) -> list[str]:
    """Admin and allauth regexes: a named group of literal alternatives takes the first one,
    any other group a placeholder."""

    def group(match: re.Match) -> str:
        body = match.group(1)
        if re.fullmatch(r"[\w|-]+", body):
            return body.split("|")[0]
        return "x"

    text = re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))*)\)", group, regex)
    text = text.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    return [text]


def all_urls(data) -> list[str]:
    def walk(patterns, prefix: str) -> list[str]:
        found = []
        for entry in patterns:
            pattern = entry.pattern
            if isinstance(pattern, RoutePattern):
                heads = _expand_route(str(pattern), data)
            elif isinstance(pattern, RegexPattern):
                heads = _expand_regex(pattern.regex.pattern)
            else:  # pragma: no cover - Django has only these two
                raise AssertionError(pattern)
            for head in heads:
                if isinstance(entry, URLResolver):
                    found += walk(entry.url_patterns, prefix + head)
                elif isinstance(entry, URLPattern):
                    found.append(prefix + head)
        return found

    return sorted(set(walk(get_resolver().url_patterns, "/")))


def _visible_secrets(response) -> set[str]:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith(
        ("text/", "application/json")
    ):
        return set()
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    return {label for label, secret in SECRETS.items() if secret in text}


def _fetch_all(client, urls) -> dict:
    return {url: client.get(url) for url in urls}


PRIVILEGED_WITHOUT_SECOND_FACTOR = {
    "organiser without TOTP": {"roles": [Role.ORGANISER]},
    "MCI staff without TOTP": {"roles": [Role.STAFF]},
    "administrator without TOTP": {"is_staff": True, "is_superuser": True},
    "organiser with TOTP, password-only session": {"roles": [Role.ORGANISER], "mfa": True},
}


def test_no_privileged_session_without_a_second_factor_sees_more_than_a_participant(
    client, secrets_data
):
    urls = all_urls(secrets_data)
    assert len(urls) > 150  # the whole URL conf, allauth and the admin included
    client.force_login(UserFactory(display_name="Plain Participant"))
    baseline = {
        url: (response.status_code, _visible_secrets(response))
        for url, response in _fetch_all(client, urls).items()
    }
    problems = []
    for who, traits in PRIVILEGED_WITHOUT_SECOND_FACTOR.items():
        client.logout()
        client.force_login(
            UserFactory(display_name="Privileged Person", **traits), second_factor=False
        )
        for url, response in _fetch_all(client, urls).items():
            status, secrets = baseline[url]
            if response.status_code >= 500:
                problems.append(f"{who}: {url} answered {response.status_code}")
            elif url.startswith(OWN_ACCOUNT):
                pass
            elif response.status_code == 200 and status != 200:
                problems.append(f"{who}: {url} is 200, the participant got {status}")
            elif response.status_code in (301, 302) and status not in (301, 302):
                location = response["Location"]
                if not location.startswith(SECOND_FACTOR_PATHS):
                    problems.append(f"{who}: {url} redirects to {location}, participant {status}")
            extra = _visible_secrets(response) - secrets
            if extra:
                problems.append(f"{who}: {url} shows {sorted(extra)}")
    assert not problems, "\n".join(problems)


def test_the_walk_would_catch_an_organiser_with_a_second_factor(client, secrets_data):
    """The control: with two-factor sign-in done, the same walk finds the organiser seeing
    more than a participant (so the walk above can fail)."""
    client.force_login(UserFactory(roles=[Role.ORGANISER], mfa=True))
    seen = set()
    for url in (f"/ideas/{pk}/" for pk in secrets_data["ids"]):
        seen |= _visible_secrets(client.get(url))
    seen |= _visible_secrets(
        client.get(reverse("engagement:session_detail", args=["draft-conversation"]))
    )
    assert {"draft idea", "hidden idea", "anonymous author", "draft session title"} <= seen


@pytest.mark.parametrize("who", list(PRIVILEGED_WITHOUT_SECOND_FACTOR))
def test_a_privileged_session_without_a_second_factor_cannot_post_initiative_updates(
    client, secrets_data, who, mailoutbox
):
    from initiatives.models import Initiative

    client.force_login(UserFactory(**PRIVILEGED_WITHOUT_SECOND_FACTOR[who]), second_factor=False)
    initiative = Initiative.objects.get(slug="safer-schools")
    update = client.post(
        reverse("initiatives:initiative_post_update", args=[initiative.slug]),
        {"title": "Forged", "body": "Forged update"},
    )
    status = client.post(
        reverse("initiatives:initiative_status", args=[initiative.slug]), {"status": "launched"}
    )
    assert update.status_code == 403
    assert status.status_code == 403
    assert not initiative.updates.exists()
    initiative.refresh_from_db()
    assert initiative.status != "launched"
    assert not mailoutbox
