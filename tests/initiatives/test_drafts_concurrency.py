"""Two co-creators saving the same draft at the same moment, on PostgreSQL with real
threads: exactly one new version, the other is told of the conflict. The control takes the
row lock away and shows the race it prevents."""

import time

import pytest

from initiatives import services
from initiatives.models import DraftVersion, Initiative
from tests.factories import CoCreatorFactory, DraftVersionFactory, InitiativeFactory
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _save_both(initiative, people):
    return run_at_once(
        [
            lambda person=person, n=n: services.draft_save(
                initiative=Initiative.objects.get(pk=initiative.pk),
                by=person,
                base_number=1,
                problem=f"Text by writer {n}",
            )
            for n, person in enumerate(people)
        ],
        refusals=(services.IdeaError,),
    )


def test_two_saves_on_the_same_base_make_one_version_and_one_conflict():
    for _ in range(5):  # several rounds: the race must end the same way every time
        initiative = InitiativeFactory()
        people = [CoCreatorFactory(initiative=initiative).user for _ in range(2)]
        DraftVersionFactory(initiative=initiative, author=people[0])
        results, errors = _save_both(initiative, people)
        assert errors == []
        conflicts = [r for r in results if isinstance(r, services.DraftConflict)]
        saved = [r for r in results if isinstance(r, DraftVersion)]
        assert (len(saved), len(conflicts)) == (1, 1)
        assert conflicts[0].latest.number == 2
        assert conflicts[0].latest.problem == saved[0].problem
        assert DraftVersion.objects.filter(initiative=initiative).count() == 2


def test_without_the_row_lock_both_read_the_same_base(monkeypatch):
    """The control: with the lock swapped for a plain read, both saves see version 1 as the
    latest and both try to make version 2; only the unique number stops the second, with a
    database error instead of the conflict page."""
    monkeypatch.setattr(
        services, "_lock_initiative", lambda initiative: Initiative.objects.get(pk=initiative.pk)
    )
    original = services._latest_version
    barrier_hits = []

    def slow_latest(initiative):
        latest = original(initiative)
        barrier_hits.append(latest.number)
        time.sleep(0.3)  # both read before either writes
        return latest

    monkeypatch.setattr(services, "_latest_version", slow_latest)
    initiative = InitiativeFactory()
    people = [CoCreatorFactory(initiative=initiative).user for _ in range(2)]
    DraftVersionFactory(initiative=initiative, author=people[0])
    results, errors = _save_both(initiative, people)
    assert barrier_hits == [1, 1]
    assert not any(isinstance(r, services.DraftConflict) for r in results)
    assert len(errors) == 1 and "IntegrityError" in errors[0]
