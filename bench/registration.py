"""Registration throughput through the real HTTP stack: gunicorn, PostgreSQL, logged-in
participants, CSRF on.

    .venv/bin/python bench/registration.py [--seconds 10] [--connections 16] [--workers 4]
                                           [--rounds 5]

Creates (or re-creates) the database afa_bench_registration on 127.0.0.1, migrates it,
creates participants with signed-in Django sessions (through the configured session engine,
as a sign-in would), starts gunicorn on 127.0.0.1 with DEBUG off, and for each round fires
registrations for a fresh session of capacity 50 from distinct participants at N
connections for the given time, then measures a bare constant Django view the same way.
Prints each round and the medians. As in production, Redis (database 14, which must be
empty and is emptied afterwards) is the cache, the session store and the broker: each
registration marks its first email due and, after commit, makes sure one drain task is
queued there (no worker consumes it here, so the drain is not measured).
Loopback only; every loop is bounded.
"""

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "afa_bench_registration"
PG = "postgres://postgres@127.0.0.1:5432"
HOST, PORT = "127.0.0.1", 8765
# As in production, emails are queued on Redis for a worker, not sent inside the request.
# A database number of its own, emptied after the run (no worker consumes it here).
REDIS_URL = "redis://127.0.0.1:6379/14"
ENV = {
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
    "ALLOWED_HOSTS": HOST,
    "SECURE_SSL_REDIRECT": "0",
    "DJANGO_SETTINGS_MODULE": "registration_settings",
    "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "REDIS_URL": REDIS_URL,
}


def prepare_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    if client.dbsize():
        raise SystemExit(f"{REDIS_URL} is not empty; the bench only uses an empty database")


def empty_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def prepare_database() -> None:
    import psycopg2

    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DB_NAME}")
    conn.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0", "--noinput"],
        cwd=ROOT,
        env={**os.environ, **ENV},
        check=True,
    )


def setup_django():
    os.environ.update(ENV)
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
    import django

    django.setup()


