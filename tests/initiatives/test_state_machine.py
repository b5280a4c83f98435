"""The idea state machine: every transition allowed and refused, and what each one writes."""

import itertools
import uuid

import pytest
from django.core import mail

from harms.models import HarmCategory, SolutionArea
from initiatives import services
from initiatives.models import IDEA_TRANSITIONS as TRANSITIONS
from initiatives.models import Idea, IdeaStatus, ModerationLog
from initiatives.services import IdeaConflict, IdeaError, IdeaFields
from tests.factories import IdeaFactory, InitiativeFactory

S = IdeaStatus
ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.WITHDRAWN),
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.CHANGES_REQUESTED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.CHANGES_REQUESTED, S.SUBMITTED),
    (S.CHANGES_REQUESTED, S.WITHDRAWN),
    (S.APPROVED, S.HIDDEN),
    (S.APPROVED, S.MERGED),
    (S.APPROVED, S.WITHDRAWN),
    (S.HIDDEN, S.APPROVED),
    (S.HIDDEN, S.REJECTED),
}


def test_the_transition_table_is_exactly_the_documented_one():
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == ALLOWED


def _attempt(idea, to, organiser):
    """Drive `idea` to `to` through the public service that makes that move."""
    if to == S.SUBMITTED:
        return services.idea_submit(idea=idea, author=idea.author)
    if to == S.WITHDRAWN:
        return services.idea_withdraw(idea=idea, author=idea.author)
    if to == S.MERGED:
        return services.initiative_create(
            creator=organiser,
            title="Merged",
            summary="s",
            description="d",
            solution_area=idea.solution_area,
            harm_categories=[idea.harm_category],
            leads=[organiser],
            ideas=[idea],
        )
    decision = {
        S.APPROVED: "approve" if idea.status != S.HIDDEN else "restore",
        S.CHANGES_REQUESTED: "changes",
        S.REJECTED: "reject",
        S.HIDDEN: "hide",
    }.get(to)
    if decision is None:
        # No service moves an idea back to draft; the table itself must refuse it.
        return services._transition(idea=idea, to=to, actor=organiser)
    return services.idea_decide(idea=idea, moderator=organiser, decision=decision, reason="Why")


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "to"), sorted(ALLOWED))
def test_allowed_transition_moves_the_idea_and_logs_it(start, to, organiser):
    idea = IdeaFactory(status=start)
    _attempt(idea, to, organiser)
    idea.refresh_from_db()
    assert idea.status == to
    (entry,) = ModerationLog.objects.filter(idea_id=idea.pk, action="transition")
    assert (entry.from_status, entry.to_status) == (start, to)


REFUSED = sorted(
    (a, b) for a, b in itertools.product(S.values, S.values) if a != b and (a, b) not in ALLOWED
)


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "to"), REFUSED)
def test_every_other_transition_is_refused_and_changes_nothing(start, to, organiser):
    idea = IdeaFactory(status=start, merged_into=InitiativeFactory() if start == S.MERGED else None)
    with pytest.raises(IdeaError):
        _attempt(idea, to, organiser)
    idea.refresh_from_db()
    assert idea.status == start
    assert not ModerationLog.objects.filter(idea_id=idea.pk).exists()


@pytest.mark.django_db
def test_refusal_message_names_both_states(organiser):
    idea = IdeaFactory(status=S.REJECTED)
    with pytest.raises(IdeaError, match="“Not published” cannot become “Published”"):
        services.idea_approve(idea=idea, moderator=organiser)


@pytest.mark.django_db
def test_second_decision_on_a_stale_copy_says_who_decided_first(organiser):
    from accounts.roles import Role
    from tests.factories import UserFactory

    other = UserFactory(display_name="Farah", roles=[Role.ORGANISER])
    idea = IdeaFactory(status=S.SUBMITTED)
    stale = Idea.objects.get(pk=idea.pk)
    services.idea_approve(idea=idea, moderator=other)
    with pytest.raises(IdeaConflict, match="already decided by Farah"):
        services.idea_reject(idea=stale, moderator=organiser, reason="Off topic")
    idea.refresh_from_db()
    assert (idea.status, idea.decided_by) == (S.APPROVED, other)
    assert ModerationLog.objects.filter(idea_id=idea.pk).count() == 1


