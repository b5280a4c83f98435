"""Kill the worker mid-job: `kill -9` on the prefork pool child, then on the whole worker,
for an XLSX export job and a digest. The job is taken over once its lease runs out (the beat
sweep re-queues it), finishes exactly once, and its email goes once.

A real worker and a real beat run as subprocesses over Redis (REDIS_URL) against this test's
PostgreSQL database, with a 3-second lease, a 1-second sweep and 10-row export chunks set in
their environment, so each kill is recovered in seconds rather than two minutes. To stop the
job mid-way the test holds a database lock the worker needs next (the job's row, or the
feedback table the digest reads) while it kills the process: the worker is then known to be
inside the job. Skipped without PostgreSQL and Redis."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from exports.datasets import DATASETS
from exports.models import ExportJob, ExportJobStatus
from exports.services import export_job_create
from feedback.models import Feedback
from reports.filters import ReportFilters
from reports.models import (
    Digest,
    DigestKind,
    DigestStatus,
)
from reports.services import digest_request
from tests.factories import DigestSubscriptionFactory, FeedbackFactory, UserFactory

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

ROWS = 3000
LEASE_SECONDS = 3
DEADLINE = 60  # seconds for a killed job to finish once a worker is back


class Celery:
    """One worker (prefork, one child) and one beat, started with the test database's URL."""

    def __init__(self, tmp: Path) -> None:
        database = connection.settings_dict
        self.mail = tmp / "mail"
        self.exports = tmp / "exports"
        self.env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
                f"/{database['NAME']}"
            ),
            "REDIS_URL": settings.REDIS_URL,
            "CONN_MAX_AGE": "0",
            "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            "JOB_SWEEP_SECONDS": "1",
            "EXPORT_CHUNK_SIZE": "10",
            "PRIVATE_ROOT": str(tmp),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail),
        }
        self.tmp = tmp
        self.worker: subprocess.Popen | None = None
        self.beat = self._start("beat", "-s", str(tmp / "beat-schedule"))

    def _start(self, *args: str) -> subprocess.Popen:
        celery = str(Path(sys.executable).with_name("celery"))
        return subprocess.Popen(
            [celery, "-A", "afa_platform", *args, "--loglevel", "WARNING"],
            env=self.env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=open(self.tmp / f"{args[0]}.log", "ab"),  # noqa: SIM115 - closed with it
            start_new_session=True,  # its own process group: one kill takes the whole worker
        )

    def start_worker(self) -> None:
        self.worker = self._start("worker", "--pool", "prefork", "-c", "1", "-n", "kill@%h")

    def pool_child(self) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    if int(fields[1]) == self.worker.pid:
                        return int(entry.name)
            time.sleep(0.1)
        raise AssertionError("the worker started no pool child")

    def kill_pool_child(self) -> None:
        os.kill(self.pool_child(), signal.SIGKILL)

    def kill_worker(self) -> None:
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def stop(self) -> None:
        for process in (self.worker, self.beat):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def emails(self) -> list[str]:
        """The subject of every email sent (the file backend writes one file per send)."""
        if not self.mail.exists():
            return []
        return [
            line
            for path in sorted(self.mail.iterdir())
            for line in path.read_text().splitlines()
            if line.startswith("Subject: ")
        ]


@pytest.fixture
def celery(tmp_path):
    processes = Celery(tmp_path)
    processes.start_worker()
    yield processes
    processes.stop()


