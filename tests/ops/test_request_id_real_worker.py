"""The request id follows a request into a real Celery worker (over Redis): the worker's JSON
log lines for the task it queued carry the request's id. Skipped without PostgreSQL and Redis."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from afa_platform.request_id import HEADER, RequestIdMiddleware
from outbox.tasks import send_outbound_emails

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker(tmp_path):
    queue = f"afa-test-request-id-{uuid.uuid4().hex[:8]}"
    database = connection.settings_dict
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CONN_MAX_AGE": "0",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            *("-A", "afa_platform", "worker", "--pool", "solo", "-Q", queue),
            *("-n", f"{queue}@%h", "--loglevel", "INFO"),
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "ab"),  # noqa: SIM115 - closed with the process
        start_new_session=True,
    )
    try:
        yield queue, log
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def json_lines(log: Path) -> list[dict]:
    lines = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_a_task_queued_by_a_request_logs_the_request_id_in_the_worker(worker):
    queue, log = worker

    def view(request):
        send_outbound_emails.apply_async(queue=queue)
        return HttpResponse()

    request_id = "req-" + uuid.uuid4().hex
    response = RequestIdMiddleware(view)(RequestFactory().get("/", headers={HEADER: request_id}))
    assert response[HEADER] == request_id

    deadline = time.monotonic() + 60
    mine: list[dict] = []
    while time.monotonic() < deadline and not any("succeeded" in x["message"] for x in mine):
        time.sleep(0.5)
        mine = [line for line in json_lines(log) if line.get("request_id") == request_id]
    assert any(
        "outbox.tasks.send_outbound_emails" in line["message"] and "succeeded" in line["message"]
        for line in mine
    ), log.read_text()[-3000:]
    # The worker's own lines, outside any task, carry none.
    assert any(line["request_id"] == "-" for line in json_lines(log))
