"""Every write to ideas, comments, reports and initiatives.

The state machines are tables beside the models (`IDEA_TRANSITIONS`, `COMMENT_TRANSITIONS`,
`INITIATIVE_TRANSITIONS` in initiatives.models); every status write here is checked against
its table first. `_transition` moves an idea with a conditional UPDATE
(`... WHERE status = <expected>`), so when two organisers decide at once exactly one UPDATE
matches and the other is told who decided first. Every transition and moderation action
appends one ModerationLog row in the same transaction. Emails are outbox rows
(outbox.services.email_queue) written in that transaction too, sent once after it commits
(or by the beat sweep if the broker was down).
"""

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Restriction, User
from accounts.restrictions import restriction_refusal
from accounts.roles import Role
from audit.ratelimit import rate_limit_reached
from harms.languages import known_language
from harms.models import HarmCategory, SolutionArea
from harms.pii import Finding, detect_personal_data, personal_data_kinds
from outbox.services import Email, email_queue
from process.models import Action
from process.selectors import action_refusal

from .emails import (
    FOLLOW_DIGEST,
    INITIATIVE_UPDATE,
    MODERATION_NOTICE,
    MODERATION_SUMMARY,
    PERSON_REPORT_ACKNOWLEDGEMENT,
    REPORT_ACKNOWLEDGEMENT,
    URGENT_REPORT_ALERT,
    URGENT_REPORT_ESCALATION,
)
from .models import (
    COMMENT_TRANSITIONS,
    DRAFT_COMMENT_MAX,
    DRAFT_NOTE_MAX,
    DRAFT_SECTION_MAX,
    DRAFT_SECTIONS,
    DRAFT_TOTAL_MAX,
    IDEA_TRANSITIONS,
    INITIATIVE_TRANSITIONS,
    URGENT_PERSON_REASONS,
    URGENT_REASONS,
    CoCreator,
    Comment,
    CommentStatus,
    DraftComment,
    DraftSection,
    DraftVersion,
    Follow,
    FollowNotice,
    FollowNoticeKind,
    Idea,
    IdeaStatus,
    Initiative,
    InitiativeStatus,
    InitiativeUpdate,
    ModerationAction,
    ModerationLog,
    Mute,
    PersonReport,
    PersonReportReason,
    PersonReportStatus,
    Report,
    ReportedVia,
    ReportStatus,
    Support,
    TargetKind,
)
from .permissions import can_publish_draft, can_write_draft, holds_organiser_role
from .selectors import anonymous_author_of

logger = logging.getLogger(__name__)

REDACTED = "[removed by a moderator]"
# Ideas and comments per person: IDEAS_PER_HOUR and COMMENTS_PER_HOUR in a rolling hour.
RATE_WINDOW = timedelta(hours=1)
REPORTS_TO_HIDE = 3


class IdeaError(Exception):
    """A refusal whose message is safe to show the user."""


def _check_may_take_part(person) -> None:
    """A suspended or blocked person is refused here, whatever the entry point."""
    refusal = restriction_refusal(person)
    if refusal:
        raise IdeaError(refusal)


def _check_phase_open(action: Action) -> None:
    """The process phases switch idea submission and co-creation on and off (process app):
    closed, the refusal says when it closed or opens."""
    refusal = action_refusal(action)
    if refusal:
        raise IdeaError(refusal)


def _check_first_submission_open(idea: Idea) -> None:
    """A draft sent for the first time needs idea submission open; an idea the moderator
    sent back for changes was submitted in time and may be sent again whatever the phase."""
    if idea.status == S.DRAFT:
        _check_phase_open(Action.SUBMIT_IDEAS)


class IdeaConflict(IdeaError):
    """Someone else changed the idea first."""


S = IdeaStatus
# Transitions an organiser makes; their actor, time and reason are kept as "the decision".
DECISIONS = frozenset({S.APPROVED, S.CHANGES_REQUESTED, S.REJECTED, S.HIDDEN})
# Transitions the author hears about by email.
NOTIFY_AUTHOR = frozenset({S.APPROVED, S.CHANGES_REQUESTED, S.REJECTED, S.HIDDEN, S.MERGED})


def _log(
    *,
    actor,
    action: str,
    target_kind: str,
    target_id: int,
    idea_id: int | None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
) -> ModerationLog:
    return ModerationLog.objects.create(
        actor=actor,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        idea_id=idea_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )


def _conflict(idea_pk: int) -> IdeaError:
    """The refusal for someone whose copy of the idea is out of date: who decided first."""
    current = Idea.objects.select_related("decided_by").filter(pk=idea_pk).first()
    if current is None:
        return IdeaError(_("This idea no longer exists."))
    if current.decided_by is not None and current.status in DECISIONS:
        return IdeaConflict(
            _("This idea was already decided by %(name)s: it is now “%(status)s”.")
            % {"name": current.decided_by.display_name, "status": current.get_status_display()}
        )
    return IdeaConflict(
        _("This idea changed while you were looking at it: it is now “%(status)s”.")
        % {"status": current.get_status_display()}
    )


def _move_if_unchanged(idea_pk: int, expected: str, to: str, updates: dict) -> bool:
    """The decision guard: one conditional UPDATE (through the idea's transition table),
    matched only while the row still has the status it was read with. False when someone
    else moved it first."""
    moved = IDEA_TRANSITIONS.update(
        Idea.objects.filter(pk=idea_pk), to=to, among={expected}, **updates
    )
    return bool(moved)


def _count_support(idea_pk: int, delta: int) -> None:
    """The support counter moves in the database (F()), never as read-then-write."""
    Idea.objects.filter(pk=idea_pk).update(support_count=F("support_count") + delta)


def _transition(
    *,
    idea: Idea,
    to: str,
    actor,
    reason: str = "",
    extra: dict | None = None,
    notify_author: bool = True,
) -> ModerationLog:
    """Move `idea` from the status it was read with to `to`, or refuse.

    The UPDATE matches only while the row still has the status we read, so of two concurrent
    deciders exactly one wins; the loser gets IdeaConflict naming who decided first.
    """
    expected = idea.status
    if not IDEA_TRANSITIONS.allowed(expected, to):
        raise IdeaError(
            _("An idea that is “%(from)s” cannot become “%(to)s”.")
            % {"from": IdeaStatus(expected).label, "to": IdeaStatus(to).label}
        )
    now = timezone.now()
    updates: dict = {"updated_at": now, **(extra or {})}
    if to in DECISIONS:
        updates.update(decided_by=actor, decided_at=now, moderator_note=reason)
    if to == S.SUBMITTED:
        updates.update(submitted_at=now)
    if not _move_if_unchanged(idea.pk, expected, to, updates):
        raise _conflict(idea.pk)
    for field, value in {"status": to, **updates}.items():
        setattr(idea, field, value)
    entry = _log(
        actor=actor,
        action=ModerationAction.TRANSITION,
        target_kind=TargetKind.IDEA,
        target_id=idea.pk,
        idea_id=idea.pk,
        from_status=expected,
        to_status=to,
        reason=reason,
    )
    if to in NOTIFY_AUTHOR and notify_author:
        email_queue(
            Email(kind=MODERATION_NOTICE, recipient_id=idea.author_id, params={"log": entry.pk})
        )
    return entry


def _fresh(idea: Idea, *, lock: bool = False) -> Idea:
    """The idea as the database has it now (a decision must act on what is there), with its
    row lock for the rest of the transaction if `lock`. One deleted since the page was read
    (its author's account went, say) is a refusal, not a server error."""
    ideas = Idea.objects.select_for_update() if lock else Idea.objects
    current = ideas.filter(pk=idea.pk).first()
    if current is None:
        raise IdeaError(_("This idea no longer exists."))
    return current


def _fresh_comment(comment: Comment, *, lock: bool = False) -> Comment:
    """As _fresh, for a comment."""
    comments = Comment.objects.select_for_update() if lock else Comment.objects
    current = comments.filter(pk=comment.pk).first()
    if current is None:
        raise IdeaError(_("This comment no longer exists."))
    return current


