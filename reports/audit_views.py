"""The audit log as CSV, for administrators (linked from the admin's audit log and the
export page)."""

import csv
import io
import json
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.permissions import role_required
from accounts.personal_data import ADMINISTRATOR
from accounts.roles import Role
from audit.cells import UTF8_BOM, iso, neutralise
from audit.models import AuditEvent
from audit.services import access_record, audit_record


@require_GET
@role_required(Role.STAFF)
def audit_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The whole audit log as CSV, for administrators only."""
    if not request.user.is_superuser:
        raise PermissionDenied
    with transaction.atomic():
        event = audit_record(actor=request.user, action="audit_log_export", object_type="audit_log")
        # The file names every actor by email: each (but its reader) sees it in "Download my
        # data".
        access_record(
            event=event,
            role=ADMINISTRATOR,
            person_ids=AuditEvent.objects.exclude(actor=None)
            .exclude(actor=request.user)
            .order_by()
            .values_list("actor_id", flat=True)
            .distinct()
            .iterator(chunk_size=settings.EXPORT_CHUNK_SIZE),
        )
    events = (
        AuditEvent.objects.order_by("created_at", "id")
        .values_list(
            "id",
            "created_at",
            "actor_id",
            "actor__email",
            "action",
            "object_type",
            "object_id",
            "details",
        )
        .iterator(chunk_size=settings.EXPORT_CHUNK_SIZE)
    )

    def lines() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write(UTF8_BOM)
        writer.writerow(
            [
                "event_id",
                "when",
                "actor_id",
                "actor_email",
                "action",
                "object_type",
                "object_id",
                "details",
            ]
        )
        for number, (
            event_id,
            when,
            actor_id,
            email,
            action,
            kind,
            object_id,
            details,
        ) in enumerate(events, start=1):
            writer.writerow(
                [
                    event_id,
                    iso(when),
                    actor_id,
                    neutralise(email or ""),
                    neutralise(action),
                    neutralise(kind),
                    neutralise(object_id),
                    neutralise(json.dumps(details, ensure_ascii=False, sort_keys=True)),
                ]
            )
            if number % 1000 == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="afa-audit-log-{timezone.localdate().isoformat()}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
