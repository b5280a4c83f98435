"""Retention, enforced: every rule that deletes or erases personal data on a schedule, in one
registry, run by one daily job (audit.tasks.apply_retention) and by `manage.py retention`
(with --dry-run: what would go, changing nothing). The privacy notice lists each rule's
sentence, worded from the settings, so the page and the job cannot disagree.

The audit floor knows no product: each app registers its own rules in its `retention` module
(engagement's access needs, exports' files, accounts' archives and inactive accounts), found at
start-up by AuditConfig.ready(); this module registers the audit log's own rule.

A rule's `apply(now=..., dry_run=...)` returns the ids of the rows it changed (or would);
each is safe to run twice (it selects only what is still due and moves rows conditionally).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import AccessRecord, AuditEvent
from .periods import months_before
from .services import audit_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    key: str
    # What the command prints beside the ids: "access needs erased".
    label: str | Promise
    apply: Callable[..., list[int]]
    # The privacy notice's sentence, worded from the settings at request time.
    notice: Callable[[], str]
    order: int = 100
    # False for a rule that only lists what is due (it changes nothing, in a dry run or not).
    changes: bool = True


RULES: dict[str, Rule] = {}


def register(*rules: Rule) -> None:
    for rule in rules:
        if rule.key in RULES and RULES[rule.key] != rule:
            raise ValueError(f"Retention rule {rule.key!r} is registered twice")
        RULES[rule.key] = rule


def rules() -> list[Rule]:
    return sorted(RULES.values(), key=lambda rule: (rule.order, rule.key))


def retention_apply(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, list[int]]:
    """Apply every rule (or, with dry_run, ask each what it would change). Each rule runs in
    its own transaction, so one that fails leaves the others done; the error is raised once
    all have run. Side effects (not in a dry run): whatever each rule does, and one audit row
    (retention.apply) with the counts, when any rule changed something."""
    now = now or timezone.now()
    results: dict[str, list[int]] = {}
    failures: list[Exception] = []
    for rule in rules():
        try:
            with transaction.atomic():
                results[rule.key] = list(rule.apply(now=now, dry_run=dry_run))
        except Exception as exc:  # the other rules still run
            logger.exception("Retention rule %s failed", rule.key)
            failures.append(exc)
    changed = {rule.key for rule in rules() if rule.changes and results.get(rule.key)}
    if not dry_run and changed:
        audit_record(
            actor=None,
            action="retention.apply",
            object_type="retention",
            details={key: len(ids) for key, ids in results.items()},
        )
    if failures:
        raise failures[0]
    return results


# --- The audit log's own rule ----------------------------------------------------------------

PURGE_BATCH = 5000


def audit_cutoff(now: datetime) -> datetime:
    """Audit rows older than this go. A day's margin keeps the job clear of the database's
    own floor (the trigger counts AUDIT_RETENTION_FLOOR_YEARS from its transaction's start)."""
    return months_before(now, settings.RETENTION_AUDIT_YEARS * 12) - timedelta(days=1)


def audit_events_purge(*, now: datetime, dry_run: bool = False) -> list[int]:
    """Delete audit rows (and the access records that hang off them) older than
    RETENTION_AUDIT_YEARS. The one delete the append-only rule allows: on PostgreSQL the
    trigger (audit/migrations/0005) lets a DELETE through only when this transaction has set
    `afa.retention` to 'on' and the row is older than AUDIT_RETENTION_FLOOR_YEARS; the ORM's
    guard (AppendOnlyQuerySet) is bypassed by plain SQL here, and only here."""
    due = list(
        AuditEvent.objects.filter(created_at__lt=audit_cutoff(now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if dry_run or not due:
        return due
    table = AuditEvent._meta.db_table
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            # Local to the transaction, and switched off again below: in a caller's larger
            # transaction (a savepoint here) it must not outlive these deletes. On an error the
            # rollback (to the savepoint) undoes it too.
            cursor.execute("SELECT set_config('afa.retention', 'on', true)")
        for start in range(0, len(due), PURGE_BATCH):
            batch = due[start : start + PURGE_BATCH]
            AccessRecord.objects.filter(event_id__in=batch).delete()
            placeholders = ", ".join(["%s"] * len(batch))
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({placeholders})", batch)  # noqa: S608
        if postgres:
            cursor.execute("SELECT set_config('afa.retention', 'off', true)")
    return due


def _audit_notice() -> str:
    years = settings.RETENTION_AUDIT_YEARS
    return ngettext(
        "The audit log (who exported or looked at personal data, and staff actions) is kept "
        "for %(years)d year, then deleted.",
        "The audit log (who exported or looked at personal data, and staff actions) is kept "
        "for %(years)d years, then deleted.",
        years,
    ) % {"years": years}


register(
    Rule(
        key="audit_rows",
        label=_("audit log rows"),
        apply=audit_events_purge,
        notice=_audit_notice,
        order=90,
    )
)