# --- Authors ------------------------------------------------------------------------


@dataclass
class IdeaFields:
    title: str
    body: str
    harm_category: HarmCategory
    solution_area: SolutionArea
    session: object | None
    is_anonymous: bool
    has_content_warning: bool
    content_warning_note: str
    # The language it is written in (issue 14), one of settings.LANGUAGES.
    language: str = settings.LANGUAGE_CODE

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def personal_data_in(*texts: str) -> list[Finding]:
    """What harms.pii finds in an idea's or a comment's free text: the form shows it to the
    author before sending; the services store its kinds on the row whoever calls them."""
    return detect_personal_data("\n".join(texts))


def _personal_data_kinds(*texts: str) -> list[str]:
    return personal_data_kinds(personal_data_in(*texts))


def _validate(fields: IdeaFields) -> None:
    if not fields.title.strip() or not fields.body.strip():
        raise IdeaError(_("An idea needs a title and a description."))
    if fields.has_content_warning and not fields.content_warning_note.strip():
        raise IdeaError(_("Say briefly what the content warning is about."))
    _check_language(fields.language)


def _check_language(language: str) -> None:
    if not known_language(language):
        raise IdeaError(_("Choose one of the languages listed."))


@transaction.atomic
def idea_create(
    *, author, fields: IdeaFields, submit: bool, submission_token: uuid.UUID
) -> tuple[Idea, bool]:
    """Save a new idea as a draft, or submit it for review at once.

    Returns (idea, created). The same submission token twice (a double-click, a resent form)
    returns the first idea instead of a second one. Refused, drafts too, while the process
    phase does not allow idea submission. Side effects: a row lock on the author (for the
    rate limit); a ModerationLog row when submitted.
    """
    _check_may_take_part(author)
    existing = Idea.objects.filter(author=author, submission_token=submission_token).first()
    if existing is not None:
        return existing, False
    _check_phase_open(Action.SUBMIT_IDEAS)
    _validate(fields)
    if rate_limit_reached(
        person=author,
        recent=Idea.objects.filter(author=author),
        limit=settings.IDEAS_PER_HOUR,
        window=RATE_WINDOW,
    ):
        raise IdeaError(
            _(
                "You have sent a lot of ideas in the last hour. Please wait a while and try "
                "again; nothing you wrote before has been lost."
            )
        )
    IDEA_TRANSITIONS.check_initial(S.DRAFT)
    try:
        with transaction.atomic():
            idea = Idea.objects.create(
                author=author,
                submission_token=submission_token,
                status=S.DRAFT,
                personal_data_kinds=_personal_data_kinds(fields.title, fields.body),
                **fields.as_dict(),
            )
    except IntegrityError:
        # The same token committed by a concurrent request a moment ago.
        existing = Idea.objects.filter(author=author, submission_token=submission_token).first()
        if existing is None:
            raise
        return existing, False
    if submit:
        _transition(idea=idea, to=S.SUBMITTED, actor=author)
    return idea, True


@transaction.atomic
def idea_update(*, idea: Idea, author, fields: IdeaFields, submit: bool) -> Idea:
    """Edit a draft or an idea sent back for changes; optionally (re)submit it.

    Takes a row lock so an edit cannot cross a moderator's decision.
    """
    _check_may_take_part(author)
    locked = _fresh(idea, lock=True)
    if locked.author_id != author.pk:
        raise IdeaError(_("You can only edit your own ideas."))
    if not locked.is_editable:
        raise IdeaError(
            _("This idea is “%(status)s” and can no longer be edited.")
            % {"status": locked.get_status_display()}
        )
    _validate(fields)
    if submit:
        _check_first_submission_open(locked)
    for name, value in fields.as_dict().items():
        setattr(locked, name, value)
    locked.personal_data_kinds = _personal_data_kinds(fields.title, fields.body)
    locked.save(update_fields=[*fields.as_dict().keys(), "personal_data_kinds", "updated_at"])
    if submit:
        _transition(idea=locked, to=S.SUBMITTED, actor=author)
    return locked


@transaction.atomic
def idea_submit(*, idea: Idea, author) -> Idea:
    _check_may_take_part(author)
    idea = _fresh(idea)
    if idea.author_id != author.pk:
        raise IdeaError(_("You can only submit your own ideas."))
    _check_first_submission_open(idea)
    _transition(idea=idea, to=S.SUBMITTED, actor=author)
    return idea


@transaction.atomic
def idea_withdraw(*, idea: Idea, author) -> Idea:
    """The author takes the idea back; it leaves the board and the queue. Supports stay."""
    idea = _fresh(idea)
    if idea.author_id != author.pk:
        raise IdeaError(_("You can only withdraw your own ideas."))
    _transition(idea=idea, to=S.WITHDRAWN, actor=author)
    return idea


# --- Moderators ---------------------------------------------------------------------


@transaction.atomic
def idea_approve(
    *, idea: Idea, moderator, note: str = "", personal_data_checked: bool = False
) -> Idea:
    """Publish a submitted idea. If its text (as it is now, after any redaction) still looks
    like it holds personal data, the moderator must say they checked that those details may
    be public (an organisation's helpline, say). Side effects: log row; email to the author
    on commit."""
    if not personal_data_checked:
        text = Idea.objects.filter(pk=idea.pk).values_list("title", "body").first() or ()
        kinds = sorted({finding.label for finding in detect_personal_data("\n".join(text))})
        if kinds:
            raise IdeaError(
                _(
                    "It still contains %(kinds)s. Redact it or request changes; or, if these "
                    "details may be public, tick that you checked them and approve."
                )
                % {"kinds": ", ".join(kinds)}
            )
    _transition(idea=idea, to=S.APPROVED, actor=moderator, reason=note.strip())
    return idea


@transaction.atomic
def idea_request_changes(*, idea: Idea, moderator, note: str) -> Idea:
    """Send the idea back to its author with a note on what to change."""
    if not note.strip():
        raise IdeaError(_("Tell the author what to change."))
    _transition(idea=idea, to=S.CHANGES_REQUESTED, actor=moderator, reason=note.strip())
    return idea


@transaction.atomic
def idea_reject(*, idea: Idea, moderator, reason: str) -> Idea:
    if not reason.strip():
        raise IdeaError(_("Give the author a reason."))
    _transition(idea=idea, to=S.REJECTED, actor=moderator, reason=reason.strip())
    return idea


@transaction.atomic
def idea_hide(*, idea: Idea, moderator, reason: str, notify_author: bool = True) -> Idea:
    """Take a published idea off the board while it is reviewed. Without notify_author (a
    block hides everything at once), no moderation notice email."""
    _transition(
        idea=idea,
        to=S.HIDDEN,
        actor=moderator,
        reason=reason.strip(),
        notify_author=notify_author,
    )
    return idea


@transaction.atomic
def idea_restore(*, idea: Idea, moderator, note: str = "") -> Idea:
    _transition(idea=idea, to=S.APPROVED, actor=moderator, reason=note.strip())
    return idea


def idea_decide(
    *,
    idea: Idea,
    moderator,
    decision: str,
    reason: str,
    seen_status: str | None = None,
    personal_data_checked: bool = False,
) -> Idea:
    """Apply a moderator's decision. `seen_status` is the status the moderator's page showed:
    if the idea has moved on since, they are told who decided first instead of acting on
    something they have not seen."""
    if seen_status and seen_status != idea.status:
        raise _conflict(idea.pk)
    if decision == "approve":
        return idea_approve(
            idea=idea,
            moderator=moderator,
            note=reason,
            personal_data_checked=personal_data_checked,
        )
    if decision == "changes":
        return idea_request_changes(idea=idea, moderator=moderator, note=reason)
    if decision == "reject":
        return idea_reject(idea=idea, moderator=moderator, reason=reason)
    if decision == "hide":
        return idea_hide(idea=idea, moderator=moderator, reason=reason)
    if decision == "restore":
        return idea_restore(idea=idea, moderator=moderator, note=reason)
    raise IdeaError(_("Unknown decision."))


