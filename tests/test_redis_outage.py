"""A Redis outage (Redis is the cache, the session store and the broker) is no error page:
people stay signed in, sign in, register, put forward ideas and give feedback; rate limits
fail open; tasks that cannot be queued are logged (and the registration outbox is swept);
/healthz says 503 until Redis is back.

Each test configures Redis the way settings.py does for a REDIS_URL (by running it with
one), pointed at a port of its own: a closed one, a server that never answers, or a
redis-server the test starts, stops and starts again.
"""

import logging
import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager

import kombu.pools
import pytest
import redis
from django.conf import settings as django_settings
from django.urls import reverse

from accounts.models import User
from afa_platform.celery import app as celery_app
from engagement.models import Registration, RegistrationStatus
from feedback.models import Feedback
from initiatives.models import Idea
from tests.accounts.test_signup import signup_data
from tests.factories import PASSWORD, EngagementSessionFactory
from tests.feedback.test_views import _form_data as feedback_form
from tests.initiatives.test_ideas_pages import _form as idea_form
from tests.settings_env import settings_with_env

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    """A loopback port nothing listens on (the kernel just handed it out and it is closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _forget_broker_pools() -> None:
    """The app keeps its connection and producer pools for the broker URL it first saw; the
    next publish makes new ones for the URL in its configuration."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def use_redis(settings):
    """Point the cache, the sessions and the broker at a Redis URL, as production does;
    tasks are published, not run in-process. Returns the function that does it."""
    conf = celery_app.conf
    names = ("broker_url", "broker_transport", "task_publish_retry_policy", "task_always_eager")
    previous = {name: conf[name] for name in names}

    def use(url: str) -> None:
        configured = settings_with_env(REDIS_URL=url)
        settings.REDIS_URL = configured.REDIS_URL
        settings.CACHES = configured.CACHES
        settings.SESSION_ENGINE = configured.SESSION_ENGINE
        conf.broker_url = configured.CELERY_BROKER_URL
        conf.broker_transport = configured.CELERY_BROKER_TRANSPORT
        conf.task_publish_retry_policy = getattr(
            configured, "CELERY_TASK_PUBLISH_RETRY_POLICY", previous["task_publish_retry_policy"]
        )
        conf.task_always_eager = False
        _forget_broker_pools()

    yield use
    for name, value in previous.items():
        conf[name] = value
    # Close this test's broker connections; kombu makes fresh pools for the next publish.
    kombu.pools.reset()
    _forget_broker_pools()


