"""A national-scale data set in a dedicated PostgreSQL database, for the page benchmarks.

    .venv/bin/python bench/scale.py load [--scale 1.0] [--database afa_scale]

Drops and re-creates the database on 127.0.0.1, migrates it, creates the demo role accounts
(participant@example.com, organiser@example.com, staff@example.com; password DEMO_PASSWORD,
TOTP secret DEMO_TOTP_SECRET from accounts.demo), then fills it with PostgreSQL COPY from
generated rows (seeded, so every run gives the same data). At --scale 1:

    100,000 users across the backgrounds; 2,000 sessions over three years (most past, some
    upcoming, some cancelled) with 250,000 registrations (seats, waiting lists with gapless
    positions, cancellations, attendance at past sessions); 500,000 feedback with harm links
    and suggestions; 100,000 ideas in every status; 1,000,000 supports spread by Zipf's law
    (a few ideas have tens of thousands); 300,000 comments (one idea, titled IDEA_200_TITLE,
    has exactly 200); 2,000 initiatives with leads, co-creators and updates; reports on
    ideas and comments; the moderation log; audit rows; one compiled digest.

Counter columns (EngagementSession.seats_taken and waitlist_length, Idea.support_count) are
written equal to the rows they count. Loopback only; every loop is bounded.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import digest  # noqa: E402 - the COPY helpers live there

ROOT = BENCH.parent
PG = "postgres://postgres@127.0.0.1:5432"
DEFAULT_DB = "afa_scale"
SGT = digest.SGT
IDEA_200_TITLE = "Benchmark idea with 200 comments"
# "Now" for the data is fixed, so the data set is the same whatever the day it is loaded;
# the sessions run from 2.5 years before it to half a year after.
NOW = datetime(2026, 12, 1, 9, tzinfo=SGT)
START = NOW - timedelta(days=913)
SPAN = int((NOW - START).total_seconds())
FULL = {
    "users": 100_000,
    "sessions": 2_000,
    "registrations": 250_000,
    "feedback": 500_000,
    "ideas": 100_000,
    "supports": 1_000_000,
    "comments": 300_000,
    "initiatives": 2_000,
}
IDEA_STATUSES = {
    "approved": 55,
    "draft": 10,
    "submitted": 8,
    "changes_requested": 3,
    "rejected": 10,
    "hidden": 2,
    "merged": 5,
    "withdrawn": 7,
}
SUPPORTABLE = ("approved", "hidden", "merged")


def env_for(database: str) -> dict:
    return {
        **digest.ENV,
        "DATABASE_URL": f"{PG}/{database}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def setup_django(database: str) -> None:
    os.environ.update(env_for(database))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare_database(database: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {database}")
    conn.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0", "--noinput"],
        cwd=ROOT,
        env={**os.environ, **env_for(database)},
        check=True,
    )


def sizes_for(scale: float) -> dict:
    sizes = {name: max(int(n * scale), 1) for name, n in FULL.items()}
    sizes["users"] = max(sizes["users"], 300)
    sizes["sessions"] = max(sizes["sessions"], 10)
    sizes["ideas"] = max(sizes["ideas"], 60)
    sizes["initiatives"] = max(sizes["initiatives"], 5)
    sizes["comments"] = max(sizes["comments"], 400)  # the 200-comment idea, and others
    return sizes


def zipf_counts(total: int, n: int, cap: int) -> list[int]:
    """`total` spread over n ranks by Zipf's law (s = 1), none over `cap`; the sum is exactly
    min(total, n * cap)."""
    weights = [1 / rank for rank in range(1, n + 1)]
    harmonic = sum(weights)
    counts = [min(int(total * w / harmonic), cap) for w in weights]
    left = min(total, n * cap) - sum(counts)
    rank = 0
    while left > 0:
        if counts[rank % n] < cap:
            counts[rank % n] += 1
            left -= 1
        rank += 1
    return counts


def moment(rng: random.Random, start: datetime = START, span: int = SPAN) -> datetime:
    return start + timedelta(seconds=rng.randrange(max(span, 1)))


def create_demo_accounts() -> dict:
    from accounts.demo import ACCOUNTS, DEMO_PASSWORD, ensure_demo_user

    ids = {}
    for email, display_name, background, role, superuser in ACCOUNTS:
        user, _ = ensure_demo_user(
            email=email,
            display_name=display_name,
            background=background,
            role=role,
            superuser=superuser,
        )
        user.set_password(DEMO_PASSWORD)  # the loader runs with DEBUG off: set it here
        user.save(update_fields=["password"])
        ids[email.split("@")[0]] = user.pk
    return ids


def load(scale: float) -> dict:  # noqa: C901 - one generator per table, in order
    from django.db import connection

    from accounts.models import Background, User
    from audit.models import AuditEvent
    from engagement.models import EngagementSession, Registration
    from feedback.models import Feedback, FeedbackSuggestion
    from harms.models import HarmCategory, SolutionArea
    from initiatives.models import (
        CoCreator,
        Comment,
        Idea,
        Initiative,
        InitiativeUpdate,
        ModerationLog,
        Report,
        Support,
    )

    rng = random.Random(19)
    sizes = sizes_for(scale)
    demo = create_demo_accounts()
    participant = demo["participant"]
    staff = demo["staff"]
    first_user = max(demo.values()) + 1
    n_users = sizes["users"]
    user_ids = range(first_user, first_user + n_users)
    categories = list(HarmCategory.objects.values_list("id", flat=True))
    areas = list(SolutionArea.objects.values_list("id", flat=True))
    backgrounds = list(Background.values)
    copy = digest.copy_rows
    counts: dict[str, int] = {}

    def user_at(index: int) -> int:
        return first_user + index % n_users

    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg2 cursor, for copy_expert
        counts["users"] = copy(
            cursor,
            User,
            (
                {
                    "id": uid,
                    "password": "!",
                    "email": f"scale{uid}@example.com",
                    "display_name": f"Person {uid}",
                    "background": backgrounds[uid % len(backgrounds)],
                    "pdpa_consent_version": "2025-01",
                    "pdpa_consented_at": joined,
                    "date_joined": joined,
                }
                for uid in user_ids
                for joined in (moment(rng),)
            ),
        ) + len(demo)

        # Sessions over three years; registrations fill seats, then the waiting list.
        n_sessions = sizes["sessions"]
        per_session = min(sizes["registrations"] // n_sessions, n_users)
        sessions = []  # (id, starts, status, capacity)
        for sid in range(1, n_sessions + 1):
            starts = START + timedelta(days=(sid - 1) * 1095 / n_sessions, hours=rng.randrange(9))
            status = "cancelled" if sid % 25 == 0 else "draft" if sid % 97 == 0 else "published"
            capacity = max(int(per_session * rng.uniform(0.7, 1.0)), 1)
            sessions.append((sid, starts, status, capacity))
        session_counters = {}
        attended_rows = []  # (session id, user id, ended) for session feedback
        registrations_of_participant = max(n_sessions // 30, 1)

        def registration_rows():
            rid = 0
            for sid, starts, status, capacity in sessions:
                confirmed = waitlisted = 0
                past = starts < NOW
                offset = rng.randrange(n_users)
                for k in range(per_session):
                    rid += 1
                    if k == 0 and sid % registrations_of_participant == 0:
                        user_id = participant
                    else:
                        user_id = user_at(offset + k)
                    created = starts - timedelta(days=rng.randrange(1, 30), minutes=k)
                    row = {
                        "id": rid,
                        "session_id": sid,
                        "participant_id": user_id,
                        "created_at": created,
                    }
                    if status == "cancelled" or rng.random() < 0.08:
                        row["status"] = "cancelled"
                        row["cancelled_at"] = created + timedelta(hours=1)
                    elif confirmed < capacity:
                        confirmed += 1
                        attended = past and rng.random() < 0.8
                        row.update(status="confirmed", confirmed_at=created, attended=attended)
                        if attended:
                            attended_rows.append((sid, user_id, starts + timedelta(hours=2)))
                    else:
                        waitlisted += 1
                        row.update(status="waitlisted", waitlist_position=waitlisted)
                    yield row
                session_counters[sid] = (confirmed, waitlisted)

        # The registrations first (in memory order), so the sessions' counters are known.
        registration_buffer = list(registration_rows())
        counts["sessions"] = copy(
            cursor,
            EngagementSession,
            (
                {
                    "id": sid,
                    "title": f"Community conversation {sid}",
                    "slug": f"conversation-{sid}",
                    "summary": "A facilitated conversation on online harms.",
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                    "venue": "Community centre",
                    "capacity": capacity,
                    "seats_taken": session_counters[sid][0],
                    "waitlist_length": session_counters[sid][1],
                    "registration_opens_at": starts - timedelta(days=45),
                    "registration_closes_at": starts - timedelta(hours=1),
                    "status": status,
                    "cancelled_at": starts - timedelta(days=2) if status == "cancelled" else None,
                    "cancellation_reason": "Venue unavailable." if status == "cancelled" else "",
                    "created_by_id": demo["organiser"],
                    "created_at": starts - timedelta(days=60),
                }
                for sid, starts, status, capacity in sessions
            ),
        )
        counts["registrations"] = copy(cursor, Registration, registration_buffer)
        registration_buffer.clear()
        session_harms = [(sid, rng.choice(categories)) for sid, *_ in sessions]
        copy(
            cursor,
            EngagementSession.harm_categories.through,
            (
                {"id": i, "engagementsession_id": sid, "harmcategory_id": c}
                for i, (sid, c) in enumerate(session_harms, 1)
            ),
        )

        # Feedback: 40% about a session someone attended, the rest general.
        n_feedback = sizes["feedback"]
        n_session_feedback = min(int(n_feedback * 0.4), len(attended_rows))
        picked = rng.sample(attended_rows, n_session_feedback)
        attended_rows.clear()
        links, suggestions = [], []

        def feedback_rows():
            for fid in range(1, n_feedback + 1):
                if fid <= n_session_feedback:
                    session_id, user_id, ended = picked[fid - 1]
                    created = ended + timedelta(hours=rng.randrange(1, 96))
                    rating = rng.randint(1, 5)
                else:
                    session_id, user_id = None, user_at(rng.randrange(n_users))
                    created = moment(rng)
                    rating = None
                if fid % 5000 == 0:
                    user_id = participant
                quote = rng.random()
                quote_status = (
                    "approved" if quote < 0.015 else "pending" if quote < 0.02 else "none"
                )
                for category in rng.sample(categories, rng.choice((1, 1, 2))):
                    links.append((fid, category))
                for area in rng.sample(areas, rng.choice((0, 1, 1, 2))):
                    suggestions.append((fid, area))
                yield {
                    "id": fid,
                    "participant_id": user_id,
                    "session_id": session_id,
                    "experience": "Something I saw online." if fid % 3 else "",
                    "rating": rating,
                    "share_anonymously": fid % 4 != 0,
                    "quote_consent": quote_status != "none",
                    "quote_status": quote_status,
                    "quote_excerpt": f"Excerpt {fid}" if quote_status == "approved" else "",
                    "quote_reviewed_by_id": staff if quote_status == "approved" else None,
                    "quote_reviewed_at": created + timedelta(days=1)
                    if quote_status == "approved"
                    else None,
                    "personal_data_kinds": [],
                    "editable_until": created + timedelta(days=7),
                    "created_at": created,
                    "updated_at": created,
                }

        counts["feedback"] = copy(cursor, Feedback, feedback_rows())
        picked.clear()
        counts["feedback_harm_links"] = copy(
            cursor,
            Feedback.harm_categories.through,
            (
                {"id": i, "feedback_id": f, "harmcategory_id": c}
                for i, (f, c) in enumerate(links, 1)
            ),
        )
        counts["suggestions"] = copy(
            cursor,
            FeedbackSuggestion,
            (
                {"id": i, "feedback_id": f, "solution_area_id": a, "text": "Do more of this."}
                for i, (f, a) in enumerate(suggestions, 1)
            ),
        )
        links.clear()
        suggestions.clear()

        # Initiatives before ideas: merged ideas point at one.
        n_initiatives = sizes["initiatives"]
        initiative_statuses = ("forming", "in_progress", "launched")
        counts["initiatives"] = copy(
            cursor,
            Initiative,
            (
                {
                    "id": i,
                    "slug": f"initiative-{i}",
                    "title": f"Initiative {i}",
                    "summary": "People working together on one harm.",
                    "description": "What we do, and how to help.",
                    "solution_area_id": rng.choice(areas),
                    "status": initiative_statuses[i % 3],
                    "created_by_id": staff,
                    "created_at": moment(rng),
                }
                for i in range(1, n_initiatives + 1)
            ),
        )
        copy(
            cursor,
            Initiative.harm_categories.through,
            (
                {"id": i, "initiative_id": i, "harmcategory_id": rng.choice(categories)}
                for i in range(1, n_initiatives + 1)
            ),
        )
        copy(
            cursor,
            Initiative.leads.through,
            (
                {"id": i, "initiative_id": i, "user_id": user_at(i * 31)}
                for i in range(1, n_initiatives + 1)
            ),
        )
        per_initiative = min(10, n_users)
        counts["cocreators"] = copy(
            cursor,
            CoCreator,
            (
                {
                    "id": (i - 1) * per_initiative + k + 1,
                    "initiative_id": i,
                    "user_id": user_at(i * 97 + k),
                    "role": ("volunteer", "partner", "expert")[k % 3],
                    "joined_at": moment(rng),
                }
                for i in range(1, n_initiatives + 1)
                for k in range(per_initiative)
            ),
        )
        counts["initiative_updates"] = copy(
            cursor,
            InitiativeUpdate,
            (
                {
                    "id": i,
                    "initiative_id": (i - 1) % n_initiatives + 1,
                    "author_id": staff,
                    "title": "News",
                    "body": "What happened this month.",
                    "created_at": moment(rng),
                }
                for i in range(1, n_initiatives * 3 + 1)
            ),
        )

        # Ideas in every status; the first approved one gets exactly 200 comments.
        n_ideas = sizes["ideas"]
        statuses, weights = zip(*IDEA_STATUSES.items(), strict=True)
        ideas = []  # (id, status, submitted or None)
        mine_every = max(n_ideas // 40, 1)
        idea_200 = None

        def idea_rows():
            nonlocal idea_200
            for i in range(1, n_ideas + 1):
                status = statuses[i % len(statuses)] if i <= len(statuses) else None
                status = status or rng.choices(statuses, weights)[0]
                created = moment(rng)
                submitted = None if status == "draft" else created + timedelta(hours=1)
                decided = status not in ("draft", "submitted", "withdrawn")
                ideas.append((i, status, submitted))
                title = f"Idea {i}"
                if idea_200 is None and status == "approved":
                    idea_200, title = i, IDEA_200_TITLE
                yield {
                    "id": i,
                    "author_id": participant if i % mine_every == 0 else user_at(i * 13),
                    "title": title,
                    "body": rng.choice(
                        (
                            "Teach consent and online safety in schools.",
                            "Faster takedown of intimate images shared without consent.",
                            "A helpline for parents worried about what their children see.",
                            "Clear penalties for doxxing and publishing personal details.",
                        )
                    ),
                    "harm_category_id": rng.choice(categories),
                    "solution_area_id": rng.choice(areas),
                    "status": status,
                    "submitted_at": submitted,
                    "decided_at": submitted + timedelta(days=1) if decided else None,
                    "decided_by_id": staff if decided else None,
                    "merged_into_id": rng.randrange(1, n_initiatives + 1)
                    if status == "merged"
                    else None,
                    "created_at": created,
                    "updated_at": created,
                }

        # Supports by Zipf over the supportable ideas in a seeded order, distinct users each.
        idea_buffer = list(idea_rows())
        supportable = [idea for idea in ideas if idea[1] in SUPPORTABLE]
        rng.shuffle(supportable)
        support_counts = zipf_counts(sizes["supports"], len(supportable), n_users)
        support_count_of = {idea[0]: n for idea, n in zip(supportable, support_counts, strict=True)}
        for row in idea_buffer:
            row["support_count"] = support_count_of.get(row["id"], 0)
        counts["ideas"] = copy(cursor, Idea, idea_buffer)
        idea_buffer.clear()

        def support_rows():
            sid = 0
            for (idea_id, _status, submitted), n in zip(supportable, support_counts, strict=True):
                offset = rng.randrange(n_users)
                for k in range(n):
                    sid += 1
                    yield {
                        "id": sid,
                        "user_id": user_at(offset + k),
                        "idea_id": idea_id,
                        "created_at": submitted + timedelta(minutes=1 + k % 50_000),
                    }

        counts["supports"] = copy(cursor, Support, support_rows())

        # Comments: 200 on the benchmark idea, the rest on approved ideas at random.
        approved = [idea for idea in ideas if idea[1] == "approved" and idea[0] != idea_200]
        submitted_of = {idea[0]: idea[2] for idea in ideas}
        comment_states = ("published",) * 90 + ("pending",) * 4 + ("hidden",) * 3
        comment_states += ("deleted",) * 3

        def comment_rows():
            for cid in range(1, sizes["comments"] + 1):
                if cid <= 200:
                    idea_id, status = idea_200, "published"
                else:
                    idea_id = rng.choice(approved)[0]
                    status = rng.choice(comment_states)
                yield {
                    "id": cid,
                    "idea_id": idea_id,
                    "author_id": user_at(rng.randrange(n_users)),
                    "body": "I agree, and my school would take part.",
                    "is_anonymous": cid % 7 == 0,
                    "status": status,
                    "created_at": submitted_of[idea_id] + timedelta(days=1, minutes=cid % 100_000),
                }

        counts["comments"] = copy(cursor, Comment, comment_rows())

        # Reports: one in 100 ideas and one in 200 comments, a third of them still open.
        reasons = ("harassment", "spam", "other", "harassment", "personal_details")
        report_rows = []
        for idea_id, _status, submitted in approved[:: max(len(approved) // (n_ideas // 100), 1)]:
            report_rows.append(("idea", idea_id, submitted))
        for cid in range(201, sizes["comments"] + 1, 200):
            report_rows.append(("comment", cid, START))

        def reports():
            for rid, (kind, target, at) in enumerate(report_rows, 1):
                open_ = rid % 3 == 0
                yield {
                    "id": rid,
                    "reporter_id": user_at(rid * 17),
                    "idea_id": target if kind == "idea" else None,
                    "comment_id": target if kind == "comment" else None,
                    "reason": reasons[rid % len(reasons)],
                    "urgent": rid % 11 == 0,
                    "status": "open" if open_ else "dismissed",
                    "resolved_by_id": None if open_ else staff,
                    "resolved_at": None if open_ else at + timedelta(days=3),
                    "created_at": at + timedelta(days=2),
                }

        counts["reports"] = copy(cursor, Report, reports())

        def moderation_rows():
            lid = 0
            for idea_id, status, submitted in ideas:
                if submitted is None or status in ("submitted", "withdrawn"):
                    continue
                lid += 1
                yield {
                    "id": lid,
                    "actor_id": staff,
                    "action": "transition",
                    "target_kind": "idea",
                    "target_id": idea_id,
                    "idea_id": idea_id,
                    "from_status": "submitted",
                    "to_status": "approved" if status in SUPPORTABLE else status,
                    "created_at": submitted + timedelta(days=1),
                }

        counts["moderation_log"] = copy(cursor, ModerationLog, moderation_rows())
        n_audit = max(sizes["users"], 100)
        actions = ("registration.created", "feedback.created", "idea.submitted", "export.csv")
        counts["audit"] = copy(
            cursor,
            AuditEvent,
            (
                {
                    "id": i,
                    "actor_id": user_at(i),
                    "action": actions[i % len(actions)],
                    "object_type": "bench",
                    "object_id": str(i),
                    "details": {},
                    "created_at": moment(rng),
                }
                for i in range(1, n_audit + 1)
            ),
        )
        for model in (
            User,
            EngagementSession,
            EngagementSession.harm_categories.through,
            Registration,
            Feedback,
            Feedback.harm_categories.through,
            FeedbackSuggestion,
            Initiative,
            Initiative.harm_categories.through,
            Initiative.leads.through,
            CoCreator,
            InitiativeUpdate,
            Idea,
            Support,
            Comment,
            Report,
            ModerationLog,
            AuditEvent,
        ):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    counts["digests"] = compile_digest()
    return counts


def compile_digest() -> int:
    """One on-demand digest of the last 30 days, compiled as the worker would."""
    from reports import services
    from reports.models import Digest, DigestKind, DigestStatus

    digest_row = Digest.objects.create(
        kind=DigestKind.ON_DEMAND,
        period_start=NOW - timedelta(days=30),
        period_end=NOW,
        queued_at=NOW,
        status=DigestStatus.QUEUED,
    )
    services.digest_compile(digest_id=digest_row.pk)
    return Digest.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["load"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database", default=DEFAULT_DB)
    args = parser.parse_args()
    if not 0 < args.scale <= 2:
        raise SystemExit("--scale must be in (0, 2]")
    if not args.database.replace("_", "").isalnum():
        raise SystemExit("--database: letters, digits and _ only")
    began = time.perf_counter()
    print(f"Creating {args.database} and migrating ...", flush=True)
    prepare_database(args.database)
    setup_django(args.database)
    counts = load(args.scale)
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": round(seconds, 1), "counts": counts}), flush=True)


if __name__ == "__main__":
    main()