def ideas_bulk_decide(
    *, ideas: Iterable[Idea], moderator, decision: str, reason: str
) -> tuple[int, list[str]]:
    """Approve or reject many ideas; each one on its own, so one conflict spoils none of the
    others. Returns (how many were decided, the messages for those that were not)."""
    if decision not in ("approve", "reject"):
        raise IdeaError(_("Bulk actions can only approve or reject."))
    if decision == "reject" and not reason.strip():
        # Said once, before anything is decided, rather than once per selected idea.
        raise IdeaError(_("Give the authors a reason: choose a preset reason or write one."))
    done, problems = 0, []
    for idea in ideas:
        try:
            idea_decide(
                idea=idea,
                moderator=moderator,
                decision=decision,
                reason=reason,
                seen_status=S.SUBMITTED,  # the queue lists only ideas waiting for review
            )
            done += 1
        except IdeaError as error:
            problems.append(f"“{idea.title}”: {error}")
    return done, problems


@transaction.atomic
def idea_set_content_warning(
    *, idea: Idea, moderator, has_content_warning: bool, note: str
) -> Idea:
    """Add, change or remove the warning shown before the idea's text."""
    note = note.strip()
    if has_content_warning and not note:
        raise IdeaError(_("Say briefly what the content warning is about."))
    locked = _fresh(idea, lock=True)
    before = locked.content_warning_note if locked.has_content_warning else ""
    locked.has_content_warning = has_content_warning
    locked.content_warning_note = note if has_content_warning else ""
    locked.save(update_fields=["has_content_warning", "content_warning_note", "updated_at"])
    _log(
        actor=moderator,
        action=ModerationAction.CONTENT_WARNING,
        target_kind=TargetKind.IDEA,
        target_id=locked.pk,
        idea_id=locked.pk,
        from_status=before[:20],
        reason=locked.content_warning_note or _("Content warning removed"),
    )
    return locked


def _redaction_passage(passage: str) -> str:
    passage = passage.strip()
    if len(passage) < 2:
        raise IdeaError(_("Paste the exact passage to remove."))
    return passage


def _log_redaction(moderator, kind: str, target_id: int, idea_id: int, reason) -> None:
    """That a passage was removed, by whom and why; never the passage (the log is
    append-only, and the passage is personal data the author may later erase)."""
    _log(
        actor=moderator,
        action=ModerationAction.REDACT,
        target_kind=kind,
        target_id=target_id,
        idea_id=idea_id,
        reason=reason.strip(),
    )


@transaction.atomic
def idea_redact(*, idea: Idea, moderator, passage: str, reason: str) -> Idea:
    """Replace every occurrence of `passage` in the title and text with a marker.

    The passage is not kept anywhere: the moderation log says only that one was removed.
    """
    passage = _redaction_passage(passage)
    locked = _fresh(idea, lock=True)
    if passage not in locked.body and passage not in locked.title:
        raise IdeaError(_("That passage is not in the idea. Copy it exactly as it appears."))
    locked.title = locked.title.replace(passage, REDACTED)[
        : Idea._meta.get_field("title").max_length
    ]
    locked.body = locked.body.replace(passage, REDACTED)
    locked.save(update_fields=["title", "body", "updated_at"])
    _log_redaction(moderator, TargetKind.IDEA, locked.pk, locked.pk, reason)
    return locked


@transaction.atomic
def comment_redact(*, comment: Comment, moderator, passage: str, reason: str) -> Comment:
    """Replace every occurrence of `passage` in a comment with a marker; the moderation log
    says, under the comment's idea, that a passage was removed (never which)."""
    passage = _redaction_passage(passage)
    locked = _fresh_comment(comment, lock=True)
    if passage not in locked.body:
        raise IdeaError(_("That passage is not in the comment. Copy it exactly as it appears."))
    locked.body = locked.body.replace(passage, REDACTED)
    locked.save(update_fields=["body"])
    _log_redaction(moderator, TargetKind.COMMENT, locked.pk, locked.idea_id, reason)
    return locked


# --- Support ---------------------------------------------------------------------------


@transaction.atomic
def idea_support_set(*, idea: Idea, user, supported: bool) -> bool:
    """Add or remove `user`'s support; returns whether they now support it.

    The unique constraint keeps one support per person; the counter moves with F() in the
    same transaction as the row it counts, so it stays exact under concurrent toggles.
    """
    _check_may_take_part(user)
    if supported:
        if idea.author_id == user.pk:
            raise IdeaError(_("You cannot support your own idea."))
        if not Idea.objects.filter(pk=idea.pk, status=S.APPROVED).exists():
            raise IdeaError(_("Only published ideas can be supported."))
        try:
            with transaction.atomic():
                Support.objects.create(user=user, idea=idea)
        except IntegrityError:
            return True  # already supported: nothing to count
        _count_support(idea.pk, +1)
        return True
    deleted, _unused = Support.objects.filter(user=user, idea=idea).delete()
    if deleted:
        _count_support(idea.pk, -1)
    return False


# --- Comments --------------------------------------------------------------------------


def _refuse_comment_flood(*, author, recent) -> None:
    """At most COMMENTS_PER_HOUR of a person's comments (on ideas, or on drafts) an hour."""
    if rate_limit_reached(
        person=author, recent=recent, limit=settings.COMMENTS_PER_HOUR, window=RATE_WINDOW
    ):
        raise IdeaError(
            _("You have posted a lot of comments in the last hour. Please wait a while.")
        )


@transaction.atomic
def comment_create(
    *,
    idea: Idea,
    author,
    body: str,
    is_anonymous: bool,
    language: str = settings.LANGUAGE_CODE,
) -> Comment:
    """Post a comment on a published idea, written in `language` (one of settings.LANGUAGES).
    Published at once unless COMMENTS_PREMODERATED. The kinds of personal data the privacy
    check finds in it are kept for the moderator."""
    _check_may_take_part(author)
    body = body.strip()
    if not body:
        raise IdeaError(_("Write something before posting."))
    _check_language(language)
    if not Idea.objects.filter(pk=idea.pk, status=S.APPROVED).exists():
        raise IdeaError(_("Comments are open only on published ideas."))
    _refuse_comment_flood(author=author, recent=Comment.objects.filter(author=author))
    waits = settings.COMMENTS_PREMODERATED or _is_newcomer(author)
    status = CommentStatus.PENDING if waits else CommentStatus.PUBLISHED
    COMMENT_TRANSITIONS.check_initial(status)
    return Comment.objects.create(
        idea=idea,
        author=author,
        body=body,
        is_anonymous=is_anonymous,
        status=status,
        personal_data_kinds=_personal_data_kinds(body),
        language=language,
    )


def _is_newcomer(author) -> bool:
    """Fewer than FIRST_CONTRIBUTIONS_PREMODERATED of their comments were ever published (a
    moderator approved one, or it was published before this rule): their next one waits for
    an organiser, which stops the drive-by abuser without slowing everyone. Organisers and
    MCI staff are never newcomers. One indexed count."""
    needed = settings.FIRST_CONTRIBUTIONS_PREMODERATED
    if needed <= 0 or author.is_superuser or author.has_perm("accounts.decide_about_person"):
        return False
    shown = Comment.objects.filter(author=author).exclude(status=CommentStatus.PENDING)
    return shown[:needed].count() < needed


