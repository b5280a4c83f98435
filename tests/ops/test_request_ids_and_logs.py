"""Structured logs: JSON lines carrying a request id, which follows the request into the tasks it
queues; no email address reaches a log line."""

import io
import json
import logging

import pytest
from celery import shared_task
from celery.signals import before_task_publish
from django.http import HttpResponse
from django.test import RequestFactory

from afa_platform.logs import JsonFormatter, RedactEmailsFilter
from afa_platform.request_id import (
    HEADER,
    RequestIdFilter,
    RequestIdMiddleware,
    current_request_id,
)
from tests.settings_env import settings_with_env

logger = logging.getLogger("afa.tests.ops")


@shared_task(name="tests.ops.log_something")
def log_something() -> str | None:
    logger.warning("task ran")
    return current_request_id()


@pytest.fixture
def log_lines():
    """What the console handler of settings.LOGGING would print, as JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactEmailsFilter())
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    logger.removeHandler(handler)


def _answer(view, **headers) -> HttpResponse:
    return RequestIdMiddleware(view)(RequestFactory().get("/", headers=headers))


def test_a_request_without_an_id_gets_a_new_one_on_its_response_and_its_log_lines(log_lines):
    def view(request):
        logger.info("answering")
        return HttpResponse("ok")

    response = _answer(view)
    request_id = response[HEADER]
    assert len(request_id) == 32
    [line] = log_lines()
    assert line["message"] == "answering"
    assert line["request_id"] == request_id
    assert line["level"] == "INFO"
    assert line["logger"] == "afa.tests.ops"
    assert line["time"].endswith("+00:00")
    # Outside the request, lines carry no id.
    logger.info("later")
    assert log_lines()[-1]["request_id"] == "-"


def test_a_well_formed_incoming_id_is_kept_and_a_malformed_one_replaced():
    ok = "proxy-1234.abcd_EF"
    assert _answer(lambda request: HttpResponse(), **{HEADER: ok})[HEADER] == ok
    for bad in ["short", "has spaces in it", "x" * 65, "<script>alert(1)</script>", "a\nb" * 5]:
        replaced = _answer(lambda request: HttpResponse(), **{HEADER: bad})[HEADER]
        assert replaced != bad
        assert len(replaced) == 32


def test_every_response_of_the_site_carries_a_request_id(client):
    response = client.get("/healthz", headers={HEADER: "from-the-proxy-42"})
    assert response[HEADER] == "from-the-proxy-42"


def test_a_task_queued_by_a_request_carries_its_id_to_the_worker(log_lines):
    published: dict = {}

    def view(request):
        # What publishing a task does: the signal gets the message's headers to fill.
        headers: dict = {}
        before_task_publish.send(sender="tests.ops.log_something", headers=headers, body=None)
        published.update(headers)
        return HttpResponse()

    request_id = _answer(view)[HEADER]
    assert published["request_id"] == request_id

    # The worker, another process: no request here, only the message's headers.
    assert current_request_id() is None
    result = log_something.apply(headers=published)
    assert result.get() == request_id
    assert log_lines()[-1] == {**log_lines()[-1], "message": "task ran", "request_id": request_id}
    # After the task, the worker's context is clean again.
    assert current_request_id() is None


def test_a_task_without_a_request_id_logs_without_one(log_lines):
    assert log_something.apply().get() is None
    assert log_lines()[-1]["request_id"] == "-"


def test_email_addresses_never_reach_a_log_line(log_lines):
    logger.warning("SMTP refused %s: %s", "someone.name+tag@example.com.sg", "mailbox full")
    try:
        raise ValueError("bad address: other@example.org")
    except ValueError:
        logger.exception("Could not send to %s", "third@example.net")
    first, second = log_lines()
    assert first["message"] == "SMTP refused [email]: mailbox full"
    assert second["message"] == "Could not send to [email]"
    assert "other@example.org" not in second["exception"]
    assert "bad address: [email]" in second["exception"]


def test_production_logs_json_lines_and_demo_logs_text():
    production = settings_with_env(
        DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="afa.example.sg", LOG_FORMAT=""
    )
    assert production.LOG_FORMAT == "json"
    handler = production.LOGGING["handlers"]["console"]
    assert handler["formatter"] == "json"
    assert handler["filters"] == ["request_id", "redact_emails"]
    assert production.LOGGING["formatters"]["json"]["()"] == "afa_platform.logs.JsonFormatter"
    assert production.CELERY_WORKER_HIJACK_ROOT_LOGGER is False
    assert settings_with_env(LOG_FORMAT="").LOG_FORMAT == "text"
    assert settings_with_env(LOG_FORMAT="json").LOG_FORMAT == "json"
