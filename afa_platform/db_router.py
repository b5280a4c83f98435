"""Reads that may come from a replica: the dashboard, the digests and the exports.

With DATABASE_REPLICA_URL set, settings add a `replica` database alias and REPLICA_READS.
Reads go to it only while `reading_from_replica()` is active (a context manager and a
decorator, kept in a context variable so it follows neither another thread nor another
request), and only for the models of REPLICA_READ_APPS: the source data that the figures
count. Everything else (sign-in, sessions, a digest or export job just written) is read from
the primary, so replication lag never signs someone out or hides their own job. Writes
always go to the primary, and migrations only run there.

ReplicaReadsMiddleware turns it on around the views named in REPLICA_READ_VIEWS, for GET and
HEAD only. A streamed response (a CSV export) is read after the view returns, from the
primary. The Celery tasks named in REPLICA_READ_TASKS (a digest's compilation) run with it on
(task_prerun / task_postrun); an export job turns it on around the reading of its rows
(exports.services).
"""

from collections.abc import Callable
from contextlib import ContextDecorator
from contextvars import ContextVar

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


class reading_from_replica(ContextDecorator):  # noqa: N801 (used like a function)
    """Inside it, reads of REPLICA_READ_APPS' models go to the replica (when configured)."""

    def __enter__(self):
        self._token = _replica_reads.set(True)
        return self

    def __exit__(self, *exc) -> None:
        _replica_reads.reset(self._token)


def replica_reads_active() -> bool:
    return _replica_reads.get() and getattr(settings, "REPLICA_READS", False)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if replica_reads_active() and model._meta.app_label in settings.REPLICA_READ_APPS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # Both aliases hold the same rows: an object read from the replica may point to one
        # read from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == "default"


class ReplicaReadsMiddleware:
    """Reads from the replica while a view of REPLICA_READ_VIEWS answers a GET or HEAD."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if (
            getattr(settings, "REPLICA_READS", False)
            and request.method in ("GET", "HEAD")
            and request.resolver_match is not None
            and request.resolver_match.view_name in settings.REPLICA_READ_VIEWS
        ):
            with reading_from_replica():
                return view_func(request, *view_args, **view_kwargs)
        return None


_task_tokens: dict[str, object] = {}


@task_prerun.connect(weak=False)
def _task_reads_from_replica(task_id=None, task=None, **kwargs) -> None:
    if task_id and getattr(task, "name", None) in settings.REPLICA_READ_TASKS:
        _task_tokens[task_id] = _replica_reads.set(True)


@task_postrun.connect(weak=False)
def _task_done(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _replica_reads.reset(token)