def _comment_move(
    *,
    comment: Comment,
    allowed_from: Iterable[str],
    to: str,
    actor,
    action: str,
    reason: str,
    notify_author: bool = True,
) -> Comment:
    """Move `comment` from the status it was read with to `to`. `allowed_from` narrows the
    table for one action (approving moves only a pending comment to published, restoring
    only a hidden one); every state in it must be a source of `to` in COMMENT_TRANSITIONS."""
    allowed_from = COMMENT_TRANSITIONS.sources_of(to, among=allowed_from)
    before = comment.status
    if before not in allowed_from:
        raise IdeaError(
            _("This comment is “%(status)s” already.") % {"status": comment.get_status_display()}
        )
    updates = {}
    if to == CommentStatus.DELETED:
        updates["body"] = ""  # the author asked for it to go: keep nothing
    moved = COMMENT_TRANSITIONS.update(
        Comment.objects.filter(pk=comment.pk), to=to, among={before}, **updates
    )
    if not moved:
        raise IdeaConflict(_("Someone else acted on this comment first. Reload the page."))
    for field, value in {"status": to, **updates}.items():
        setattr(comment, field, value)
    entry = _log(
        actor=actor,
        action=action,
        target_kind=TargetKind.COMMENT,
        target_id=comment.pk,
        idea_id=comment.idea_id,
        from_status=before,
        to_status=to,
        reason=reason,
    )
    if to == CommentStatus.HIDDEN and notify_author:
        email_queue(
            Email(kind=MODERATION_NOTICE, recipient_id=comment.author_id, params={"log": entry.pk})
        )
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, author) -> Comment:
    if comment.author_id != author.pk:
        raise IdeaError(_("You can only delete your own comments."))
    return _comment_move(
        comment=comment,
        allowed_from=(CommentStatus.PUBLISHED, CommentStatus.PENDING, CommentStatus.HIDDEN),
        to=CommentStatus.DELETED,
        actor=author,
        action=ModerationAction.COMMENT_DELETE,
        reason="",
    )


@transaction.atomic
def comment_approve(*, comment: Comment, moderator) -> Comment:
    return _comment_move(
        comment=comment,
        allowed_from=(CommentStatus.PENDING,),
        to=CommentStatus.PUBLISHED,
        actor=moderator,
        action=ModerationAction.COMMENT_APPROVE,
        reason="",
    )


@transaction.atomic
def comment_hide(
    *, comment: Comment, moderator, reason: str, notify_author: bool = True
) -> Comment:
    """Remove a comment from view; the thread shows "removed by a moderator" in its place."""
    return _comment_move(
        comment=comment,
        allowed_from=(CommentStatus.PUBLISHED, CommentStatus.PENDING),
        to=CommentStatus.HIDDEN,
        actor=moderator,
        action=ModerationAction.COMMENT_HIDE,
        reason=reason.strip(),
        notify_author=notify_author,
    )


@transaction.atomic
def person_content_hide(*, person, moderator, reason: str) -> int:
    """Hide every published idea and every published or waiting comment of a person being
    blocked or suspended (accounts.services.person_block, hide_content): each with its own
    moderation log row, without a notice email per item (the person sees the block's page).
    Returns how many items were hidden."""
    hidden = 0
    for idea in Idea.objects.filter(author=person, status=S.APPROVED).order_by("pk"):
        try:
            idea_hide(idea=idea, moderator=moderator, reason=reason, notify_author=False)
        except IdeaError:
            continue  # decided by someone else meanwhile
        hidden += 1
    comments = Comment.objects.filter(
        author=person, status__in=[CommentStatus.PUBLISHED, CommentStatus.PENDING]
    ).order_by("pk")
    for comment in comments:
        try:
            comment_hide(comment=comment, moderator=moderator, reason=reason, notify_author=False)
        except IdeaError:
            continue
        hidden += 1
    return hidden


@transaction.atomic
def comment_restore(*, comment: Comment, moderator, note: str = "") -> Comment:
    return _comment_move(
        comment=comment,
        allowed_from=(CommentStatus.HIDDEN,),
        to=CommentStatus.PUBLISHED,
        actor=moderator,
        action=ModerationAction.COMMENT_RESTORE,
        reason=note.strip(),
    )


# --- Reports ---------------------------------------------------------------------------


@transaction.atomic
def report_create(
    *,
    reporter,
    reason: str,
    note: str = "",
    idea: Idea | None = None,
    comment: Comment | None = None,
) -> Report:
    """Flag an idea or a comment.

    An urgent reason (a minor, personal details or images) hides the content at once; so do
    reports from three different people. The content's row is locked, so concurrent reports
    are counted one after another. Side effects: log rows; acknowledgement to the reporter;
    the author is told when their content is hidden.
    """
    _check_may_take_part(reporter)
    if (idea is None) == (comment is None):
        raise IdeaError(_("Choose what to report."))
    urgent = reason in URGENT_REASONS
    if idea is not None:
        target = _fresh(idea, lock=True)
        if not target.can_be_reported:
            raise IdeaError(_("This idea cannot be reported."))
        lookup = {"idea": target}
        kind, idea_id = TargetKind.IDEA, target.pk
    else:
        target = _fresh_comment(comment, lock=True)
        if not target.can_be_reported:
            raise IdeaError(_("This comment cannot be reported."))
        lookup = {"comment": target}
        kind, idea_id = TargetKind.COMMENT, target.idea_id
    if target.author_id == reporter.pk:
        raise IdeaError(_("You cannot report what you wrote yourself."))
    if Report.objects.filter(reporter=reporter, status=ReportStatus.OPEN, **lookup).exists():
        raise IdeaError(_("You have already reported this. Our moderators will look at it."))
    report = Report.objects.create(
        reporter=reporter, reason=reason, note=note.strip(), urgent=urgent, **lookup
    )
    _log(
        actor=reporter,
        action=ModerationAction.REPORT,
        target_kind=kind,
        target_id=target.pk,
        idea_id=idea_id,
        reason=report.get_reason_display(),
    )
    open_reports = Report.objects.filter(status=ReportStatus.OPEN, **lookup)
    if urgent or open_reports.count() >= REPORTS_TO_HIDE:
        why = (
            _("Hidden at once after an urgent report.")
            if urgent
            else _("Hidden after reports from %(count)d people.") % {"count": REPORTS_TO_HIDE}
        )
        if idea is not None and target.status == S.APPROVED:
            _transition(idea=target, to=S.HIDDEN, actor=None, reason=why)
        elif comment is not None and target.can_be_hidden:
            _comment_move(
                comment=target,
                allowed_from=(CommentStatus.PUBLISHED, CommentStatus.PENDING),
                to=CommentStatus.HIDDEN,
                actor=None,
                action=ModerationAction.COMMENT_HIDE,
                reason=why,
            )
    if urgent and open_reports.exclude(pk=report.pk).filter(urgent=False).exists():
        # The whole item is urgent now; its earlier reports rise with it.
        # The new report carries the item's response clock: the risen ones are marked alerted
        # and escalated, so one item raises one alert per urgent report, not one per report.
        now = timezone.now()
        Report.objects.filter(status=ReportStatus.OPEN, urgent=False, **lookup).update(
            urgent=True, alerted_at=now, escalated_at=now
        )
    if urgent:
        _alert_on_commit(URGENT_CONTENT, report.pk)
    email_queue(
        Email(
            kind=REPORT_ACKNOWLEDGEMENT,
            recipient_id=report.reporter_id,
            params={"report": report.pk},
        )
    )
    return report


@transaction.atomic
def reports_resolve(
    *, moderator, uphold: bool, note: str, idea: Idea | None = None, comment: Comment | None = None
) -> int:
    """Close every open report on one item.

    Upheld: the content stays off the site (an idea ends "not published", with the note as
    its reason). Dismissed: hidden content comes back. Returns how many reports were closed.
    """
    if (idea is None) == (comment is None):
        raise IdeaError(_("Choose what to resolve."))
    lookup = {"idea": idea} if idea is not None else {"comment": comment}
    now = timezone.now()
    closed = Report.objects.filter(status=ReportStatus.OPEN, **lookup).update(
        status=ReportStatus.UPHELD if uphold else ReportStatus.DISMISSED,
        resolved_by=moderator,
        resolved_at=now,
    )
    if not closed:
        raise IdeaConflict(_("These reports were already resolved by someone else."))
    note = note.strip()
    if idea is not None:
        current = _fresh(idea)
        if uphold:
            reason = note or _("Removed after review of reports.")
            if current.status == S.APPROVED:
                _transition(idea=current, to=S.HIDDEN, actor=moderator, reason=reason)
            if current.status == S.HIDDEN:
                _transition(idea=current, to=S.REJECTED, actor=moderator, reason=reason)
        elif current.status == S.HIDDEN:
            _transition(idea=current, to=S.APPROVED, actor=moderator, reason=note)
        target_kind, target_id, idea_id = TargetKind.IDEA, current.pk, current.pk
    else:
        current = _fresh_comment(comment)
        if uphold and current.can_be_hidden:
            comment_hide(comment=current, moderator=moderator, reason=note)
        elif not uphold and current.status == CommentStatus.HIDDEN:
            comment_restore(comment=current, moderator=moderator, note=note)
        target_kind, target_id, idea_id = TargetKind.COMMENT, current.pk, current.idea_id
    _log(
        actor=moderator,
        action=ModerationAction.REPORT_UPHOLD if uphold else ModerationAction.REPORT_DISMISS,
        target_kind=target_kind,
        target_id=target_id,
        idea_id=idea_id,
        reason=note,
    )
    return closed


