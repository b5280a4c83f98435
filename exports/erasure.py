"""What erasing an account does to the exports it asked for (accounts.erasure; registered
in ExportsConfig.ready())."""

from django.core.files.storage import storages
from django.db import transaction

from accounts.erasure import Erasure, erasure_step

from .models import EXPORT_JOB_TRANSITIONS, ExportJob, ExportJobStatus


@erasure_step(covers=["exports.ExportJob.requested_by"])
def expire_export_files(erasure: Erasure) -> None:
    """Files ready for the person (staff who exported other people's data) are deleted at
    once, as on expiry: nobody may download them now. The jobs stay, for the audit log that
    points to them; one still being built finishes, and its "ready" email is dropped (the
    outbox sends nothing to an erased account)."""
    ready = ExportJob.objects.filter(requested_by=erasure.user, status=ExportJobStatus.READY)
    files = [relative for relative in ready.values_list("file_path", flat=True) if relative]
    EXPORT_JOB_TRANSITIONS.update(
        ready, to=ExportJobStatus.EXPIRED, among={ExportJobStatus.READY}, file_path=""
    )

    def delete_files() -> None:
        for relative in files:
            # The prefix of export files in the private store (exports.services).
            storages["private"].delete(f"exports/{relative}")

    transaction.on_commit(delete_files)
