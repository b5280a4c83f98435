"""The writes of the audit log: its rows, and who an export of personal data included."""

from collections.abc import Iterable

from django.db import transaction

from .models import AccessRecord, AuditEvent


@transaction.atomic
def audit_record(
    *,
    actor,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append one row to the audit log. Call it inside the transaction that does the work."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details or {},
    )


ACCESS_BATCH = 2000


@transaction.atomic
def access_record(*, event: AuditEvent, role: str, person_ids: Iterable[int]) -> int:
    """Write who an audited export or roster included (one AccessRecord per person), in the
    transaction of the event. `person_ids` may repeat and may be a lazy queryset; it is read
    in batches. Returns the number of people recorded."""
    seen: set[int] = set()
    batch: list[AccessRecord] = []
    for person_id in person_ids:
        if person_id is None or person_id in seen:
            continue
        seen.add(person_id)
        batch.append(AccessRecord(event=event, person_id=person_id, role=role))
        if len(batch) >= ACCESS_BATCH:
            AccessRecord.objects.bulk_create(batch)
            batch = []
    if batch:
        AccessRecord.objects.bulk_create(batch)
    return len(seen)