# --- Initiatives -----------------------------------------------------------------------


def _unique_slug(title: str) -> str:
    base = slugify(title)[:120] or "initiative"
    slug, n = base, 2
    while Initiative.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _create_with_unique_slug(**fields) -> Initiative:
    """Two organisers naming initiatives alike at the same moment both find the slug free;
    the unique index refuses the second insert, which then takes the next free slug."""
    for _attempt in range(5):
        slug = _unique_slug(fields["title"])
        try:
            with transaction.atomic():
                return Initiative.objects.create(slug=slug, **fields)
        except IntegrityError:
            if not Initiative.objects.filter(slug=slug).exists():
                raise
    raise IdeaError(_("Too many initiatives with this title were created at once. Try again."))


@transaction.atomic
def initiative_create(
    *,
    creator,
    title: str,
    summary: str,
    description: str,
    solution_area: SolutionArea,
    harm_categories: Iterable[HarmCategory],
    leads: Iterable,
    ideas: Iterable[Idea],
) -> Initiative:
    """Create an initiative from one or more published ideas, which become "merged into" it.

    Side effects: one transition log row per idea (and an email to each author on commit).
    If any idea was decided by someone else meanwhile, nothing is created.
    """
    ideas = list(ideas)
    leads = list(leads)
    if not ideas:
        raise IdeaError(_("Choose at least one published idea to build on."))
    if not leads:
        raise IdeaError(_("An initiative needs at least one lead."))
    INITIATIVE_TRANSITIONS.check_initial(InitiativeStatus.FORMING)
    initiative = _create_with_unique_slug(
        status=InitiativeStatus.FORMING,
        title=title.strip(),
        summary=summary.strip(),
        description=description.strip(),
        solution_area=solution_area,
        created_by=creator,
    )
    initiative.harm_categories.set(harm_categories)
    initiative.leads.set(leads)
    for idea in ideas:
        _transition(
            idea=idea,
            to=S.MERGED,
            actor=creator,
            reason=_("Merged into the initiative “%(title)s”.") % {"title": initiative.title},
            extra={"merged_into": initiative},
        )
    return initiative


@transaction.atomic
def initiative_set_status(*, initiative: Initiative, actor, status: str) -> Initiative:
    """Move an initiative to forming, in progress or launched, along INITIATIVE_TRANSITIONS
    (on to any later status, or back one step); any other move is refused.

    Side effects: one ModerationLog row per real change (none when the status is already
    `status`); the UPDATE is conditional on the status read, so a concurrent change is
    refused rather than logged twice.
    """
    if status not in InitiativeStatus.values:
        raise IdeaError(_("Unknown status."))
    before = initiative.status
    if before == status:
        return initiative
    if not INITIATIVE_TRANSITIONS.allowed(before, status):
        raise IdeaError(
            _("An initiative that is “%(from)s” cannot become “%(to)s”.")
            % {"from": InitiativeStatus(before).label, "to": InitiativeStatus(status).label}
        )
    moved = INITIATIVE_TRANSITIONS.update(
        Initiative.objects.filter(pk=initiative.pk), to=status, among={before}
    )
    if not moved:
        raise IdeaConflict(_("Someone else changed this initiative's status first. Reload it."))
    initiative.status = status
    _log(
        actor=actor,
        action=ModerationAction.INITIATIVE_STATUS,
        target_kind=TargetKind.INITIATIVE,
        target_id=initiative.pk,
        idea_id=None,
        from_status=before,
        to_status=status,
    )
    return initiative


@transaction.atomic
def cocreator_join(
    *, initiative: Initiative, user, role: str, pledge: str = "", show_name: bool | None = None
) -> CoCreator:
    """Join as a co-creator; joining twice changes the role and pledge (and `show_name`, when
    given) instead. `show_name` None: named unless the person wrote an anonymous idea merged
    into the initiative, who then appears as "Anonymous participant" (on joining again, it
    stays as it was). Refused while the process phase does not allow co-creation."""
    _check_may_take_part(user)
    _check_phase_open(Action.CO_CREATE)
    fields = {"role": role, "pledge": pledge.strip()}
    if show_name is not None:
        fields["show_name"] = show_name
    try:
        with transaction.atomic():
            return CoCreator.objects.create(
                initiative=initiative,
                user=user,
                **{"show_name": not anonymous_author_of(initiative, user), **fields},
            )
    except IntegrityError:
        CoCreator.objects.filter(initiative=initiative, user=user).update(**fields)
        return CoCreator.objects.get(initiative=initiative, user=user)


@transaction.atomic
def cocreator_leave(*, initiative: Initiative, user) -> None:
    CoCreator.objects.filter(initiative=initiative, user=user).delete()


@transaction.atomic
def initiative_update_post(
    *, initiative: Initiative, author, title: str, body: str
) -> InitiativeUpdate:
    """Leads (and organisers) post news; every co-creator is emailed after commit, and the
    initiative's followers hear of it in their next daily follow digest."""
    if not title.strip() or not body.strip():
        raise IdeaError(_("An update needs a title and some text."))
    update = InitiativeUpdate.objects.create(
        initiative=initiative, author=author, title=title.strip(), body=body.strip()
    )
    follower_notice_queue(initiative=initiative, kind=FollowNoticeKind.UPDATE, object_id=update.pk)
    email_queue(
        *(
            Email(kind=INITIATIVE_UPDATE, recipient_id=user_id, params={"update": update.pk})
            for user_id in CoCreator.objects.filter(initiative=initiative).values_list(
                "user_id", flat=True
            )
        )
    )
    return update


# --- Following an initiative ----------------------------------------------------------------


@transaction.atomic
def follow_start(*, initiative: Initiative, by) -> Follow:
    """Follow an initiative; following it again changes nothing. The follower hears only of
    what happens from now on (their watermark starts at the newest notice). A suspended or
    blocked person is refused (IdeaError)."""
    _check_may_take_part(by)
    newest = FollowNotice.objects.aggregate(newest=Max("pk"))["newest"] or 0
    try:
        with transaction.atomic():
            return Follow.objects.create(initiative=initiative, user=by, notified_through=newest)
    except IntegrityError:
        return Follow.objects.get(initiative=initiative, user=by)


@transaction.atomic
def follow_stop(*, initiative: Initiative | None, by) -> int:
    """Stop following an initiative, or (initiative None) every initiative. Stopping what one
    does not follow is no error. Returns how many follows ended. Notices not yet emailed for
    it are not sent (the digest's renderer checks the follow at send time)."""
    follows = Follow.objects.filter(user=by)
    if initiative is not None:
        follows = follows.filter(initiative=initiative)
    deleted, _per_model = follows.delete()
    return deleted


def follower_notice_queue(*, initiative: Initiative, kind: str, object_id: int) -> FollowNotice:
    """Call inside the transaction of the event (an update posted, a version published): the
    followers are told of it in their next daily digest (follow_digests_queue). The same
    object is noticed once, however often this is called."""
    if kind not in FollowNoticeKind.values:
        raise ValueError(f"Unknown follower notice kind {kind!r}")
    notice, _created = FollowNotice.objects.get_or_create(
        kind=kind, object_id=object_id, defaults={"initiative": initiative}
    )
    return notice


def follow_digest_key(*, user_id: int, day) -> str:
    return f"follow-digest-{user_id}-{day.isoformat()}"


