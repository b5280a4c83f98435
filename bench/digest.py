"""Digest compile time and worker memory over 500,000 feedback rows, against hand-written SQL.

    .venv/bin/python bench/digest.py [--feedback 500000] [--rounds 3]

Creates (or re-creates) the database afa_bench_digest on 127.0.0.1 and migrates it, then
loads, with PostgreSQL COPY: users (1 per 10 feedback), sessions (1 per 250), registrations
(125 per session), feedback over two years (40% about a session, 1-2 harms, 0-2
suggestions, 2% quoted), ideas (1 per 20), supporters, moderation log, initiatives and
co-creators. Then, for each round, a subprocess (the "worker") compiles one digest whose
window (the period and the one before it) covers all of it, through reports.services, and
reports its own peak memory (ru_maxrss); the same figures are then computed by hand-written
SQL over one psycopg2 connection. Prints the medians, the ratio and whether the figures agree.
Loopback only; every loop is bounded.
"""

import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "afa_bench_digest"
PG = "postgres://postgres@127.0.0.1:5432"
ENV = {
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "DJANGO_SETTINGS_MODULE": "afa_platform.settings",
    "PYTHONPATH": str(ROOT),
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "REDIS_URL": "",
    "LOG_LEVEL": "WARNING",
}
SGT = ZoneInfo("Asia/Singapore")
# Data spans two years; the digest covers the second, so its window (with the period
# before, for the change figures) reads every row.
DATA_START = datetime(2024, 11, 4, 8, tzinfo=SGT)
PERIOD_START = DATA_START + timedelta(days=364)
PERIOD_END = PERIOD_START + timedelta(days=364)
SPAN_SECONDS = int((PERIOD_END - DATA_START).total_seconds())
CHUNK = 100_000


def setup_django() -> None:
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


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


# --- Loading ------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _default(field, now):
    from django.db import models

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, (models.CharField, models.TextField)):
        return ""
    raise ValueError(f"{field.model.__name__}.{field.name} needs a value")


def copy_rows(cursor, model, rows) -> int:
    """COPY dicts (attname -> value) into the model's table, in chunks; unset fields take
    their Django default. Returns the number of rows."""
    fields = model._meta.concrete_fields
    columns = ", ".join(f'"{field.column}"' for field in fields)
    sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
    now = datetime.now(tz=SGT)
    defaults = {}
    # A default that must differ per row (a random code under a unique constraint, such as
    # Registration.check_in_code) is drawn for each row; any other is computed once.
    from django.db import models as django_models

    unique_names = {
        name
        for constraint in model._meta.constraints
        if isinstance(constraint, django_models.UniqueConstraint)
        for name in constraint.fields
    }
    per_row = {
        field.attname
        for field in fields
        if callable(field.default) and (field.unique or field.name in unique_names)
    }
    count = 0
    buffer = io.StringIO()

    def flush():
        buffer.seek(0)
        cursor.copy_expert(sql, buffer)
        buffer.seek(0)
        buffer.truncate()

    for row in rows:
        values = []
        for field in fields:
            if field.attname in row:
                values.append(row[field.attname])
            elif field.attname in per_row:
                values.append(field.get_default())
            else:
                if field.attname not in defaults:
                    defaults[field.attname] = _default(field, now)
                values.append(defaults[field.attname])
        buffer.write("\t".join(_text(v) for v in values) + "\n")
        count += 1
        if count % CHUNK == 0:
            flush()
    flush()
    return count


def _moment(rng: random.Random, start=DATA_START, span=SPAN_SECONDS) -> datetime:
    return start + timedelta(seconds=rng.randrange(span))


