"""Every page people use, through gunicorn, on the national-scale data set, against the
framework's ceiling.

    .venv/bin/python bench/scale.py load            # once: fills afa_scale
    .venv/bin/python bench/pages.py [--seconds 5] [--connections 16] [--workers 4]
                                    [--only dashboard] [--database afa_scale]

Starts gunicorn on 127.0.0.1 with the production settings (DEBUG off, Redis database
REDIS_DB as cache and session store, as in production; it must be empty and is emptied
afterwards) and BENCH_CEILING_VIEW=1, which routes /bench/ceiling/: base.html with no query
of its own. Signs in the demo participant, organiser and staff accounts through the real
login and two-factor forms (TOTP from accounts.demo's secret). For each page it first counts
the page's queries in-process (the Django test client and CaptureQueriesContext, against the
same database and the same signed-in session), then fires it at N connections for the given
time, then the ceiling with the same signed-in session for the same time, and prints
requests/s, p50, p95, the ratio to that ceiling and the query count.
Loopback only; every loop is bounded in time and count.
"""

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import export  # noqa: E402 - the browser and TOTP helpers
import registration  # noqa: E402 - the load loop
import scale  # noqa: E402 - the data set

ROOT = BENCH.parent
HOST, PORT = "127.0.0.1", 8810
REDIS_URL = "redis://127.0.0.1:6379/10"
STATIC_ROOT = "/tmp/afa_scale_static"
CEILING = "/bench/ceiling/"
# The load loop and the browser read these module globals.
registration.HOST, registration.PORT = HOST, PORT
export.PORT = PORT


def server_env(database: str) -> dict:
    return {
        **os.environ,
        **scale.env_for(database),
        "REDIS_URL": REDIS_URL,
        "BENCH_CEILING_VIEW": "1",
        "STATIC_ROOT": STATIC_ROOT,
        "ALLOWED_HOSTS": f"{HOST},localhost",
    }


def setup_django(database: str) -> None:
    os.environ.update(server_env(database))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def check_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    if client.dbsize():
        raise SystemExit(f"{REDIS_URL} is not empty; the bench only uses an empty database")


def empty_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def start_gunicorn(database: str, workers: int) -> subprocess.Popen:
    env = server_env(database)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
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
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def sign_in(email: str, *, second_factor: bool) -> str:
    """The real login form, then the TOTP form; returns the session cookie."""
    from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

    browser = export.Browser()
    _status, _location, page = browser.page("GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, location, _ = browser.page(
        "POST",
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": email, "password": DEMO_PASSWORD},
    )
    assert status == 302, (email, status, location)
    if second_factor:
        assert "2fa" in location, (email, location)
        _status, _location, page = browser.page("GET", re.sub(r"^https?://[^/]+", "", location))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, location, _ = browser.page(
            "POST",
            "/accounts/2fa/authenticate/",
            {"csrfmiddlewaretoken": token, "code": export.totp_code(DEMO_TOTP_SECRET)},
        )
        assert status == 302 and "2fa" not in location, (email, status, location)
    from django.conf import settings

    return browser.cookies[settings.SESSION_COOKIE_NAME]