def _followers_who_may_hear(now):
    """Active, not erased, not blocked or suspended: anyone else gets no digest."""
    return (
        Follow.objects.filter(user__is_active=True, user__erased_at__isnull=True)
        .exclude(user__restriction=Restriction.BLOCKED)
        .exclude(user__restriction=Restriction.SUSPENDED, user__restricted_until__gt=now)
    )


def _lock_follows(user_id: int) -> list[Follow]:
    """The guard of the digest's watermarks: a second run waits here, then reads them moved."""
    return list(Follow.objects.select_for_update().filter(user_id=user_id).order_by("pk"))


@transaction.atomic
def follow_digest_queue(*, user_id: int, day) -> bool:
    """One person's digest for `day`: every notice of the initiatives they follow past their
    watermark, in one outbox email keyed by person and day; then the watermarks move past
    them. The follows are locked first, so two runs at once queue one email; a second run
    the same day finds the key taken and leaves any newer notices for tomorrow's email.
    True when this call queued the email."""
    follows = _lock_follows(user_id)
    if not follows:
        return False
    pending = Q(pk__in=[])
    for follow in follows:
        pending |= Q(initiative_id=follow.initiative_id, pk__gt=follow.notified_through)
    notices = list(
        FollowNotice.objects.filter(pending).order_by("pk").values_list("pk", "initiative_id")
    )
    if not notices:
        return False
    queued = email_queue(
        Email(
            kind=FOLLOW_DIGEST,
            recipient_id=user_id,
            params={"notices": [pk for pk, _initiative in notices]},
            key=follow_digest_key(user_id=user_id, day=day),
        )
    )
    if not queued:
        return False  # today's email is already written: these wait for tomorrow's
    newest: dict[int, int] = {}
    for pk, initiative_id in notices:
        newest[initiative_id] = max(pk, newest.get(initiative_id, 0))
    for follow in follows:
        if follow.initiative_id in newest:
            follow.notified_through = newest[follow.initiative_id]
    Follow.objects.bulk_update(
        [follow for follow in follows if follow.initiative_id in newest], ["notified_through"]
    )
    return True


def follow_digests_queue(*, today=None, now=None) -> int:
    """Beat, daily at FOLLOW_DIGEST_HOUR (Singapore time): one email to each follower who has
    something new, none to anyone with nothing new. Safe to run twice or at once (the
    outbox key and the locked watermarks). Returns the number of emails queued."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    has_news = FollowNotice.objects.filter(
        initiative_id=OuterRef("initiative_id"), pk__gt=OuterRef("notified_through")
    )
    user_ids = (
        _followers_who_may_hear(now)
        .filter(Exists(has_news))
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    queued = 0
    for user_id in list(user_ids):
        try:
            queued += follow_digest_queue(user_id=user_id, day=today)
        except IntegrityError:
            # Another run wrote the same key in between: that one is today's email.
            logger.info("Follow digest for %s already queued by another run", user_id)
    return queued


# --- The working draft of an initiative ---------------------------------------------------


class DraftConflict(IdeaError):
    """Someone saved a version after the one the editor started from. `latest` is that
    version, so the page can show both texts (theirs and yours) to merge."""

    def __init__(self, message: str, *, latest: DraftVersion):
        super().__init__(message)
        self.latest = latest


class DraftUnchanged(IdeaError):
    """The text saved is the text of the latest version: no new version is made."""


def _check_may_write_draft(person, initiative: Initiative) -> None:
    """May this person save or comment on the draft now? Co-creators only while a process
    phase allows co-creation (process.selectors); organisers at any time, to keep the text
    right after co-creation closes."""
    _check_may_take_part(person)
    if not can_write_draft(person, initiative, in_service=True):
        raise IdeaError(
            _("Only this initiative's co-creators and organisers can work on its draft.")
        )
    if not holds_organiser_role(person):
        refusal = action_refusal(Action.CO_CREATE)
        if refusal:
            raise IdeaError(refusal)


def _clean_section(text: str) -> str:
    # Browsers send CRLF; a version stores LF so that saving the same text is "no change".
    return text.replace("\r\n", "\n").replace("\x00", "").strip()


def _validate_draft(texts: dict[str, str]) -> None:
    labels = dict(DraftSection.choices)
    for section, text in texts.items():
        if len(text) > DRAFT_SECTION_MAX:
            raise IdeaError(
                _(
                    "“%(section)s” is %(length)s characters long; a section can be at most "
                    "%(limit)s. Nothing was saved: shorten it and save again."
                )
                % {"section": labels[section], "length": len(text), "limit": DRAFT_SECTION_MAX}
            )
    total = sum(len(text) for text in texts.values())
    if total > DRAFT_TOTAL_MAX:
        raise IdeaError(
            _(
                "The draft is %(length)s characters long; the whole draft can be at most "
                "%(limit)s. Nothing was saved: shorten it and save again."
            )
            % {"length": total, "limit": DRAFT_TOTAL_MAX}
        )


def _shown_anonymous(initiative: Initiative, person) -> bool:
    """A co-creator listed as "Anonymous participant" writes anonymously here too."""
    return CoCreator.objects.filter(initiative=initiative, user=person, show_name=False).exists()


def _latest_version(initiative: Initiative) -> DraftVersion | None:
    return (
        DraftVersion.objects.filter(initiative=initiative)
        .select_related("author")
        .order_by("-number")
        .first()
    )


def _lock_initiative(initiative: Initiative) -> Initiative:
    return Initiative.objects.select_for_update().get(pk=initiative.pk)


def _add_version(
    *, initiative: Initiative, by, texts: dict[str, str], note: str, latest: DraftVersion | None
) -> DraftVersion:
    """The next version, unless it is the latest's text again (DraftUnchanged). The caller
    holds the initiative's row lock; the unique (initiative, number) is the guarantee."""
    if latest is not None and latest.texts == texts:
        raise DraftUnchanged(
            _("Nothing changed since version %(number)s, so no new version was saved.")
            % {"number": latest.number}
        )
    if latest is None and not any(texts.values()):
        raise DraftUnchanged(_("Write something in a section before saving."))
    return DraftVersion.objects.create(
        initiative=initiative,
        number=(latest.number if latest else 0) + 1,
        author=by,
        author_anonymous=_shown_anonymous(initiative, by),
        note=note.strip()[:DRAFT_NOTE_MAX],
        **texts,
    )


@transaction.atomic
def draft_save(
    *,
    initiative: Initiative,
    by,
    base_number: int,
    problem: str | None = None,
    proposal: str | None = None,
    roles: str | None = None,
    milestones: str | None = None,
    note: str = "",
) -> DraftVersion:
    """Save the working draft as a new version, started from version `base_number` (0 before
    the first). A section passed as None keeps the latest version's text.

    Optimistic locking: the initiative's row is locked (select_for_update) and, if the latest
    version is no longer `base_number`, DraftConflict carries the latest version and nothing
    is saved, so two people saving at once never overwrite each other. The same text as the
    latest version is refused with DraftUnchanged. Side effects: one DraftVersion row.
    """
    _check_may_write_draft(by, initiative)
    given = {"problem": problem, "proposal": proposal, "roles": roles, "milestones": milestones}
    given = {section: _clean_section(text) for section, text in given.items() if text is not None}
    _validate_draft(given)
    if len(note) > DRAFT_NOTE_MAX:
        raise IdeaError(
            _("The note on what changed can be at most %(limit)s characters.")
            % {"limit": DRAFT_NOTE_MAX}
        )
    initiative = _lock_initiative(initiative)
    latest = _latest_version(initiative)
    latest_number = latest.number if latest else 0
    if base_number != latest_number:
        if latest is None:
            raise IdeaError(_("That version of the draft does not exist. Reload the draft."))
        raise DraftConflict(
            _(
                "Someone saved version %(number)s while you were editing. Nothing of yours "
                "was lost: compare the two texts below, merge them and save again."
            )
            % {"number": latest_number},
            latest=latest,
        )
    texts = latest.texts if latest else dict.fromkeys(DRAFT_SECTIONS, "")
    texts.update(given)
    _validate_draft(texts)
    return _add_version(initiative=initiative, by=by, texts=texts, note=note, latest=latest)