def load(n_feedback: int) -> dict:
    from django.db import connection

    from accounts.models import Background, User
    from engagement.models import EngagementSession, Registration
    from feedback.models import Feedback, FeedbackSuggestion
    from harms.models import HarmCategory, SolutionArea
    from initiatives.models import (
        CoCreator,
        Idea,
        Initiative,
        InitiativeUpdate,
        ModerationLog,
        Support,
    )

    rng = random.Random(5)
    n_users = max(n_feedback // 10, 200)
    n_sessions = max(n_feedback // 250, 8)
    per_session = 125
    n_ideas = max(n_feedback // 20, 50)
    categories = list(HarmCategory.objects.values_list("id", flat=True))
    areas = list(SolutionArea.objects.values_list("id", flat=True))
    backgrounds = list(Background.values)
    counts = {}
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg2 cursor, for copy_expert
        counts["users"] = copy_rows(
            cursor,
            User,
            (
                {
                    "id": i,
                    "password": "!",
                    "email": f"bench{i}@example.com",
                    "display_name": f"Bench {i}",
                    "background": backgrounds[i % len(backgrounds)],
                    "date_joined": _moment(rng),
                }
                for i in range(1, n_users + 1)
            ),
        )
        sessions = []
        for i in range(1, n_sessions + 1):
            starts = _moment(rng, span=SPAN_SECONDS + 60 * 86400)
            sessions.append((i, starts))
        counts["sessions"] = copy_rows(
            cursor,
            EngagementSession,
            (
                {
                    "id": i,
                    "title": f"Bench session {i}",
                    "slug": f"bench-session-{i}",
                    "summary": "A conversation.",
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                    "venue": "Library",
                    "capacity": per_session,
                    "registration_opens_at": starts - timedelta(days=30),
                    "registration_closes_at": starts - timedelta(hours=1),
                    "status": "published" if i % 20 else "cancelled",
                }
                for i, starts in sessions
            ),
        )
        registrations = []  # (registration id, session id, user id, session end) confirmed

        def registration_rows():
            rid = 0
            for session_id, starts in sessions:
                for k in range(per_session):
                    rid += 1
                    user_id = (session_id * per_session + k) % n_users + 1
                    confirmed = rng.random() < 0.9
                    if confirmed:
                        registrations.append((session_id, user_id, starts + timedelta(hours=2)))
                    yield {
                        "id": rid,
                        "session_id": session_id,
                        "participant_id": user_id,
                        "status": "confirmed" if confirmed else "cancelled",
                        "attended": confirmed and rng.random() < 0.8,
                        "created_at": starts - timedelta(days=rng.randrange(1, 30)),
                    }

        counts["registrations"] = copy_rows(cursor, Registration, registration_rows())
        n_session_feedback = min(int(n_feedback * 0.4), len(registrations))
        picked = rng.sample(registrations, n_session_feedback)
        feedback_harms, feedback_suggestions = [], []

        def feedback_rows():
            for fid in range(1, n_feedback + 1):
                if fid <= n_session_feedback:
                    session_id, user_id, ended = picked[fid - 1]
                    created = ended + timedelta(hours=rng.randrange(1, 96))
                    rating = rng.randint(1, 5)
                else:
                    session_id, user_id = None, rng.randrange(1, n_users + 1)
                    created = _moment(rng)
                    rating = None
                quoted = rng.random() < 0.02
                for category in rng.sample(categories, rng.choice((1, 1, 2))):
                    feedback_harms.append((fid, category))
                for area in rng.sample(areas, rng.choice((0, 1, 1, 2))):
                    feedback_suggestions.append((fid, area))
                yield {
                    "id": fid,
                    "participant_id": user_id,
                    "session_id": session_id,
                    "experience": "Something I saw online." if fid % 3 else "",
                    "rating": rating,
                    "share_anonymously": True,
                    "quote_consent": quoted,
                    "quote_status": "approved" if quoted else "none",
                    "quote_excerpt": f"Excerpt {fid}" if quoted else "",
                    "quote_reviewed_at": created + timedelta(days=1) if quoted else None,
                    "personal_data_kinds": [],
                    "editable_until": created + timedelta(days=7),
                    "created_at": created,
                    "updated_at": created,
                }

        counts["feedback"] = copy_rows(cursor, Feedback, feedback_rows())
        through = Feedback.harm_categories.through
        counts["feedback_harms"] = copy_rows(
            cursor,
            through,
            (
                {"id": i, "feedback_id": f, "harmcategory_id": c}
                for i, (f, c) in enumerate(feedback_harms, 1)
            ),
        )
        counts["suggestions"] = copy_rows(
            cursor,
            FeedbackSuggestion,
            (
                {"id": i, "feedback_id": f, "solution_area_id": a, "text": "Do more."}
                for i, (f, a) in enumerate(feedback_suggestions, 1)
            ),
        )
        # Bounded memory: the link lists are not needed once loaded.
        for done in (feedback_harms, feedback_suggestions, picked, registrations):
            done.clear()
        ideas = []

        def idea_rows():
            for i in range(1, n_ideas + 1):
                status = rng.choices(["approved", "submitted", "rejected"], [6, 2, 2])[0]
                submitted = _moment(rng)
                ideas.append((i, status, submitted))
                yield {
                    "id": i,
                    "author_id": rng.randrange(1, n_users + 1),
                    "title": f"Idea {i}",
                    "body": "An idea for the Alliance.",
                    "harm_category_id": rng.choice(categories),
                    "solution_area_id": rng.choice(areas),
                    "status": status,
                    "submitted_at": submitted,
                    "decided_at": submitted + timedelta(days=1),
                    "created_at": submitted,
                    "updated_at": submitted,
                }

        counts["ideas"] = copy_rows(cursor, Idea, idea_rows())
        counts["moderation_log"] = copy_rows(
            cursor,
            ModerationLog,
            (
                {
                    "id": i,
                    "action": "transition",
                    "target_kind": "idea",
                    "target_id": idea_id,
                    "idea_id": idea_id,
                    "from_status": "submitted",
                    "to_status": "approved",
                    "created_at": submitted + timedelta(days=1),
                }
                for i, (idea_id, _status, submitted) in enumerate(
                    (idea for idea in ideas if idea[1] == "approved"), 1
                )
            ),
        )

        def support_rows():
            sid = 0
            for idea_id, status, submitted in ideas:
                if status != "approved":
                    continue
                for k in range(rng.randrange(0, 8)):
                    sid += 1
                    yield {
                        "id": sid,
                        "user_id": (idea_id * 7 + k) % n_users + 1,
                        "idea_id": idea_id,
                        "created_at": submitted + timedelta(days=rng.randrange(1, 60)),
                    }

        counts["supports"] = copy_rows(cursor, Support, support_rows())
        n_initiatives = max(n_ideas // 50, 5)
        counts["initiatives"] = copy_rows(
            cursor,
            Initiative,
            (
                {
                    "id": i,
                    "slug": f"bench-initiative-{i}",
                    "title": f"Initiative {i}",
                    "summary": "S",
                    "description": "D",
                    "solution_area_id": rng.choice(areas),
                    "created_at": _moment(rng),
                }
                for i in range(1, n_initiatives + 1)
            ),
        )
        counts["initiative_updates"] = copy_rows(
            cursor,
            InitiativeUpdate,
            (
                {
                    "id": i,
                    "initiative_id": rng.randrange(1, n_initiatives + 1),
                    "title": "Update",
                    "body": "News.",
                    "created_at": _moment(rng),
                }
                for i in range(1, n_initiatives * 4 + 1)
            ),
        )
        counts["cocreators"] = copy_rows(
            cursor,
            CoCreator,
            (
                {
                    "id": i,
                    "initiative_id": (i - 1) % n_initiatives + 1,
                    "user_id": i,
                    "role": "volunteer",
                    "joined_at": _moment(rng),
                }
                for i in range(1, min(n_initiatives * 10, n_users) + 1)
            ),
        )
        for model in (
            User,
            EngagementSession,
            Registration,
            Feedback,
            through,
            FeedbackSuggestion,
            Idea,
            ModerationLog,
            Support,
            Initiative,
            InitiativeUpdate,
            CoCreator,
        ):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return counts


# --- The hand-written SQL -----------------------------------------------------------------

RAW_SQL = {
    "held": """SELECT count(*) FROM engagement_engagementsession
        WHERE status = 'published' AND ends_at >= %(start)s AND ends_at < %(end)s""",
    "upcoming": """SELECT count(*) FROM engagement_engagementsession
        WHERE status = 'published' AND starts_at >= %(end)s""",
    "registrations": """SELECT count(*) FROM engagement_registration
        WHERE created_at >= %(start)s AND created_at < %(end)s""",
    "attendance": """SELECT count(*), count(*) FILTER (WHERE r.attended)
        FROM engagement_registration r JOIN engagement_engagementsession s ON s.id = r.session_id
        WHERE s.status = 'published' AND s.ends_at >= %(start)s AND s.ends_at < %(end)s
          AND r.status = 'confirmed'""",
    "backgrounds": """SELECT background, count(*) FROM accounts_user
        WHERE date_joined >= %(start)s AND date_joined < %(end)s GROUP BY background""",
    "feedback_totals": """SELECT count(*) FILTER (WHERE created_at >= %(start)s),
            count(*) FILTER (WHERE created_at < %(start)s),
            count(*) FILTER (WHERE created_at >= %(start)s AND session_id IS NOT NULL),
            count(rating) FILTER (WHERE created_at >= %(start)s),
            avg(rating) FILTER (WHERE created_at >= %(start)s)
        FROM engagement_feedback WHERE created_at >= %(previous)s AND created_at < %(end)s""",
    "cells": """SELECT coalesce(h.parent_id, h.id), s.solution_area_id,
            count(DISTINCT f.id) FILTER (WHERE f.created_at >= %(start)s),
            count(DISTINCT f.id) FILTER (WHERE f.created_at < %(start)s)
        FROM engagement_feedback f
        LEFT JOIN engagement_feedback_harm_categories fh ON fh.feedback_id = f.id
        LEFT JOIN harms_harmcategory h ON h.id = fh.harmcategory_id
        LEFT JOIN engagement_feedbacksuggestion s ON s.feedback_id = f.id
        WHERE f.created_at >= %(previous)s AND f.created_at < %(end)s GROUP BY 1, 2""",
    "rows": """SELECT coalesce(h.parent_id, h.id),
            count(DISTINCT f.id) FILTER (WHERE f.created_at >= %(start)s),
            count(DISTINCT f.id) FILTER (WHERE f.created_at < %(start)s)
        FROM engagement_feedback f
        LEFT JOIN engagement_feedback_harm_categories fh ON fh.feedback_id = f.id
        LEFT JOIN harms_harmcategory h ON h.id = fh.harmcategory_id
        WHERE f.created_at >= %(previous)s AND f.created_at < %(end)s GROUP BY 1""",
    "columns": """SELECT s.solution_area_id,
            count(DISTINCT f.id) FILTER (WHERE f.created_at >= %(start)s),
            count(DISTINCT f.id) FILTER (WHERE f.created_at < %(start)s)
        FROM engagement_feedback f
        LEFT JOIN engagement_feedbacksuggestion s ON s.feedback_id = f.id
        WHERE f.created_at >= %(previous)s AND f.created_at < %(end)s GROUP BY 1""",
    "areas": """SELECT id, slug, name FROM harms_solutionarea ORDER BY "order", name""",
    "categories": """SELECT id, slug, name FROM harms_harmcategory WHERE parent_id IS NULL
        ORDER BY "order", name""",
    "quotes": """SELECT f.id, f.quote_excerpt, s.title FROM engagement_feedback f
        LEFT JOIN engagement_engagementsession s ON s.id = f.session_id
        WHERE f.quote_reviewed_at >= %(start)s AND f.quote_reviewed_at < %(end)s
          AND f.quote_status = 'approved' AND f.quote_consent
        ORDER BY f.quote_reviewed_at, f.id LIMIT 12""",
    "ideas_submitted": """SELECT count(*) FROM initiatives_idea
        WHERE submitted_at >= %(start)s AND submitted_at < %(end)s""",
    "ideas_approved": """SELECT count(DISTINCT target_id) FROM initiatives_moderationlog
        WHERE created_at >= %(start)s AND created_at < %(end)s AND target_kind = 'idea'
          AND action = 'transition' AND to_status = 'approved'""",
    "top_ideas": """SELECT i.id, i.title,
            count(s.id) FILTER (WHERE s.created_at < %(end)s) AS supporters
        FROM initiatives_idea i LEFT JOIN initiatives_support s ON s.idea_id = i.id
        WHERE i.status IN ('approved', 'merged') AND i.submitted_at < %(end)s
        GROUP BY i.id
        HAVING count(s.id) FILTER (WHERE s.created_at < %(end)s) > 0
        ORDER BY supporters DESC, i.submitted_at, i.id LIMIT 5""",
    "initiatives_new": """SELECT count(*) FROM initiatives_initiative
        WHERE created_at >= %(start)s AND created_at < %(end)s""",
    "initiatives_updated": """SELECT count(DISTINCT initiative_id)
        FROM initiatives_initiativeupdate
        WHERE created_at >= %(start)s AND created_at < %(end)s""",
    "cocreators": """SELECT count(*), count(*) FILTER (WHERE joined_at >= %(start)s)
        FROM initiatives_cocreator WHERE joined_at < %(end)s""",
    "launch": "SELECT launch_date FROM reports_launchsettings WHERE id = 1",
}


def raw_figures() -> tuple[float, dict]:
    import psycopg2

    params = {
        "start": PERIOD_START,
        "end": PERIOD_END,
        "previous": PERIOD_START - (PERIOD_END - PERIOD_START),
    }
    conn = psycopg2.connect(f"{PG}/{DB_NAME}")
    try:
        with conn.cursor() as cursor:
            began = time.perf_counter()
            results = {}
            for name, sql in RAW_SQL.items():
                cursor.execute(sql, params)
                results[name] = cursor.fetchall()
            elapsed = time.perf_counter() - began
    finally:
        conn.close()
    return elapsed, results


# --- The worker ---------------------------------------------------------------------------


def worker(digest_id: int) -> None:
    """Run in a subprocess: compile one digest, print the time and this process's peak RSS."""
    setup_django()
    from reports import services

    began = time.perf_counter()
    compiled = services.digest_compile(digest_id=digest_id)
    elapsed = time.perf_counter() - began
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"compiled": compiled, "seconds": elapsed, "peak_kib": peak_kib}))


def loader(n_feedback: int) -> None:
    """Run in a subprocess, so the parent that starts the workers stays small: on Linux a
    child's ru_maxrss starts from its parent's high-water mark at fork, carried over exec."""
    setup_django()
    began = time.perf_counter()
    counts = load(n_feedback)
    print(json.dumps({"seconds": time.perf_counter() - began, "counts": counts}))


def queue_digest() -> int:
    from django.utils import timezone

    from reports.models import Digest, DigestKind, DigestStatus

    digest, _ = Digest.objects.get_or_create(
        kind=DigestKind.ON_DEMAND,
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        defaults={"queued_at": timezone.now()},
    )
    Digest.objects.filter(pk=digest.pk).update(status=DigestStatus.QUEUED)
    return digest.pk


def run_worker(digest_id: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", str(digest_id)],
        cwd=ROOT,
        env={**os.environ, **ENV},
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if not result["compiled"]:
        raise SystemExit("The worker did not claim the digest")
    return result


def compare(figures: dict, raw: dict) -> list[str]:
    """The figures the two ways agree (a sample of every section)."""
    problems = []
    f = figures

    def check(name, a, b):
        if a != b:
            problems.append(f"{name}: digest {a!r} != sql {b!r}")

    check("held", f["sessions"]["held"], raw["held"][0][0])
    check("upcoming", f["sessions"]["upcoming"], raw["upcoming"][0][0])
    check("registrations", f["sessions"]["registrations"], raw["registrations"][0][0])
    check("attendance", f["sessions"]["confirmed_at_held"], raw["attendance"][0][0])
    check(
        "new participants", f["participants"]["new_total"], sum(n for _b, n in raw["backgrounds"])
    )
    totals = raw["feedback_totals"][0]
    check("feedback", (f["feedback"]["total"], f["feedback"]["previous_total"]), totals[:2])
    rows = {category: now for category, now, _before in raw["rows"]}
    check("matrix rows", sum(r["count"] for r in f["feedback"]["matrix"]), sum(rows.values()))
    check("quotes", [q["feedback_id"] for q in f["quotes"]], [q[0] for q in raw["quotes"]])
    check("top ideas", [i["id"] for i in f["ideas"]["top"]], [i[0] for i in raw["top_ideas"]])
    check("ideas approved", f["ideas"]["approved"], raw["ideas_approved"][0][0])
    check("co-creators", f["initiatives"]["cocreators_total"], raw["cocreators"][0][0])
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feedback", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    if args.load:
        loader(args.load)
        return
    if not 1 <= args.rounds <= 10 or not 1_000 <= args.feedback <= 2_000_000:
        raise SystemExit("--rounds 1..10, --feedback 1,000..2,000,000")

    print(f"Creating {DB_NAME} and migrating ...", flush=True)
    prepare_database()
    out = subprocess.run(
        [sys.executable, __file__, "--load", str(args.feedback)],
        cwd=ROOT,
        env={**os.environ, **ENV},
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    counts = loaded["counts"]
    print(
        f"Loaded with COPY in {loaded['seconds']:.1f} s: "
        + ", ".join(f"{name} {n:,}" for name, n in counts.items()),
        flush=True,
    )
    setup_django()

    compile_times, sql_times, peaks = [], [], []
    for round_number in range(1, args.rounds + 1):
        digest_id = queue_digest()
        result = run_worker(digest_id)
        sql_seconds, raw = raw_figures()
        compile_times.append(result["seconds"])
        sql_times.append(sql_seconds)
        peaks.append(result["peak_kib"])
        print(
            f"round {round_number}: digest compile {result['seconds']:.3f} s "
            f"(worker peak {result['peak_kib'] / 1024:.1f} MiB), raw SQL {sql_seconds:.3f} s",
            flush=True,
        )

    from reports.models import Digest

    figures = Digest.objects.get(pk=digest_id).figures
    problems = compare(figures, raw)
    compile_median = statistics.median(compile_times)
    sql_median = statistics.median(sql_times)
    print()
    print(f"Feedback rows:              {counts['feedback']:,}")
    print(f"Digest compile (median):    {compile_median:.3f} s   (target < 2x raw SQL)")
    print(f"Hand-written SQL (median):  {sql_median:.3f} s")
    print(f"Ratio:                      {compile_median / sql_median:.2f}x")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"Worker peak memory (max):   {max(peaks) / 1024:.1f} MiB   (target < 200 MB)")
    print(f"Largest child (getrusage):  {children / 1024:.1f} MiB   (the loader included)")
    print(
        f"Feedback in the digest:     {figures['feedback']['total']:,} "
        f"(+ {figures['feedback']['previous_total']:,} in the period before)"
    )
    print(
        "Figures agree with the SQL: "
        + ("yes" if not problems else "NO\n  " + "\n  ".join(problems))
    )


if __name__ == "__main__":
    main()
