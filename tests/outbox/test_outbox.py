"""The outbox: every email that matters is a row written with the change, sent exactly once
however often (or however many at once) the drain runs, and never lost to a broker that is
down when the change commits: the beat sweep sends it later."""

import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accounts.roles import Role
from engagement import services as engagement_services
from engagement import tasks as engagement_tasks
from exports import services as export_services
from initiatives import services as initiative_services
from initiatives.models import CommentStatus, IdeaStatus, ReportReason
from outbox import tasks
from outbox.models import OutboundEmail, OutboundEmailStatus
from outbox.services import Email, email_queue, outbox_drain
from reports import services as report_services
from reports.models import DigestKind
from tests.engagement.test_emails_and_calendar import _moved_to
from tests.factories import (
    CommentFactory,
    DigestSubscriptionFactory,
    EngagementSessionFactory,
    ExportJobFactory,
    IdeaFactory,
    InitiativeFactory,
    UserFactory,
)
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing the drain fails as it does when Redis refuses connections."""
    published = []

    def refuse(**kwargs):
        published.append(kwargs)
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_outbound_emails, "delay", refuse)
    yield published
    monkeypatch.undo()


def register(session, participant=None):
    participant = participant or UserFactory()
    return engagement_services.registration_create(
        session=session, participant=participant, registered_by=participant
    )


# Each producer makes a change through its service and returns who must be emailed.
def idea_decision(organiser):
    idea = IdeaFactory(status=IdeaStatus.SUBMITTED)
    initiative_services.idea_reject(idea=idea, moderator=organiser, reason="Off topic")
    return [idea.author]


def comment_hidden(organiser):
    comment = CommentFactory(status=CommentStatus.PUBLISHED)
    initiative_services.comment_hide(comment=comment, moderator=organiser, reason="Rude")
    return [comment.author]


def report_acknowledged(organiser):
    reporter = UserFactory()
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    initiative_services.report_create(reporter=reporter, reason=ReportReason.SPAM, idea=idea)
    return [reporter]


def initiative_news(organiser):
    initiative = InitiativeFactory(leads=[organiser])
    people = [UserFactory(), UserFactory()]
    for person in people:
        initiative_services.cocreator_join(initiative=initiative, user=person, role="volunteer")
    initiative_services.initiative_update_post(
        initiative=initiative, author=organiser, title="News", body="We start in May."
    )
    return people


def _seat_and_queue():
    session = EngagementSessionFactory(capacity=1)
    seat, waiting = register(session), register(session)
    OutboundEmail.objects.all().delete()  # not these first notices (sent by their own drain)
    return session, seat, waiting


def registration_promoted_and_cancelled(organiser):
    _session, seat, waiting = _seat_and_queue()
    engagement_services.registration_cancel(registration=seat, cancelled_by=seat.participant)
    return [seat.participant, waiting.participant]


def session_changed(organiser):
    session, seat, waiting = _seat_and_queue()
    engagement_services.session_update(
        session=session,
        editor=organiser,
        details=_moved_to(session, session.starts_at + timedelta(hours=1)),
    )
    return [seat.participant, waiting.participant]


def session_cancelled(organiser):
    session, seat, waiting = _seat_and_queue()
    engagement_services.session_cancel(session=session, organiser=organiser, reason="Venue shut")
    return [seat.participant, waiting.participant]


def first_notices(organiser):
    session = EngagementSessionFactory(capacity=1)
    people = [register(session).participant, register(session).participant]
    engagement_tasks.send_registration_notices.run()
    return people


def reminders(organiser):
    starts = timezone.now() + timedelta(hours=20)
    session = EngagementSessionFactory(
        capacity=1,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_opens_at=timezone.now() - timedelta(days=2),
        registration_closes_at=starts - timedelta(hours=1),
    )
    seat = register(session)
    OutboundEmail.objects.all().delete()
    engagement_tasks.send_due_reminders.run()
    return [seat.participant]


def export_ready(organiser):
    staff = UserFactory(roles=[Role.STAFF], mfa=True)
    job = ExportJobFactory(requested_by=staff, dataset="feedback", file_format="xlsx")
    export_services.export_job_build(job_id=job.pk)
    return [staff]


def digest_ready(organiser):
    staff = UserFactory(roles=[Role.STAFF], mfa=True)
    DigestSubscriptionFactory(user=staff)
    now = timezone.now()
    digest = report_services.digest_request(
        kind=DigestKind.ON_DEMAND, period_start=now - timedelta(days=7), period_end=now
    )
    report_services.digest_compile(digest_id=digest.pk)
    return [staff]


PRODUCERS = [
    idea_decision,
    comment_hidden,
    report_acknowledged,
    initiative_news,
    registration_promoted_and_cancelled,
    session_changed,
    session_cancelled,
    first_notices,
    reminders,
    export_ready,
    digest_ready,
]


@pytest.mark.parametrize("produce", PRODUCERS, ids=lambda producer: producer.__name__)
def test_an_email_written_while_the_broker_is_down_is_sent_once_by_the_sweep(
    produce, organiser, broker_down, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PRIVATE_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        recipients = produce(organiser)
    assert broker_down, "the change published its drain on commit"
    mail.outbox.clear()  # first notices of set-up registrations, if any
    rows = OutboundEmail.objects.all()
    assert rows.count() >= len(recipients)
    assert set(recipients) <= {row.recipient for row in rows}
    assert set(rows.values_list("status", flat=True)) == {OutboundEmailStatus.PENDING}

    assert tasks.send_outbound_emails.run() == rows.count()  # the beat sweep
    assert tasks.send_outbound_emails.run() == 0
    assert outbox_drain(email_ids=rows.values_list("pk", flat=True)) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        row.recipient.email for row in OutboundEmail.objects.all()
    )
    assert {person.email for person in recipients} <= {m.to[0] for m in mail.outbox}
    assert set(rows.values_list("status", flat=True)) == {OutboundEmailStatus.SENT}


def test_the_drain_published_on_commit_sends_at_once(organiser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (author,) = idea_decision(organiser)
    assert [m.to[0] for m in mail.outbox] == [author.email]
    assert OutboundEmail.objects.get().status == OutboundEmailStatus.SENT


def test_a_change_that_rolls_back_leaves_no_email(organiser, django_capture_on_commit_callbacks):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True) as published,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        idea_decision(organiser)
        raise RuntimeError("a later step of the same request failed")
    assert not OutboundEmail.objects.exists()
    assert not published and not mail.outbox


def test_a_claim_left_by_a_dead_drain_is_retaken_after_a_while(organiser, settings):
    settings.OUTBOX_CLAIM_STALE_MINUTES = 10
    (author,) = idea_decision(organiser)  # not committed: no drain ran
    claimed = OutboundEmail.objects.filter(recipient=author)
    claimed.update(
        status=OutboundEmailStatus.SENDING, claimed_at=timezone.now() - timedelta(minutes=5)
    )
    assert outbox_drain() == 0  # another drain may still be sending it
    claimed.update(claimed_at=timezone.now() - timedelta(minutes=11))
    assert outbox_drain() == 1
    assert [m.to[0] for m in mail.outbox] == [author.email]
    assert claimed.get().attempts == 1


def test_an_email_about_something_gone_is_dropped_not_sent(organiser):
    (author,) = idea_decision(organiser)
    IdeaFactory._meta.model.objects.all().delete()
    assert outbox_drain() == 0
    assert OutboundEmail.objects.get().status == OutboundEmailStatus.DROPPED
    assert not mail.outbox


def test_a_send_that_keeps_failing_is_given_up_and_logs_no_address(
    organiser, settings, caplog, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    with mock.patch(
        "afa_platform.mail.EmailMultiAlternatives.send",
        side_effect=OSError("550 no such user idea.author@example.com"),
    ), caplog.at_level(logging.INFO):  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            (author,) = idea_decision(organiser)
        OutboundEmail.objects.update(next_attempt_at=timezone.now())
        assert outbox_drain() == 0
    email = OutboundEmail.objects.get()
    assert (email.status, email.attempts, email.error) == (OutboundEmailStatus.FAILED, 2, "OSError")
    assert outbox_drain() == 0
    logged = caplog.text
    assert "giving up" in logged
    assert author.email not in logged and "idea.author@example.com" not in logged
    assert author.display_name not in logged


def test_an_unknown_kind_is_refused_when_written(participant):
    with pytest.raises(ValueError, match="No renderer"):
        email_queue(Email(kind="nowhere.nothing", recipient_id=participant.pk, params={}))


def test_beat_sweeps_the_outbox_every_minute(settings):
    from afa_platform.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["outbox-send-outbound-emails"]
    assert entry["task"] == "outbox.tasks.send_outbound_emails"
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_drains_racing_send_each_email_once(organiser):
    people = [UserFactory() for _ in range(20)]
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    with mock.patch.object(tasks.send_outbound_emails, "delay"):  # the drains below do it
        for person in people:
            initiative_services.report_create(reporter=person, reason=ReportReason.SPAM, idea=idea)
    # 20 acknowledgements, and the author's notice: three reports hid the idea.
    pending = OutboundEmail.objects.filter(status=OutboundEmailStatus.PENDING)
    expected = sorted(email.recipient.email for email in pending.select_related("recipient"))
    assert len(expected) == 21

    results, errors = run_at_once([outbox_drain for _ in range(4)])
    assert errors == []
    assert sum(results) == 21
    assert sorted(m.to[0] for m in mail.outbox) == expected
    assert OutboundEmail.objects.filter(status=OutboundEmailStatus.SENT).count() == 21


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_claim_racing_drains_both_send(organiser):
    """Read the row, then send if pending (no conditional UPDATE): both drains send it."""
    import threading

    person = UserFactory()
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    with mock.patch.object(tasks.send_outbound_emails, "delay"):
        initiative_services.report_create(reporter=person, reason=ReportReason.SPAM, idea=idea)
    email_id = OutboundEmail.objects.get().pk
    both_read = threading.Barrier(2)

    def naive_drain():
        email = OutboundEmail.objects.get(pk=email_id)
        both_read.wait(timeout=30)
        if email.status != OutboundEmailStatus.PENDING:
            return False
        OutboundEmail.objects.filter(pk=email_id).update(status=OutboundEmailStatus.SENDING)
        return True

    results, errors = run_at_once([naive_drain, naive_drain])
    assert errors == []
    assert results == [True, True]