def _version_of(initiative: Initiative, version: DraftVersion) -> None:
    if version.initiative_id != initiative.pk:
        raise IdeaError(_("That version belongs to another initiative."))


@transaction.atomic
def draft_restore(*, initiative: Initiative, version: DraftVersion, by) -> DraftVersion:
    """Make an older version the working draft again: a new version with its text, by `by`
    (an organiser or lead), noted "Restored version N". History is never rewritten.
    Side effects: one DraftVersion row and one moderation log row (draft_restore)."""
    _version_of(initiative, version)
    _check_may_take_part(by)
    if not can_publish_draft(by, initiative, in_service=True):
        raise IdeaError(_("Only organisers and the initiative's leads can restore a version."))
    initiative = _lock_initiative(initiative)
    restored = _add_version(
        initiative=initiative,
        by=by,
        texts=version.texts,
        note=_("Restored version %(number)s") % {"number": version.number},
        latest=_latest_version(initiative),
    )
    _log(
        actor=by,
        action=ModerationAction.DRAFT_RESTORE,
        target_kind=TargetKind.INITIATIVE,
        target_id=initiative.pk,
        idea_id=None,
        from_status=str(version.number),
        to_status=str(restored.number),
    )
    return restored


@transaction.atomic
def draft_publish(*, initiative: Initiative, version: DraftVersion, by) -> Initiative:
    """Show `version` as the initiative's public text (the initiative page), from now on.

    Side effects: Initiative.published_version and published_at (under the row lock) and one
    moderation log row (draft_publish: from the version published before to this one); and
    a follower notice (follower_notice_queue), so the initiative's followers hear of it in
    their next daily email.
    """
    _version_of(initiative, version)
    _check_may_take_part(by)
    if not can_publish_draft(by, initiative, in_service=True):
        raise IdeaError(_("Only organisers and the initiative's leads can publish a version."))
    initiative = _lock_initiative(initiative)
    before = initiative.published_version_id
    if before == version.pk:
        raise IdeaError(
            _("Version %(number)s is already the published text.") % {"number": version.number}
        )
    previous = DraftVersion.objects.filter(pk=before).values_list("number", flat=True).first()
    initiative.published_version = version
    initiative.published_at = timezone.now()
    initiative.save(update_fields=["published_version", "published_at"])
    _log(
        actor=by,
        action=ModerationAction.DRAFT_PUBLISH,
        target_kind=TargetKind.INITIATIVE,
        target_id=initiative.pk,
        idea_id=None,
        from_status=str(previous or ""),
        to_status=str(version.number),
    )
    follower_notice_queue(
        initiative=initiative, kind=FollowNoticeKind.PUBLISHED_VERSION, object_id=version.pk
    )
    return initiative


@transaction.atomic
def draft_comment_create(
    *, initiative: Initiative, section: str, author, body: str, version_number: int | None = None
) -> DraftComment:
    """A co-creator's comment on one section of the working draft. The kinds of personal
    data the privacy check finds in it are kept, as for comments on ideas."""
    _check_may_write_draft(author, initiative)
    if section not in DRAFT_SECTIONS:
        raise IdeaError(_("Choose a section of the draft to comment on."))
    body = body.replace("\x00", "").strip()
    if not body:
        raise IdeaError(_("Write something before posting."))
    if len(body) > DRAFT_COMMENT_MAX:
        raise IdeaError(
            _("A comment can be at most %(limit)s characters.") % {"limit": DRAFT_COMMENT_MAX}
        )
    _refuse_comment_flood(author=author, recent=DraftComment.objects.filter(author=author))
    if (
        version_number is not None
        and not initiative.draft_versions.filter(number=version_number).exists()
    ):
        version_number = None
    return DraftComment.objects.create(
        initiative=initiative,
        section=section,
        author=author,
        author_anonymous=_shown_anonymous(initiative, author),
        body=body,
        version_number=version_number,
        personal_data_kinds=_personal_data_kinds(body),
    )


@transaction.atomic
def draft_comment_delete(*, comment: DraftComment, by) -> None:
    """Its author deletes it, or an organiser removes it (then logged in the moderation log
    as draft_comment_remove, without its text)."""
    if comment.author_id == by.pk:
        comment.delete()
        return
    if not holds_organiser_role(by):
        raise IdeaError(_("Only its author or an organiser can delete this comment."))
    _log(
        actor=by,
        action=ModerationAction.DRAFT_COMMENT_REMOVE,
        target_kind=TargetKind.INITIATIVE,
        target_id=comment.initiative_id,
        idea_id=None,
    )
    comment.delete()


# --- Reports about people, the response clock, muting ----------------------------------------

URGENT_CONTENT, URGENT_PERSON = "content", "person"
URGENT_REPORT_MODELS = {URGENT_CONTENT: Report, URGENT_PERSON: PersonReport}
# An urgent report whose alert task was lost (a broker outage) is alerted by the sweep after
# this long.
ALERT_SWEEP_AFTER = timedelta(minutes=2)
PERSON_REPORT_NOTE_MAX = 1000


def _alert_on_commit(kind: str, report_id: int) -> None:
    from . import tasks  # tasks imports this module

    transaction.on_commit(
        lambda: tasks.alert_urgent_report.delay(kind=kind, report_id=report_id), robust=True
    )


def _organisers(*, on_duty: bool):
    """Active organisers (and, for an escalation, everyone with the role), never a
    suspended or blocked one. on_duty: those who keep urgent_report_alerts on."""
    people = User.objects.filter(
        groups__name=Role.ORGANISER, is_active=True, erased_at__isnull=True
    ).exclude(restriction=Restriction.BLOCKED)
    if on_duty:
        people = people.filter(urgent_report_alerts=True)
    return people.distinct()


@transaction.atomic
def urgent_report_alert(*, kind: str, report_id: int, now=None) -> int:
    """Email the organisers on duty about one urgent report, exactly once: the claim is a
    conditional update of alerted_at (a second run, or one at the same moment, matches no
    row), and each email's outbox key is unique. Returns how many emails were queued."""
    model = URGENT_REPORT_MODELS[kind]
    claimed = model.objects.filter(pk=report_id, urgent=True, alerted_at__isnull=True).update(
        alerted_at=now or timezone.now()
    )
    if not claimed:
        return 0
    emails = [
        Email(
            kind=URGENT_REPORT_ALERT,
            recipient_id=pk,
            params={"kind": kind, "report": report_id},
            key=f"{URGENT_REPORT_ALERT}:{kind}:{report_id}:{pk}",
        )
        for pk in _organisers(on_duty=True).values_list("pk", flat=True)
    ]
    return len(email_queue(*emails))


@transaction.atomic
def _escalate(*, kind: str, report_id: int, now) -> int:
    model = URGENT_REPORT_MODELS[kind]
    claimed = model.objects.filter(
        pk=report_id, urgent=True, status="open", escalated_at__isnull=True
    ).update(escalated_at=now)
    if not claimed:
        return 0
    recipients = set(_organisers(on_duty=False).values_list("pk", flat=True))
    recipients |= set(
        User.objects.filter(
            groups__name=Role.STAFF, is_active=True, erased_at__isnull=True
        ).values_list("pk", flat=True)
    )
    emails = [
        Email(
            kind=URGENT_REPORT_ESCALATION,
            recipient_id=pk,
            params={"kind": kind, "report": report_id},
            key=f"{URGENT_REPORT_ESCALATION}:{kind}:{report_id}:{pk}",
        )
        for pk in sorted(recipients)
    ]
    return len(email_queue(*emails))


