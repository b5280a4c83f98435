"""Following an initiative over HTTP: the buttons, Initiatives I follow, and the one-click
unsubscribe link (GET asks, POST unsubscribes, RFC 8058 without CSRF) (issue 17, item 3)."""

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Restriction
from initiatives import services
from initiatives.follow_links import unsubscribe_token, unsubscribe_url
from initiatives.models import Follow
from outbox.services import outbox_drain
from tests.factories import FollowFactory, InitiativeFactory, UserFactory, sgt

pytestmark = pytest.mark.django_db


def _follow_url(initiative):
    return reverse("initiatives:initiative_follow", args=[initiative.slug])


def _unfollow_url(initiative):
    return reverse("initiatives:initiative_unfollow", args=[initiative.slug])


def _path(user, initiative):
    token = unsubscribe_token(user_id=user.pk, initiative_id=initiative.pk if initiative else None)
    return reverse("initiatives:follow_unsubscribe", args=[token])


def test_anonymous_people_are_asked_to_sign_in_to_follow(client):
    initiative = InitiativeFactory()
    page = client.get(initiative.get_absolute_url())
    assert "Sign in to follow" in page.content.decode()
    response = client.post(_follow_url(initiative))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.get(reverse("initiatives:following")).status_code == 302
    assert not Follow.objects.exists()


@pytest.mark.parametrize("who", ["participant", "organiser", "staff"])
def test_signed_in_people_follow_and_unfollow_from_the_page(client, request, who):
    person = request.getfixturevalue(who)
    initiative = InitiativeFactory()
    client.force_login(person)
    assert (
        f'action="{_follow_url(initiative)}"'
        in client.get(initiative.get_absolute_url()).content.decode()
    )
    for _ in range(2):  # twice: still one follow
        assert client.post(_follow_url(initiative)).status_code == 302
    assert Follow.objects.filter(user=person, initiative=initiative).count() == 1
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert f'action="{_unfollow_url(initiative)}"' in page
    for _ in range(2):
        assert client.post(_unfollow_url(initiative)).status_code == 302
    assert not Follow.objects.exists()


def test_follow_buttons_refuse_get(client, participant):
    initiative = InitiativeFactory()
    client.force_login(participant)
    assert client.get(_follow_url(initiative)).status_code == 405
    assert client.get(_unfollow_url(initiative)).status_code == 405


def test_following_an_unknown_initiative_is_404(client, participant):
    client.force_login(participant)
    response = client.post(reverse("initiatives:initiative_follow", args=["no-such-thing"]))
    assert response.status_code == 404


def test_a_suspended_person_is_told_and_follows_nothing(client):
    person = UserFactory(restriction=Restriction.SUSPENDED, restricted_until=sgt(2099, 1, 1))
    initiative = InitiativeFactory()
    client.force_login(person)
    client.post(_follow_url(initiative))
    assert not Follow.objects.exists()


def test_initiatives_i_follow_lists_only_mine_and_unfollows(client, participant, other_participant):
    mine = FollowFactory(user=participant, initiative=InitiativeFactory(title="Mine to follow"))
    FollowFactory(user=other_participant, initiative=InitiativeFactory(title="Someone else's"))
    client.force_login(participant)
    page = client.get(reverse("initiatives:following")).content.decode()
    assert "Mine to follow" in page and "Someone else&#x27;s" not in page
    response = client.post(_unfollow_url(mine.initiative), {"next": "following"})
    assert response.url == reverse("initiatives:following")
    assert (
        "You do not follow any initiative yet."
        in client.get(reverse("initiatives:following")).content.decode()
    )


def test_initiatives_i_follow_costs_the_same_queries_for_one_or_many(client, participant):
    client.force_login(participant)
    FollowFactory(user=participant)
    client.get(reverse("initiatives:following"))  # warm up the session and caches

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("initiatives:following")).status_code == 200
        return len(context)

    one = count()
    for _ in range(30):
        FollowFactory(user=participant)
    assert count() == one


def test_the_unsubscribe_link_asks_on_get_and_unsubscribes_nobody(client, participant):
    follow = FollowFactory(user=participant)
    response = client.get(_path(participant, follow.initiative))
    assert response.status_code == 200
    assert "Yes, stop the emails" in response.content.decode()
    assert Follow.objects.filter(pk=follow.pk).exists()


def test_the_unsubscribe_link_posts_without_sign_in_or_csrf(participant):
    keep, stop = FollowFactory(user=participant), FollowFactory(user=participant)
    client = Client(enforce_csrf_checks=True)
    response = client.post(_path(participant, stop.initiative))
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert list(Follow.objects.values_list("pk", flat=True)) == [keep.pk]


def test_the_rfc_8058_one_click_post_stops_every_follow(participant):
    FollowFactory(user=participant)
    FollowFactory(user=participant)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        _path(participant, None),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Follow.objects.exists()


def test_the_header_of_a_sent_digest_unsubscribes_in_one_click(participant, organiser):
    initiative = InitiativeFactory()
    services.follow_start(initiative=initiative, by=participant)
    services.initiative_update_post(initiative=initiative, author=organiser, title="T", body="B")
    services.follow_digests_queue()
    outbox_drain()
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("http://127.0.0.1:8000")
    assert path.startswith("/following/unsubscribe/")
    Client(enforce_csrf_checks=True).post(path, data={"List-Unsubscribe": "One-Click"})
    assert not Follow.objects.exists()


def test_an_already_unsubscribed_link_says_so_kindly(client, participant):
    initiative = InitiativeFactory()
    for method in (client.get, client.post):
        response = method(_path(participant, initiative))
        assert response.status_code == 200
        assert "Already unsubscribed" in response.content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "eyJ1IjoxLCJpIjpudWxsfQ:1abcde:forged",
        # Signed with the platform's key but another salt: not one of ours.
        "SIGNED_ELSEWHERE",
    ],
)
def test_a_tampered_link_is_a_clear_404_never_a_server_error(client, participant, token):
    follow = FollowFactory(user=participant)
    if token == "SIGNED_ELSEWHERE":
        token = signing.dumps(
            {"u": participant.pk, "i": None}, salt="engagement.registration-cancel-link"
        )
    for method in (client.get, client.post):
        response = method(reverse("initiatives:follow_unsubscribe", args=[token]))
        assert response.status_code == 404
        assert "This link cannot unsubscribe anyone" in response.content.decode()
    assert Follow.objects.filter(pk=follow.pk).exists()


def test_a_link_for_another_persons_follow_stops_only_theirs(participant, other_participant):
    initiative = InitiativeFactory()
    mine = FollowFactory(user=participant, initiative=initiative)
    theirs = FollowFactory(user=other_participant, initiative=initiative)
    Client().post(_path(other_participant, initiative))
    assert list(Follow.objects.values_list("pk", flat=True)) == [mine.pk]
    assert theirs.pk not in Follow.objects.values_list("pk", flat=True)


def test_a_restricted_person_signed_in_can_still_open_the_link(client):
    person = UserFactory(restriction=Restriction.BLOCKED)
    follow = FollowFactory(user=person)
    client.force_login(person)
    response = client.post(_path(person, follow.initiative))
    assert response.status_code == 200
    assert not Follow.objects.exists()


def test_unsubscribe_url_is_absolute():
    assert unsubscribe_url(user_id=1, initiative_id=2).startswith("http")
