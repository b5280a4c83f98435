"""bench/scale.py at a tiny scale: the sizes it promises, and counters equal to their rows."""

import json
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "afa_scale_pytest"

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def loaded():
    out = subprocess.run(
        [sys.executable, "bench/scale.py", "load", "--scale", "0.004", "--database", DATABASE],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    counts = json.loads(out.stdout.strip().splitlines()[-1])["counts"]
    conn = psycopg2.connect(f"dbname={DATABASE} user=postgres host=127.0.0.1 port=5432")
    yield counts, conn.cursor()
    conn.close()
    admin = psycopg2.connect("dbname=postgres user=postgres host=127.0.0.1 port=5432")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    admin.close()


def scalar(cursor, sql: str):
    cursor.execute(sql)
    return cursor.fetchone()[0]


def test_the_loader_fills_every_table_to_the_scaled_sizes(loaded):
    counts, cursor = loaded
    assert counts["users"] == 400 + 4  # the floor of 300 is below 0.004 x 100,000; 4 demo accounts
    assert counts["registrations"] == 1_000
    assert counts["feedback"] == 2_000
    assert counts["ideas"] == 400
    assert counts["supports"] == 4_000
    assert counts["comments"] == 1_200
    for table, name in [
        ("accounts_user", "users"),
        ("engagement_registration", "registrations"),
        ("engagement_feedback", "feedback"),
        ("initiatives_idea", "ideas"),
        ("initiatives_support", "supports"),
        ("initiatives_comment", "comments"),
        ("initiatives_report", "reports"),
        ("initiatives_moderationlog", "moderation_log"),
        ("reports_auditevent", "audit"),
    ]:
        rows = scalar(cursor, f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
        assert rows >= counts[name] > 0, table
    statuses = scalar(cursor, "SELECT count(DISTINCT status) FROM initiatives_idea")
    assert statuses == 8
    assert scalar(cursor, "SELECT count(*) FROM engagement_registration WHERE attended") > 0
    assert scalar(cursor, "SELECT count(*) FROM engagement_feedbacksuggestion") > 0


def test_counter_columns_equal_the_rows_they_count(loaded):
    _counts, cursor = loaded
    assert (
        scalar(
            cursor,
            """SELECT count(*) FROM initiatives_idea i WHERE support_count <>
               (SELECT count(*) FROM initiatives_support s WHERE s.idea_id = i.id)""",
        )
        == 0
    )
    assert (
        scalar(
            cursor,
            """SELECT count(*) FROM engagement_engagementsession e
               WHERE seats_taken <> (SELECT count(*) FROM engagement_registration r
                                     WHERE r.session_id = e.id AND r.status = 'confirmed')
                  OR waitlist_length <> (SELECT count(*) FROM engagement_registration r
                                         WHERE r.session_id = e.id AND r.status = 'waitlisted')""",
        )
        == 0
    )
    # Waiting-list positions run 1..N in each session.
    assert (
        scalar(
            cursor,
            """SELECT count(*) FROM (SELECT session_id, max(waitlist_position) AS top, count(*) AS n
               FROM engagement_registration WHERE status = 'waitlisted' GROUP BY session_id) w
               WHERE top <> n""",
        )
        == 0
    )


def test_supports_follow_a_zipf_spread_and_one_idea_has_exactly_200_comments(loaded):
    _counts, cursor = loaded
    top = scalar(cursor, "SELECT max(support_count) FROM initiatives_idea")
    median = scalar(
        cursor,
        """SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY support_count)
           FROM initiatives_idea WHERE support_count > 0""",
    )
    assert top > 20 * median
    cursor.execute(
        """SELECT count(*) FROM initiatives_comment c JOIN initiatives_idea i ON i.id = c.idea_id
           WHERE i.title = 'Benchmark idea with 200 comments'"""
    )
    assert cursor.fetchone()[0] == 200


def test_the_demo_role_accounts_can_sign_in_with_a_second_factor(loaded):
    _counts, cursor = loaded
    cursor.execute(
        """SELECT u.email, u.password NOT LIKE '!%',
                  EXISTS (SELECT 1 FROM mfa_authenticator a
                          WHERE a.user_id = u.id AND a.type = 'totp')
           FROM accounts_user u WHERE u.email IN
             ('participant@example.com', 'organiser@example.com', 'staff@example.com')
           ORDER BY u.email"""
    )
    assert cursor.fetchall() == [
        ("organiser@example.com", True, True),
        ("participant@example.com", True, False),
        ("staff@example.com", True, True),
    ]
