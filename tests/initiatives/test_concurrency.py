"""Real threads against PostgreSQL. Each guard has a control that does the same work without
it and shows the race it prevents. Skipped on SQLite, which serialises writers anyway."""

import threading

import pytest

from accounts.roles import Role
from initiatives import services
from initiatives.models import Idea, IdeaStatus, ModerationLog, Support
from tests.factories import IdeaFactory, UserFactory
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(calls):
    return run_at_once(calls, refusals=(services.IdeaError,))


def test_two_organisers_deciding_at_once_one_wins_one_is_told():
    first = UserFactory(display_name="Farah", roles=[Role.ORGANISER], password="!")
    second = UserFactory(display_name="Wei Ming", roles=[Role.ORGANISER], password="!")
    for _ in range(5):  # several rounds: the race must be lost the same way every time
        idea = IdeaFactory(status=IdeaStatus.SUBMITTED)
        copies = [Idea.objects.get(pk=idea.pk) for _ in range(2)]
        results, errors = _run_at_once(
            [
                lambda copy=copies[0]: services.idea_approve(idea=copy, moderator=first),
                lambda copy=copies[1]: services.idea_reject(
                    idea=copy, moderator=second, reason="No"
                ),
            ]
        )
        assert errors == []
        conflicts = [r for r in results if isinstance(r, services.IdeaConflict)]
        assert len(conflicts) == 1
        idea.refresh_from_db()
        winner = idea.decided_by
        assert f"already decided by {winner.display_name}" in str(conflicts[0])
        assert idea.status == (IdeaStatus.APPROVED if winner == first else IdeaStatus.REJECTED)
        assert ModerationLog.objects.filter(idea_id=idea.pk).count() == 1


def test_control_without_the_status_condition_both_organisers_transition(monkeypatch):
    """The guard matters: swap the decision service's conditional UPDATE for a
    read-check-write without `WHERE status = ...`, and two organisers deciding at once both
    pass the check, both write, and the log shows two transitions for one idea."""
    first = UserFactory(display_name="Farah", roles=[Role.ORGANISER], password="!")
    second = UserFactory(display_name="Wei Ming", roles=[Role.ORGANISER], password="!")
    idea = IdeaFactory(status=IdeaStatus.SUBMITTED)
    copies = [Idea.objects.get(pk=idea.pk) for _ in range(2)]
    read_done = threading.Barrier(2)

    def read_check_write(idea_pk, expected, to, updates):
        current = Idea.objects.get(pk=idea_pk)
        read_done.wait(timeout=30)
        if current.status != expected:
            return False
        Idea.objects.filter(pk=idea_pk).update(status=to, **updates)
        return True

    monkeypatch.setattr(services, "_move_if_unchanged", read_check_write)
    results, errors = _run_at_once(
        [
            lambda copy=copies[0]: services.idea_approve(idea=copy, moderator=first).status,
            lambda copy=copies[1]: (
                services.idea_reject(idea=copy, moderator=second, reason="No").status
            ),
        ]
    )
    assert errors == []
    assert sorted(results) == ["approved", "rejected"]
    assert ModerationLog.objects.filter(idea_id=idea.pk).count() == 2


def test_twenty_people_supporting_at_once_count_exactly_twenty():
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    people = UserFactory.create_batch(20, password="!")
    results, errors = _run_at_once(
        [
            lambda person=person: services.idea_support_set(idea=idea, user=person, supported=True)
            for person in people
        ]
    )
    assert errors == []
    assert results == [True] * 20
    idea.refresh_from_db()
    assert idea.support_count == 20 == Support.objects.filter(idea=idea).count()


def test_toggling_on_and_off_at_once_keeps_the_count_equal_to_the_rows():
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    people = UserFactory.create_batch(20, password="!")
    for person in people[:10]:
        services.idea_support_set(idea=idea, user=person, supported=True)
    calls = (
        [
            lambda person=person, on=(i >= 10): services.idea_support_set(
                idea=idea, user=person, supported=on
            )
            for i, person in enumerate(people)
        ]
        + [  # the same people double-clicking
            lambda person=person: services.idea_support_set(idea=idea, user=person, supported=True)
            for person in people[10:]
        ]
    )
    results, errors = _run_at_once(calls)
    assert errors == []
    idea.refresh_from_db()
    assert idea.support_count == Support.objects.filter(idea=idea).count() == 10


def test_control_read_modify_write_counter_loses_supports(monkeypatch):
    """The guard matters: swap the support service's F() counter for `count = read + 1`, and
    concurrent supports overwrite each other and the total comes out short."""
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    people = UserFactory.create_batch(20, password="!")
    read_done = threading.Barrier(20)

    def read_then_write(idea_pk, delta):
        seen = Idea.objects.get(pk=idea_pk).support_count
        read_done.wait(timeout=30)
        Idea.objects.filter(pk=idea_pk).update(support_count=seen + delta)

    monkeypatch.setattr(services, "_count_support", read_then_write)
    results, errors = _run_at_once(
        [
            lambda person=person: services.idea_support_set(idea=idea, user=person, supported=True)
            for person in people
        ]
    )
    assert errors == []
    idea.refresh_from_db()
    assert Support.objects.filter(idea=idea).count() == 20
    assert idea.support_count < 20
