"""Demo digest: the weeks of the 2021 engagement sessions, compiled synchronously through the
service. Idempotent: a ready digest for that period is kept."""

from datetime import date

from django.utils import timezone

from audit.periods import period_for_dates

from .models import Digest, DigestKind, DigestStatus
from .services import digest_compile


def seed(stdout) -> None:
    start, end = period_for_dates(date(2021, 2, 15), date(2021, 3, 14))
    digest, _created = Digest.objects.get_or_create(
        kind=DigestKind.ON_DEMAND,
        period_start=start,
        period_end=end,
        defaults={"queued_at": timezone.now()},
    )
    if digest.status == DigestStatus.READY:
        stdout.write(f"Digest: kept {digest}")
        return
    digest_compile(digest_id=digest.pk)
    digest.refresh_from_db()
    stdout.write(f"Digest: {digest} is {digest.get_status_display().lower()}")
