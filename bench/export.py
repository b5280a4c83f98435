"""Benchmark of the feedback export, against PostgreSQL's own COPY as the physical limit.

    .venv/bin/python bench/export.py [--sizes 50000 500000] [--no-xlsx]

In a dedicated database (afa_bench_export on 127.0.0.1, dropped and re-created) it loads
feedback rows with COPY, starts gunicorn on 127.0.0.1 with production settings, signs in as
MCI staff (password, then the TOTP code) and streams /reports/exports/feedback.csv over HTTP.
It measures rows per second, time to first byte and the gunicorn worker's peak memory
(VmHWM), and times `COPY (SELECT the same columns) TO STDOUT` as the limit. Then it builds
the same export as an XLSX job in a fresh process and measures that process's peak memory.

Targets (issue 6): CSV at least 25% of COPY's throughput, peak under 150 MB at 50,000 and at
500,000 rows; XLSX job peak under 200 MB.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import io
import json
import os
import random
import re
import signal
import struct
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DB_NAME = "afa_bench_export"
ADMIN_DSN = "dbname=postgres user=postgres host=127.0.0.1 port=5432"
DSN = f"dbname={DB_NAME} user=postgres host=127.0.0.1 port=5432"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
PORT = 8765
PARTICIPANTS = 20_000
SESSIONS = 200
STAFF_EMAIL = "bench-staff@example.com"
STAFF_PASSWORD = "bench-password-long-enough-42"

ENV = {
    **os.environ,
    "DEBUG": "0",
    "SECRET_KEY": "bench-secret-key-not-for-production-use-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "DATABASE_URL": DATABASE_URL,
    "STATIC_ROOT": "/tmp/afa_bench_export_static",
    "MEDIA_ROOT": "/tmp/afa_bench_export_media",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "LOG_LEVEL": "WARNING",
}
ENV.pop("REDIS_URL", None)

TEXTS = [
    "I saw intimate images shared in a group chat without consent.",
    "网络骚扰必须停止，平台需要更快地删除内容。",
    "Saya cadangkan pendidikan awam di sekolah tentang persetujuan.",
    "இணைய துன்புறுத்தல் நிறுத்தப்பட வேண்டும்.",
    '=HYPERLINK("http://evil.example") should never run.',
    "Reporting tools are hard to find; make them one click away.",
]
SUGGESTIONS = [
    "Teach consent and digital safety from primary school.",
    "Platforms should share takedown data with community groups.",
    "+ Clear penalties for publishing personal details.",
    "Train counsellors to support survivors of online abuse.",
]


def log(message: str) -> None:
    print(message, flush=True)


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def django_shell(code: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


# --- Database -------------------------------------------------------------------------------


def create_database() -> None:
    connection = psycopg2.connect(ADMIN_DSN)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        cursor.execute(f"CREATE DATABASE {DB_NAME}")
    connection.close()
    manage("migrate", "-v0")
    manage("collectstatic", "--noinput", "-v0")


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_tsv(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _tsv(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def load_people_and_sessions() -> None:
    """Participants and sessions by COPY; the staff member through Django (password, TOTP)."""
    now = datetime.now(UTC)
    backgrounds = ["parent", "academic", "legal", "community", "ihl_student", "corporate"]
    connection = psycopg2.connect(DSN)
    with connection, connection.cursor() as cursor:
        copy_rows(
            cursor,
            "accounts_user",
            [
                "id",
                "password",
                "is_superuser",
                "is_staff",
                "is_active",
                "date_joined",
                "email",
                "display_name",
                "background",
                "organisation",
                "age_group",
                "guardian_consent",
                "pdpa_consent_version",
                "pdpa_consented_at",
                "content_warning_display",
            ],
            (
                (
                    n,
                    "!",
                    False,
                    False,
                    True,
                    now,
                    f"participant{n}@example.com",
                    f"Participant {n}",
                    backgrounds[n % len(backgrounds)],
                    "",
                    "adult",
                    False,
                    "2026-11",
                    now,
                    "collapsed",
                )
                for n in range(1, PARTICIPANTS + 1)
            ),
        )
        start = datetime(2021, 2, 22, 2, 0, tzinfo=UTC)
        copy_rows(
            cursor,
            "engagement_engagementsession",
            [
                "id",
                "title",
                "slug",
                "summary",
                "description",
                "starts_at",
                "ends_at",
                "mode",
                "venue",
                "venue_details",
                "online_link",
                "facilitators",
                "capacity",
                "seats_taken",
                "waitlist_length",
                "registration_opens_at",
                "registration_closes_at",
                "status",
                "cancellation_reason",
                "created_at",
                "updated_at",
            ],
            (
                (
                    n,
                    f"Engagement session {n}",
                    f"bench-session-{n}",
                    "A conversation.",
                    "",
                    start + timedelta(days=n),
                    start + timedelta(days=n, hours=2),
                    "in_person",
                    "National Library",
                    "",
                    "",
                    "",
                    60,
                    0,
                    0,
                    start + timedelta(days=n - 30),
                    start + timedelta(days=n, hours=-1),
                    "published",
                    "",
                    now,
                    now,
                )
                for n in range(1, SESSIONS + 1)
            ),
        )
        cursor.execute("SELECT setval('accounts_user_id_seq', %s)", [PARTICIPANTS])
        cursor.execute("SELECT setval('engagement_engagementsession_id_seq', %s)", [SESSIONS])
    connection.close()
    secret = django_shell(
        "from tests.factories import UserFactory, PASSWORD\n"
        "from accounts.roles import Role\n"
        f"user = UserFactory(email='{STAFF_EMAIL}', roles=[Role.STAFF], mfa=True)\n"
        f"user.set_password('{STAFF_PASSWORD}'); user.save()\n"
        "print(user.totp_secret)"
    )
    Path("/tmp/afa_bench_export_totp").write_text(secret.splitlines()[-1])


def load_feedback(first_id: int, count: int) -> None:
    """Feedback rows with ids first_id.., their harm categories and suggestions, by COPY."""
    rng = random.Random(first_id)
    connection = psycopg2.connect(DSN)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT id FROM harms_harmcategory ORDER BY id")
        categories = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id FROM harms_solutionarea ORDER BY id")
        areas = [row[0] for row in cursor.fetchall()]
        base = datetime(2021, 2, 22, 5, 0, tzinfo=UTC)
        feedback, links, suggestions = [], [], []
        link_id = first_id * 2
        suggestion_id = first_id
        for feedback_id in range(first_id, first_id + count):
            index = feedback_id - 1
            participant = index % PARTICIPANTS + 1
            with_session = index % 10 < 7
            session = (index // PARTICIPANTS) % SESSIONS + 1 if with_session else None
            given = base + timedelta(seconds=index * 37)
            flagged = index % 20 == 0
            feedback.append(
                (
                    feedback_id,
                    participant,
                    session,
                    TEXTS[index % len(TEXTS)],
                    (index % 5) + 1 if with_session else None,
                    index % 3 == 0,
                    False,
                    "none",
                    "",
                    "",
                    json.dumps(["phone"] if flagged else []),
                    given + timedelta(days=7),
                    given,
                    given,
                )
            )
            for category in rng.sample(categories, 1 + index % 2):
                links.append((link_id, feedback_id, category))
                link_id += 1
            suggestions.append(
                (
                    suggestion_id,
                    feedback_id,
                    areas[index % len(areas)],
                    SUGGESTIONS[index % len(SUGGESTIONS)],
                )
            )
            suggestion_id += 1
        copy_rows(
            cursor,
            "engagement_feedback",
            [
                "id",
                "participant_id",
                "session_id",
                "experience",
                "rating",
                "share_anonymously",
                "quote_consent",
                "quote_status",
                "quote_excerpt",
                "quote_reason",
                "personal_data_kinds",
                "editable_until",
                "created_at",
                "updated_at",
            ],
            feedback,
        )
        copy_rows(
            cursor,
            "engagement_feedback_harm_categories",
            ["id", "feedback_id", "harmcategory_id"],
            links,
        )
        copy_rows(
            cursor,
            "engagement_feedbacksuggestion",
            ["id", "feedback_id", "solution_area_id", "text"],
            suggestions,
        )
        cursor.execute(
            "SELECT setval('engagement_feedback_id_seq', (SELECT max(id) FROM engagement_feedback))"
        )
        cursor.execute("ANALYZE")
    connection.close()


# --- The physical limit -----------------------------------------------------------------------

COPY_SQL = """
COPY (
  WITH categories AS (
    SELECT fc.feedback_id, string_agg(c.name, '; ' ORDER BY c.id) AS names
      FROM engagement_feedback_harm_categories fc
      JOIN harms_harmcategory c ON c.id = fc.harmcategory_id
     GROUP BY fc.feedback_id
  ), areas AS (
    SELECT (SELECT id FROM harms_solutionarea WHERE slug = 'public-education') AS education,
           (SELECT id FROM harms_solutionarea WHERE slug = 'partnerships') AS partnerships,
           (SELECT id FROM harms_solutionarea WHERE slug = 'regulation') AS regulation
  ), suggestions AS (
    SELECT fs.feedback_id,
           max(fs.text) FILTER (WHERE fs.solution_area_id = a.education) AS education,
           max(fs.text) FILTER (WHERE fs.solution_area_id = a.partnerships) AS partnerships,
           max(fs.text) FILTER (WHERE fs.solution_area_id = a.regulation) AS regulation
      FROM engagement_feedbacksuggestion fs CROSS JOIN areas a
     GROUP BY fs.feedback_id
  )
  SELECT f.id,
         to_char(f.created_at AT TIME ZONE 'Asia/Singapore', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'),
         f.session_id, s.title,
         CASE WHEN f.share_anonymously THEN NULL
              ELSE 'P-' || left(md5(f.participant_id::text), 12) END,
         CASE WHEN f.share_anonymously THEN 'yes' ELSE 'no' END,
         CASE WHEN f.share_anonymously THEN NULL ELSE u.background END,
         c.names,
         f.rating,
         CASE WHEN f.personal_data_kinds <> '[]'::jsonb THEN NULL ELSE f.experience END,
         sg.education, sg.partnerships, sg.regulation,
         f.personal_data_kinds::text,
         CASE WHEN f.personal_data_kinds <> '[]'::jsonb THEN 'yes' ELSE 'no' END,
         f.quote_status, f.quote_excerpt
    FROM engagement_feedback f
    JOIN accounts_user u ON u.id = f.participant_id
    LEFT JOIN engagement_engagementsession s ON s.id = f.session_id
    LEFT JOIN categories c ON c.feedback_id = f.id
    LEFT JOIN suggestions sg ON sg.feedback_id = f.id
   ORDER BY f.id
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


class CountingSink(io.RawIOBase):
    def __init__(self) -> None:
        self.bytes = 0
        self.lines = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.bytes += len(data)
        self.lines += bytes(data).count(b"\n")
        return len(data)


def time_copy() -> dict:
    connection = psycopg2.connect(DSN)
    sink = CountingSink()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.copy_expert(COPY_SQL, sink)
    seconds = time.perf_counter() - started
    connection.close()
    return {"rows": sink.lines - 1, "seconds": seconds, "bytes": sink.bytes}


# --- The web process --------------------------------------------------------------------------


def start_gunicorn() -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "afa_platform.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "1",
            "--timeout",
            "600",
        ],
        cwd=ROOT,
        env=ENV,
    )
    for _attempt in range(100):
        time.sleep(0.2)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            continue
    server.terminate()
    raise SystemExit("gunicorn did not start")


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def totp_code(secret: str, *, digits: int = 6, period: int = 30) -> str:
    """RFC 6238, as allauth's authenticator checks it (SHA-1, six digits, 30 s)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // period), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


class Browser:
    """Just enough of a browser: cookies (secure ones too; requests say they came over
    HTTPS through the proxy header production trusts), CSRF tokens, redirects."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {
            "Host": f"127.0.0.1:{PORT}",
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{PORT}/",
            **(extra or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _remember(self, response) -> None:
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
        body = urlencode(form) if form is not None else None
        extra = {"Content-Type": "application/x-www-form-urlencoded"} if form else {}
        connection.request(method, path, body=body, headers=self._headers(extra))
        response = connection.getresponse()
        self._remember(response)
        return connection, response

    def page(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        connection, response = self.request(method, path, form)
        content = response.read().decode()
        connection.close()
        return response.status, response.getheader("Location") or "", content

    def sign_in(self) -> None:
        _status, _location, page = self.page("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, location, _ = self.page(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "login": STAFF_EMAIL, "password": STAFF_PASSWORD},
        )
        assert status == 302 and "2fa" in location, (status, location)
        _status, _location, page = self.page("GET", location.replace("https://127.0.0.1", ""))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        secret = Path("/tmp/afa_bench_export_totp").read_text().strip()
        code = totp_code(secret)
        status, location, _ = self.page(
            "POST", "/accounts/2fa/authenticate/", {"csrfmiddlewaretoken": token, "code": code}
        )
        assert status == 302 and "2fa" not in location, (status, location)


def stream_csv(browser: Browser) -> dict:
    started = time.perf_counter()
    connection, response = browser.request("GET", "/reports/exports/feedback.csv")
    assert response.status == 200, response.status
    first = response.read1(65536)
    first_byte = time.perf_counter() - started
    size, lines = len(first), first.count(b"\n")
    while chunk := response.read1(1 << 20):
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    connection.close()
    return {"rows": lines - 1, "seconds": seconds, "first_byte": first_byte, "bytes": size}


def csv_run(rows_expected: int) -> dict:
    server = start_gunicorn()
    try:
        worker = worker_pid(server.pid)
        browser = Browser()
        browser.sign_in()
        status, _, _ = browser.page("GET", "/reports/exports/")
        assert status == 200
        warm = peak_rss_mb(worker)
        result = stream_csv(browser)
        result["peak_mb"] = peak_rss_mb(worker)
        result["warm_mb"] = warm
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert result["rows"] == rows_expected, (result["rows"], rows_expected)
    return result


# --- The XLSX job -----------------------------------------------------------------------------

JOB_CODE = """
import re, time
from pathlib import Path
from accounts.models import User
from exports import services as export_services
from exports.models import ExportJob
job = ExportJob.objects.create(
    requested_by=User.objects.get(email="{email}"), dataset="feedback", file_format="xlsx"
)
started = time.perf_counter()
assert export_services.export_job_build(job_id=job.pk)
seconds = time.perf_counter() - started
job.refresh_from_db()
peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
print("RESULT", job.status, job.rows_written, seconds, peak / 1024)
"""


def xlsx_run(rows_expected: int) -> dict:
    output = django_shell(JOB_CODE.format(email=STAFF_EMAIL))
    _label, status, rows, seconds, peak = output.splitlines()[-1].split()
    assert status == "ready" and int(rows) == rows_expected, output
    return {"rows": int(rows), "seconds": float(seconds), "peak_mb": float(peak)}


# --- Main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 500_000])
    parser.add_argument("--no-xlsx", action="store_true")
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    log(f"Creating {DB_NAME} and loading {PARTICIPANTS} participants, {SESSIONS} sessions")
    create_database()
    load_people_and_sessions()
    loaded = 0
    results = []
    for size in sorted(options.sizes):
        started = time.perf_counter()
        load_feedback(loaded + 1, size - loaded)
        loaded = size
        log(
            f"\n== {size:,} feedback rows (loaded by COPY in {time.perf_counter() - started:.1f} s)"
        )
        limit = time_copy()
        assert limit["rows"] == size, limit
        log(
            f"COPY (same columns) TO STDOUT: {limit['seconds']:.2f} s, "
            f"{size / limit['seconds']:,.0f} rows/s, {limit['bytes'] / 1e6:.1f} MB"
        )
        web = csv_run(size)
        ratio = limit["seconds"] / web["seconds"]
        log(
            f"CSV over HTTP:   {web['seconds']:.2f} s, {size / web['seconds']:,.0f} rows/s, "
            f"first byte {web['first_byte'] * 1000:.0f} ms, {web['bytes'] / 1e6:.1f} MB, "
            f"worker peak RSS {web['peak_mb']:.0f} MB (after warm-up {web['warm_mb']:.0f} MB)"
        )
        log(f"CSV throughput = {ratio:.0%} of COPY's (target >= 25%)")
        row = {"rows": size, "copy": limit, "csv": web, "csv_ratio": ratio}
        if not options.no_xlsx:
            job = xlsx_run(size)
            job_ratio = limit["seconds"] / job["seconds"]
            log(
                f"XLSX job:        {job['seconds']:.2f} s, {size / job['seconds']:,.0f} rows/s, "
                f"process peak RSS {job['peak_mb']:.0f} MB (target < 200 MB); "
                f"{job_ratio:.0%} of COPY's throughput"
            )
            row["xlsx"] = job
        results.append(row)
    log("\n" + json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