def create_fixtures(participants: int, rounds: int):
    """One published session of 50 seats, open now, per round, and `participants`
    signed-in people. Returns ([slug per round], [(session cookie, csrf secret, masked csrf
    token)])."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
    from django.utils import timezone

    from accounts.models import User
    from engagement.models import EngagementSession, SessionStatus

    now = timezone.now()
    slugs = []
    for round_number in range(1, rounds + 1):
        session = EngagementSession.objects.create(
            title=f"Bench session {round_number}",
            slug=f"bench-session-{round_number}",
            summary="Benchmark",
            starts_at=now + timedelta(days=7),
            ends_at=now + timedelta(days=7, hours=2),
            mode="online",
            capacity=50,
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=6),
            status=SessionStatus.PUBLISHED,
        )
        slugs.append(session.slug)
    password = make_password("bench-password-123")  # hashed once, shared
    users = User.objects.bulk_create(
        # Each has accepted the privacy notice in force, as a real participant has (without
        # it, every page sends them to accept it first).
        User(
            email=f"bench{i}@example.com",
            display_name=f"Bench {i}",
            password=password,
            pdpa_consent_version=settings.PDPA_NOTICE_VERSION,
            pdpa_consented_at=now,
        )
        for i in range(participants)
    )
    # The configured engine, as a real sign-in would write it (cached_db: Redis and the table).
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806
    clients = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        secret = _get_new_csrf_string()
        clients.append((store.session_key, secret, _mask_cipher_secret(secret)))
    return slugs, clients


def start_gunicorn(workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "afa_platform.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--backlog",
            "256",
        ],
        cwd=ROOT,
        env={**os.environ, **ENV},
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/bench/constant")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def run_load(connections: int, seconds: float, make_request, limit: int, timeout: float = 10):
    """Each connection thread sends requests back to back until time or `limit` runs out.
    make_request(index) -> (method, path, body, headers, expected_status)."""
    counter = iter(range(limit))
    counter_lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    ok = [0]
    record = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
        while time.monotonic() < deadline:
            with counter_lock:
                index = next(counter, None)
            if index is None:
                break
            method, path, body, headers, expected = make_request(index)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                if response.will_close:
                    conn.close()
                with record:
                    latencies.append(elapsed)
                    if response.status == expected:
                        ok[0] += 1
                    else:
                        errors.append(f"{response.status} {path}")
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                with record:
                    errors.append(repr(error))
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + timeout + 20)
    wall = time.monotonic() - started
    return ok[0], errors, latencies, wall


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] * 1000 if len(values) > 1 else 0.0


def report_round(slug: str, ok: int, errors: list[str]) -> tuple[int, int, bool, int]:
    """(confirmed, waitlisted, positions gapless, errors) for one round's session."""
    from engagement.models import EngagementSession, Registration

    session = EngagementSession.objects.get(slug=slug)
    rows = Registration.objects.filter(session=session)
    confirmed = rows.filter(status="confirmed").count()
    positions = list(
        rows.filter(status="waitlisted")
        .order_by("waitlist_position")
        .values_list("waitlist_position", flat=True)
    )
    # A 302 that did not create a row would be a refused registration: count it as an error.
    silent = ok - (confirmed + len(positions))
    gapless = positions == list(range(1, len(positions) + 1))
    assert session.seats_taken == confirmed <= session.capacity
    return confirmed, len(positions), gapless, len(errors) + max(silent, 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--participants-per-round", type=int, default=7000)
    args = parser.parse_args()

    participants = args.rounds * args.participants_per_round
    print(f"Preparing {DB_NAME} and {participants} signed-in participants ...", flush=True)
    prepare_redis()
    prepare_database()
    setup_django()
    slugs, clients = create_fixtures(participants, args.rounds)

    from django.db import connection

    # Measure the steady state, not autovacuum catching up with the rows just loaded.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    connection.close()  # the gunicorn workers get the database to themselves

    print(
        f"connections: {args.connections}, gunicorn workers: {args.workers}, CPUs: {os.cpu_count()}"
    )
    server = start_gunicorn(args.workers)
    results = []
    try:
        # Rounds alternate registrations (a fresh session and fresh people each time) with the
        # bare view, so a noisy moment on the machine hits both sides of the ratio.
        for number, slug in enumerate(slugs):
            path = f"/sessions/{slug}/register/"
            people = clients[number * args.participants_per_round :]

            def register(index, path=path, people=people):
                session_key, secret, token = people[index]
                headers = {
                    "Cookie": f"sessionid={session_key}; csrftoken={secret}",
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Host": HOST,
                }
                body = urlencode({"csrfmiddlewaretoken": token, "access_needs": ""})
                return "POST", path, body, headers, 302

            ok, errors, latencies, wall = run_load(
                args.connections, args.seconds, register, args.participants_per_round
            )

            def constant(index):
                return "GET", "/bench/constant", None, {"Host": HOST}, 200

            bare_ok, bare_errors, bare_latencies, bare_wall = run_load(
                args.connections, args.seconds, constant, 10**7
            )
            results.append(
                (slug, ok, errors, latencies, wall, bare_ok, bare_errors, bare_latencies, bare_wall)
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        empty_redis()

    rates, bare_rates, ratios, all_latencies = [], [], [], []
    for number, row in enumerate(results, start=1):
        slug, ok, errors, latencies, wall, bare_ok, bare_errors, bare_latencies, bare_wall = row
        confirmed, waitlisted, gapless, error_count = report_round(slug, ok, errors)
        rate, bare_rate = ok / wall, bare_ok / bare_wall
        rates.append(rate)
        bare_rates.append(bare_rate)
        ratios.append(rate / bare_rate)
        all_latencies += latencies
        print(
            f"round {number}: confirmed {confirmed} (capacity 50), waitlisted {waitlisted} "
            f"(positions 1..N without gaps: {gapless}), errors {error_count}"
            + (f" e.g. {errors[:3]}" if errors else "")
            + f"; {rate:.0f} registrations/s, p95 {p95(latencies):.1f} ms; "
            f"bare view {bare_rate:.0f} requests/s (p95 {p95(bare_latencies):.1f} ms, "
            f"errors {len(bare_errors)}); ratio {rate / bare_rate:.1%}"
        )
    print(f"median registrations/s: {statistics.median(rates):.0f}")
    print(
        f"registration p95 latency (all rounds): {p95(all_latencies):.1f} ms "
        f"(median {statistics.median(all_latencies) * 1000:.1f} ms)"
    )
    print(f"median bare constant view: {statistics.median(bare_rates):.0f} requests/s")
    print(f"median ratio registrations / bare view: {statistics.median(ratios):.1%}")


if __name__ == "__main__":
    main()
