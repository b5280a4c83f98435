"""A request id on every log line, carried from a request into the Celery tasks it queues.

RequestIdMiddleware takes the X-Request-ID header when it is well formed (8 to 64 letters,
digits, dashes, underscores or dots: a proxy's id), or makes one, keeps it in a context
variable for the request and sends it back on the response. Publishing a task copies it into
the task's headers (before_task_publish); a worker puts it back before the task runs
(task_prerun) and clears it after (task_postrun). RequestIdFilter adds it to every log record
as `request_id` ("-" outside a request or task).
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
WELL_FORMED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(candidate: str | None) -> str:
    """The incoming id when it is well formed, else a new one."""
    if candidate and WELL_FORMED.match(candidate):
        return candidate
    return new_request_id()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted_request_id(request.headers.get(HEADER))
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


@before_task_publish.connect(weak=False)
def _publish_request_id(headers=None, **kwargs) -> None:
    request_id = _request_id.get()
    if request_id and headers is not None:
        headers[TASK_HEADER] = request_id


def _task_request_id(task) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    value = getattr(request, TASK_HEADER, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    return value if isinstance(value, str) and WELL_FORMED.match(value) else None


_task_tokens: dict[str, object] = {}


@task_prerun.connect(weak=False)
def _restore_request_id(task_id=None, task=None, **kwargs) -> None:
    request_id = _task_request_id(task)
    # An eager task runs inside the request: it keeps the request's id as it is.
    if request_id and task_id:
        _task_tokens[task_id] = _request_id.set(request_id)


@task_postrun.connect(weak=False)
def _clear_request_id(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _request_id.reset(token)
