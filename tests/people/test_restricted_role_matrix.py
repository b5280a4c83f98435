"""The role matrix of a restricted person (issue 15): a suspended and a blocked person
against every way of taking part, over HTTP. Each request is sent to the explanation page,
and nothing is written."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from engagement.models import Registration
from feedback.models import Feedback
from initiatives.models import (
    CoCreator,
    Comment,
    IdeaStatus,
    Mute,
    PersonReport,
    Report,
    Support,
)
from tests.factories import (
    CommentFactory,
    EngagementSessionFactory,
    IdeaFactory,
    InitiativeFactory,
)

pytestmark = pytest.mark.django_db
RESTRICTED = reverse("accounts:restricted")


@pytest.fixture(params=["suspended", "blocked"])
def restricted(request, participant, organiser):
    until = timezone.now() + timedelta(days=3) if request.param == "suspended" else None
    account_services.person_block(person=participant, by=organiser, reason="Abuse", until=until)
    participant.refresh_from_db()
    return participant


def _world():
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    comment = CommentFactory(idea=idea)
    return {
        "idea": idea,
        "comment": comment,
        "session": EngagementSessionFactory(),
        "initiative": InitiativeFactory(),
    }


def _requests(world):
    idea, comment = world["idea"], world["comment"]
    return [
        ("get", reverse("initiatives:idea_create"), {}),
        ("post", reverse("initiatives:idea_create"), {"title": "T", "body": "B" * 40}),
        ("post", reverse("initiatives:idea_support", args=[idea.pk]), {"supported": "1"}),
        ("post", reverse("initiatives:idea_comment", args=[idea.pk]), {"body": "Hi"}),
        ("post", reverse("initiatives:idea_report", args=[idea.pk]), {"reason": "spam"}),
        ("post", reverse("initiatives:comment_report", args=[comment.pk]), {"reason": "spam"}),
        (
            "post",
            reverse("initiatives:comment_report_author", args=[comment.pk]),
            {"reason": "harassment"},
        ),
        ("post", reverse("initiatives:comment_mute", args=[comment.pk]), {}),
        (
            "post",
            reverse("engagement:session_register", args=[world["session"].slug]),
            {},
        ),
        ("post", reverse("feedback:new"), {"experience": "x"}),
        (
            "post",
            reverse("initiatives:initiative_join", args=[world["initiative"].slug]),
            {"role": "volunteer"},
        ),
        ("get", reverse("initiatives:idea_board"), {}),
        ("get", reverse("engagement:session_list"), {}),
        ("get", reverse("accounts:profile"), {}),
    ]


def test_every_way_of_taking_part_leads_to_the_explanation_and_writes_nothing(client, restricted):
    world = _world()
    client.force_login(restricted)
    before = [
        model.objects.count()
        for model in (
            Comment,
            Support,
            Report,
            PersonReport,
            Mute,
            Registration,
            Feedback,
            CoCreator,
        )
    ]
    for method, url, data in _requests(world):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"] == RESTRICTED, url
    after = [
        model.objects.count()
        for model in (
            Comment,
            Support,
            Report,
            PersonReport,
            Mute,
            Registration,
            Feedback,
            CoCreator,
        )
    ]
    assert after == before


def test_what_stays_open_to_them(client, restricted):
    client.force_login(restricted)
    for name in (
        "accounts:restricted",
        "accounts:personal_data",
        "accounts:delete",
        "support",
        "privacy",
    ):
        assert client.get(reverse(name)).status_code == 200, name
