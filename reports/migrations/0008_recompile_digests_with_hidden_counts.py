"""Digests compiled before small counts of people were hidden (reports.disclosure) hold them in
their stored figures and page. Each such ready digest goes back to queued with its lease run
out, so the beat sweep compiles it again (its email is not sent again: the outbox keys it by
digest and recipient); until then its page says it is being compiled, and shows no number."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def requeue_digests_with_counts(apps, schema_editor):
    Digest = apps.get_model("reports", "Digest")
    now = timezone.now()
    # Figures compiled since say whether attendance is hidden; older ones do not.
    Digest.objects.filter(status="ready").exclude(
        figures__sessions__has_key="attendance_hidden"
    ).update(
        status="queued",
        queued_at=now,
        attempts=0,
        error="",
        lease_token="",
        lease_expires_at=now - timedelta(seconds=1),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0007_auditevent_to_audit"),
    ]

    operations = [
        migrations.RunPython(requeue_digests_with_counts, migrations.RunPython.noop),
    ]
