"""Feedback rules: who may give it, one per session, the edit window, the rate limit, the
personal-data marker, quote review and withdrawal."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from engagement.models import RegistrationStatus
from feedback import services
from feedback.models import Feedback, QuoteStatus
from harms.models import HarmCategory, SolutionArea
from tests.factories import EngagementSessionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def details(**overrides) -> services.FeedbackDetails:
    values = {
        "harm_categories": [HarmCategory.objects.get(slug="doxxing")],
        "experience": "Someone posted my old address in a group chat.",
        "suggestions": {SolutionArea.objects.get(slug="regulation"): "Faster takedowns."},
        "rating": None,
        "share_anonymously": True,
        "quote_consent": False,
    }
    values.update(overrides)
    return services.FeedbackDetails(**values)


@pytest.fixture
def held_session(participant):
    session = EngagementSessionFactory(starts_at=timezone.now() - timedelta(days=1))
    RegistrationFactory(session=session, participant=participant)
    return session


def test_participant_gives_session_feedback_with_a_rating(participant, held_session):
    feedback = services.feedback_create(
        participant=participant, session=held_session, details=details(rating=4)
    )
    assert feedback.rating == 4
    assert feedback.quote_status == QuoteStatus.NOT_OFFERED
    assert list(feedback.suggestions.values_list("text", flat=True)) == ["Faster takedowns."]
    assert feedback.editable_until > timezone.now()


def test_one_feedback_per_participant_per_session(participant, held_session):
    services.feedback_create(participant=participant, session=held_session, details=details())
    with pytest.raises(services.FeedbackError, match="already given feedback"):
        services.feedback_create(participant=participant, session=held_session, details=details())
    # The constraint holds even past the check.
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            participant=participant, session=held_session, editable_until=timezone.now()
        )


@pytest.mark.parametrize(
    "case", ["not_registered", "waitlisted", "not_started", "cancelled_registration"]
)
def test_only_confirmed_registrants_of_a_started_session_give_session_feedback(participant, case):
    starts = timezone.now() + (timedelta(days=2) if case == "not_started" else -timedelta(days=1))
    session = EngagementSessionFactory(starts_at=starts)
    status = {
        "waitlisted": RegistrationStatus.WAITLISTED,
        "cancelled_registration": RegistrationStatus.CANCELLED,
    }.get(case, RegistrationStatus.CONFIRMED)
    if case != "not_registered":
        RegistrationFactory(session=session, participant=participant, status=status)
    with pytest.raises(services.FeedbackError, match="confirmed place"):
        services.feedback_create(participant=participant, session=session, details=details())


def test_general_feedback_cannot_rate_and_needs_a_harm_and_some_text(participant):
    with pytest.raises(services.FeedbackError, match="Only feedback about a session"):
        services.feedback_create(participant=participant, details=details(rating=3))
    with pytest.raises(services.FeedbackError, match="at least one harm"):
        services.feedback_create(participant=participant, details=details(harm_categories=[]))
    with pytest.raises(services.FeedbackError, match="at least one suggestion"):
        services.feedback_create(
            participant=participant, details=details(experience=" ", suggestions={})
        )


def test_general_feedback_is_rate_limited_per_participant(settings, participant, other_participant):
    settings.FEEDBACK_RATE_LIMIT = (3, 3600)
    for _ in range(3):
        services.feedback_create(participant=participant, details=details())
    with pytest.raises(services.FeedbackError, match="wait a while"):
        services.feedback_create(participant=participant, details=details())
    services.feedback_create(participant=other_participant, details=details())
    assert Feedback.objects.filter(participant=participant).count() == 3


def test_personal_data_kinds_are_recorded_not_the_text(participant):
    feedback = services.feedback_create(
        participant=participant,
        details=details(experience="He messaged me at 9123 4567 and emailed x@example.com"),
    )
    assert feedback.personal_data_kinds == ["email", "phone"]


def test_edit_allowed_until_the_weekly_period_closes(participant):
    feedback = services.feedback_create(participant=participant, details=details())
    updated = services.feedback_update(
        feedback=feedback, participant=participant, details=details(experience="Changed.")
    )
    assert updated.experience == "Changed."
    with (
        mock.patch("django.utils.timezone.now", return_value=feedback.editable_until),
        pytest.raises(services.FeedbackError, match="can no longer be changed"),
    ):
        services.feedback_update(
            feedback=feedback, participant=participant, details=details(experience="Again.")
        )


def test_edit_deadline_is_the_end_of_the_weekly_digest_period(settings):
    from tests.factories import sgt

    settings.DIGEST_WEEKDAY, settings.DIGEST_HOUR = 0, 8
    assert services.feedback_edit_deadline(sgt(2026, 11, 4, 12)) == sgt(2026, 11, 9, 8)


def test_nobody_else_can_change_or_delete_feedback(participant, other_participant):
    feedback = services.feedback_create(participant=participant, details=details())
    with pytest.raises(services.FeedbackError):
        services.feedback_update(
            feedback=feedback, participant=other_participant, details=details()
        )
    with pytest.raises(services.FeedbackError):
        services.feedback_delete(feedback=feedback, participant=other_participant)
    with pytest.raises(services.FeedbackError):
        services.feedback_withdraw_quote_consent(feedback=feedback, participant=other_participant)


# --- Quotes ---------------------------------------------------------------------------------


@pytest.fixture
def offered(participant):
    return services.feedback_create(participant=participant, details=details(quote_consent=True))


def test_consent_to_be_quoted_puts_the_feedback_in_the_quote_queue(offered):
    assert offered.quote_status == QuoteStatus.PENDING


def test_organiser_approves_a_redacted_excerpt_and_it_is_logged(offered, organiser):
    services.quote_approve(
        feedback=offered,
        moderator=organiser,
        excerpt="Someone posted my old [address].",
        note="trimmed",
    )
    offered.refresh_from_db()
    assert offered.quote_status == QuoteStatus.APPROVED
    assert offered.quote_excerpt == "Someone posted my old [address]."
    event = AuditEvent.objects.get(action="quote.approve")
    assert (event.actor, event.object_id) == (organiser, str(offered.pk))


def test_an_excerpt_with_personal_data_is_refused(offered, organiser):
    with pytest.raises(services.FeedbackError, match="phone number"):
        services.quote_approve(feedback=offered, moderator=organiser, excerpt="Call 9123 4567")
    offered.refresh_from_db()
    assert offered.quote_status == QuoteStatus.PENDING


def test_an_excerpt_cut_and_redacted_from_their_words_is_approved(offered, organiser):
    # Case, curly quotes, spacing and punctuation at a cut are forgiven; the words are theirs.
    excerpt = "“someone posted my  old [address] … in a group chat” … faster takedowns"
    services.quote_approve(feedback=offered, moderator=organiser, excerpt=excerpt)
    offered.refresh_from_db()
    assert (offered.quote_status, offered.quote_excerpt) == (QuoteStatus.APPROVED, excerpt)


@pytest.mark.parametrize(
    ("excerpt", "named"),
    [
        (
            "Someone posted my home address in a group chat.",
            "Someone posted my home address in a group chat",
        ),
        ("Someone posted my old [address]. The police did nothing.", "The police did nothing"),
        ("Slower takedowns.", "Slower takedowns"),
    ],
)
def test_an_excerpt_that_rewords_or_adds_is_refused_naming_the_words(
    offered, organiser, excerpt, named
):
    with pytest.raises(services.FeedbackError, match="do not reword") as refusal:
        services.quote_approve(feedback=offered, moderator=organiser, excerpt=excerpt)
    assert f"“{named}” is not in what they wrote" in str(refusal.value)
    offered.refresh_from_db()
    assert (offered.quote_status, offered.quote_excerpt) == (QuoteStatus.PENDING, "")


def _offered_saying(participant, text: str):
    return services.feedback_create(
        participant=participant,
        details=details(quote_consent=True, experience=text, suggestions={}),
    )


UNSAFE = "The app felt unsafe for my daughter, and I didn't report it 15 times."


@pytest.mark.parametrize(
    ("source", "excerpt", "named"),
    [
        ("P3QUOTE number 1 from the probe", "-1", "-1"),
        (UNSAFE, "The app felt … safe for my daughter", "safe for my daughter"),
        (UNSAFE, "The app felt uns…", "The app felt uns"),  # the start of a word
        (UNSAFE, "… pp felt unsafe", "pp felt unsafe"),  # the end of a word
        (UNSAFE, "… for my daughte …", "for my daughte"),
        (UNSAFE, "… I did …", "I did"),  # "did" in "didn't"
        (UNSAFE, "The app felt … [thing] afe for my daughter", "afe for my daughter"),
        (UNSAFE, "… report it 5 times.", "report it 5 times"),  # "5" in "15"
        (UNSAFE, "… felt un- …", "felt un-"),
    ],
)
def test_an_excerpt_that_quotes_part_of_a_word_is_refused(
    participant, organiser, source, excerpt, named
):
    feedback = _offered_saying(participant, source)
    with pytest.raises(services.FeedbackError, match="do not reword") as refusal:
        services.quote_approve(feedback=feedback, moderator=organiser, excerpt=excerpt)
    assert f"“{named}” is not in what they wrote" in str(refusal.value)
    feedback.refresh_from_db()
    assert feedback.quote_status == QuoteStatus.PENDING


@pytest.mark.parametrize(
    ("source", "excerpt"),
    [
        ("P3QUOTE number 1 from the probe", "P3QUOTE number 1 …"),
        ("I rated it -1 because it failed me", "… rated it -1 …"),
        (UNSAFE, "The app felt unsafe."),
        (UNSAFE, "“The app felt unsafe” … for my daughter"),
        (UNSAFE, "- the app felt unsafe …"),
        (UNSAFE, "The app felt […] for my daughter, and I didn't report it …"),
        (UNSAFE, "… I didn't report it 15 times."),
        ("Anna’s phone was hacked twice", "[name]'s phone was hacked …"),
        ("It was a well-known app", "… a well-known app"),
    ],
)
def test_an_excerpt_cut_between_words_is_approved(participant, organiser, source, excerpt):
    feedback = _offered_saying(participant, source)
    services.quote_approve(feedback=feedback, moderator=organiser, excerpt=excerpt)
    feedback.refresh_from_db()
    assert (feedback.quote_status, feedback.quote_excerpt) == (QuoteStatus.APPROVED, excerpt)


def test_an_excerpt_of_placeholders_alone_is_refused(offered, organiser):
    with pytest.raises(services.FeedbackError, match="not only placeholders"):
        services.quote_approve(feedback=offered, moderator=organiser, excerpt="[name] … [place]")


def test_reject_needs_a_reason_and_is_logged(offered, organiser):
    with pytest.raises(services.FeedbackError, match="reason"):
        services.quote_reject(feedback=offered, moderator=organiser, reason=" ")
    services.quote_reject(feedback=offered, moderator=organiser, reason="Too identifying.")
    offered.refresh_from_db()
    assert offered.quote_status == QuoteStatus.REJECTED
    assert AuditEvent.objects.filter(action="quote.reject", object_id=str(offered.pk)).exists()


def test_the_reason_refusal_names_the_log_the_reason_goes_to(offered, organiser):
    """The reason is written to the audit log, so the message must not say moderation log."""
    with pytest.raises(services.FeedbackError, match="kept in the audit log"):
        services.quote_reject(feedback=offered, moderator=organiser, reason="")


def test_approval_loses_to_a_withdrawal_that_came_first(offered, participant, organiser):
    services.feedback_withdraw_quote_consent(feedback=offered, participant=participant)
    with pytest.raises(services.FeedbackError, match="no longer waiting"):
        services.quote_approve(
            feedback=offered, moderator=organiser, excerpt="Someone posted my old [address]."
        )
    offered.refresh_from_db()
    assert (offered.quote_status, offered.quote_excerpt) == (QuoteStatus.WITHDRAWN, "")


def test_changing_the_text_sends_an_approved_quote_back_for_review(offered, participant, organiser):
    services.quote_approve(feedback=offered, moderator=organiser, excerpt="Faster takedowns.")
    same = services.feedback_update(
        feedback=offered,
        participant=participant,
        details=details(quote_consent=True, share_anonymously=False),
    )
    assert same.quote_status == QuoteStatus.APPROVED
    changed = services.feedback_update(
        feedback=offered,
        participant=participant,
        details=details(quote_consent=True, experience="New words."),
    )
    assert (changed.quote_status, changed.quote_excerpt) == (QuoteStatus.PENDING, "")


def test_turning_consent_off_in_an_edit_withdraws_the_quote(offered, participant, organiser):
    services.quote_approve(feedback=offered, moderator=organiser, excerpt="Faster takedowns.")
    with mock.patch("reports.tasks.revise_digests_quoting.delay_on_commit") as revise:
        changed = services.feedback_update(
            feedback=offered, participant=participant, details=details(quote_consent=False)
        )
    assert (changed.quote_status, changed.quote_consent) == (QuoteStatus.WITHDRAWN, False)
    revise.assert_called_once_with(feedback_id=offered.pk)


def test_the_database_refuses_an_excerpt_without_approval(participant):
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            participant=participant,
            editable_until=timezone.now(),
            quote_consent=True,
            quote_status=QuoteStatus.PENDING,
            quote_excerpt="leaked",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            participant=participant,
            editable_until=timezone.now(),
            quote_consent=False,
            quote_status=QuoteStatus.APPROVED,
            quote_excerpt="no consent",
        )
