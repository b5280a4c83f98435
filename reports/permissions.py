"""Digests are for MCI staff only (views are wrapped in role_required(Role.STAFF))."""

from django.shortcuts import get_object_or_404

from .models import Digest


def get_digest_for_staff(pk: int) -> Digest:
    """Caller has checked the staff role."""
    return get_object_or_404(Digest.objects.select_related("requested_by"), pk=pk)