class Lock:
    """A second connection that holds a lock the worker needs next, until released."""

    def __init__(self, sql: str, params=()) -> None:
        database = connection.settings_dict
        self.connection = psycopg2.connect(
            dbname=database["NAME"],
            user=database["USER"],
            host=database["HOST"],
            port=database["PORT"],
        )
        self.cursor = self.connection.cursor()
        self.cursor.execute(sql, params)

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def wait_for(condition, *, timeout: float, what: str, every: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def many_feedback(participant) -> None:
    Feedback.objects.bulk_create(
        Feedback(
            participant=participant,
            experience=f"Feedback number {number}",
            editable_until=timezone.now() + timedelta(days=7),
        )
        for number in range(ROWS)
    )


def start_export(staff) -> ExportJob:
    return export_job_create(
        user=staff,
        dataset=DATASETS["feedback"],
        file_format="xlsx",
        filters=ReportFilters.from_dict({}),
        rows_total=ROWS,
    )


def kill_export_mid_way(job: ExportJob, kill) -> None:
    """Once the job has written some rows, freeze it on its own row lock and kill."""
    wait_for(
        lambda: ExportJob.objects.filter(pk=job.pk, rows_written__gte=100).exists(),
        timeout=30,
        what="the job to write its first rows",
    )
    lock = Lock(
        "SELECT status, rows_written FROM reports_exportjob WHERE id = %s FOR UPDATE", [job.pk]
    )
    status, rows_written = lock.cursor.fetchone()
    assert status == ExportJobStatus.RUNNING and rows_written < ROWS, "the job was not mid-way"
    kill()
    lock.release()


def assert_export_finished_once(celery, job: ExportJob, *, attempts: int) -> None:
    wait_for(
        lambda: (
            ExportJob.objects.get(pk=job.pk).status != ExportJobStatus.RUNNING and celery.emails()
        ),
        timeout=DEADLINE,
        what="the export to finish and its email",
        every=0.2,
    )
    time.sleep(LEASE_SECONDS + 1)  # long enough for a second finish or email to show
    job.refresh_from_db()
    assert job.status == ExportJobStatus.READY, job.error
    assert (job.rows_written, job.attempts) == (ROWS, attempts)
    assert celery.emails() == ["Subject: Your AfA Platform export is ready"]
    assert AuditEvent.objects.filter(action="export").count() == 1
    assert not AuditEvent.objects.filter(action="export_failed").exists()
    # The finished file alone: the dead run's partial file is gone, never served.
    assert sorted(path.name for path in celery.exports.iterdir()) == [job.file_path]


def test_an_export_whose_pool_child_is_killed_mid_way_finishes_once(celery, staff, participant):
    many_feedback(participant)
    job = start_export(staff)
    kill_export_mid_way(job, celery.kill_pool_child)
    # The worker forks a new child and the message comes back (acks_late): the redelivery
    # finds the lease still held and does nothing; the sweep re-queues the job once it ran out.
    assert_export_finished_once(celery, job, attempts=2)


def test_an_export_whose_whole_worker_is_killed_mid_way_finishes_once_a_worker_is_back(
    celery, staff, participant
):
    many_feedback(participant)
    job = start_export(staff)
    kill_export_mid_way(job, celery.kill_worker)
    time.sleep(LEASE_SECONDS)  # no worker at all for a while
    assert ExportJob.objects.get(pk=job.pk).status in (ExportJobStatus.RUNNING, "queued")
    celery.start_worker()
    # The old message waits out the broker's visibility timeout; the sweep does not.
    assert_export_finished_once(celery, job, attempts=2)


def compile_and_kill(kill, staff) -> Digest:
    """The digest is claimed, then held on the feedback table (ACCESS EXCLUSIVE, taken before
    asking) while it computes its figures; killed there."""
    DigestSubscriptionFactory(user=staff)
    lock = Lock("LOCK TABLE engagement_feedback IN ACCESS EXCLUSIVE MODE")
    now = timezone.now()
    digest = digest_request(
        kind=DigestKind.ON_DEMAND, period_start=now - timedelta(days=7), period_end=now
    )
    wait_for(
        lambda: Digest.objects.filter(pk=digest.pk, status=DigestStatus.COMPILING).exists(),
        timeout=30,
        what="the digest to be claimed",
    )
    time.sleep(0.3)  # into its figures, waiting on the lock
    assert Digest.objects.get(pk=digest.pk).status == DigestStatus.COMPILING
    kill()
    lock.release()
    return digest


def assert_digest_ready_once(celery, digest: Digest) -> None:
    wait_for(
        lambda: (
            Digest.objects.get(pk=digest.pk).status != DigestStatus.COMPILING and celery.emails()
        ),
        timeout=DEADLINE,
        what="the digest to be ready and emailed",
        every=0.2,
    )
    time.sleep(LEASE_SECONDS + 1)
    digest.refresh_from_db()
    assert digest.status == DigestStatus.READY, digest.error
    assert digest.attempts == 2
    assert digest.figures["feedback"]["total"] == 1
    (subject,) = celery.emails()
    assert subject.startswith("Subject: AfA feedback digest: ")


@pytest.fixture
def subscriber(participant):
    FeedbackFactory(
        participant=participant,
        experience="It happened to me.",
        editable_until=timezone.now() + timedelta(days=7),
    )
    return UserFactory(roles=[Role.STAFF], mfa=True)


def test_a_digest_whose_pool_child_is_killed_mid_compile_is_ready_once(celery, subscriber):
    digest = compile_and_kill(celery.kill_pool_child, subscriber)
    assert_digest_ready_once(celery, digest)


def test_a_digest_whose_whole_worker_is_killed_is_ready_once_a_worker_is_back(celery, subscriber):
    digest = compile_and_kill(celery.kill_worker, subscriber)
    time.sleep(LEASE_SECONDS)
    celery.start_worker()
    assert_digest_ready_once(celery, digest)
