"""Leases for long background jobs (export files, digests, and later the personal-data
archive): a job row says which run holds it and until when, so a run whose worker died is
taken over instead of waited out.

A run claims the row with one conditional UPDATE (queued, or running with an expired lease)
that writes a fresh token and a deadline; a heartbeat thread pushes the deadline on while the
run is alive; every write the run makes afterwards is conditional on its token, so a run that
lost its lease (a stalled worker whose job was taken over) can never finish the job or fail it.
The beat sweep (`lease_sweep`) puts rows whose lease ran out back to queued and enqueues them,
or fails them after `max_attempts` claims. Killed, a worker stops renewing: the job is taken
over within JOB_LEASE_SECONDS plus one JOB_SWEEP_SECONDS, whatever the broker's visibility
timeout.

Models inherit `LeasedJob` (fields only) and keep their own status choices; the helpers take
the status values and the model's table of transitions (afa_platform.states), so each app's
state machine stays its own and every status a lease writes is a move that table allows:
queued or running -> running (a claim), queued or running -> queued (the sweep).
"""

import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connections, models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .states import Transitions

logger = logging.getLogger(__name__)


class LeasedJob(models.Model):
    """The fields of a leased job row. Status stays the model's own."""

    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Which run holds the job: every write of the run is conditional on it.
    lease_token = models.CharField(_("held by run"), max_length=32, blank=True)
    # Running: the holder's heartbeat deadline. Queued: when the sweep takes the message for
    # lost and enqueues the job again.
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)

    class Meta:
        abstract = True


def lease_deadline(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(seconds=settings.JOB_LEASE_SECONDS)


def lease_claim(
    model: type[models.Model],
    *,
    pk: int,
    transitions: Transitions,
    queued: str,
    running: str,
    **updates,
) -> str | None:
    """Take the job for this run: one conditional UPDATE, so two runs never both hold it.
    Returns the run's token, or None when the job is held (lease alive), done or gone."""
    now = timezone.now()
    token = secrets.token_hex(16)
    claimable = model.objects.filter(pk=pk).filter(
        Q(status=queued) | Q(status=running, lease_expires_at__lt=now)
    )
    claimed = transitions.update(
        claimable,
        to=running,
        among={queued, running},
        lease_token=token,
        lease_expires_at=lease_deadline(now),
        attempts=F("attempts") + 1,
        **updates,
    )
    return token if claimed else None


def lease_renew(model: type[models.Model], *, pk: int, token: str) -> bool:
    """Push the deadline on. False when the run no longer holds the job."""
    return bool(
        model.objects.filter(pk=pk, lease_token=token).update(lease_expires_at=lease_deadline())
    )


class LeaseLost(Exception):
    """The run's job was taken over (its lease ran out while it stalled): stop, write nothing."""


class Heartbeat:
    """Renews a lease from a thread of its own while the run works, so a long step (one query
    of a digest, a slow chunk of an export) keeps the job; a killed process renews nothing."""

    def __init__(self, model: type[models.Model], *, pk: int, token: str) -> None:
        self.model, self.pk, self.token = model, pk, token
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{pk}", daemon=True)

    def check(self) -> None:
        """Raise LeaseLost when a renewal found the job held by another run."""
        if self.lost:
            raise LeaseLost(f"{self.model.__name__} {self.pk}")

    def _run(self) -> None:
        interval = max(settings.JOB_LEASE_SECONDS / 3, 0.2)
        try:
            while not self._stop.wait(interval):
                try:
                    if not lease_renew(self.model, pk=self.pk, token=self.token):
                        self.lost = True
                        return
                except DatabaseError:
                    # One failed renewal is not a lost lease; the next one may get through.
                    logger.warning(
                        "Could not renew the lease of %s %s", self.model.__name__, self.pk
                    )
        finally:
            # This thread's own connection: close it, or it outlives the run.
            connections.close_all()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def lease_heartbeat(model: type[models.Model], *, pk: int, token: str) -> Iterator[Heartbeat]:
    heartbeat = Heartbeat(model, pk=pk, token=token)
    heartbeat.start()
    try:
        yield heartbeat
    finally:
        heartbeat.stop()


def lease_sweep(
    model: type[models.Model],
    *,
    transitions: Transitions,
    queued: str,
    running: str,
    max_attempts: int,
    enqueue: Callable[[int], None],
    give_up: Callable[[int], bool],
    now: datetime | None = None,
) -> list[int]:
    """Beat: jobs whose lease ran out go back to queued and are enqueued again (a running job
    whose worker died, or a queued one whose message was lost); a running one that has
    already been claimed `max_attempts` times is handed to `give_up` instead (which fails it,
    conditionally, with its audit row). Each row moves by a conditional UPDATE, so two sweeps
    never enqueue it twice. Returns the ids enqueued."""
    now = now or timezone.now()
    expired = model.objects.filter(status__in=[queued, running], lease_expires_at__lt=now)
    requeued = []
    for pk, status, attempts, deadline in expired.values_list(
        "pk", "status", "attempts", "lease_expires_at"
    ):
        if status == running and attempts >= max_attempts:
            if give_up(pk):
                logger.error("Gave up on %s %s after %s attempts", model.__name__, pk, attempts)
            continue
        moved = transitions.update(
            model.objects.filter(pk=pk, lease_expires_at=deadline),
            to=queued,
            among={status},
            lease_token="",
            lease_expires_at=lease_deadline(now),
        )
        if moved:
            logger.warning("Re-queueing %s %s (its lease ran out)", model.__name__, pk)
            requeued.append(pk)
            enqueue(pk)
    return requeued