def pages() -> list[tuple[str, str, str]]:
    """(label, role, path) for every page measured, found in the loaded data."""
    from django.utils import timezone

    from engagement.models import EngagementSession
    from harms.models import HarmCategory, SolutionArea
    from initiatives.models import Idea, Initiative
    from reports.models import Digest

    session = (
        EngagementSession.objects.filter(status="published", starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
    ) or EngagementSession.objects.filter(status="published").order_by("-starts_at").first()
    idea = Idea.objects.get(title=scale.IDEA_200_TITLE)
    initiative = Initiative.objects.order_by("id").first()
    category = HarmCategory.objects.filter(parent=None).order_by("id").first()
    area = SolutionArea.objects.order_by("id").first()
    digest = Digest.objects.order_by("-id").first()
    last_year = (timezone.localdate().replace(year=timezone.localdate().year - 1)).isoformat()
    today = timezone.localdate().isoformat()
    return [
        ("home", "participant", "/"),
        ("session list", "participant", "/sessions/"),
        ("a session", "participant", f"/sessions/{session.slug}/"),
        ("ideas: newest", "participant", "/ideas/"),
        ("ideas: most supported", "participant", "/ideas/?sort=supported"),
        ("ideas: search", "participant", "/ideas/?q=school"),
        ("ideas: a filter", "participant", f"/ideas/?category={idea.harm_category_id}"),
        ("idea, 200 comments", "participant", f"/ideas/{idea.pk}/"),
        ("initiatives", "participant", "/initiatives/"),
        ("an initiative", "participant", f"/initiatives/{initiative.slug}/"),
        ("My sessions", "participant", "/sessions/mine/"),
        ("My ideas", "participant", "/ideas/mine/"),
        ("moderation queue", "organiser", "/moderation/"),
        ("dashboard", "staff", "/reports/"),
        ("dashboard: dates", "staff", f"/reports/?date_from={last_year}&date_to={today}"),
        ("dashboard: session", "staff", f"/reports/?session={session.pk}"),
        ("dashboard: harm", "staff", f"/reports/?harm_category={category.pk}"),
        ("dashboard: area", "staff", f"/reports/?solution_area={area.pk}"),
        ("digests", "staff", "/reports/digests/"),
        ("a digest", "staff", f"/reports/digests/{digest.pk}/"),
        ("exports page", "staff", "/reports/exports/"),
        ("all feedback", "staff", "/feedback/all/"),
    ]


def count_queries(path: str, cookie: str) -> tuple[int, int]:
    """(status, queries) of the page's second request in-process, with the same session."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response.status_code, len(queries)


def measure(path: str, cookie: str, connections: int, seconds: float) -> dict:
    from django.conf import settings

    headers = {
        "Host": f"{HOST}:{PORT}",
        "X-Forwarded-Proto": "https",
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}",
    }

    def request(_index):
        return "GET", path, None, headers, 200

    # A slow page's requests are waited for (60 s), so none is left running in a worker
    # when the next measurement starts.
    ok, errors, latencies, wall = registration.run_load(
        connections, seconds, request, limit=1_000_000, timeout=60
    )
    latencies.sort()
    return {
        "rps": ok / wall,
        "p50": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p95": registration.p95(latencies),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", default=scale.DEFAULT_DB)
    parser.add_argument(
        "--only", help="measure only the pages whose label contains one of these (comma-separated)"
    )
    args = parser.parse_args()
    if not 1 <= args.seconds <= 60 or not 1 <= args.connections <= 64:
        raise SystemExit("--seconds 1..60, --connections 1..64")
    setup_django(args.database)
    check_redis()
    from django.db import connection

    from engagement.models import Registration
    from feedback.models import Feedback
    from initiatives.models import Idea, Support

    sizes = {
        "ideas": Idea.objects.count(),
        "supports": Support.objects.count(),
        "registrations": Registration.objects.count(),
        "feedback": Feedback.objects.count(),
    }
    print("Data: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()), flush=True)
    wanted = [word for word in (args.only or "").split(",") if word]
    todo = [p for p in pages() if not wanted or any(word in p[0] for word in wanted)]
    connection.close()
    server = start_gunicorn(args.database, args.workers)
    try:
        cookies = {
            "participant": sign_in("participant@example.com", second_factor=False),
            "organiser": sign_in("organiser@example.com", second_factor=True),
            "staff": sign_in("staff@example.com", second_factor=True),
        }
        print(
            f"gunicorn workers {args.workers}, connections {args.connections}, "
            f"{args.seconds:g} s a page and {args.seconds:g} s of the ceiling after it, "
            f"CPUs {os.cpu_count()}",
            flush=True,
        )
        header = (
            f"{'page':24} {'role':11} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'ceiling':>7} {'ratio':>6} {'queries':>7}"
        )
        print(header)
        print("-" * len(header), flush=True)
        for label, role, path in todo:
            cookie = cookies[role]
            status, queries = count_queries(path, cookie)
            connection.close()
            if status != 200:
                print(f"{label:24} {role:11} status {status} for {path}", flush=True)
                continue
            page = measure(path, cookie, args.connections, args.seconds)
            ceiling = measure(CEILING, cookie, args.connections, args.seconds)
            ratio = page["rps"] / ceiling["rps"] if ceiling["rps"] else 0.0
            failed = page["errors"]
            errors = f"  errors {len(failed)}: {failed[:2]}" if failed else ""
            print(
                f"{label:24} {role:11} {page['rps']:7.1f} {page['p50']:7.1f} {page['p95']:7.1f} "
                f"{ceiling['rps']:7.1f} {ratio:6.0%} {queries:7d}{errors}",
                flush=True,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        empty_redis()


if __name__ == "__main__":
    main()
