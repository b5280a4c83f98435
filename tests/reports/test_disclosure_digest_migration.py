"""Digests compiled before counts were hidden are compiled again: reports 0008 queues them with
their lease run out, and the beat sweep compiles them with the counts hidden."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Background
from audit.periods import period_for_dates
from reports.models import Digest, DigestKind, DigestStatus
from reports.tasks import sweep_stale_digests
from tests.factories import UserFactory, sgt

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reports", "0007_auditevent_to_audit")]
AFTER = [("reports", "0008_recompile_digests_with_hidden_counts")]


def _migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


def test_digests_holding_small_counts_are_compiled_again_with_them_hidden():
    start, end = period_for_dates(date(2026, 11, 2), date(2026, 11, 8))
    UserFactory(background=Background.GOVERNMENT, date_joined=sgt(2026, 11, 3))
    old_figures = {
        "participants": {"new_total": 1, "by_background": [{"code": "government", "count": 1}]},
        "sessions": {"attended": 1, "confirmed_at_held": 1, "attendance_rate": 100.0},
    }
    try:
        _migrate(BEFORE)
        old = Digest.objects.create(
            kind=DigestKind.ON_DEMAND,
            period_start=start,
            period_end=end,
            queued_at=start,
            status=DigestStatus.READY,
            figures=old_figures,
            html="<p>1 new participant.</p>",
        )
        current = Digest.objects.create(
            kind=DigestKind.WEEKLY,
            period_start=start,
            period_end=end,
            queued_at=start,
            status=DigestStatus.READY,
            figures={"sessions": {"attendance_hidden": False}},
            html="<p>Compiled since.</p>",
        )
        _migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    old.refresh_from_db()
    current.refresh_from_db()
    assert old.status == DigestStatus.QUEUED
    assert current.status == DigestStatus.READY and current.html == "<p>Compiled since.</p>"

    assert sweep_stale_digests() == [old.pk]
    old.refresh_from_db()
    assert old.status == DigestStatus.READY
    assert old.figures["participants"]["new_total"] is None
    assert "1 new participant." not in old.html
