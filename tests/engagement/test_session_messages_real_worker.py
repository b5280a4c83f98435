"""Message a session through the broker (issue 16, item 1): each recipient gets the
organiser's message exactly once from a real Celery worker over Redis, when the drain runs
more than once, and when the worker is killed with `kill -9` mid-batch (its pool child, or
the whole worker). Skipped without REDIS_URL; the kill tests also need PostgreSQL.

The kill tests run a worker (prefork, one child) and a beat as subprocesses, as
tests/test_job_kill_real_worker.py does. To stop the batch mid-way, a second connection holds
the row lock of the third email before the worker starts: the worker sends the first two,
then waits on that row's claim, and is killed there. A dead client's backend is ended by
PostgreSQL when it next looks at the socket; the test ends it at once
(pg_terminate_backend), so the unfinished claim is never committed."""

import re
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from afa_platform.celery import app
from engagement import services
from engagement.models import MessageAudience
from outbox.models import OutboundEmail, OutboundEmailStatus
from outbox.tasks import send_outbound_emails
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory
from tests.test_job_kill_real_worker import Celery, Lock, wait_for

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 6
FROZEN = 2  # the worker is killed waiting to claim the third email


def _session_with_people(count: int):
    session = EngagementSessionFactory(capacity=count + 1)
    people = [RegistrationFactory(session=session).participant for _ in range(count)]
    return session, people


def _send(session):
    organiser = UserFactory(email="organiser-own@example.org")
    return services.session_message_send(
        session=session,
        by=organiser,
        audience=MessageAudience.CONFIRMED,
        subject="Room change",
        body="We have moved to Room 4.",
    )


def _message_rows() -> list[int]:
    return list(
        OutboundEmail.objects.filter(kind=services.SESSION_MESSAGE_EMAIL)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def test_a_message_reaches_each_person_once_though_the_drain_runs_three_times(mailoutbox):
    assert app.conf.task_always_eager is False
    session, people = _session_with_people(4)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        _send(session)  # commits, and publishes one drain for its rows
        rows = _message_rows()
        send_outbound_emails.delay(email_ids=rows)  # the same drain again
        send_outbound_emails.delay()  # and the beat's sweep
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            len(mailoutbox) < len(people)
            or OutboundEmail.objects.exclude(status=OutboundEmailStatus.SENT).exists()
        ):
            time.sleep(0.2)
        time.sleep(1)  # the other drains have run: a second email would show now
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)
    assert all(m.reply_to == [settings.SUPPORT_EMAIL] for m in mailoutbox)
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


# --- A worker killed mid-batch -----------------------------------------------------------


def _recipients_emailed(mail: Path) -> list[str]:
    """The To: of every email sent (the file backend writes one file per connection)."""
    if not mail.exists():
        return []
    return [
        match.group(1)
        for path in sorted(mail.iterdir())
        for match in re.finditer(r"^To: (.+)$", path.read_text(), flags=re.MULTILINE)
    ]


def _freeze_and_kill(celery: Celery, kill) -> list[str]:
    """Send the message with the third email's row locked; start the worker; once it has
    sent two and waits on the third, kill it. Returns the recipients' addresses."""
    session, people = _session_with_people(RECIPIENTS)
    database = connection.settings_dict
    assert database["ENGINE"].endswith("postgresql")
    _send(session)  # its drain waits in Redis: no worker yet
    rows = _message_rows()
    assert len(rows) == RECIPIENTS
    lock = Lock("SELECT id FROM outbox_outboundemail WHERE id = %s FOR UPDATE", [rows[FROZEN]])
    celery.start_worker()
    wait_for(
        lambda: (
            OutboundEmail.objects.filter(pk__in=rows, status=OutboundEmailStatus.SENT).count()
            == FROZEN
        ),
        timeout=30,
        what="the worker to send the first emails",
    )
    waiting = wait_for(
        lambda: _backends_waiting_on_a_lock(lock),
        timeout=10,
        what="the worker to wait on the third email's claim",
    )
    assert OutboundEmail.objects.filter(status=OutboundEmailStatus.PENDING).count() == (
        RECIPIENTS - FROZEN
    ), "the batch was not stopped mid-way"
    kill()
    for pid in waiting:
        lock.cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    lock.release()
    return [person.email for person in people]


def _backends_waiting_on_a_lock(lock: Lock) -> list[int]:
    lock.cursor.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    return [pid for (pid,) in lock.cursor.fetchall()]


def _assert_each_emailed_once(celery: Celery, addresses: list[str]) -> None:
    wait_for(
        lambda: not OutboundEmail.objects.exclude(status=OutboundEmailStatus.SENT).exists(),
        timeout=60,
        what="every email of the message to be sent",
        every=0.2,
    )
    time.sleep(2)  # long enough for a second send to show
    assert sorted(_recipients_emailed(celery.mail)) == sorted(addresses)
    for path in celery.mail.iterdir():
        text = path.read_text()
        assert "Reply-To: afa-support@" in text
        assert "organiser-own@example.org" not in text


@pytest.fixture
def celery(tmp_path):
    processes = Celery(tmp_path)  # the beat only: each test starts its worker
    yield processes
    processes.stop()


@pytest.mark.postgres
def test_a_message_whose_pool_child_is_killed_mid_batch_reaches_each_person_once(celery):
    addresses = _freeze_and_kill(celery, celery.kill_pool_child)
    # The worker forks a new child and the drain comes back (acks_late): the two sent are
    # skipped, the other four are claimed and sent.
    _assert_each_emailed_once(celery, addresses)


@pytest.mark.postgres
def test_a_message_whose_whole_worker_is_killed_mid_batch_reaches_each_person_once(celery):
    addresses = _freeze_and_kill(celery, celery.kill_worker)
    time.sleep(1)  # no worker at all for a while
    assert OutboundEmail.objects.filter(status=OutboundEmailStatus.SENT).count() == FROZEN
    celery.start_worker()
    # The dead worker's drain waits out the broker's visibility timeout; the beat's sweep
    # (every minute) sends the rest. Published here rather than waited for.
    send_outbound_emails.delay()
    _assert_each_emailed_once(celery, addresses)