def _sign_in(client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("accounts:profile")


def _signed_in_page_works(client, user) -> None:
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert user.email in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_with_redis_unreachable_people_sign_in_register_submit_ideas_and_give_feedback(
    client, participant, use_redis, caplog
):
    use_redis(f"redis://127.0.0.1:{_free_port()}/0")
    session = EngagementSessionFactory()
    caplog.set_level(logging.WARNING)

    # Sign in through allauth's form: its rate limit takes a lock in the cache.
    _sign_in(client, participant)
    _signed_in_page_works(client, participant)
    page = client.get(session.get_absolute_url())
    assert page.status_code == 200
    assert "Sign out" in page.content.decode()

    # The registration stands; its first email waits in the outbox for beat's sweep.
    response = client.post(reverse("engagement:session_register", args=[session.slug]))
    assert response.status_code == 302
    registration = Registration.objects.get(session=session, participant=participant)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.notice_due
    assert client.get(reverse("engagement:my_sessions")).status_code == 200

    response = client.post(reverse("initiatives:idea_create"), idea_form())
    assert response.status_code == 302
    assert Idea.objects.get(author=participant).status == "submitted"

    response = client.post(reverse("feedback:new"), feedback_form())
    assert response.status_code == 302
    assert Feedback.objects.filter(participant=participant).count() == 1

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["redis"] == "error"

    # Signing up too: its verification email cannot be queued (Django logs it), the
    # account stands and the person can ask for the email again.
    client.post(reverse("account_logout"))
    response = client.post(reverse("account_signup"), signup_data(email="new@example.com"))
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.com").exists()
    _sign_in(client, participant)

    # The outage is logged, without the session key or the person's email.
    warnings = " ".join(record.getMessage() for record in caplog.records)
    assert "Redis cache unreachable" in warnings
    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value not in warnings
    assert participant.email not in warnings

    # Signing out still signs out: the database row is gone.
    client.post(reverse("account_logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_sign_in_rate_limit_fails_open_while_redis_is_unreachable(client, participant, use_redis):
    use_redis(f"redis://127.0.0.1:{_free_port()}/0")
    # More failures than the per-address and per-account limits allow (10/m and 5/5m)...
    for _ in range(12):
        response = client.post(
            reverse("account_login"), {"login": participant.email, "password": "wrong"}
        )
        assert response.status_code == 200
    # ...and the right password still signs in: there is nowhere to count them.
    _sign_in(client, participant)


@contextmanager
def _silent_server():
    """A TCP server on loopback that accepts connections and never answers: a Redis that
    hangs, or one behind a dead network path."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


@pytest.mark.django_db(transaction=True)
def test_a_redis_that_stops_answering_delays_a_registration_by_seconds_not_minutes(
    client, participant, use_redis
):
    session = EngagementSessionFactory()
    client.force_login(participant)
    with _silent_server() as port:
        use_redis(f"redis://127.0.0.1:{port}/0")
        started = time.monotonic()
        response = client.post(reverse("engagement:session_register", args=[session.slug]))
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert Registration.objects.filter(session=session, participant=participant).exists()
    # A short cache timeout once, then two broker tries of a couple of seconds each.
    assert elapsed < 6, elapsed


class _RedisServer:
    """A redis-server of this test's own, on a free loopback port, without persistence."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server():
    if REDIS_SERVER is None:
        pytest.skip("needs redis-server on the PATH (apt-get install redis-server)")
    server = _RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_people_stay_signed_in_while_redis_stops_and_restarts(
    client, participant, use_redis, redis_server
):
    use_redis(redis_server.url)
    first, second, third = EngagementSessionFactory.create_batch(3)

    _sign_in(client, participant)
    _signed_in_page_works(client, participant)
    assert client.post(reverse("engagement:session_register", args=[first.slug])).status_code == 302
    assert client.get("/healthz").status_code == 200

    redis_server.stop()
    _signed_in_page_works(client, participant)
    assert client.get(first.get_absolute_url()).status_code == 200
    assert (
        client.post(reverse("engagement:session_register", args=[second.slug])).status_code == 302
    )
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"status": "error", "database": "ok", "redis": "error"}

    redis_server.start()  # empty: its data went with the process
    assert client.get("/healthz").status_code == 200
    _signed_in_page_works(client, participant)
    assert client.post(reverse("engagement:session_register", args=[third.slug])).status_code == 302
    assert Registration.objects.filter(participant=participant).count() == 3
    # Within seconds the cache uses Redis again: the session is read from the database once
    # and cached there.
    restarted = redis.Redis.from_url(redis_server.url)
    deadline = time.monotonic() + 15
    while not restarted.keys("*sessions.cached_db*") and time.monotonic() < deadline:
        time.sleep(0.5)
        _signed_in_page_works(client, participant)
    assert restarted.keys("*sessions.cached_db*")
    restarted.close()


def test_an_unreachable_redis_cache_answers_as_an_empty_cache_at_once(settings):
    configured = settings_with_env(REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    settings.CACHES = configured.CACHES
    from django.core.cache import cache

    assert cache.get("k", "default") == "default"
    assert cache.add("k", 1) is True
    with pytest.raises(ValueError):
        cache.incr("k")
    assert cache.get_many(["k"]) == {}
    assert "k" not in cache
    started = time.monotonic()
    for _ in range(100):
        cache.set("k", 1)
    # After the first failure the cache leaves Redis alone for a few seconds.
    assert time.monotonic() - started < 0.1
