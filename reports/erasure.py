"""What erasing an account does to reports' rows (accounts.erasure; registered in
ReportsConfig.ready())."""

from accounts.erasure import Erasure, declare_safe, erasure_step

from .models import DigestSubscription

declare_safe(
    "reports.SessionSummary.written_by",
    why="the organiser who last wrote a session's public summary, in their role; afterwards it "
    "points at a pseudonym only",
)
declare_safe(
    "reports.Digest.requested_by",
    why="who asked for a digest; afterwards it points at a pseudonym only",
)


@erasure_step(covers=["reports.DigestSubscription.user"])
def unsubscribe_from_digests(erasure: Erasure) -> None:
    DigestSubscription.objects.filter(user=erasure.user).delete()
