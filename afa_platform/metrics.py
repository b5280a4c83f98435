"""/metrics for Prometheus: request latency by view, task counts and failures, the Celery
queue's depth and the outbox's backlog.

Only addresses in METRICS_ALLOWED_IPS (addresses or networks; default 127.0.0.1 and ::1) get
an answer, and only when the request did not come through a proxy (no X-Forwarded-For):
everyone else gets a 404, as for a page that does not exist.

Request latency is a histogram in each web process. Under gunicorn with several workers, set
PROMETHEUS_MULTIPROC_DIR to an empty directory (wiped at each start) and start gunicorn with
`-c python:afa_platform.gunicorn_conf`: every worker writes its samples there and /metrics
sums them, whichever worker answers. Without it, each answer covers the worker that gave it.

Task counts are kept in Redis (a hash per outcome), so every worker on every host adds to the
same figures and any web process can report them; without Redis (tasks run in-process) they
are kept in the process. Queue depth (LLEN of each queue) and outbox backlog (unsent
OutboundEmail rows) are read when Prometheus scrapes.
"""

import ipaddress
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from functools import cache

import redis
from celery.signals import task_failure, task_retry, task_success
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

REQUEST_LATENCY = Histogram(
    "afa_request_duration_seconds",
    "Time to answer a request, by view",
    ["view", "method"],
    registry=None,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASKS_KEY = "afa:metrics:tasks"
OUTCOMES = ("succeeded", "failed", "retried")

_local_tasks: Counter = Counter()
_local_lock = threading.Lock()


def _redis_client() -> redis.Redis | None:
    if not settings.REDIS_URL:
        return None
    return _client_for(settings.REDIS_URL)


@cache
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def task_count(*, task: str, outcome: str) -> None:
    field = f"{outcome}:{task}"
    client = _redis_client()
    if client is None:
        with _local_lock:
            _local_tasks[field] += 1
        return
    try:
        client.hincrby(TASKS_KEY, field, 1)
    except redis.RedisError as error:
        logger.warning("Task metrics not recorded (%s)", type(error).__name__)


def task_counts() -> dict[tuple[str, str], int]:
    client = _redis_client()
    if client is None:
        with _local_lock:
            raw = dict(_local_tasks)
    else:
        raw = {key.decode(): int(value) for key, value in client.hgetall(TASKS_KEY).items()}
    counts = {}
    for field, value in raw.items():
        outcome, _sep, task = field.partition(":")
        counts[(task, outcome)] = value
    return counts


def _task_name(sender) -> str:
    return getattr(sender, "name", None) or str(sender)


@task_success.connect(weak=False)
def _on_success(sender=None, **kwargs) -> None:
    task_count(task=_task_name(sender), outcome="succeeded")


@task_failure.connect(weak=False)
def _on_failure(sender=None, **kwargs) -> None:
    task_count(task=_task_name(sender), outcome="failed")


@task_retry.connect(weak=False)
def _on_retry(sender=None, **kwargs) -> None:
    task_count(task=_task_name(sender), outcome="retried")


class ScrapeCollector:
    """Figures read when Prometheus asks: tasks, queue depth, outbox backlog."""

    def __init__(self, backlog: Callable[[], int]) -> None:
        self.backlog = backlog

    def collect(self):
        tasks = CounterMetricFamily(
            "afa_celery_tasks",
            "Celery tasks finished, by task and outcome",
            labels=["task", "outcome"],
        )
        depth = GaugeMetricFamily(
            "afa_celery_queue_depth", "Messages waiting in a Celery queue", labels=["queue"]
        )
        up = GaugeMetricFamily("afa_redis_up", "1 when Redis answered this scrape")
        try:
            for (task, outcome), value in sorted(task_counts().items()):
                tasks.add_metric([task, outcome], value)
            client = _redis_client()
            if client is not None:
                for queue in settings.METRICS_QUEUES:
                    depth.add_metric([queue], client.llen(queue))
                up.add_metric([], 1)
        except redis.RedisError as error:
            logger.warning("Metrics: Redis unreachable (%s)", type(error).__name__)
            up.add_metric([], 0)
        yield tasks
        yield depth
        if settings.REDIS_URL:
            yield up
        outbox = GaugeMetricFamily(
            "afa_outbox_backlog", "Outbound emails not sent yet (pending or being sent)"
        )
        outbox.add_metric([], self.backlog())
        yield outbox


def client_allowed(request: HttpRequest) -> bool:
    if "HTTP_X_FORWARDED_FOR" in request.META:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in allowed_networks())


def allowed_networks() -> list:
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.METRICS_ALLOWED_IPS]


def metrics_registry(backlog: Callable[[], int]) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(ScrapeCollector(backlog))
    return registry


def metrics_view(backlog: Callable[[], int]):
    """The /metrics view, given how to count the outbox's backlog (the root URLconf passes
    it, so this plumbing module need not import the outbox app)."""

    @require_GET
    def metrics(request: HttpRequest) -> HttpResponse:
        if not client_allowed(request):
            raise Http404
        body = generate_latest(metrics_registry(backlog))
        return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)

    return metrics


class RequestMetricsMiddleware:
    """Times each request; the label is the view's URL name (unresolved paths share one)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match is not None else "unresolved"
        REQUEST_LATENCY.labels(view=view, method=request.method).observe(
            time.perf_counter() - started
        )
        return response
