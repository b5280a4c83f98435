"""The one write of the audit log."""

from django.db import transaction

from .models import AuditEvent


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
