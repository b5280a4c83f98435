"""Withdrawing consent (or deleting the feedback) takes the quote out of stored digests, through
the revision task, and out of every digest compiled afterwards."""

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import Feedback, QuoteStatus
from reports import services as report_services
from reports.models import Digest, DigestKind, DigestStatus
from tests.factories import DigestFactory, FeedbackFactory, sgt

pytestmark = pytest.mark.django_db

START = sgt(2026, 11, 2, 8)
END = sgt(2026, 11, 9, 8)
EXCERPT = "The platform ignored every report I made."


@pytest.fixture
def quoted(participant):
    return FeedbackFactory(
        participant=participant,
        created_at=sgt(2026, 11, 3),
        harm_categories=["doxxing"],
        quote_excerpt=EXCERPT,
        quote_reviewed_at=sgt(2026, 11, 4),
    )


@pytest.fixture
def other_quote(other_participant):
    return FeedbackFactory(
        participant=other_participant,
        created_at=sgt(2026, 11, 3),
        harm_categories=["doxxing"],
        quote_excerpt="Schools need to talk about this.",
        quote_reviewed_at=sgt(2026, 11, 5),
    )


def compiled(kind=DigestKind.WEEKLY, start=START, end=END) -> Digest:
    digest = DigestFactory(kind=kind, period_start=start, period_end=end, queued_at=timezone.now())
    report_services.digest_compile(digest_id=digest.pk)
    digest.refresh_from_db()
    return digest


def test_withdrawing_consent_removes_the_quote_from_stored_digests(
    quoted, other_quote, participant, django_capture_on_commit_callbacks
):
    weekly = compiled()
    on_demand = compiled(kind=DigestKind.ON_DEMAND, start=sgt(2026, 11, 1), end=sgt(2026, 11, 30))
    for digest in (weekly, on_demand):
        assert EXCERPT in digest.html
        assert digest.revised_at is None

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.feedback_withdraw_quote_consent(feedback=quoted, participant=participant)
    assert len(callbacks) == 1  # the revision task

    for digest in (weekly, on_demand):
        digest.refresh_from_db()
        assert EXCERPT not in digest.html
        assert [q["excerpt"] for q in digest.figures["quotes"]] == [
            "Schools need to talk about this."
        ]
        assert "Schools need to talk about this." in digest.html
        assert digest.revised_at is not None
        assert digest.status == DigestStatus.READY
        assert not digest.quoted.filter(feedback_id=quoted.pk).exists()

    # And from every digest compiled afterwards.
    report_services.digest_request(kind=DigestKind.WEEKLY, period_start=START, period_end=END)
    assert EXCERPT not in Digest.objects.get(pk=weekly.pk).html


def test_deleting_feedback_removes_its_quote_from_stored_digests(
    quoted, participant, django_capture_on_commit_callbacks
):
    digest = compiled()
    assert EXCERPT in digest.html
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_delete(feedback=quoted, participant=participant)
    digest.refresh_from_db()
    assert EXCERPT not in digest.html
    assert digest.figures["quotes"] == []
    assert digest.revised_at is not None
    assert not Feedback.objects.filter(pk=quoted.pk).exists()


def test_a_withdrawal_during_compilation_is_applied_when_it_finishes(quoted, participant):
    """The revision task ran before the compile committed its quotes; the compile re-checks."""
    from reports import selectors

    real = selectors.digest_figures

    def figures_then_withdraw(**kwargs):
        figures = real(**kwargs)
        Feedback.objects.filter(pk=quoted.pk).update(
            quote_consent=False, quote_status=QuoteStatus.WITHDRAWN, quote_excerpt=""
        )
        return figures

    from unittest import mock

    with mock.patch("reports.selectors.digest_figures", side_effect=figures_then_withdraw):
        digest = compiled()
    assert EXCERPT not in digest.html
    assert digest.revised_at is not None


def test_revision_leaves_digests_without_the_quote_untouched(quoted, participant):
    unrelated = compiled(start=sgt(2026, 10, 1), end=sgt(2026, 10, 8))
    assert report_services.digest_drop_withdrawn_quotes(digest_id=unrelated.pk) is False
    unrelated.refresh_from_db()
    assert unrelated.revised_at is None


def test_a_deleted_account_loses_its_quotes_at_the_next_sweep(quoted, other_quote, participant):
    from reports import tasks

    digest = compiled()
    assert EXCERPT in digest.html
    participant.delete()  # the database deletes the feedback by cascade; no service ran
    assert tasks.sweep_stale_digests() == []
    digest.refresh_from_db()
    assert EXCERPT not in digest.html
    assert "Schools need to talk about this." in digest.html
    assert digest.revised_at is not None


def test_a_digest_whose_recompile_failed_still_loses_a_withdrawn_quote(
    quoted, participant, django_capture_on_commit_callbacks
):
    """Asked for again, then failed: the digest keeps its earlier figures and HTML, which
    must not go on quoting someone who withdrew."""
    digest = compiled()
    with django_capture_on_commit_callbacks(execute=False):
        report_services.digest_request(kind=digest.kind, period_start=START, period_end=END)
    report_services.digest_mark_failed(digest_id=digest.pk, error="Worker lost")
    digest.refresh_from_db()
    assert digest.status == DigestStatus.FAILED
    assert EXCERPT in digest.html

    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_withdraw_quote_consent(feedback=quoted, participant=participant)
    digest.refresh_from_db()
    assert EXCERPT not in digest.html
    assert EXCERPT not in str(digest.figures)
    assert digest.revised_at is not None
    assert not digest.quoted.exists()