@pytest.mark.django_db
def test_decision_records_moderator_reason_and_emails_author_discreetly(
    organiser, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(status=S.SUBMITTED, title="Ban sites that encourage vice")
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_request_changes(idea=idea, moderator=organiser, note="Please add detail.")
    idea.refresh_from_db()
    assert idea.moderator_note == "Please add detail."
    assert idea.decided_by == organiser and idea.decided_at is not None
    (message,) = mail.outbox
    assert message.to == [idea.author.email]
    assert message.subject == "An update on your idea"
    assert "Please add detail." in message.body


@pytest.mark.django_db
def test_request_changes_and_reject_need_a_reason(organiser):
    idea = IdeaFactory(status=S.SUBMITTED)
    with pytest.raises(IdeaError):
        services.idea_request_changes(idea=idea, moderator=organiser, note="  ")
    with pytest.raises(IdeaError):
        services.idea_reject(idea=idea, moderator=organiser, reason="")
    idea.refresh_from_db()
    assert idea.status == S.SUBMITTED


@pytest.mark.django_db
def test_notice_drained_twice_sends_one_email(organiser, django_capture_on_commit_callbacks):
    from outbox.models import OutboundEmail
    from outbox.services import outbox_drain

    idea = IdeaFactory(status=S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_approve(idea=idea, moderator=organiser)
    entry = ModerationLog.objects.get(idea_id=idea.pk)
    email = OutboundEmail.objects.get()
    assert email.params == {"log": entry.pk}
    assert outbox_drain(email_ids=[email.pk]) == 0
    assert outbox_drain() == 0
    assert len(mail.outbox) == 1


def _fields(**overrides) -> IdeaFields:
    values = {
        "title": "Parents' guide to privacy settings",
        "body": "A short guide in four languages.",
        "harm_category": HarmCategory.objects.get(slug="doxxing"),
        "solution_area": SolutionArea.objects.get(name="Public education"),
        "session": None,
        "is_anonymous": False,
        "has_content_warning": False,
        "content_warning_note": "",
    }
    values.update(overrides)
    return IdeaFields(**values)


@pytest.mark.django_db
def test_the_same_submission_token_twice_makes_one_idea(participant):
    token = uuid.uuid4()
    first, created = services.idea_create(
        author=participant, fields=_fields(), submit=True, submission_token=token
    )
    second, created_again = services.idea_create(
        author=participant, fields=_fields(), submit=True, submission_token=token
    )
    assert created and not created_again
    assert first.pk == second.pk
    assert Idea.objects.count() == 1
    assert ModerationLog.objects.count() == 1


@pytest.mark.django_db
def test_submissions_are_rate_limited_per_user_per_hour(participant, other_participant, settings):
    settings.IDEAS_PER_HOUR = 2
    for _ in range(2):
        services.idea_create(
            author=participant, fields=_fields(), submit=True, submission_token=uuid.uuid4()
        )
    with pytest.raises(IdeaError, match="in the last hour"):
        services.idea_create(
            author=participant, fields=_fields(), submit=True, submission_token=uuid.uuid4()
        )
    services.idea_create(
        author=other_participant, fields=_fields(), submit=True, submission_token=uuid.uuid4()
    )
    assert Idea.objects.filter(author=participant).count() == 2


@pytest.mark.django_db
def test_author_edits_and_resubmits_after_changes_requested(participant, organiser):
    idea = IdeaFactory(author=participant, status=S.CHANGES_REQUESTED)
    services.idea_update(
        idea=idea, author=participant, fields=_fields(title="Clearer title"), submit=True
    )
    idea.refresh_from_db()
    assert (idea.title, idea.status) == ("Clearer title", S.SUBMITTED)


@pytest.mark.django_db
def test_published_or_foreign_ideas_cannot_be_edited(participant, other_participant):
    published = IdeaFactory(author=participant, status=S.APPROVED)
    with pytest.raises(IdeaError, match="can no longer be edited"):
        services.idea_update(idea=published, author=participant, fields=_fields(), submit=False)
    draft = IdeaFactory(author=participant, status=S.DRAFT)
    with pytest.raises(IdeaError):
        services.idea_update(idea=draft, author=other_participant, fields=_fields(), submit=False)


@pytest.mark.django_db
def test_redaction_keeps_the_passage_nowhere_not_even_in_the_log(organiser):
    idea = IdeaFactory(status=S.SUBMITTED, body="He lives at Blk 123 Jurong West and stalks us.")
    services.idea_redact(
        idea=idea, moderator=organiser, passage="Blk 123 Jurong West", reason="PII"
    )
    idea.refresh_from_db()
    assert "Blk 123" not in idea.body
    assert services.REDACTED in idea.body
    entry = ModerationLog.objects.get(idea_id=idea.pk, action="redact")
    assert entry.reason == "PII"
    assert not any(
        "Blk 123" in str(getattr(entry, field.attname))
        for field in ModerationLog._meta.concrete_fields
    )


@pytest.mark.django_db
def test_content_warning_is_set_and_logged(organiser):
    idea = IdeaFactory(status=S.SUBMITTED)
    with pytest.raises(IdeaError):
        services.idea_set_content_warning(
            idea=idea, moderator=organiser, has_content_warning=True, note=""
        )
    services.idea_set_content_warning(
        idea=idea, moderator=organiser, has_content_warning=True, note="Describes grooming"
    )
    idea.refresh_from_db()
    assert idea.has_content_warning and idea.content_warning_note == "Describes grooming"
    assert ModerationLog.objects.filter(idea_id=idea.pk, action="content_warning").exists()


@pytest.mark.django_db
def test_moderation_log_is_append_only(organiser):
    idea = IdeaFactory(status=S.SUBMITTED)
    services.idea_approve(idea=idea, moderator=organiser)
    entry = ModerationLog.objects.get()
    with pytest.raises(TypeError):
        ModerationLog.objects.update(reason="rewritten")
    with pytest.raises(TypeError):
        ModerationLog.objects.all().delete()
    entry.reason = "rewritten"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()


@pytest.mark.django_db
def test_deleting_an_author_keeps_the_log_rows(organiser):
    idea = IdeaFactory(status=S.SUBMITTED)
    services.idea_approve(idea=idea, moderator=organiser)
    idea.author.delete()
    entry = ModerationLog.objects.get()
    assert entry.idea_id is None and entry.to_status == S.APPROVED


@pytest.mark.django_db
def test_bulk_decide_reports_the_ones_it_could_not_decide(organiser):
    waiting = IdeaFactory.create_batch(3, status=S.SUBMITTED)
    already = IdeaFactory(status=S.APPROVED)
    done, problems = services.ideas_bulk_decide(
        ideas=[*waiting, already], moderator=organiser, decision="approve", reason=""
    )
    assert done == 3 and len(problems) == 1
    assert Idea.objects.filter(status=S.APPROVED).count() == 4
    with pytest.raises(IdeaError):
        services.ideas_bulk_decide(ideas=waiting, moderator=organiser, decision="hide", reason="")
