"""Digest lifecycle: one digest per kind and period, the compile claim, retries of transient
errors, the stale sweep, the weekly beat task and exactly-once delivery."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from accounts.roles import Role
from outbox.models import OutboundEmail, OutboundEmailStatus
from outbox.services import outbox_drain
from reports import services, tasks
from reports.models import (
    Digest,
    DigestKind,
    DigestStatus,
)
from tests.factories import (
    DigestFactory,
    DigestSubscriptionFactory,
    FeedbackFactory,
    UserFactory,
    sgt,
)

pytestmark = pytest.mark.django_db

START = sgt(2026, 11, 2, 8)
END = sgt(2026, 11, 9, 8)


def request_digest(captured, **kwargs):
    """Request through the service, then run what it enqueued on commit (compile, send)."""
    with captured(execute=True):
        digest = services.digest_request(
            kind=kwargs.pop("kind", DigestKind.ON_DEMAND),
            period_start=kwargs.pop("start", START),
            period_end=kwargs.pop("end", END),
            **kwargs,
        )
    digest.refresh_from_db()
    return digest


def test_requesting_the_same_period_twice_gives_one_digest_with_fresh_figures(
    participant, staff, django_capture_on_commit_callbacks
):
    FeedbackFactory(
        participant=participant, created_at=sgt(2026, 11, 3), harm_categories=["doxxing"]
    )
    first = request_digest(django_capture_on_commit_callbacks, requested_by=staff)
    assert first.status == DigestStatus.READY
    assert first.figures["feedback"]["total"] == 1

    FeedbackFactory(
        participant=participant, created_at=sgt(2026, 11, 4), harm_categories=["doxxing"]
    )
    second = request_digest(django_capture_on_commit_callbacks, requested_by=staff)

    assert second.pk == first.pk
    assert Digest.objects.count() == 1
    second.refresh_from_db()
    assert second.status == DigestStatus.READY
    assert second.figures["feedback"]["total"] == 2
    assert second.attempts == 1  # asking again starts a fresh count of attempts


def test_a_weekly_and_an_on_demand_digest_of_the_same_period_are_two_digests(
    django_capture_on_commit_callbacks,
):
    request_digest(django_capture_on_commit_callbacks, kind=DigestKind.WEEKLY)
    request_digest(django_capture_on_commit_callbacks, kind=DigestKind.ON_DEMAND)
    assert Digest.objects.count() == 2


def test_bad_periods_are_refused_with_a_message(db):
    with pytest.raises(services.DigestError, match="end after it starts"):
        services.digest_request(kind=DigestKind.ON_DEMAND, period_start=END, period_end=START)
    with pytest.raises(services.DigestError, match="at most a year"):
        services.digest_request(
            kind=DigestKind.ON_DEMAND, period_start=START - timedelta(days=400), period_end=END
        )
    future = timezone.now() + timedelta(days=2)
    with pytest.raises(services.DigestError, match="not started"):
        services.digest_request(
            kind=DigestKind.ON_DEMAND, period_start=future, period_end=future + timedelta(days=1)
        )


def test_compile_of_a_digest_already_claimed_does_nothing(db):
    digest = DigestFactory(
        kind=DigestKind.WEEKLY,
        period_start=START,
        period_end=END,
        queued_at=START,
        status=DigestStatus.COMPILING,
        started_at=timezone.now(),
    )
    with mock.patch("reports.selectors.digest_figures") as figures:
        assert services.digest_compile(digest_id=digest.pk) is False
    figures.assert_not_called()
    digest.refresh_from_db()
    assert digest.status == DigestStatus.COMPILING
    assert digest.attempts == 0


def _queued_digest():
    return DigestFactory(
        kind=DigestKind.WEEKLY, period_start=START, period_end=END, queued_at=timezone.now()
    )


@pytest.fixture
def eager_retries():
    """Eager tasks re-run themselves on retry only when errors are not propagated (as in a
    worker, where the error is recorded on the result instead)."""
    from afa_platform.celery import app

    app.conf.task_eager_propagates = False
    yield


def test_transient_database_errors_are_retried_until_the_digest_compiles(db, eager_retries):
    digest = _queued_digest()
    from reports import selectors

    real = selectors.digest_figures
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    with (
        mock.patch("reports.selectors.digest_figures", side_effect=flaky),
        mock.patch("reports.tasks.retry_countdown", return_value=0),
    ):
        tasks.compile_digest.delay(digest_id=digest.pk)
    digest.refresh_from_db()
    assert len(calls) == 3
    assert digest.status == DigestStatus.READY
    assert digest.attempts == 3


def test_retry_backoff_doubles():
    assert [tasks.retry_countdown(n) for n in range(5)] == [2, 4, 8, 16, 32]


def test_a_digest_is_marked_failed_when_retries_run_out(db, eager_retries):
    digest = _queued_digest()
    with (
        mock.patch(
            "reports.selectors.digest_figures", side_effect=OperationalError("database is down")
        ),
        mock.patch("reports.tasks.retry_countdown", return_value=0),
    ):
        result = tasks.compile_digest.delay(digest_id=digest.pk)
    assert result.state == "FAILURE"
    assert isinstance(result.result, OperationalError)
    digest.refresh_from_db()
    assert digest.status == DigestStatus.FAILED
    assert "database is down" in digest.error
    assert digest.attempts == tasks.COMPILE_MAX_RETRIES + 1


def test_a_bug_fails_the_digest_at_once_with_the_error(db):
    digest = _queued_digest()
    with mock.patch("reports.selectors.digest_figures", side_effect=KeyError("area")):
        tasks.compile_digest.delay(digest_id=digest.pk)
    digest.refresh_from_db()
    assert digest.status == DigestStatus.FAILED
    assert digest.error == "KeyError: 'area'"
    assert digest.attempts == 1


def test_sweep_requeues_a_digest_whose_worker_died_and_it_compiles(settings, db):
    now = timezone.now()
    stale = DigestFactory(
        kind=DigestKind.WEEKLY,
        period_start=START,
        period_end=END,
        queued_at=now,
        status=DigestStatus.COMPILING,
        started_at=now - timedelta(minutes=2),
        lease_token="dead",
        lease_expires_at=now - timedelta(seconds=1),
        attempts=1,
    )
    # Started long ago, but its heartbeat still renews the lease: its worker is alive.
    busy = DigestFactory(
        kind=DigestKind.ON_DEMAND,
        period_start=START,
        period_end=END,
        queued_at=now,
        status=DigestStatus.COMPILING,
        started_at=now - timedelta(minutes=30),
        lease_token="alive",
        lease_expires_at=now + timedelta(seconds=30),
        attempts=1,
    )
    with mock.patch("reports.tasks.compile_digest.delay_on_commit") as enqueue:
        assert tasks.sweep_stale_digests() == [stale.pk]
    enqueue.assert_called_once_with(digest_id=stale.pk)
    stale.refresh_from_db()
    busy.refresh_from_db()
    assert stale.status == DigestStatus.QUEUED
    assert busy.status == DigestStatus.COMPILING

    tasks.compile_digest.delay(digest_id=stale.pk)
    stale.refresh_from_db()
    assert stale.status == DigestStatus.READY
    assert stale.attempts == 2


def test_sweep_gives_up_on_a_digest_that_keeps_killing_its_worker_until_asked_again(
    settings, db, staff
):
    settings.DIGEST_MAX_ATTEMPTS = 3
    now = timezone.now()
    doomed = DigestFactory(
        kind=DigestKind.ON_DEMAND,
        period_start=START,
        period_end=END,
        queued_at=now,
        status=DigestStatus.COMPILING,
        started_at=now - timedelta(minutes=2),
        lease_expires_at=now - timedelta(seconds=1),
        attempts=3,
    )
    with mock.patch("reports.tasks.compile_digest.delay_on_commit") as enqueue:
        assert tasks.sweep_stale_digests() == []
    enqueue.assert_not_called()
    doomed.refresh_from_db()
    assert doomed.status == DigestStatus.FAILED
    assert "stopped 3 times" in doomed.error

    # Asking again starts the count afresh.
    with mock.patch("reports.tasks.compile_digest.delay_on_commit"):
        services.digest_request(
            kind=DigestKind.ON_DEMAND, period_start=START, period_end=END, requested_by=staff
        )
    doomed.refresh_from_db()
    assert (doomed.status, doomed.attempts, doomed.error) == (DigestStatus.QUEUED, 0, "")


def test_sweep_reenqueues_a_queued_digest_whose_message_was_lost(settings, db):
    lost = DigestFactory(
        kind=DigestKind.WEEKLY,
        period_start=START,
        period_end=END,
        queued_at=timezone.now() - timedelta(minutes=2),
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    with mock.patch("reports.tasks.compile_digest.delay_on_commit") as enqueue:
        assert tasks.sweep_stale_digests() == [lost.pk]
        # Once per lost message: the sweep gave it a fresh deadline.
        assert tasks.sweep_stale_digests() == []
    enqueue.assert_called_once_with(digest_id=lost.pk)


def test_sweep_runs_every_minute_and_leases_are_short_enough_to_resume_within_two_minutes(
    settings,
):
    entry = settings.CELERY_BEAT_SCHEDULE["reports-sweep-stale-digests"]
    assert entry["schedule"] == settings.JOB_SWEEP_SECONDS == 60
    assert settings.JOB_LEASE_SECONDS + settings.JOB_SWEEP_SECONDS < 120
    # A message is redelivered only after the longest task could have finished.
    from exports.tasks import BUILD_TIME_LIMIT

    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > BUILD_TIME_LIMIT


def test_a_redelivered_compile_does_nothing_while_the_first_holds_the_lease_then_takes_over(db):
    digest = DigestFactory(
        kind=DigestKind.WEEKLY, period_start=START, period_end=END, queued_at=START
    )
    now = timezone.now()
    Digest.objects.filter(pk=digest.pk).update(
        status=DigestStatus.COMPILING, lease_token="other", lease_expires_at=now + timedelta(1)
    )
    assert services.digest_compile(digest_id=digest.pk) is False
    Digest.objects.filter(pk=digest.pk).update(lease_expires_at=now - timedelta(seconds=1))
    assert services.digest_compile(digest_id=digest.pk) is True
    digest.refresh_from_db()
    assert digest.status == DigestStatus.READY
    assert digest.lease_token != "other"


def test_weekly_beat_task_compiles_the_week_that_closed_once(
    settings, db, django_capture_on_commit_callbacks
):
    settings.DIGEST_WEEKDAY = 0
    settings.DIGEST_HOUR = 8
    with mock.patch("django.utils.timezone.now", return_value=sgt(2026, 11, 9, 8, 0, 5)):
        with django_capture_on_commit_callbacks(execute=True):
            first = tasks.queue_weekly_digest()
        with django_capture_on_commit_callbacks(execute=True):
            second = tasks.queue_weekly_digest()
    assert first == second
    digest = Digest.objects.get()
    assert (digest.kind, digest.period_start, digest.period_end) == (DigestKind.WEEKLY, START, END)


def test_beat_schedule_runs_weekly_digest_on_the_configured_day_and_hour():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["reports-weekly-digest"]
    assert entry["task"] == "reports.tasks.queue_weekly_digest"
    schedule = entry["schedule"]
    assert schedule.hour == {settings.DIGEST_HOUR}
    assert schedule.day_of_week == {(settings.DIGEST_WEEKDAY + 1) % 7}
    assert settings.CELERY_BEAT_SCHEDULE["reports-sweep-stale-digests"]["task"] == (
        "reports.tasks.sweep_stale_digests"
    )


# --- Delivery -------------------------------------------------------------------------------


@pytest.fixture
def subscribers(staff):
    other_staff = UserFactory(roles=[Role.STAFF], mfa=True)
    for user in (staff, other_staff):
        DigestSubscriptionFactory(user=user)
    # Subscribed once, no longer staff: gets nothing.
    former = UserFactory()
    DigestSubscriptionFactory(user=former)
    return [staff, other_staff]


def test_ready_digest_is_emailed_to_each_subscriber_once_even_if_drained_twice(
    subscribers, organiser, django_capture_on_commit_callbacks
):
    digest = request_digest(django_capture_on_commit_callbacks)  # sends on commit
    assert digest.status == DigestStatus.READY
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in subscribers)

    assert outbox_drain() == 0
    assert outbox_drain(email_ids=OutboundEmail.objects.values_list("pk", flat=True)) == 0
    assert len(mail.outbox) == 2
    assert OutboundEmail.objects.filter(status=OutboundEmailStatus.SENT).count() == 2

    message = mail.outbox[0]
    assert "online harm" not in message.subject.lower()
    assert f"/reports/digests/{digest.pk}/" in message.body
    html = message.alternatives[0][0]
    assert "AfA feedback digest" in html
    assert [a[0] for a in message.attachments] == ["feedback-by-harm-and-area.svg"]


def test_a_digest_compiled_again_is_not_emailed_again(
    subscribers, django_capture_on_commit_callbacks
):
    digest = request_digest(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    again = request_digest(django_capture_on_commit_callbacks)
    assert again.pk == digest.pk and again.status == DigestStatus.READY
    assert len(mail.outbox) == 2
    assert OutboundEmail.objects.count() == 2


def test_a_failed_send_is_retried_by_the_sweep_and_sent_once(subscribers, db):
    digest = DigestFactory(
        kind=DigestKind.WEEKLY, period_start=START, period_end=END, queued_at=START
    )
    services.digest_compile(digest_id=digest.pk)
    with mock.patch("afa_platform.mail.EmailMultiAlternatives.send", side_effect=OSError("SMTP")):
        assert outbox_drain() == 0
    assert OutboundEmail.objects.filter(status=OutboundEmailStatus.PENDING, attempts=1).count() == 2
    OutboundEmail.objects.update(next_attempt_at=timezone.now())  # the backoff has passed
    assert outbox_drain() == 2
    assert outbox_drain() == 0
    assert len(mail.outbox) == 2
