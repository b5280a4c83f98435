"""Two digest runs at once (two beat deliveries, a retried task) on PostgreSQL: one email per
follower per day, each item once. The control takes away the lock and the day's key and
shows the doubled emails they prevent."""

import time

import pytest

from initiatives import services
from initiatives.emails import FOLLOW_DIGEST
from initiatives.models import Follow
from outbox.models import OutboundEmail
from tests.factories import InitiativeFactory, UserFactory, sgt
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = sgt(2026, 12, 3, 18)
RUNS = 4


def _world(followers: int = 5):
    lead = UserFactory()
    initiative = InitiativeFactory()
    people = [UserFactory() for _ in range(followers)]
    for person in people:
        services.follow_start(initiative=initiative, by=person)
    for n in range(3):
        services.initiative_update_post(
            initiative=initiative, author=lead, title=f"News {n}", body="Text"
        )
    return people


def _emails_per_person():
    counts: dict[int, int] = {}
    for recipient_id in OutboundEmail.objects.filter(kind=FOLLOW_DIGEST).values_list(
        "recipient_id", flat=True
    ):
        counts[recipient_id] = counts.get(recipient_id, 0) + 1
    return counts


def test_runs_at_once_queue_one_email_per_follower():
    people = _world()
    results, errors = run_at_once(
        [lambda: services.follow_digests_queue(now=NOW) for _ in range(RUNS)]
    )
    assert errors == []
    assert sum(results) == len(people)
    assert _emails_per_person() == {person.pk: 1 for person in people}
    # Every watermark moved past the same, newest notice.
    assert len(set(Follow.objects.values_list("notified_through", flat=True))) == 1


def test_control_without_the_lock_and_the_key_followers_get_doubled_emails(monkeypatch):
    people = _world(followers=2)

    def unlocked(user_id):
        follows = list(Follow.objects.filter(user_id=user_id).order_by("pk"))
        time.sleep(0.3)  # both runs read the same watermarks
        return follows

    monkeypatch.setattr(services, "_lock_follows", unlocked)
    monkeypatch.setattr(services, "follow_digest_key", lambda **kwargs: None)
    results, errors = run_at_once(
        [lambda: services.follow_digests_queue(now=NOW) for _ in range(2)]
    )
    assert errors == []
    assert any(count > 1 for count in _emails_per_person().values())
    assert sum(results) > len(people)