def urgent_reports_sweep(*, now=None) -> int:
    """Run by beat every minute: alert any urgent report whose alert was lost, and escalate
    each urgent report still open (nobody resolved it) URGENT_RESPONSE_MINUTES after it
    came in: an email to every organiser and to MCI staff, once (a conditional update of
    escalated_at). A report an organiser resolved in time is never escalated. Returns how
    many emails were queued."""
    now = now or timezone.now()
    due = now - timedelta(minutes=settings.URGENT_RESPONSE_MINUTES)
    queued = 0
    for kind, model in URGENT_REPORT_MODELS.items():
        urgent_open = model.objects.filter(urgent=True, status="open")
        lost = urgent_open.filter(alerted_at__isnull=True, created_at__lte=now - ALERT_SWEEP_AFTER)
        for pk in lost.values_list("pk", flat=True)[:500]:
            queued += urgent_report_alert(kind=kind, report_id=pk, now=now)
        overdue = urgent_open.filter(escalated_at__isnull=True, created_at__lte=due)
        for pk in overdue.order_by("created_at").values_list("pk", flat=True)[:500]:
            queued += _escalate(kind=kind, report_id=pk, now=now)
    return queued


def moderation_summaries_queue(*, today=None) -> int:
    """Each morning: one summary email to each organiser who opted in (moderation_summary),
    keyed by the day, so a second run the same day queues nothing. The figures are read when
    the email is rendered."""
    today = today or timezone.localdate()
    emails = [
        Email(
            kind=MODERATION_SUMMARY,
            recipient_id=pk,
            params={"date": today.isoformat()},
            key=f"{MODERATION_SUMMARY}:{today.isoformat()}:{pk}",
        )
        for pk in _organisers(on_duty=False)
        .filter(moderation_summary=True)
        .values_list("pk", flat=True)
    ]
    return len(email_queue(*emails))


def _clean_note(note: str, *, limit: int) -> str:
    note = (note or "").replace("\x00", "").strip()
    if len(note) > limit:
        raise IdeaError(_("Keep it to %(max)d characters.") % {"max": limit})
    return note


def _person_reported(*, idea, comment, cocreator) -> tuple[str, int, int]:
    """(via, via_id, person id) of the name the reporter clicked, refusing what they could
    not have seen: an idea not on the board, a comment not shown, an entry not listed."""
    given = [item for item in (idea, comment, cocreator) if item is not None]
    if len(given) != 1:
        raise IdeaError(_("Choose whose name you are reporting."))
    if idea is not None:
        idea = Idea.objects.filter(pk=idea.pk, status=S.APPROVED).first()
        if idea is None:
            raise IdeaError(_("This idea is no longer on the board."))
        return ReportedVia.IDEA, idea.pk, idea.author_id
    if comment is not None:
        comment = Comment.objects.filter(
            pk=comment.pk, status=CommentStatus.PUBLISHED, idea__status=S.APPROVED
        ).first()
        if comment is None:
            raise IdeaError(_("This comment is no longer shown."))
        return ReportedVia.COMMENT, comment.pk, comment.author_id
    cocreator = CoCreator.objects.filter(pk=cocreator.pk).first()
    if cocreator is None:
        raise IdeaError(_("This person is no longer a co-creator."))
    return ReportedVia.COCREATOR, cocreator.pk, cocreator.user_id


@transaction.atomic
def person_report_create(
    *,
    reporter,
    reason: str,
    note: str = "",
    idea: Idea | None = None,
    comment: Comment | None = None,
    cocreator: CoCreator | None = None,
) -> PersonReport:
    """Report the person behind a name beside an idea, a comment or a co-creator entry
    (exactly one). The report keeps the item, so an anonymous author is reported without the
    reporter learning who they are; the person reported is never told who reported them.

    "Contacting a minor" and "personal details or images" are urgent: the organisers on duty
    are emailed once it commits (urgent_report_alert). Side effects: the report; an
    acknowledgement to the reporter. One open report per reporter and person (a unique
    constraint; a second is refused)."""
    _check_may_take_part(reporter)
    if reason not in PersonReportReason.values:
        raise IdeaError(_("Choose why you are reporting this person."))
    note = _clean_note(note, limit=PERSON_REPORT_NOTE_MAX)
    if reason == PersonReportReason.OTHER and not note:
        raise IdeaError(_("Tell us briefly what happened."))
    via, via_id, person_id = _person_reported(idea=idea, comment=comment, cocreator=cocreator)
    if person_id == reporter.pk:
        raise IdeaError(_("You cannot report yourself."))
    already = _("You have already reported this person. Our moderators will look at it.")
    if PersonReport.objects.filter(
        reporter=reporter, person_id=person_id, status=PersonReportStatus.OPEN
    ).exists():
        raise IdeaError(already)
    try:
        with transaction.atomic():
            report = PersonReport.objects.create(
                reporter=reporter,
                person_id=person_id,
                via=via,
                via_id=via_id,
                reason=reason,
                note=note,
                urgent=reason in URGENT_PERSON_REASONS,
            )
    except IntegrityError as error:
        raise IdeaError(already) from error
    if report.urgent:
        _alert_on_commit(URGENT_PERSON, report.pk)
    email_queue(
        Email(
            kind=PERSON_REPORT_ACKNOWLEDGEMENT,
            recipient_id=reporter.pk,
            params={"report": report.pk},
        )
    )
    return report


@transaction.atomic
def person_reports_close(*, person, by, acted: bool, note: str = "") -> int:
    """Close every open report about `person`: "acted on" after a warning, suspension or
    block, or "closed without action". Returns how many were closed."""
    if not by.has_perm("accounts.decide_about_person"):
        raise IdeaError(_("Only organisers can act on a person's account."))
    return PersonReport.objects.filter(person=person, status=PersonReportStatus.OPEN).update(
        status=PersonReportStatus.ACTED if acted else PersonReportStatus.CLOSED,
        resolved_by=by,
        resolved_at=timezone.now(),
        resolution_note=_clean_note(note, limit=PERSON_REPORT_NOTE_MAX),
    )


@transaction.atomic
def mute_set(*, user, comment: Comment) -> Mute:
    """ "Hide this person's comments from me", chosen from one of their comments: `user` no
    longer sees any comment of its author. The author is never told. Muting twice keeps
    the first."""
    if not user.is_authenticated:
        raise IdeaError(_("Sign in to hide someone's comments."))
    if comment.author_id == user.pk:
        raise IdeaError(_("These are your own comments."))
    mute, _created = Mute.objects.get_or_create(
        user=user, muted_id=comment.author_id, defaults={"via_comment": comment}
    )
    return mute


@transaction.atomic
def mute_remove(*, user, mute_id: int) -> bool:
    """Show a muted person's comments again (from the list on the profile). False when that
    mute was not the user's or is gone already."""
    deleted, _rows = Mute.objects.filter(pk=mute_id, user=user).delete()
    return bool(deleted)


@transaction.atomic
def person_decision_take(
    *,
    person,
    by,
    action: str,
    reason: str,
    until=None,
    hide_content: bool = False,
    cancel_registrations: bool = False,
):
    """The People tab's decision, in one transaction: warn, suspend (until), block or unblock
    through accounts.services (which checks who may decide), and close the open reports about
    the person ("acted on"), or, for "close", only close them without action. Returns the
    PersonDecision (None for "close") and how many reports were closed."""
    from accounts import services as account_services

    if action == "close":
        if not reason.strip():
            raise IdeaError(_("Give a reason. The person will see it."))
        closed = person_reports_close(person=person, by=by, acted=False, note=reason)
        if not closed:
            raise IdeaError(_("There are no open reports about this person."))
        return None, closed
    try:
        if action == "warn":
            decision = account_services.person_warn(person=person, by=by, reason=reason)
        elif action == "unblock":
            decision = account_services.person_unblock(person=person, by=by, reason=reason)
        elif action in ("suspend", "block"):
            decision = account_services.person_block(
                person=person,
                by=by,
                reason=reason,
                until=until if action == "suspend" else None,
                hide_content=hide_content,
                cancel_registrations=cancel_registrations,
            )
        else:
            raise IdeaError(_("Choose what to do."))
    except account_services.AccountError as error:
        raise IdeaError(str(error)) from error
    closed = 0
    if action != "unblock":
        closed = person_reports_close(person=person, by=by, acted=True, note=reason)
    return decision, closed
