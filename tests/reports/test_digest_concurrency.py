"""Two workers compile the same digest at the same moment, on PostgreSQL with real threads:
the conditional UPDATE lets one through; the other returns having done nothing. The control
shows the race a read-then-write claim would lose."""

import threading
import time
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from reports import selectors, services
from reports.models import Digest, DigestKind, DigestStatus
from tests.factories import DigestFactory, sgt

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(call, n=2):
    barrier = threading.Barrier(n)
    results, errors = [], []
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait(timeout=30)
            outcome = call(barrier)
            with lock:
                results.append(outcome)
        except Exception as error:
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.fixture
def queued():
    return DigestFactory(
        kind=DigestKind.WEEKLY,
        period_start=sgt(2026, 11, 2, 8),
        period_end=sgt(2026, 11, 9, 8),
        queued_at=timezone.now(),
    )


def test_two_concurrent_compiles_one_compiles_one_does_nothing(queued):
    real = selectors.digest_figures
    calls = []

    def slow_figures(**kwargs):
        calls.append(1)
        time.sleep(0.3)  # keep the winner busy while the loser tries
        return real(**kwargs)

    with mock.patch("reports.selectors.digest_figures", side_effect=slow_figures):
        results, errors = _at_once(lambda _barrier: services.digest_compile(digest_id=queued.pk))

    assert errors == []
    assert sorted(results) == [False, True]
    assert len(calls) == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (DigestStatus.READY, 1)
    assert Digest.objects.count() == 1


def test_control_a_read_then_write_claim_lets_both_compile(queued):
    """Without the conditional UPDATE: both read "queued" before either writes."""

    def naive_claim(barrier):
        digest = Digest.objects.get(pk=queued.pk)
        barrier.wait(timeout=30)  # both have read
        if digest.status != DigestStatus.QUEUED:
            return False
        Digest.objects.filter(pk=queued.pk).update(status=DigestStatus.COMPILING)
        return True

    results, errors = _at_once(naive_claim)
    assert errors == []
    assert results == [True, True]


def test_concurrent_requests_for_the_same_period_make_one_digest(
    django_capture_on_commit_callbacks,
):
    start, end = sgt(2026, 10, 5, 8), sgt(2026, 10, 12, 8)
    with mock.patch("reports.tasks.compile_digest.delay_on_commit") as enqueue:
        results, errors = _at_once(
            lambda _b: (
                services.digest_request(
                    kind=DigestKind.ON_DEMAND, period_start=start, period_end=end
                ).pk
            ),
            n=4,
        )
    assert errors == []
    assert len(set(results)) == 1
    assert Digest.objects.filter(period_start=start).count() == 1
    # Only the request that created it, or re-queued it, enqueues a compile.
    assert enqueue.call_count == 1
