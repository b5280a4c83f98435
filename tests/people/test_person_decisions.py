"""Warn, suspend, block and unblock a person (issue 15, item 2): the services, what a
restricted person can and cannot do, whatever the entry point, and the organisers' People tab."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import PersonAction, PersonDecision, Restriction, User
from accounts.services import AccountError
from engagement import services as engagement_services
from engagement.models import Registration, RegistrationStatus
from engagement.services import RegistrationError
from feedback import services as feedback_services
from feedback.services import FeedbackDetails, FeedbackError
from harms.models import HarmCategory, SolutionArea
from initiatives import services as idea_services
from initiatives.models import CommentStatus, IdeaStatus, ModerationLog
from initiatives.services import IdeaError, IdeaFields
from tests.factories import (
    CommentFactory,
    EngagementSessionFactory,
    IdeaFactory,
    InitiativeFactory,
    RegistrationFactory,
    ReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
REASON = "Repeated insults in comments on two ideas."


def _block(person, organiser, **options):
    return account_services.person_block(person=person, by=organiser, reason=REASON, **options)


def _suspend(person, organiser, days=3, **options):
    return _block(person, organiser, until=timezone.now() + timedelta(days=days), **options)


# --- The services -----------------------------------------------------------------------


def test_blocking_records_the_restriction_a_decision_and_an_audit_row(participant, organiser):
    from audit.models import AuditEvent

    decision = _block(participant, organiser)
    participant.refresh_from_db()
    assert participant.restriction == Restriction.BLOCKED
    assert participant.restricted_until is None
    assert participant.restriction_reason == REASON
    assert participant.restriction_in_force() == Restriction.BLOCKED
    assert (decision.action, decision.by, decision.reason) == (
        PersonAction.BLOCK,
        organiser,
        REASON,
    )
    event = AuditEvent.objects.get(action="person.block")
    assert event.object_id == str(participant.pk) or int(event.object_id) == participant.pk
    assert participant.email not in str(event.details)


def test_a_suspension_ends_by_itself_at_its_date(participant, organiser):
    decision = _suspend(participant, organiser, days=2)
    participant.refresh_from_db()
    assert decision.action == PersonAction.SUSPEND
    assert participant.restriction_in_force() == Restriction.SUSPENDED
    later = participant.restricted_until + timedelta(seconds=1)
    assert participant.restriction_in_force(later) == Restriction.NONE


def test_a_suspension_needs_a_future_end_and_a_block_has_none_in_the_database(
    participant, organiser
):
    with pytest.raises(AccountError, match="in the future"):
        _block(participant, organiser, until=timezone.now() - timedelta(minutes=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=participant.pk).update(restriction=Restriction.SUSPENDED)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=participant.pk).update(
            restriction=Restriction.BLOCKED, restricted_until=timezone.now()
        )


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_a_decision_needs_a_reason_of_reasonable_length(participant, organiser, reason):
    with pytest.raises(AccountError):
        account_services.person_block(person=participant, by=organiser, reason=reason)
    assert not PersonDecision.objects.exists()


def test_only_organisers_decide_and_never_about_themselves(
    participant, other_participant, staff, organiser
):
    for by in (other_participant, staff):
        with pytest.raises(AccountError, match="Only organisers"):
            _block(participant, by)
    with pytest.raises(AccountError, match="your own account"):
        _block(organiser, organiser)


def test_an_organiser_cannot_block_an_organiser_or_staff_but_an_administrator_can(
    organiser, staff, admin_user
):
    other_organiser = UserFactory(roles=["Organiser"])
    for person in (other_organiser, staff):
        with pytest.raises(AccountError, match="Only an administrator"):
            _block(person, organiser)
    _block(other_organiser, admin_user)
    other_organiser.refresh_from_db()
    assert other_organiser.restriction == Restriction.BLOCKED


def test_unblocking_lifts_it_and_is_refused_when_there_is_nothing_to_lift(participant, organiser):
    with pytest.raises(AccountError, match="not suspended or blocked"):
        account_services.person_unblock(person=participant, by=organiser, reason="Review")
    _suspend(participant, organiser)
    decision = account_services.person_unblock(
        person=participant, by=organiser, reason="They apologised."
    )
    participant.refresh_from_db()
    assert decision.action == PersonAction.UNBLOCK
    assert (participant.restriction, participant.restricted_until) == ("", None)
    assert participant.restriction_in_force() == ""


def test_decisions_about_a_person_are_append_only(participant, organiser):
    decision = _block(participant, organiser)
    with pytest.raises(TypeError):
        decision.save()
    with pytest.raises(TypeError, match="append-only"):
        PersonDecision.objects.filter(pk=decision.pk).update(reason="changed")


def test_a_warning_is_one_discreet_email_in_the_persons_language_naming_no_reporter(
    participant, other_participant, organiser, django_capture_on_commit_callbacks
):
    ReportFactory(reporter=other_participant, idea=None, comment=CommentFactory(author=participant))
    participant.preferred_language = "en"
    participant.save(update_fields=["preferred_language"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision = account_services.person_warn(person=participant, by=organiser, reason=REASON)
    to_them = [m for m in mail.outbox if m.to == [participant.email]]
    assert len(to_them) == 1
    assert to_them[0].subject == "A message about your AfA Platform account"
    assert REASON in to_them[0].body
    assert other_participant.display_name not in to_them[0].body
    assert decision.action == PersonAction.WARN
    participant.refresh_from_db()
    assert participant.restriction_in_force() == ""


def test_blocking_can_hide_all_their_published_content_without_an_email_per_item(
    participant, organiser, django_capture_on_commit_callbacks
):
    published = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    draft = IdeaFactory(author=participant, status=IdeaStatus.DRAFT)
    comment = CommentFactory(author=participant, status=CommentStatus.PUBLISHED)
    someone_elses = CommentFactory(status=CommentStatus.PUBLISHED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision = _block(participant, organiser, hide_content=True)
    assert decision.hidden_items == 2
    published.refresh_from_db(), draft.refresh_from_db(), comment.refresh_from_db()
    someone_elses.refresh_from_db()
    assert published.status == IdeaStatus.HIDDEN
    assert draft.status == IdeaStatus.DRAFT
    assert comment.status == CommentStatus.HIDDEN
    assert someone_elses.status == CommentStatus.PUBLISHED
    assert ModerationLog.objects.filter(actor=organiser, reason=REASON).count() == 2
    assert not [m for m in mail.outbox if m.to == [participant.email]]


def test_blocking_without_hiding_leaves_their_content_as_it_is(participant, organiser):
    published = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    assert _block(participant, organiser).hidden_items == 0
    published.refresh_from_db()
    assert published.status == IdeaStatus.APPROVED


def test_blocking_can_cancel_future_places_and_the_waiting_list_moves_up(
    participant, other_participant, organiser
):
    full = EngagementSessionFactory(capacity=1)
    engagement_services.registration_create(
        session=full, participant=participant, registered_by=participant
    )
    waiting = engagement_services.registration_create(
        session=full, participant=other_participant, registered_by=other_participant
    )
    assert waiting.status == RegistrationStatus.WAITLISTED
    past = EngagementSessionFactory(starts_at=timezone.now() - timedelta(days=3))
    held = RegistrationFactory(session=past, participant=participant, attended=True)
    decision = _suspend(participant, organiser, cancel_registrations=True)
    assert decision.cancelled_registrations == 1
    waiting.refresh_from_db(), held.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert held.status == RegistrationStatus.CONFIRMED
    assert Registration.objects.get(session=full, participant=participant).status == (
        RegistrationStatus.CANCELLED
    )


# --- Whatever the entry point, the services refuse a restricted person -------------------


@pytest.fixture
def restricted(participant, organiser):
    _block(participant, organiser)
    participant.refresh_from_db()
    return participant


def _idea_fields():
    return IdeaFields(
        title="Teach bystanders to step in",
        body="Short workshops in schools on how to respond when a classmate is targeted.",
        harm_category=HarmCategory.objects.filter(parent__isnull=False).first()
        or HarmCategory.objects.first(),
        solution_area=SolutionArea.objects.first(),
        is_anonymous=False,
        session=None,
        has_content_warning=False,
        content_warning_note="",
    )


def test_a_blocked_person_cannot_post_an_idea(restricted):
    with pytest.raises(IdeaError, match="blocked"):
        idea_services.idea_create(
            author=restricted, fields=_idea_fields(), submit=True, submission_token=uuid.uuid4()
        )


def test_a_blocked_person_cannot_comment_support_report_or_join(restricted):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    with pytest.raises(IdeaError, match="blocked"):
        idea_services.comment_create(idea=idea, author=restricted, body="Hi", is_anonymous=False)
    with pytest.raises(IdeaError, match="blocked"):
        idea_services.idea_support_set(idea=idea, user=restricted, supported=True)
    with pytest.raises(IdeaError, match="blocked"):
        idea_services.report_create(reporter=restricted, idea=idea, reason="spam")
    with pytest.raises(IdeaError, match="blocked"):
        idea_services.cocreator_join(
            initiative=InitiativeFactory(), user=restricted, role="volunteer"
        )


def test_a_suspended_person_cannot_register_and_is_told_until_when(participant, organiser):
    _suspend(participant, organiser, days=5)
    participant.refresh_from_db()
    with pytest.raises(RegistrationError, match="suspended until"):
        engagement_services.registration_create(
            session=EngagementSessionFactory(), participant=participant, registered_by=participant
        )


def test_a_blocked_person_cannot_give_feedback(restricted):
    details = FeedbackDetails(harm_categories=list(HarmCategory.objects.all()[:1]), experience="x")
    with pytest.raises(FeedbackError, match="blocked"):
        feedback_services.feedback_create(participant=restricted, details=details)


def test_once_unblocked_they_can_take_part_again(restricted, organiser):
    account_services.person_unblock(person=restricted, by=organiser, reason="Reviewed")
    restricted.refresh_from_db()
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    assert idea_services.idea_support_set(idea=idea, user=restricted, supported=True)


# --- What a restricted person sees ------------------------------------------------------


def test_a_restricted_person_signed_in_is_sent_to_the_page_that_says_so(client, restricted):
    client.force_login(restricted)
    for url in ("/", reverse("initiatives:idea_create"), reverse("initiatives:idea_board")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse(
            "accounts:restricted"
        ), url
    page = client.get(reverse("accounts:restricted"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Your account is blocked" in text and REASON in text
    assert "mailto:" in text  # how to ask for a review
    assert reverse("accounts:personal_data") in text and reverse("accounts:delete") in text


def test_a_restricted_person_keeps_my_data_and_delete_my_account(client, restricted):
    client.force_login(restricted)
    assert client.get(reverse("accounts:personal_data")).status_code == 200
    assert client.get(reverse("accounts:delete")).status_code == 200
    assert client.get(reverse("support")).status_code == 200


def test_a_posted_form_is_refused_too_not_only_the_pages(client, restricted):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    client.force_login(restricted)
    client.post(reverse("initiatives:idea_support", kwargs={"pk": idea.pk}), {"support": "1"})
    idea.refresh_from_db()
    assert idea.support_count == 0


def test_the_suspension_page_gives_the_end_date_in_singapore_time(client, participant, organiser):
    until = timezone.make_aware(timezone.datetime(2030, 3, 5, 0, 0))
    account_services.person_block(person=participant, by=organiser, reason=REASON, until=until)
    client.force_login(participant)
    text = client.get(reverse("accounts:restricted")).content.decode()
    assert "Your account is suspended" in text
    assert "5 March 2030, 12:00 a.m." in text or "5 March 2030, 12:00 AM" in text


def test_someone_not_restricted_is_sent_on_from_the_restricted_page(client, participant):
    client.force_login(participant)
    response = client.get(reverse("accounts:restricted"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:profile")


def test_their_decisions_are_in_download_my_data(restricted):
    from accounts import personal_data

    section = personal_data.SECTIONS["decisions_about_you"]
    rows = section.rows(restricted)
    assert [row["decision"] for row in rows] == ["block"]
    assert rows[0]["reason"] == REASON


# --- The People tab ---------------------------------------------------------------------

ROLES = ["anonymous", "participant", "organiser", "staff"]


@pytest.mark.parametrize(
    "role,expected", [("anonymous", 302), ("participant", 403), ("organiser", 200), ("staff", 403)]
)
def test_the_people_tab_is_for_organisers_only(
    client, role, expected, participant, organiser, staff
):
    cast = {"anonymous": None, "participant": participant, "organiser": organiser, "staff": staff}
    if cast[role]:
        client.force_login(cast[role])
    someone = UserFactory()
    for url in (reverse("initiatives:people"), reverse("initiatives:person", args=[someone.pk])):
        assert client.get(url).status_code == expected, url
    response = client.post(
        reverse("initiatives:person", args=[someone.pk]), {"action": "block", "reason": REASON}
    )
    assert response.status_code == (302 if role in ("anonymous", "organiser") else 403)
    someone.refresh_from_db()
    assert someone.restriction == (Restriction.BLOCKED if role == "organiser" else "")


def test_an_unknown_or_erased_person_is_a_404(client, organiser):
    client.force_login(organiser)
    assert client.get(reverse("initiatives:person", args=[999999])).status_code == 404
    erased = UserFactory(erased_at=timezone.now(), is_active=False)
    assert client.get(reverse("initiatives:person", args=[erased.pk])).status_code == 404


def test_the_people_tab_lists_reported_authors_and_restricted_people(
    client, organiser, participant, other_participant
):
    ReportFactory(
        idea=None, comment=CommentFactory(author=participant), reason="minor", urgent=True
    )
    _block(other_participant, organiser)
    client.force_login(organiser)
    text = client.get(reverse("initiatives:people")).content.decode()
    assert participant.display_name in text and "1 urgent" in text
    assert other_participant.display_name in text and "Blocked" in text


def test_searching_people_finds_a_display_name_and_an_exact_email(client, organiser, participant):
    client.force_login(organiser)
    by_name = client.get(reverse("initiatives:people"), {"q": "pat part"})
    assert participant.display_name in by_name.content.decode()
    by_email = client.get(reverse("initiatives:people"), {"q": participant.email.upper()})
    assert participant.display_name in by_email.content.decode()
    none = client.get(reverse("initiatives:people"), {"q": "x" * 5000})
    assert none.status_code == 200 and "Nobody matches" in none.content.decode()


def test_a_persons_page_shows_their_history_with_anonymous_items_marked(
    client, organiser, participant, other_participant
):
    IdeaFactory(author=participant, title="An anonymous idea", is_anonymous=True)
    comment = CommentFactory(author=participant, body="Named comment")
    ReportFactory(idea=None, comment=comment, reporter=other_participant, reason="harassment")
    ReportFactory(idea=IdeaFactory(), reporter=participant, reason="spam")
    _suspend(participant, organiser)
    client.force_login(organiser)
    text = client.get(reverse("initiatives:person", args=[participant.pk])).content.decode()
    assert "An anonymous idea" in text and "Posted anonymously" in text
    assert "Named comment" in text
    assert "1 report about their content" in text and "1 report they made" in text
    assert "Suspended" in text and REASON in text


def test_suspending_from_the_page_needs_a_future_date_and_keeps_what_was_typed(
    client, organiser, participant
):
    client.force_login(organiser)
    url = reverse("initiatives:person", args=[participant.pk])
    missing = client.post(url, {"action": "suspend", "reason": REASON})
    assert missing.status_code == 400
    assert "Choose the date the suspension ends" in missing.content.decode()
    assert REASON in missing.content.decode()
    today = timezone.localdate().isoformat()
    past = client.post(url, {"action": "suspend", "until": today, "reason": REASON})
    assert past.status_code == 400 and "Choose a date after today" in past.content.decode()
    participant.refresh_from_db()
    assert participant.restriction == ""
    day = (timezone.localdate() + timedelta(days=7)).isoformat()
    done = client.post(url, {"action": "suspend", "until": day, "reason": REASON}, follow=True)
    assert "is suspended" in done.content.decode()
    participant.refresh_from_db()
    assert participant.restriction == Restriction.SUSPENDED
    local = timezone.localtime(participant.restricted_until)
    assert (local.date().isoformat(), local.hour, local.minute) == (day, 0, 0)


def test_the_page_shows_a_refusal_for_an_organisers_account_without_a_form(client, organiser):
    other_organiser = UserFactory(roles=["Organiser"])
    client.force_login(organiser)
    url = reverse("initiatives:person", args=[other_organiser.pk])
    page = client.get(url).content.decode()
    assert "Only an administrator can act" in page and 'name="action"' not in page
    refused = client.post(url, {"action": "block", "reason": REASON})
    assert refused.status_code == 400 and "Only an administrator" in refused.content.decode()


def test_unblocking_from_the_page(client, organiser, restricted):
    client.force_login(organiser)
    url = reverse("initiatives:person", args=[restricted.pk])
    response = client.post(url, {"action": "unblock", "reason": "Reviewed"}, follow=True)
    assert "can take part again" in response.content.decode()
    restricted.refresh_from_db()
    assert restricted.restriction == ""


def test_the_moderation_queue_links_to_the_author_and_the_people_tab(
    client, organiser, participant
):
    ReportFactory(idea=None, comment=CommentFactory(author=participant), reason="harassment")
    client.force_login(organiser)
    text = client.get(reverse("initiatives:moderation_queue")).content.decode()
    assert reverse("initiatives:people") in text
    assert reverse("initiatives:person", args=[participant.pk]) in text


def _count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_people_pages_read_the_same_number_of_queries_however_much_there_is(
    client, organiser, participant, django_assert_max_num_queries
):
    client.force_login(organiser)
    people_url = reverse("initiatives:people")
    person_url = reverse("initiatives:person", args=[participant.pk])
    ReportFactory(idea=None, comment=CommentFactory(author=participant))
    _block(UserFactory(), organiser)
    small = [_count_queries(client, url, None) for url in (people_url, person_url)]
    for _ in range(6):
        author = UserFactory()
        ReportFactory(idea=None, comment=CommentFactory(author=author), reporter=participant)
        ReportFactory(idea=IdeaFactory(author=participant))
        CommentFactory(author=participant)
        _block(author, organiser)
    # 300 items of their own: the page shows the newest 20 of each with totals.
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    CommentFactory.create_batch(300, author=participant, idea=idea)
    IdeaFactory.create_batch(50, author=participant)
    account_services.person_warn(person=participant, by=organiser, reason=REASON)
    large = [_count_queries(client, url, None) for url in (people_url, person_url)]
    assert large == small
