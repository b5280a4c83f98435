"""Digests move only along DIGEST_TRANSITIONS (reports.models), through the services and the
lease helpers alike: a move taken out of the table is refused and nothing is written."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from afa_platform.states import TransitionError
from reports import models, services
from reports.models import Digest, DigestKind, DigestStatus
from tests.factories import sgt
from tests.state_tables import without

pytestmark = pytest.mark.django_db

D = DigestStatus


def _digest(**fields) -> Digest:
    fields = {
        "kind": DigestKind.WEEKLY,
        "period_start": sgt(2026, 11, 2, 8),
        "period_end": sgt(2026, 11, 9, 8),
        "queued_at": timezone.now(),
        **fields,
    }
    return Digest.objects.create(**fields)


def _drop(monkeypatch, source, target):
    monkeypatch.setattr(
        services, "DIGEST_TRANSITIONS", without(models.DIGEST_TRANSITIONS, source, target)
    )


def test_asking_again_for_a_ready_digest_follows_the_table(monkeypatch):
    digest = _digest(status=D.READY)
    _drop(monkeypatch, D.READY, D.QUEUED)
    with pytest.raises(TransitionError, match="ready may not become queued"):
        services.digest_request(
            kind=digest.kind, period_start=digest.period_start, period_end=digest.period_end
        )
    assert Digest.objects.get(pk=digest.pk).status == D.READY


def test_the_compile_claim_follows_the_table(monkeypatch):
    digest = _digest()
    _drop(monkeypatch, D.QUEUED, D.COMPILING)
    with pytest.raises(TransitionError, match="queued may not become compiling"):
        services.digest_compile(digest_id=digest.pk)
    assert Digest.objects.get(pk=digest.pk).status == D.QUEUED


def test_the_sweep_follows_the_table(monkeypatch):
    digest = _digest(
        status=D.COMPILING,
        lease_token="dead-run",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
        attempts=1,
    )
    _drop(monkeypatch, D.COMPILING, D.QUEUED)
    with (
        mock.patch.object(services, "_enqueue_compile"),
        pytest.raises(TransitionError, match="compiling may not become queued"),
    ):
        services.digest_requeue_stale()
    assert Digest.objects.get(pk=digest.pk).status == D.COMPILING


def test_marking_failed_moves_only_what_the_table_lets_fail():
    ready, queued = _digest(status=D.READY), _digest(status=D.QUEUED, kind=DigestKind.ON_DEMAND)
    services.digest_mark_failed(digest_id=ready.pk, error="late")
    services.digest_mark_failed(digest_id=queued.pk, error="boom")
    assert Digest.objects.get(pk=ready.pk).status == D.READY
    assert Digest.objects.get(pk=queued.pk).status == D.FAILED
