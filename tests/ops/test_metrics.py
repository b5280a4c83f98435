"""/metrics for Prometheus: request latency by view, task counts and failures, queue depth,
outbox backlog; only for allowed addresses, never through the proxy."""

import re

import pytest
import redis
from celery import shared_task
from django.conf import settings as django_settings
from django.utils import timezone

from afa_platform import metrics
from outbox.models import OutboundEmail, OutboundEmailStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@shared_task(name="tests.ops.succeeds")
def succeeds() -> int:
    return 1


@shared_task(name="tests.ops.fails")
def fails() -> None:
    raise RuntimeError("broken")


def sample(body: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus' text format."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    pattern = (
        rf"^{re.escape(name)}(?:\{{{re.escape(wanted)}\}})? (\S+)$"
        if wanted
        else (rf"^{re.escape(name)} (\S+)$")
    )
    found = re.search(pattern, body, re.MULTILINE)
    return float(found.group(1)) if found else None


def scrape(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_request_latency_is_counted_by_view(client):
    before = sample(scrape(client), "afa_request_duration_seconds_count", view="home", method="GET")
    client.get("/")
    client.get("/")
    after = sample(scrape(client), "afa_request_duration_seconds_count", view="home", method="GET")
    assert after == (before or 0) + 2
    body = scrape(client)
    assert 'afa_request_duration_seconds_bucket{le="0.15",method="GET",view="home"}' in body
    assert 'afa_request_duration_seconds_count{method="GET",view="metrics"}' in body
    # Unknown paths share one label, so a scanner cannot grow the series without bound.
    client.get("/no-such-page-123")
    client.get("/no-such-page-456")
    assert "no-such-page" not in scrape(client)


def test_tasks_are_counted_by_outcome(client):
    body = scrape(client)
    succeeded = sample(
        body, "afa_celery_tasks_total", task="tests.ops.succeeds", outcome="succeeded"
    )
    failed = sample(body, "afa_celery_tasks_total", task="tests.ops.fails", outcome="failed")
    succeeds.delay()
    # As a worker runs it: the error is recorded, not raised to the caller.
    assert fails.apply(throw=False).failed()
    body = scrape(client)
    assert (
        sample(body, "afa_celery_tasks_total", task="tests.ops.succeeds", outcome="succeeded")
        == (succeeded or 0) + 1
    )
    assert (
        sample(body, "afa_celery_tasks_total", task="tests.ops.fails", outcome="failed")
        == (failed or 0) + 1
    )


def test_the_outbox_backlog_counts_emails_not_sent_yet(client):
    person = UserFactory()
    for status in [
        OutboundEmailStatus.PENDING,
        OutboundEmailStatus.PENDING,
        OutboundEmailStatus.SENDING,
        OutboundEmailStatus.SENT,
        OutboundEmailStatus.FAILED,
    ]:
        OutboundEmail.objects.create(
            kind="test",
            recipient=person,
            status=status,
            sent_at=timezone.now() if status == OutboundEmailStatus.SENT else None,
        )
    assert sample(scrape(client), "afa_outbox_backlog") == 3


@pytest.mark.parametrize(
    "extra",
    [
        {"REMOTE_ADDR": "203.0.113.9"},
        {"REMOTE_ADDR": "10.1.2.3"},
        # Through the proxy, whose own address may well be allowed.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"REMOTE_ADDR": "not-an-address"},
    ],
)
def test_others_get_a_404(client, extra):
    assert client.get("/metrics", **extra).status_code == 404


def test_allowed_networks_are_a_setting(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "fd00::/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="fd00::5").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_metrics_answers_get_only(client):
    assert client.post("/metrics").status_code == 405


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs Redis: set REDIS_URL")
def test_queue_depth_is_the_length_of_each_celery_queue(client, settings):
    settings.METRICS_QUEUES = ["celery", "afa-test-metrics-queue"]
    connection = redis.Redis.from_url(settings.REDIS_URL)
    connection.delete("afa-test-metrics-queue")
    connection.rpush("afa-test-metrics-queue", "a", "b", "c")
    try:
        body = scrape(client)
    finally:
        connection.delete("afa-test-metrics-queue")
    assert sample(body, "afa_celery_queue_depth", queue="afa-test-metrics-queue") == 3
    assert sample(body, "afa_redis_up") == 1


def test_task_counts_are_shared_through_redis_when_configured(settings, monkeypatch):
    """Every worker on every host adds to the same hash; any web process reports it."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL")
    connection = redis.Redis.from_url(settings.REDIS_URL)
    monkeypatch.setattr(metrics, "TASKS_KEY", "afa:test:metrics:tasks")
    connection.delete("afa:test:metrics:tasks")
    try:
        metrics.task_count(task="reports.tasks.compile_digest", outcome="failed")
        metrics.task_count(task="reports.tasks.compile_digest", outcome="failed")
        assert connection.hget("afa:test:metrics:tasks", "failed:reports.tasks.compile_digest")
        assert metrics.task_counts()[("reports.tasks.compile_digest", "failed")] == 2
    finally:
        connection.delete("afa:test:metrics:tasks")
