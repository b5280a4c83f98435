"""Writes to engagement sessions and registrations. Nothing else saves what these own.

Seats and waiting list places are counters on the session row (`seats_taken`,
`waitlist_length`). A registration claims one with a single conditional UPDATE, which holds
the row lock until commit; cancellations and organiser moves take the same lock with
`SELECT ... FOR UPDATE`. So registrations for one session queue up for a few milliseconds
each instead of counting rows, and the database's CheckConstraint keeps `seats_taken`
within `capacity` even if a bug slipped past.
"""

import csv
import hashlib
import io
import logging
import re
import secrets
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.restrictions import restriction_refusal
from accounts.roles import Role
from afa_platform.mail import send_templated_email
from audit.cells import FORMULA_TRIGGERS, neutralise
from audit.services import access_record, audit_record
from harms.models import HarmCategory
from outbox.services import Email, email_queue, recipient_language

# tasks imports this module too: both name each other only inside functions' bodies, at
# call time, so either can be imported first (as in exports.services).
from . import selectors, tasks
from .models import (
    CHECK_IN_ALPHABET,
    CHECK_IN_CODE_LENGTH,
    REGISTRATION_TRANSITIONS,
    SESSION_MESSAGE_BODY_MAX,
    SESSION_TRANSITIONS,
    CalendarFeed,
    EngagementSession,
    ImportStatus,
    Invitation,
    InvitationImport,
    InvitationStatus,
    MessageAudience,
    Registration,
    RegistrationStatus,
    SessionMessage,
    SessionMode,
    SessionStatus,
    check_in_code_new,
)

logger = logging.getLogger(__name__)

# Paths under /sessions/ that a session slug must never shadow.
RESERVED_SLUGS = frozenset({"mine", "cancel", "calendar", "invitation"})


class EngagementError(Exception):
    """A refusal whose message is safe to show the user."""


class RegistrationError(EngagementError):
    pass


class SessionError(EngagementError):
    pass


@dataclass(frozen=True, kw_only=True)
class SessionDetails:
    """What an organiser sets on a session (everything but its status and counters)."""

    title: str
    summary: str
    description: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    venue: str
    venue_details: str
    online_link: str
    facilitators: str
    harm_categories: list[HarmCategory] | QuerySet[HarmCategory]
    capacity: int
    registration_opens_at: datetime
    registration_closes_at: datetime
    # Who may register (SessionAccess); None leaves it as it is (open for a new session).
    access: str | None = None


# Changing these matters to people who hold a place: they are told.
_NOTIFIED_FIELDS = ("starts_at", "ends_at", "mode", "venue", "venue_details", "online_link")


REGISTRATION_EMAIL = "engagement.registration"


def _registration_email(registration_id: int, participant_id: int, kind: str) -> Email:
    return Email(
        kind=REGISTRATION_EMAIL,
        recipient_id=participant_id,
        params={"registration": registration_id, "kind": kind},
    )


def _enqueue_registration_email(registration: Registration, kind: str) -> None:
    """An outbox row in the caller's transaction: it is sent once after commit, or by the
    beat sweep if the broker was down then."""
    email_queue(_registration_email(registration.pk, registration.participant_id, kind))


def _enqueue_registration_emails(session: EngagementSession, kind: str) -> None:
    """The same email to everyone holding a place (a session changed or was cancelled): one
    outbox row each, in the organiser's transaction, and one drain task on commit."""
    email_queue(
        *(
            _registration_email(registration_id, participant_id, kind)
            for registration_id, participant_id in session.registrations.exclude(
                status=RegistrationStatus.CANCELLED
            ).values_list("pk", "participant_id")
        )
    )


def _lock_session(session_id: int) -> EngagementSession:
    """Take the session's row lock for the rest of the transaction and return fresh values."""
    try:
        return EngagementSession.objects.select_for_update(of=("self",)).get(pk=session_id)
    except EngagementSession.DoesNotExist:
        raise RegistrationError(_("This session does not exist.")) from None


def _lock_registration(registration: Registration) -> Registration:
    """The registration's row lock and fresh values; one deleted since the page was read
    (with its participant's account, say) is a refusal, not a server error."""
    current = Registration.objects.select_for_update().filter(pk=registration.pk).first()
    if current is None:
        raise RegistrationError(_("This registration no longer exists."))
    return current


# One statement claims a seat, or else the next waiting list place, and takes the session's
# row lock until commit. PostgreSQL and SQLite evaluate every SET expression against the row
# as it was, so both CASEs see the same "is a seat free?" answer. A free seat goes to a
# newcomer only when nobody is queueing: seats freed by a raised capacity are the queue's.
_TAKE_PLACE_SQL = """
    UPDATE engagement_engagementsession
       SET seats_taken = seats_taken + CASE
               WHEN seats_taken < capacity AND waitlist_length = 0 THEN 1 ELSE 0 END,
           waitlist_length = waitlist_length + CASE
               WHEN seats_taken < capacity AND waitlist_length = 0 THEN 0 ELSE 1 END
     WHERE {key} = %s
       AND status = %s
       AND registration_opens_at <= %s
       AND registration_closes_at > %s
       AND starts_at > %s
       AND (access = 'open' OR %s)
 RETURNING id, waitlist_length
"""
_TAKE_PLACE_BY = {key: _TAKE_PLACE_SQL.format(key=key) for key in ("id", "slug")}


def _take_place(key: str, value: int | str, now: datetime, invited: bool) -> tuple[int, int] | None:
    """Claim a seat or the next waiting list place in the session whose `key` ("id" or
    "slug") is `value`. Returns (session id, 0 for a seat or the waiting list position), or
    None when no such session is open for registration at `now`. Holds the session's row
    lock from here to commit, so positions are handed out one at a time: 1, 2, 3, ...
    A session by invitation is claimed only when the caller has checked an `invited` person."""
    when = connection.ops.adapt_datetimefield_value(now)
    params = [value, SessionStatus.PUBLISHED.value, when, when, when, invited]
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_PLACE_BY[key], params)
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1])


def _validate_details(details: SessionDetails) -> None:
    if details.ends_at <= details.starts_at:
        raise SessionError(_("The session must end after it starts."))
    if details.registration_closes_at <= details.registration_opens_at:
        raise SessionError(_("Registration must close after it opens."))
    if details.registration_closes_at > details.starts_at:
        raise SessionError(_("Registration must close before the session starts."))
    if details.capacity < 1:
        raise SessionError(_("A session needs at least one seat."))
    if details.mode in (SessionMode.IN_PERSON, SessionMode.HYBRID) and not details.venue.strip():
        raise SessionError(_("Give a venue for a session held in person."))


def _unique_slug(title: str, starts_at: datetime) -> str:
    local = timezone.localtime(starts_at)
    base = slugify(f"{title} {local:%Y-%m-%d}")[:160] or "session"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or EngagementSession.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


# --- Sessions -------------------------------------------------------------------------


@transaction.atomic
def session_create(*, created_by, details: SessionDetails) -> EngagementSession:
    """Create a draft session. Side effects: an audit row."""
    _validate_details(details)
    if details.starts_at <= timezone.now():
        raise SessionError(_("A new session must start in the future."))
    SESSION_TRANSITIONS.check_initial(SessionStatus.DRAFT)
    session = EngagementSession(
        slug=_unique_slug(details.title, details.starts_at),
        created_by=created_by,
        status=SessionStatus.DRAFT,
        **{
            k: v
            for k, v in details.__dict__.items()
            if k != "harm_categories" and not (k == "access" and v is None)
        },
    )
    session.save()
    session.harm_categories.set(details.harm_categories)
    audit_record(
        actor=created_by,
        action="engagement.session_create",
        object_type="engagementsession",
        object_id=session.pk,
    )
    return session


@transaction.atomic
def session_update(
    *,
    session: EngagementSession,
    editor,
    details: SessionDetails,
    fill_from_waiting_list: bool = True,
) -> EngagementSession:
    """Change a session's details under its row lock.

    Refuses a capacity below the confirmed count. Seats added by a raised capacity go to the
    waiting list in order, unless `fill_from_waiting_list` is False (the organiser keeps them
    free to move someone out of turn). Side effects: when the time, format or place of a
    published session changes, every active registrant is emailed (on commit); promotion
    emails; an audit row.
    """
    _validate_details(details)
    locked = _lock_session(session.pk)
    if not locked.can_be_edited:
        raise SessionError(_("This session was cancelled and can no longer be changed."))
    if details.capacity < locked.seats_taken:
        raise SessionError(
            ngettext(
                "%(confirmed)d person already holds a seat, so the capacity cannot go below "
                "%(confirmed)d. Cancel registrations first if the room is smaller.",
                "%(confirmed)d people already hold a seat, so the capacity cannot go below "
                "%(confirmed)d. Cancel registrations first if the room is smaller.",
                locked.seats_taken,
            )
            % {"confirmed": locked.seats_taken}
        )
    changed = [f for f in _NOTIFIED_FIELDS if getattr(locked, f) != getattr(details, f)]
    fields = [
        k
        for k, v in details.__dict__.items()
        if k != "harm_categories" and not (k == "access" and v is None)
    ]
    for field in fields:
        setattr(locked, field, getattr(details, field))
    locked.save(update_fields=[*fields, "updated_at"])
    locked.harm_categories.set(details.harm_categories)
    if "starts_at" in changed:
        # A reminder about the old time is no reminder: send one for the new time.
        locked.registrations.filter(reminder_sent_at__isnull=False).update(reminder_sent_at=None)
    promoted = _promote_into_free_seats(locked) if fill_from_waiting_list else 0
    if changed and locked.status == SessionStatus.PUBLISHED:
        _enqueue_registration_emails(locked, "session_changed")
    audit_record(
        actor=editor,
        action="engagement.session_update",
        object_type="engagementsession",
        object_id=locked.pk,
        details={"notified_changes": changed, "promoted_from_waiting_list": promoted},
    )
    return locked


def _promote_into_free_seats(session: EngagementSession) -> int:
    """Seats freed by a raised capacity go to the waiting list, first come first served, as
    a cancelled seat does. Caller holds the session's row lock. Returns how many moved."""
    if session.status != SessionStatus.PUBLISHED or session.has_started:
        return 0
    promoted = 0
    for _seat in range(max(session.capacity - session.seats_taken, 0)):
        first = (
            Registration.objects.select_for_update()
            .filter(session=session, status=RegistrationStatus.WAITLISTED)
            .order_by("waitlist_position")
            .first()
        )
        if first is None:
            break
        _confirm_waitlisted(session, first, note="")
        promoted += 1
    return promoted


@transaction.atomic
def session_publish(*, session: EngagementSession, organiser) -> EngagementSession:
    """Make a draft session public. Side effects: an audit row."""
    updated = SESSION_TRANSITIONS.update(
        EngagementSession.objects.filter(pk=session.pk),
        to=SessionStatus.PUBLISHED,
        updated_at=timezone.now(),
    )
    if not updated:
        raise SessionError(_("Only a draft session can be published."))
    audit_record(
        actor=organiser,
        action="engagement.session_publish",
        object_type="engagementsession",
        object_id=session.pk,
    )
    session.refresh_from_db()
    return session


@transaction.atomic
def session_cancel(*, session: EngagementSession, organiser, reason: str) -> EngagementSession:
    """Cancel a session with a reason that goes to its registrants.

    Registrations keep their status as a record of who was coming. Side effects: every
    active registrant is emailed the reason (on commit); an audit row.
    """
    reason = reason.strip()
    if not reason:
        raise SessionError(_("Give a reason: it is sent to everyone registered."))
    locked = _lock_session(session.pk)
    if not SESSION_TRANSITIONS.allowed(locked.status, SessionStatus.CANCELLED):
        raise SessionError(_("This session is already cancelled."))
    if locked.is_past:
        raise SessionError(_("This session has already taken place."))
    was_published = locked.status == SessionStatus.PUBLISHED
    locked.status = SessionStatus.CANCELLED
    locked.cancellation_reason = reason
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["status", "cancellation_reason", "cancelled_at", "updated_at"])
    # Nobody is told their seat is confirmed for a session that is off.
    locked.registrations.filter(notice_due=True).update(notice_due=False)
    if was_published:
        _enqueue_registration_emails(locked, "session_cancelled")
    audit_record(
        actor=organiser,
        action="engagement.session_cancel",
        object_type="engagementsession",
        object_id=locked.pk,
        details={"reason": reason},
    )
    return locked


# --- Registrations --------------------------------------------------------------------


def _check_open(session: EngagementSession, now: datetime) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise RegistrationError(_("This session has been cancelled."))
    if session.status != SessionStatus.PUBLISHED:
        raise RegistrationError(_("This session is not open for registration."))
    if session.starts_at <= now:
        raise RegistrationError(_("This session has already started or taken place."))
    if now < session.registration_opens_at:
        raise RegistrationError(_("Registration for this session has not opened yet."))
    if now >= session.registration_closes_at:
        raise RegistrationError(_("Registration for this session has closed."))


def _check_registrant(participant, registered_by) -> None:
    if registered_by.pk != participant.pk:
        raise RegistrationError(_("You can only register yourself."))
    if not participant.is_active:
        raise RegistrationError(_("This account cannot register."))
    refusal = restriction_refusal(participant)
    if refusal:
        raise RegistrationError(refusal)


@transaction.atomic
def registration_create(
    *,
    session: EngagementSession,
    participant,
    registered_by,
    access_needs: str = "",
) -> Registration:
    """Give `participant` a seat if one is free, else the next place on the waiting list.

    Locks: the session's row, from the claiming UPDATE to commit (a few milliseconds).
    Side effects: the registration is marked for its first email (a confirmation with a
    calendar file, or the waiting-list place), which the outbox drain sends after commit.
    """
    _check_registrant(participant, registered_by)
    # The friendly refusals, read before taking the lock; the claim re-checks the window on
    # the locked row.
    _check_open(session, timezone.now())
    # Only a session by invitation asks whether this person was invited: the open path
    # costs no query more.
    invited = session.is_invitation_only and _is_invited(session.pk, participant)
    return _register(
        key="id",
        value=session.pk,
        participant=participant,
        access_needs=access_needs,
        invited=invited,
    )


@transaction.atomic
def registration_create_by_slug(
    *,
    slug: str,
    participant,
    registered_by,
    access_needs: str = "",
) -> Registration:
    """registration_create for the register button, which knows the session by its slug: the
    claiming UPDATE finds the session and checks it is open in one statement, so a
    successful registration reads no session row first. A refusal says why (an unknown slug:
    "This session does not exist."; the caller decides whether that is a 404).

    Locks and side effects as registration_create.
    """
    _check_registrant(participant, registered_by)
    return _register(key="slug", value=slug, participant=participant, access_needs=access_needs)


# On PostgreSQL the claim and the insert are one statement (an UPDATE in a WITH clause):
# one round trip and one ORM save fewer on the busiest path. Every column is listed, since
# model defaults live in Python; a PostgreSQL test checks that each column not set from the
# request holds its model field's default, so a new column left out here fails it.
_CLAIM_AND_INSERT_SQL = """
    WITH claim AS ({take_place})
    INSERT INTO engagement_registration
           (session_id, participant_id, status, waitlist_position, access_needs, created_at,
            confirmed_at, cancelled_at, attended, promotion_note, reminder_sent_at, notice_due,
            check_in_code, checked_in_at)
    SELECT id, %s,
           CASE WHEN waitlist_length = 0 THEN %s ELSE %s END,
           NULLIF(waitlist_length, 0), %s, %s,
           CASE WHEN waitlist_length = 0 THEN %s::timestamptz END, NULL, FALSE, '', NULL, TRUE,
           %s, NULL
      FROM claim
 RETURNING id, session_id, waitlist_position
"""
_CLAIM_AND_INSERT_BY = {
    key: _CLAIM_AND_INSERT_SQL.format(take_place=sql.strip()) for key, sql in _TAKE_PLACE_BY.items()
}
# Both claims write a new registration as confirmed or waitlisted: states a registration may
# start in, or the module refuses to load.
for _state in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
    REGISTRATION_TRANSITIONS.check_initial(_state)


def _claim_and_insert(
    key: str, value: int | str, participant, access_needs: str, now: datetime, invited: bool
) -> Registration | None:
    """PostgreSQL: claim a place and insert the registration in one statement. None when no
    such session is open. A second registration by the same person fails the whole
    statement, the claim included, on the unique constraint."""
    when = connection.ops.adapt_datetimefield_value(now)
    confirmed, waitlisted = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED
    code = check_in_code_new()
    params = [value, SessionStatus.PUBLISHED.value, when, when, when, invited]
    params += [participant.pk, confirmed.value, waitlisted.value, access_needs, when, when, code]
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_AND_INSERT_BY[key], params)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, session_id, position = row
    return Registration(
        pk=pk,
        session_id=session_id,
        participant=participant,
        status=waitlisted if position else confirmed,
        waitlist_position=position,
        access_needs=access_needs,
        created_at=now,
        confirmed_at=None if position else now,
        notice_due=True,
        check_in_code=code,
    )


def _claim_then_insert(
    key: str, value: int | str, participant, access_needs: str, now: datetime, invited: bool
) -> Registration | None:
    """Other databases (SQLite): the same in two statements, under the same row lock."""
    claimed = _take_place(key, value, now, invited)
    if claimed is None:
        return None
    session_id, position = claimed
    registration = Registration(
        session_id=session_id,
        participant=participant,
        status=RegistrationStatus.WAITLISTED if position else RegistrationStatus.CONFIRMED,
        waitlist_position=position or None,
        confirmed_at=None if position else now,
        access_needs=access_needs,
        notice_due=True,
    )
    registration.save(force_insert=True)
    return registration


def _register(
    *, key: str, value: int | str, participant, access_needs: str, invited: bool = False
) -> Registration:
    """Claim a place and insert the registration. Caller is inside transaction.atomic."""
    now = timezone.now()
    claim = _claim_and_insert if connection.vendor == "postgresql" else _claim_then_insert
    try:
        registration = claim(key, value, participant, access_needs.strip(), now, invited)
    except IntegrityError:
        # A second registration by the same person (or two requests from one person at
        # once) is refused by the unique constraint, with no look-up on the hot path.
        # Raising rolls back this whole transaction, the claimed seat or place included.
        raise RegistrationError(_("You are already registered for this session.")) from None
    if registration is None:
        fresh = EngagementSession.objects.filter(**{key: value}).first()
        if fresh is None:
            raise RegistrationError(_("This session does not exist."))
        _check_open(fresh, now)
        if fresh.is_invitation_only and not invited:
            # Asked only once the claim refused: the open path never reads invitations.
            if not _is_invited(fresh.pk, participant):
                raise RegistrationError(_("This session is by invitation only."))
            return _register(
                key="id",
                value=fresh.pk,
                participant=participant,
                access_needs=access_needs,
                invited=True,
            )
        raise RegistrationError(_("This session is not open for registration."))
    if invited:
        _invitation_mark_registered(session_id=registration.session_id, participant=participant)
    # The first email goes through the outbox (notice_due): on a busy opening, one drain task
    # sends a batch instead of one task being published per registration. Robust: once the
    # place is committed, a broker hiccup must not turn it into an error page; the beat's
    # sweep sends the email later.
    transaction.on_commit(tasks.request_registration_notices, robust=True)
    return registration


def _leave_waitlist(session: EngagementSession, position: int) -> None:
    """Close the gap left at `position`. Caller holds the session's row lock."""
    Registration.objects.filter(
        session=session, status=RegistrationStatus.WAITLISTED, waitlist_position__gt=position
    ).update(waitlist_position=F("waitlist_position") - 1)
    EngagementSession.objects.filter(pk=session.pk).update(waitlist_length=F("waitlist_length") - 1)
    session.waitlist_length -= 1


def _confirm_waitlisted(session: EngagementSession, registration: Registration, note: str) -> None:
    """Move one waitlisted registration onto a seat. Caller holds the row lock and has freed
    or checked the seat."""
    REGISTRATION_TRANSITIONS.check(registration.status, RegistrationStatus.CONFIRMED)
    position = registration.waitlist_position
    registration.status = RegistrationStatus.CONFIRMED
    registration.waitlist_position = None
    registration.confirmed_at = timezone.now()
    registration.promotion_note = note
    registration.notice_due = False  # "a seat is now yours" says it all
    registration.save(
        update_fields=[
            "status",
            "waitlist_position",
            "confirmed_at",
            "promotion_note",
            "notice_due",
        ]
    )
    _leave_waitlist(session, position)
    claimed = EngagementSession.objects.filter(pk=session.pk, seats_taken__lt=F("capacity")).update(
        seats_taken=F("seats_taken") + 1
    )
    if not claimed:
        raise RegistrationError(_("No seat is free for this session."))
    _enqueue_registration_email(registration, "promoted")


@transaction.atomic
def registration_cancel(*, registration: Registration, cancelled_by) -> Registration:
    """Cancel a participant's own place. A freed seat goes to the first person waiting, in the
    same transaction, unless the session is past its promotion cut-off
    (PROMOTION_CUTOFF_HOURS before the start): then the seat stays free.

    Locks: the session's row. Side effects: a cancellation email to the participant and a
    "you have a seat" email to anyone promoted, on commit.
    """
    if cancelled_by.pk != registration.participant_id:
        raise RegistrationError(_("You can only cancel your own registration."))
    return _cancel_place(registration)


def _cancel_place(registration: Registration) -> Registration:
    """registration_cancel's work, for a caller that has checked who may cancel."""
    session = _lock_session(registration.session_id)
    current = _lock_registration(registration)
    if not REGISTRATION_TRANSITIONS.allowed(current.status, RegistrationStatus.CANCELLED):
        raise RegistrationError(_("This registration is already cancelled."))
    if session.has_started:
        raise RegistrationError(_("This session has already started, so it cannot be cancelled."))
    was = current.status
    position = current.waitlist_position
    current.status = RegistrationStatus.CANCELLED
    current.waitlist_position = None
    current.cancelled_at = timezone.now()
    current.notice_due = False  # the cancellation email is the one that matters now
    current.save(update_fields=["status", "waitlist_position", "cancelled_at", "notice_due"])
    if was == RegistrationStatus.WAITLISTED:
        _leave_waitlist(session, position)
    else:
        EngagementSession.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") - 1)
        # After the cut-off (PROMOTION_CUTOFF_HOURS before the start) the seat stays free:
        # nobody is handed a seat at too short notice to use it.
        if session.status == SessionStatus.PUBLISHED and not session.promotion_is_closed():
            first = (
                Registration.objects.select_for_update()
                .filter(session=session, status=RegistrationStatus.WAITLISTED)
                .order_by("waitlist_position")
                .first()
            )
            if first is not None:
                _confirm_waitlisted(session, first, note="")
    if session.is_invitation_only:
        # A person who gives up their place has declined the invitation (the organiser sees
        # it on the invitation list; the link still lets them register again).
        Invitation.objects.filter(
            session_id=session.pk,
            user_id=current.participant_id,
            status=InvitationStatus.REGISTERED,
        ).update(status=InvitationStatus.DECLINED, updated_at=timezone.now())
    _enqueue_registration_email(current, "cancelled")
    return current


@transaction.atomic
def registrations_cancel_for_restriction(*, person, by) -> int:
    """A blocked or suspended person's places (confirmed or waiting) in sessions that have not
    started, cancelled one by one as registration_cancel does (each freed seat promotes the
    first person waiting; each cancelled person gets the cancellation email). `by` is the
    organiser, who accounts.services.person_block has checked. Returns how many."""
    upcoming = Registration.objects.filter(
        participant=person,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
        session__starts_at__gt=timezone.now(),
    ).order_by("pk")
    cancelled = 0
    for registration in upcoming:
        try:
            _cancel_place(registration)
        except RegistrationError:
            continue  # cancelled meanwhile, or just started
        cancelled += 1
    return cancelled


def waitlist_move_refusal(session: EngagementSession) -> str:
    """Why nobody can be moved from this session's waiting list now, or "" when they can.
    The roster asks it to disable "Move to confirmed" with the reason; the move asks it again
    on the locked row."""
    if session.status != SessionStatus.PUBLISHED or session.has_started:
        return _("Places can only be moved before a published session starts.")
    if session.is_full:
        return _(
            "Every seat is taken. Raise the capacity first, with “Give new seats to the "
            "waiting list” unticked, then move this person."
        )
    return ""


@transaction.atomic
def registration_move_from_waitlist(
    *, registration: Registration, organiser, reason: str
) -> Registration:
    """Give a seat to someone on the waiting list out of turn, with a recorded reason.

    Needs a free seat: raise the capacity first. Locks: the session's row. Side effects: a
    "you have a seat" email on commit; an audit row with the reason.
    """
    reason = reason.strip()
    if not reason:
        raise RegistrationError(_("Give a reason for moving this person from the waiting list."))
    session = _lock_session(registration.session_id)
    current = _lock_registration(registration)
    if current.status != RegistrationStatus.WAITLISTED:
        raise RegistrationError(_("This person is not on the waiting list."))
    refusal = waitlist_move_refusal(session)
    if refusal:
        raise RegistrationError(refusal)
    _confirm_waitlisted(session, current, note=reason)
    audit_record(
        actor=organiser,
        action="engagement.registration_move_from_waitlist",
        object_type="registration",
        object_id=current.pk,
        details={"session": session.pk, "reason": reason},
    )
    return current


@transaction.atomic
def registration_mark_attendance(
    *, registration: Registration, organiser, attended: bool
) -> Registration:
    """Record whether a confirmed registrant came. Only once the session has started."""
    session = registration.session
    if session.status == SessionStatus.CANCELLED:
        raise RegistrationError(_("This session was cancelled, so there is no attendance to mark."))
    if registration.status != RegistrationStatus.CONFIRMED:
        raise RegistrationError(_("Only people with a confirmed seat can be marked as attending."))
    if not session.has_started:
        raise RegistrationError(_("Attendance can be marked once the session has started."))
    # Marked absent by hand: a check-in at the door is undone with it (issue 16, item 4).
    cleared = {} if attended else {"checked_in_at": None}
    Registration.objects.filter(pk=registration.pk).update(attended=attended, **cleared)
    registration.attended = attended
    if not attended:
        registration.checked_in_at = None
    return registration


@transaction.atomic
def session_mark_all_attended(*, session: EngagementSession, by) -> int:
    """Mark every confirmed registrant of a started session as attended ("Mark all present").
    Waiting and cancelled registrations are left alone. Idempotent: a second call marks
    nobody and writes no audit row. Locks: the session's row, so a cancellation cannot
    interleave. Returns how many were marked."""
    session = _lock_session(session.pk)
    if session.status == SessionStatus.CANCELLED:
        raise RegistrationError(_("This session was cancelled, so there is no attendance to mark."))
    if not session.has_started:
        raise RegistrationError(_("Attendance can be marked once the session has started."))
    marked = Registration.objects.filter(
        session=session, status=RegistrationStatus.CONFIRMED, attended=False
    ).update(attended=True)
    if marked:
        audit_record(
            actor=by,
            action="engagement.attendance_mark_all",
            object_type="engagementsession",
            object_id=session.pk,
            details={"marked": marked},
        )
    return marked


FIRST_EMAIL_KIND = {
    RegistrationStatus.CONFIRMED: "confirmed",
    RegistrationStatus.WAITLISTED: "waitlisted",
}


def registration_claim_notice(*, registration_id: int, status: str) -> bool:
    """Claim the right to send this registration's first email, for the `status` it was read
    with. True exactly once, however many drains ask: a conditional UPDATE on notice_due.
    False also when the registration has moved on since (a promotion or cancellation clears
    notice_due and sends its own email)."""
    return bool(
        Registration.objects.filter(pk=registration_id, notice_due=True, status=status).update(
            notice_due=False
        )
    )


@transaction.atomic
def registration_notices_queue(*, pending: list[tuple[int, int, str]]) -> int:
    """Move first emails from the registrations' mark (notice_due) to the outbox: each claim
    and its outbox row commit together, so an email is never claimed and then lost.
    `pending` holds (registration id, participant id, status read). Returns how many moved."""
    emails = [
        _registration_email(registration_id, participant_id, FIRST_EMAIL_KIND[status])
        for registration_id, participant_id, status in pending
        if registration_claim_notice(registration_id=registration_id, status=status)
    ]
    email_queue(*emails)
    return len(emails)


def registration_claim_reminder(*, registration_id: int) -> bool:
    """Claim the right to send this registration's reminder. True exactly once, however many
    workers ask: a conditional UPDATE on reminder_sent_at."""
    return bool(
        Registration.objects.filter(
            pk=registration_id,
            status=RegistrationStatus.CONFIRMED,
            reminder_sent_at__isnull=True,
        ).update(reminder_sent_at=timezone.now())
    )


@transaction.atomic
def registration_reminders_queue(*, due: list[tuple[int, int]]) -> int:
    """Claim each reminder and write its outbox row in one transaction. `due` holds
    (registration id, participant id). Returns how many were claimed."""
    emails = [
        _registration_email(registration_id, participant_id, "reminder")
        for registration_id, participant_id in due
        if registration_claim_reminder(registration_id=registration_id)
    ]
    email_queue(*emails)
    return len(emails)


@transaction.atomic
def roster_export_csv(*, session: EngagementSession, organiser, purpose: str) -> str:
    """The roster as CSV for the organisers running the session: names, emails, access needs,
    status and attendance, as the roster page shows them.

    Needs a stated purpose. Side effects: an audit row with who, which session, the purpose
    and the ids of the people in the file (never their names or emails), and one access
    record per person (audit.AccessRecord), so each sees it in "Download my data".
    """
    purpose = purpose.strip()
    if not purpose:
        raise EngagementError(_("Say what the roster is for."))
    rows = (
        session.registrations.select_related("participant")
        .order_by("status", "waitlist_position", "created_at", "pk")
        .values_list(
            "participant_id",
            "participant__display_name",
            "participant__email",
            "status",
            "waitlist_position",
            "attended",
            "access_needs",
        )
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "email", "status", "waitlist_position", "attended", "access_needs"])
    participants = []
    for participant_id, name, email, status, position, attended, access_needs in rows:
        writer.writerow(
            [
                neutralise(name),
                neutralise(email),
                status,
                position or "",
                "yes" if attended else "no",
                neutralise(access_needs),
            ]
        )
        participants.append(participant_id)
    event = audit_record(
        actor=organiser,
        action="engagement.roster_export",
        object_type="engagementsession",
        object_id=session.pk,
        details={
            "rows": len(participants),
            "format": "csv",
            "purpose": purpose,
            "participants": participants,
        },
    )
    access_record(event=event, role=Role.ORGANISER, person_ids=participants)
    return buffer.getvalue()


def access_needs_erase(*, now: datetime, dry_run: bool = False) -> list[int]:
    """Retention (audit.retention): erase the access needs of registrations whose session
    ended more than RETENTION_ACCESS_NEEDS_DAYS ago. Returns the registrations' ids (with
    dry_run, those it would erase, changing nothing). Safe to run twice: it selects only
    needs still written."""
    due = Registration.objects.filter(
        session__ends_at__lt=now - timedelta(days=settings.RETENTION_ACCESS_NEEDS_DAYS)
    ).exclude(access_needs="")
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    if ids and not dry_run:
        Registration.objects.filter(pk__in=ids).update(access_needs="")
    return ids


# --- Waiting-list cut-off (issue 16, item 3) ------------------------------------------

PROMOTION_CLOSED_EMAIL = "engagement.promotion_closed"


@transaction.atomic
def session_promotion_closed_notify(*, session_id: int, now: datetime | None = None) -> int:
    """Tell everyone waiting for a session past its cut-off (PROMOTION_CUTOFF_HOURS before the
    start) that it is full and nobody more will be moved up from the waiting list.

    Once per session, however many times this runs or overlaps: the claim is a conditional
    UPDATE on promotion_closed_notified_at, committed with the outbox rows (one per person,
    each with a once-only key as well). Returns how many were told; 0 when the session was
    told already or is not due (not published, started, or still before its cut-off).
    """
    now = now or timezone.now()
    cutoff = timedelta(hours=settings.PROMOTION_CUTOFF_HOURS)
    claimed = EngagementSession.objects.filter(
        pk=session_id,
        status=SessionStatus.PUBLISHED,
        promotion_closed_notified_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + cutoff,
    ).update(promotion_closed_notified_at=now)
    if not claimed:
        return 0
    waiting = Registration.objects.filter(
        session_id=session_id, status=RegistrationStatus.WAITLISTED
    ).values_list("pk", "participant_id")
    return len(
        email_queue(
            *(
                Email(
                    kind=PROMOTION_CLOSED_EMAIL,
                    recipient_id=participant_id,
                    params={"registration": registration_id},
                    key=f"engagement.promotion-closed:{registration_id}",
                )
                for registration_id, participant_id in waiting
            )
        )
    )


# --- Personal calendar feeds (issue 16, item 5) ---------------------------------------


def _calendar_feed_token() -> str:
    # 32 random bytes: 43 URL-safe characters, within the column's 64.
    return secrets.token_urlsafe(32)


@transaction.atomic
def calendar_feed_reset(*, user) -> CalendarFeed:
    """Give `user` a secret calendar feed address, or a new one in place of the old: the old
    address stops working at once (its token is gone). Side effects: an audit row (never
    the secret)."""
    feed, created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": _calendar_feed_token()}
    )
    audit_record(
        actor=user,
        action="engagement.calendar_feed_create" if created else "engagement.calendar_feed_reset",
        object_type="calendarfeed",
        object_id=feed.pk,
    )
    return feed


# --- Check-in codes at the door (issue 16, item 4) ------------------------------------------

# Organisers may start checking people in this long before the session starts (people
# arrive early); from then on until any time after it, as attendance marking allows.
CHECK_IN_OPENS_BEFORE = timedelta(hours=1)


class CheckInError(RegistrationError):
    """A code that checks nobody in, with the reason (safe to show the organiser)."""


@dataclass(frozen=True)
class CheckIn:
    """What a code found: the registration, and whether it was already checked in (typed
    twice is not an error; the page says when)."""

    registration: Registration
    already: bool


def check_in_code_normalise(raw: str) -> str:
    """A code as typed or scanned, made comparable: upper case, without spaces or hyphens
    (people copy it as "ABCD-2345" or "abcd 2345")."""
    return "".join(raw.split()).replace("-", "").replace("\u2010", "").upper()


def check_in_code_problem(code: str) -> str:
    """Why a normalised code cannot be one of ours, or "" when it could be."""
    if not code:
        return _("Enter the check-in code.")
    if any(character not in CHECK_IN_ALPHABET for character in code):
        return _(
            "A check-in code has only the digits 2 to 9 and the letters A to Z except I, L "
            "and O (so no 0 or 1). Check the code letter by letter."
        )
    if len(code) != CHECK_IN_CODE_LENGTH:
        return ngettext(
            "A check-in code has %(length)d character; this one has %(typed)d.",
            "A check-in code has %(length)d characters; this one has %(typed)d.",
            CHECK_IN_CODE_LENGTH,
        ) % {"length": CHECK_IN_CODE_LENGTH, "typed": len(code)}
    return ""


def check_in_refusal(session: EngagementSession, *, now: datetime | None = None) -> str:
    """Why nobody can be checked in to this session now, or "" when they can. The check-in
    page asks it first; every check-in asks it again."""
    now = now or timezone.now()
    if session.status == SessionStatus.CANCELLED:
        return _("This session was cancelled, so there is nobody to check in.")
    if session.status != SessionStatus.PUBLISHED:
        return _("This session is not published, so there is nobody to check in.")
    if now < session.starts_at - CHECK_IN_OPENS_BEFORE:
        return _("Check-in opens an hour before the session starts.")
    return ""


def check_in_find(*, session: EngagementSession, code: str) -> CheckIn:
    """The confirmed registration at `session` whose check-in code this is (typed in any
    case, with spaces or hyphens). A read: it changes nothing. Raises CheckInError with a
    message for a malformed code, one of another session (or of nobody), a cancelled or
    waiting-list place, or a session not open for check-in."""
    refusal = check_in_refusal(session)
    if refusal:
        raise CheckInError(refusal)
    code = check_in_code_normalise(code)
    problem = check_in_code_problem(code)
    if problem:
        raise CheckInError(problem)
    registration = (
        Registration.objects.select_related("participant")
        .filter(session=session, check_in_code=code)
        .first()
    )
    if registration is None:
        raise CheckInError(
            _(
                "No place at this session has the code %(code)s. Check it letter by letter; "
                "the person may have registered for another session."
            )
            % {"code": code}
        )
    if registration.is_cancelled:
        raise CheckInError(_("This place was cancelled, so it cannot be checked in."))
    if registration.is_waitlisted:
        raise CheckInError(
            _(
                "This person is on the waiting list and has no confirmed seat, so they cannot "
                "be checked in."
            )
        )
    return CheckIn(registration=registration, already=registration.checked_in_at is not None)


def _check_in_claim(*, registration_id: int, session_id: int, now: datetime) -> int:
    """The conditional UPDATE of a check-in: 1 if this call checked the person in. Every
    condition is on the registration's own columns, none through a join: PostgreSQL re-checks
    those on a row another phone has just updated, where a join (which Django writes as
    `id IN (SELECT ...)`) would let both phones through (the control in
    tests/engagement/test_check_in_concurrency.py)."""
    return Registration.objects.filter(
        pk=registration_id,
        session_id__in=EngagementSession.objects.filter(
            pk=session_id, status=SessionStatus.PUBLISHED
        ).values("pk"),
        status=RegistrationStatus.CONFIRMED,
        checked_in_at__isnull=True,
    ).update(attended=True, checked_in_at=now)


@transaction.atomic
def registration_check_in(*, session: EngagementSession, code: str, by) -> CheckIn:
    """Check in the person whose code this is: attended, and the time. One conditional
    UPDATE (confirmed, at this still-published session, not yet checked in), so a code
    confirmed twice, or from two phones at once, checks in once; the second gets
    `already=True` and the first time (tests/engagement/test_check_in_concurrency.py). No
    lock, email or audit row (as marking attendance by hand). Raises CheckInError as
    check_in_find."""
    found = check_in_find(session=session, code=code)
    if found.already:
        return found
    registration = found.registration
    now = timezone.now()
    checked_in = _check_in_claim(registration_id=registration.pk, session_id=session.pk, now=now)
    if checked_in:
        registration.attended, registration.checked_in_at = True, now
        return CheckIn(registration=registration, already=False)
    # Someone else got there first, or the place or session changed since it was read: say
    # what it is now.
    return check_in_find(session=session, code=code)


@transaction.atomic
def registration_check_in_undo(
    *, session: EngagementSession, registration_id: int, by
) -> tuple[Registration, bool]:
    """Undo a check-in at `session` (the wrong person confirmed): neither attended nor
    checked in. Conditional, so undoing twice changes nothing the second time. Returns the
    registration and whether this call undid it. One of another session is refused."""
    registration = (
        Registration.objects.select_related("participant")
        .filter(pk=registration_id, session_id=session.pk)
        .first()
    )
    if registration is None:
        raise CheckInError(_("This check-in is not at this session."))
    undone = Registration.objects.filter(
        pk=registration_id, session_id=session.pk, checked_in_at__isnull=False
    ).update(attended=False, checked_in_at=None)
    if undone:
        registration.attended, registration.checked_in_at = False, None
    return registration, bool(undone)


# --- Messages to a session (issue 16, item 1) -------------------------------------------

SESSION_MESSAGE_EMAIL = "engagement.session_message"
SESSION_MESSAGE_SUBJECT_MAX = SessionMessage._meta.get_field("subject").max_length
# The daily limit counts the messages sent in any rolling 24 hours (not per calendar day):
# a burst just before and after midnight is still held to the limit.
SESSION_MESSAGE_WINDOW = timedelta(hours=24)


class SessionMessageError(EngagementError):
    """A refused message; `field` names the form field the refusal is about ("" for none)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def session_message_clean_subject(subject: str) -> str:
    """One line, spaces collapsed: a header cannot hold a line break (and must not be made to)."""
    return " ".join(subject.split())


def session_message_clean_body(body: str) -> str:
    """Line breaks as "\\n" (a browser sends "\\r\\n", which would count twice), trimmed."""
    return body.replace("\r\n", "\n").replace("\r", "\n").strip()


def session_message_refusal(session: EngagementSession) -> str:
    """Why this session cannot be messaged, or "" when it can. A cancelled session's people
    were emailed the reason when it was cancelled; any other session (a draft, one that is
    on, or one that has taken place, to thank those who came) can be messaged."""
    if not session.can_be_messaged:
        return _(
            "This session was cancelled, and everyone registered was emailed the reason then. "
            "It can no longer be messaged."
        )
    return ""


def session_messages_recent(session: EngagementSession, *, now: datetime | None = None) -> list:
    """The send times of this session's messages in the last 24 hours, oldest first."""
    now = now or timezone.now()
    return list(
        session.messages.filter(created_at__gt=now - SESSION_MESSAGE_WINDOW)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )


def session_message_limit_refusal(
    session: EngagementSession, *, now: datetime | None = None
) -> str:
    """Why no message can be sent now because of the daily limit, or ""."""
    limit = settings.SESSION_MESSAGES_PER_DAY
    recent = session_messages_recent(session, now=now)
    if len(recent) < limit:
        return ""
    next_at = timezone.localtime(recent[len(recent) - limit] + SESSION_MESSAGE_WINDOW)
    return ngettext(
        "This session has had %(limit)d message in the last 24 hours, the most allowed. "
        "The next can be sent after %(time)s (Singapore time).",
        "This session has had %(limit)d messages in the last 24 hours, the most allowed. "
        "The next can be sent after %(time)s (Singapore time).",
        limit,
    ) % {"limit": limit, "time": date_format(next_at, "j F, g:i A")}


def _session_message_check(*, audience: str, subject: str, body: str) -> None:
    if audience not in MessageAudience.values:
        raise SessionMessageError(_("Choose who the message is for."), field="audience")
    if not subject:
        raise SessionMessageError(_("Write a subject."), field="subject")
    if len(subject) > SESSION_MESSAGE_SUBJECT_MAX:
        raise SessionMessageError(
            _("Keep the subject to %(max)d characters or fewer (it has %(length)d).")
            % {"max": SESSION_MESSAGE_SUBJECT_MAX, "length": len(subject)},
            field="subject",
        )
    if not body:
        raise SessionMessageError(_("Write the message."), field="body")
    if len(body) > SESSION_MESSAGE_BODY_MAX:
        raise SessionMessageError(
            _("Keep the message to %(max)s characters or fewer (it has %(length)s).")
            % {
                "max": number_format(SESSION_MESSAGE_BODY_MAX, force_grouping=True),
                "length": number_format(len(body), force_grouping=True),
            },
            field="body",
        )


def _session_message_refuse(session: EngagementSession, *, recipients: int) -> None:
    refusal = session_message_refusal(session) or session_message_limit_refusal(session)
    if refusal:
        raise SessionMessageError(refusal)
    if not recipients:
        raise SessionMessageError(
            _("Nobody is in this group, so there is nobody to send the message to."),
            field="audience",
        )


def session_message_validate(
    *, session: EngagementSession, audience: str, subject: str, body: str
) -> tuple[int, Registration]:
    """session_message_send's checks, sending nothing (the preview asks them before showing
    the email). Returns how many people the message would reach and the first of them (whose
    email the preview shows); raises SessionMessageError."""
    _session_message_check(
        audience=audience,
        subject=session_message_clean_subject(subject),
        body=session_message_clean_body(body),
    )
    recipients = selectors.message_recipients(session=session, audience=audience)
    first = recipients.select_related("participant").first()
    count = recipients.count() if first is not None else 0
    _session_message_refuse(session, recipients=count)
    return count, first


@transaction.atomic
def session_message_send(
    *, session: EngagementSession, by, audience: str, subject: str, body: str
) -> SessionMessage:
    """Email an organiser's message to one group of a session's registrants.

    Refuses an empty or too long subject or message, a cancelled session, a group with
    nobody in it, and more than SESSION_MESSAGES_PER_DAY messages to the session in any
    rolling 24 hours. Locks: the session's row, so two sends at once cannot pass the limit.
    Side effects: the SessionMessage (kept for the session's organisers); one outbox row per
    recipient (unique key per message and person, sent once, in the person's language, with
    the support address as Reply-To); an audit row with the count, never the text or an
    address.
    """
    subject = session_message_clean_subject(subject)
    body = session_message_clean_body(body)
    _session_message_check(audience=audience, subject=subject, body=body)
    locked = _lock_session(session.pk)
    recipients = list(
        selectors.message_recipients(session=locked, audience=audience).values_list(
            "pk", "participant_id"
        )
    )
    _session_message_refuse(locked, recipients=len(recipients))
    message = SessionMessage.objects.create(
        session=locked,
        sent_by=by,
        audience=audience,
        subject=subject,
        body=body,
        recipient_count=len(recipients),
    )
    email_queue(
        *(
            Email(
                kind=SESSION_MESSAGE_EMAIL,
                recipient_id=participant_id,
                params={"message": message.pk, "registration": registration_id},
                key=f"session-message:{message.pk}:{participant_id}",
            )
            for registration_id, participant_id in recipients
        )
    )
    audit_record(
        actor=by,
        action="engagement.session_message_send",
        object_type="engagementsession",
        object_id=locked.pk,
        details={"message": message.pk, "audience": audience, "recipients": len(recipients)},
    )
    return message


# --- Invitations: sessions by invitation (issue 16, item 2) ----------------------------
#
# An organiser invites people to a session by invitation by pasting addresses or uploading a
# CSV (email, name, organisation). Each row is checked and reported by its row number; the
# good rows are kept. Up to INVITE_SYNC_MAX_ROWS rows are added during the request; a larger
# file becomes an InvitationImport that engagement.tasks.run_invitation_import works through
# INVITE_IMPORT_CHUNK rows at a time. Each invitation email is claimed once (send_due) and
# carries a signed link, valid until registration closes, that lets the person register
# (signing up first if they have no account).

INVITATION_TOKEN_SALT = "engagement.invitation"  # noqa: S105 (a salt, not a secret)
INVITE_CSV_MAX_BYTES = 2 * 1024 * 1024
INVITE_CSV_MAX_ROWS = 20_000
INVITE_PASTE_MAX = 200
INVITE_SYNC_MAX_ROWS = 200
INVITE_IMPORT_CHUNK = 500
# An invitation email goes at most this many times, and not again within the interval.
INVITATION_MAX_SENDS = 5
INVITATION_RESEND_INTERVAL = timedelta(minutes=10)
_EMAIL_COLUMNS = ("email", "e-mail", "email address", "e-mail address")
_NAME_COLUMNS = ("name", "full name")
_ORGANISATION_COLUMNS = ("organisation", "organization", "organisation name", "company")
_NAME_MAX = Invitation._meta.get_field("name").max_length
_ORGANISATION_MAX = Invitation._meta.get_field("organisation").max_length


class InvitationError(EngagementError):
    """A refusal about invitations; `gone` marks a link that no longer works (a 410)."""

    def __init__(self, message: str, *, gone: bool = False):
        super().__init__(message)
        self.gone = gone


# What can be wrong with one row; the page words each (invitation_problem_message).
PROBLEM_BAD_EMAIL = "bad_email"
PROBLEM_FORMULA = "formula"
PROBLEM_DUPLICATE = "duplicate"
PROBLEM_ALREADY_INVITED = "already_invited"
PROBLEM_ALREADY_REGISTERED = "already_registered"
PROBLEM_TOO_LONG = "too_long"


def invitation_problem_message(problem: str) -> str:
    messages = {
        PROBLEM_BAD_EMAIL: _("Not a valid email address."),
        PROBLEM_FORMULA: _(
            "The email address starts with =, +, - or @, which a spreadsheet would run as a "
            "formula."
        ),
        PROBLEM_DUPLICATE: _("This address is already in an earlier row of the file."),
        PROBLEM_ALREADY_INVITED: _("This person is already invited to the session."),
        PROBLEM_ALREADY_REGISTERED: _("This person is already registered for the session."),
        PROBLEM_TOO_LONG: _("The name or organisation is too long."),
    }
    return messages.get(problem, _("This row could not be read."))


@dataclass(frozen=True, kw_only=True)
class Invitee:
    row: int
    email: str
    name: str = ""
    organisation: str = ""


@dataclass(kw_only=True)
class InviteReport:
    """What an import did: how many were added, and each row not imported, by row number."""

    total: int = 0
    added: int = 0
    # {"row": n, "email": the address as given, "problem": code}
    problems: list[dict] = dataclass_field(default_factory=list)


def _without_formula(text: str) -> str:
    """A name or organisation never starts with what a spreadsheet runs as a formula."""

    text = text.strip()
    while text.startswith(FORMULA_TRIGGERS):
        text = text[1:].lstrip()
    return text


def _check_email(email: str) -> str:
    """ "" when the address is usable, else the problem."""

    if email.startswith(FORMULA_TRIGGERS):
        return PROBLEM_FORMULA
    if len(email) > 254:
        return PROBLEM_BAD_EMAIL
    try:
        validate_email(email)
    except ValidationError:
        return PROBLEM_BAD_EMAIL
    return ""


def _problem(row: int, email: str, problem: str) -> dict:
    # The address as typed, cut short: enough for the organiser to find the row.
    return {"row": row, "email": email[:100], "problem": problem}


def _sort_rows(
    entries: list[tuple[int, str, str, str]],
) -> tuple[list[Invitee], list[dict]]:
    """Each (row, email, name, organisation) checked: the good ones, and the problems."""
    good, problems, seen = [], [], set()
    for row, raw_email, raw_name, raw_organisation in entries:
        email = raw_email.strip().lower()
        problem = _check_email(email)
        name, organisation = _without_formula(raw_name), _without_formula(raw_organisation)
        if not problem and email in seen:
            problem = PROBLEM_DUPLICATE
        if not problem and (len(name) > _NAME_MAX or len(organisation) > _ORGANISATION_MAX):
            problem = PROBLEM_TOO_LONG
        if problem:
            problems.append(_problem(row, raw_email.strip(), problem))
            continue
        seen.add(email)
        good.append(Invitee(row=row, email=email, name=name, organisation=organisation))
    return good, problems


def invitees_parse_paste(*, text: str) -> tuple[list[Invitee], list[dict]]:
    """Addresses pasted one per line (or separated by commas, semicolons or spaces); "Name
    <address>" keeps the name. Entries are numbered 1, 2, 3 as they come."""

    entries = []
    for line in text.splitlines():
        match = re.fullmatch(r"\s*(.*?)\s*<([^<>]*)>\s*[,;]?\s*", line)
        if match:
            entries.append((match.group(2), match.group(1).strip("\"' ")))
            continue
        entries.extend((token, "") for token in re.split(r"[\s,;]+", line) if token)
    if len(entries) > INVITE_PASTE_MAX:
        raise InvitationError(
            _("Paste at most %(limit)d addresses at a time. For more, upload a CSV file.")
            % {"limit": INVITE_PASTE_MAX}
        )
    if not entries:
        raise InvitationError(_("Paste at least one email address."))
    return _sort_rows(
        [(row, email, name, "") for row, (email, name) in enumerate(entries, start=1)]
    )


def invitees_parse_csv(*, data: bytes) -> tuple[list[Invitee], list[dict], int]:
    """A CSV of invitees: a header row naming the columns (email, name, organisation, in any
    order and case), then one person per row. UTF-8, with or without a byte order mark;
    Windows or Unix line endings. Returns the good rows, the problems (row numbers as a
    spreadsheet shows them: the header is row 1) and the number of data rows.

    Refuses the whole file, with a message, when it is larger than INVITE_CSV_MAX_BYTES or
    has more than INVITE_CSV_MAX_ROWS rows (counted as it is read: it stops there), is not
    UTF-8, cannot be read as CSV, or has no email column."""
    if len(data) > INVITE_CSV_MAX_BYTES:
        raise InvitationError(invite_csv_too_large_message())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvitationError(
            _(
                "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and "
                "upload it again."
            )
        ) from None
    if "\x00" in text:
        raise InvitationError(_("This file could not be read as CSV. Upload a .csv file."))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise InvitationError(_("The file is empty."))
        columns = [cell.strip().lower() for cell in header]

        def column(names) -> int | None:
            return next((i for i, c in enumerate(columns) if c in names), None)

        email_at, name_at = column(_EMAIL_COLUMNS), column(_NAME_COLUMNS)
        organisation_at = column(_ORGANISATION_COLUMNS)
        if email_at is None:
            raise InvitationError(
                _(
                    "The first row must name the columns, and one of them must be “email” "
                    "(for example: email, name, organisation)."
                )
            )
        entries = []
        for row, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(entries) >= INVITE_CSV_MAX_ROWS:
                raise InvitationError(
                    _(
                        "The file has more than %(limit)s rows. Split it into files of at most "
                        "%(limit)s rows each."
                    )
                    % {"limit": f"{INVITE_CSV_MAX_ROWS:,}"}
                )

            def cell(at, cells=cells) -> str:
                return cells[at] if at is not None and at < len(cells) else ""

            entries.append((row, cell(email_at), cell(name_at), cell(organisation_at)))
    except csv.Error:
        raise InvitationError(
            _("This file could not be read as CSV. Upload a .csv file.")
        ) from None
    if not entries:
        raise InvitationError(_("The file has a header row but nobody in it."))
    good, problems = _sort_rows(entries)
    return good, problems, len(entries)


def invite_csv_too_large_message() -> str:
    return _(
        "The file is larger than %(size)s MB. Split it into files of at most %(rows)s rows each."
    ) % {"size": INVITE_CSV_MAX_BYTES // (1024 * 1024), "rows": f"{INVITE_CSV_MAX_ROWS:,}"}


def invitation_refusal(session: EngagementSession) -> str:
    """Why nobody can be invited to this session now, or ""."""
    if session.is_cancelled:
        return _("This session was cancelled, so nobody can be invited to it.")
    if not session.is_invitation_only:
        return _(
            "This session is open to everyone. Edit it and choose “By invitation” under who "
            "can register first."
        )
    now = timezone.now()
    if session.starts_at <= now:
        return _("This session has already started or taken place.")
    if session.registration_closes_at <= now:
        return _("Registration for this session has closed, so invitations could not be used.")
    return ""


def _verified_emails(participant) -> QuerySet:

    return (
        EmailAddress.objects.filter(user_id=participant.pk, verified=True)
        .annotate(lowered=Lower("email"))
        .values("lowered")
    )


def _invitations_of(session_id: int, participant) -> QuerySet[Invitation]:
    """The person's invitations to the session that still stand: taken up by their account,
    or sent to one of their verified addresses and not taken up by another account."""

    return (
        Invitation.objects.filter(session_id=session_id)
        .exclude(status=InvitationStatus.WITHDRAWN)
        .filter(
            Q(user_id=participant.pk)
            | Q(user__isnull=True, email__in=_verified_emails(participant))
        )
    )


def _is_invited(session_id: int, participant) -> bool:
    """One query. Only asked for sessions by invitation."""
    if not getattr(participant, "is_authenticated", False):
        return False
    return _invitations_of(session_id, participant).exists()


def is_invited(*, session: EngagementSession, user) -> bool:
    """For pages: may this person see (an unlisted) and register for this session by
    invitation? No query for an open session."""
    return session.is_invitation_only and _is_invited(session.pk, user)


def _invitation_mark_registered(*, session_id: int, participant) -> None:
    """The person's standing invitation(s) to the session become "registered", taken up by
    their account."""
    _invitations_of(session_id, participant).update(
        status=InvitationStatus.REGISTERED, user_id=participant.pk, updated_at=timezone.now()
    )


def _invitations_add_chunk(
    *, session_id: int, organiser, invitees: list[Invitee], language: str
) -> tuple[int, list[dict]]:
    """Add one chunk of checked invitees under the session's row lock (so two imports to the
    same session report each other's rows as already invited, never both add them; the
    unique constraint is the guarantee). Returns (added, problems)."""

    session = _lock_session(session_id)
    refusal = invitation_refusal(session)
    if refusal:
        raise InvitationError(refusal)
    emails = [invitee.email for invitee in invitees]
    invited = set(
        Invitation.objects.filter(session_id=session_id, email__in=emails).values_list(
            "email", flat=True
        )
    )
    registered = set(
        Registration.objects.filter(session_id=session_id)
        .exclude(status=RegistrationStatus.CANCELLED)
        .annotate(lowered=Lower("participant__email"))
        .filter(lowered__in=emails)
        .values_list("lowered", flat=True)
    )
    accounts = dict(
        EmailAddress.objects.filter(verified=True)
        .annotate(lowered=Lower("email"))
        .filter(lowered__in=emails)
        .values_list("lowered", "user_id")
    )
    problems, rows = [], []
    for invitee in invitees:
        if invitee.email in registered:
            problems.append(_problem(invitee.row, invitee.email, PROBLEM_ALREADY_REGISTERED))
        elif invitee.email in invited:
            problems.append(_problem(invitee.row, invitee.email, PROBLEM_ALREADY_INVITED))
        else:
            rows.append(
                Invitation(
                    session_id=session_id,
                    email=invitee.email,
                    name=invitee.name,
                    organisation=invitee.organisation,
                    language=language,
                    user_id=accounts.get(invitee.email),
                    invited_by=organiser,
                    send_due=True,
                )
            )
    Invitation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    if rows:
        transaction.on_commit(tasks.request_invitation_emails, robust=True)
    return len(rows), problems


def _current_language() -> str:

    language = translation.get_language() or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@transaction.atomic
def invitations_add(
    *,
    session: EngagementSession,
    organiser,
    invitees: list[Invitee],
    problems: list[dict] | None = None,
    language: str | None = None,
) -> InviteReport:
    """Invite the checked `invitees` (from invitees_parse_paste or invitees_parse_csv),
    keeping the good rows and reporting the others (already invited, already registered)
    beside the parse `problems`. The email language is the organiser's current one unless
    the invitee has an account (then theirs, at send time).

    Refuses a cancelled, open, started or closed session (nothing is added). Locks: the
    session's row. Side effects: invitation emails (on commit); an audit row (counts only).
    """
    refusal = invitation_refusal(session)
    if refusal:
        raise InvitationError(refusal)
    report = InviteReport(total=len(invitees) + len(problems or []))
    report.problems = list(problems or [])
    for start in range(0, len(invitees), INVITE_IMPORT_CHUNK):
        added, chunk_problems = _invitations_add_chunk(
            session_id=session.pk,
            organiser=organiser,
            invitees=invitees[start : start + INVITE_IMPORT_CHUNK],
            language=language or _current_language(),
        )
        report.added += added
        report.problems.extend(chunk_problems)
    report.problems.sort(key=lambda problem: problem["row"])
    audit_record(
        actor=organiser,
        action="engagement.invitations_add",
        object_type="engagementsession",
        object_id=session.pk,
        details={"added": report.added, "not_added": len(report.problems)},
    )
    return report


@transaction.atomic
def invitation_import_create(
    *, session: EngagementSession, organiser, data: bytes
) -> InvitationImport | InviteReport:
    """An uploaded CSV: checked whole first (size, encoding, columns, row limit), then up to
    INVITE_SYNC_MAX_ROWS rows are added at once (an InviteReport), a larger file is stored as
    an InvitationImport for engagement.tasks.run_invitation_import (queued on commit).
    Refusals raise InvitationError and add nobody."""
    refusal = invitation_refusal(session)
    if refusal:
        raise InvitationError(refusal)
    invitees, problems, total = invitees_parse_csv(data=data)
    if total <= INVITE_SYNC_MAX_ROWS:
        return invitations_add(
            session=session, organiser=organiser, invitees=invitees, problems=problems
        )
    job = InvitationImport.objects.create(
        session=session,
        created_by=organiser,
        language=_current_language(),
        content=data.decode("utf-8-sig"),
        total_rows=total,
    )
    audit_record(
        actor=organiser,
        action="engagement.invitation_import_create",
        object_type="invitationimport",
        object_id=job.pk,
        details={"session": session.pk, "rows": total},
    )
    tasks.run_invitation_import.delay_on_commit(import_id=job.pk)
    return job


def _import_claim(import_id: int, now: datetime) -> bool:
    """Take the import: queued, or running with a lease that ran out (its worker died)."""

    stale = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    return bool(
        InvitationImport.objects.filter(pk=import_id)
        .filter(
            Q(status=ImportStatus.QUEUED)
            | Q(status=ImportStatus.RUNNING, claimed_at__lt=stale)
            | Q(status=ImportStatus.RUNNING, claimed_at__isnull=True)
        )
        .update(status=ImportStatus.RUNNING, claimed_at=now)
    )


def invitation_import_run(*, import_id: int) -> bool:
    """Work through an import, INVITE_IMPORT_CHUNK rows per transaction, from where it
    stands (processed_rows): each chunk's invitations, problems and progress commit together
    and renew the lease, so a killed worker's import is resumed by the next run without
    repeating a row. Safe to run twice or at once: a run that cannot claim the import (or
    loses its lease) stops. True when this call finished it."""
    claimed_at = timezone.now()
    if not _import_claim(import_id, claimed_at):
        return False
    job = InvitationImport.objects.select_related("session", "created_by").get(pk=import_id)
    try:
        invitees, parse_problems, _total = invitees_parse_csv(data=job.content.encode("utf-8"))
    except InvitationError as error:
        InvitationImport.objects.filter(pk=job.pk, claimed_at=claimed_at).update(
            status=ImportStatus.FAILED,
            content="",
            problems=[{"row": 0, "email": "", "problem": "file", "message": str(error)}],
            finished_at=timezone.now(),
        )
        return False
    # Data rows in file order: processed_rows counts them, good or not.
    rows = sorted(
        [(invitee.row, invitee) for invitee in invitees]
        + [(problem["row"], problem) for problem in parse_problems],
        key=lambda pair: pair[0],
    )
    position = job.processed_rows
    while position < len(rows):
        chunk = rows[position : position + INVITE_IMPORT_CHUNK]
        with transaction.atomic():
            current = (
                InvitationImport.objects.select_for_update()
                .filter(pk=job.pk, claimed_at=claimed_at, status=ImportStatus.RUNNING)
                .first()
            )
            if current is None:
                return False  # another run took over
            good = [item for _row, item in chunk if isinstance(item, Invitee)]
            problems = [item for _row, item in chunk if isinstance(item, dict)]
            try:
                added, db_problems = _invitations_add_chunk(
                    session_id=job.session_id,
                    organiser=job.created_by,
                    invitees=good,
                    language=job.language,
                )
            except (InvitationError, RegistrationError) as error:
                current.status = ImportStatus.FAILED
                current.content = ""
                current.problems = [
                    *current.problems,
                    {"row": 0, "email": "", "problem": "session", "message": str(error)},
                ]
                current.finished_at = timezone.now()
                current.save(update_fields=["status", "content", "problems", "finished_at"])
                return False
            claimed_at = timezone.now()
            current.processed_rows = position + len(chunk)
            current.added += added
            current.problems = sorted(
                [*current.problems, *problems, *db_problems], key=lambda problem: problem["row"]
            )
            current.claimed_at = claimed_at
            current.save(update_fields=["processed_rows", "added", "problems", "claimed_at"])
        position += len(chunk)
    finished = InvitationImport.objects.filter(
        pk=job.pk, claimed_at=claimed_at, status=ImportStatus.RUNNING
    ).update(status=ImportStatus.DONE, content="", finished_at=timezone.now())
    if finished:
        job.refresh_from_db()
        audit_record(
            actor=job.created_by,
            action="engagement.invitation_import_done",
            object_type="invitationimport",
            object_id=job.pk,
            details={"session": job.session_id, "added": job.added, "not_added": len(job.problems)},
        )
    return bool(finished)


def invitation_imports_resume() -> list[int]:
    """Beat: imports that are queued, or whose worker died (lease ran out), run again."""

    stale = timezone.now() - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    ids = list(
        InvitationImport.objects.filter(
            Q(status=ImportStatus.QUEUED, created_at__lt=stale)
            | Q(status=ImportStatus.RUNNING, claimed_at__lt=stale)
        ).values_list("pk", flat=True)[:50]
    )
    for import_id in ids:
        tasks.run_invitation_import.delay(import_id=import_id)
    return ids


# The signed link: the invitation's id, signed with its own salt. It carries no expiry of
# its own: it works while the invitation stands and registration is open.
def invitation_token(invitation: Invitation) -> str:

    return signing.dumps(
        {"i": invitation.pk, "e": _email_tag(invitation.email)}, salt=INVITATION_TOKEN_SALT
    )


def _email_tag(email: str) -> str:
    """A short digest of the address, so a link stops working if the row is reused."""

    return hashlib.sha256(email.encode()).hexdigest()[:12]


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link stands for, with its session; refused with a message when the
    link is not one of ours, the invitation was withdrawn, or it can no longer be used
    (`gone`: registration closed, the session was cancelled or has started)."""

    try:
        value = signing.loads(token[:500], salt=INVITATION_TOKEN_SALT)
        invitation_id, tag = int(value["i"]), str(value["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvitationError(
            _("This invitation link is not valid. Check that it was copied whole.")
        ) from None
    invitation = Invitation.objects.select_related("session").filter(pk=invitation_id).first()
    if invitation is None or _email_tag(invitation.email) != tag:
        raise InvitationError(_("This invitation no longer exists."), gone=True)
    session = invitation.session
    if invitation.status == InvitationStatus.WITHDRAWN:
        raise InvitationError(_("This invitation has been withdrawn by the organisers."), gone=True)
    if session.is_cancelled:
        raise InvitationError(_("This session has been cancelled."), gone=True)
    if session.is_draft:
        raise InvitationError(_("This session is not open for registration yet."))
    now = timezone.now()
    if session.starts_at <= now:
        raise InvitationError(_("This session has already started or taken place."), gone=True)
    if session.registration_closes_at <= now:
        raise InvitationError(
            _("Registration for this session has closed, so the invitation has expired."),
            gone=True,
        )
    return invitation


def invitation_other_account_refusal(invitation: Invitation, user) -> str:
    if invitation.user_id is not None and invitation.user_id != user.pk:
        return _(
            "This invitation has already been taken up by another account. Sign in with that "
            "account, or ask the organisers to invite this one."
        )
    return ""


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, participant, access_needs: str = ""
) -> Registration:
    """Register `participant` through their invitation link. The link is taken up by the
    first account that uses it; another account is refused. Locks: the invitation's row,
    then the session's (the claim). Side effects: as registration_create."""
    _check_registrant(participant, participant)
    current = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if current is None or current.status == InvitationStatus.WITHDRAWN:
        raise InvitationError(_("This invitation has been withdrawn by the organisers."), gone=True)
    refusal = invitation_other_account_refusal(current, participant)
    if refusal:
        raise InvitationError(refusal)
    session = invitation.session
    _check_open(session, timezone.now())
    if current.user_id is None:
        Invitation.objects.filter(pk=current.pk, user__isnull=True).update(
            user_id=participant.pk, updated_at=timezone.now()
        )
    return _register(
        key="id",
        value=session.pk,
        participant=participant,
        access_needs=access_needs,
        invited=True,
    )


@transaction.atomic
def invitation_decline(*, invitation: Invitation, participant) -> Invitation:
    """The invitee says no (they can still register through the link later)."""
    current = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if current is None or current.status == InvitationStatus.WITHDRAWN:
        raise InvitationError(_("This invitation has been withdrawn by the organisers."), gone=True)
    refusal = invitation_other_account_refusal(current, participant)
    if refusal:
        raise InvitationError(refusal)
    if current.status == InvitationStatus.REGISTERED:
        raise InvitationError(
            _(
                "You are registered for this session. To give up your place, cancel it in My "
                "sessions."
            )
        )
    current.status = InvitationStatus.DECLINED
    current.user_id = participant.pk
    current.save(update_fields=["status", "user", "updated_at"])
    return current


@transaction.atomic
def invitation_resend(*, invitation: Invitation, organiser) -> Invitation:
    """Send the invitation email again (a withdrawn invitation is reinstated). At most
    INVITATION_MAX_SENDS times, and not twice within INVITATION_RESEND_INTERVAL. Side
    effects: the email (on commit); an audit row."""
    current = Invitation.objects.select_for_update().select_related("session").get(pk=invitation.pk)
    refusal = invitation_refusal(current.session)
    if refusal:
        raise InvitationError(refusal)
    if current.status == InvitationStatus.REGISTERED:
        raise InvitationError(
            _("This person is already registered, so there is nothing to resend.")
        )
    if current.send_due:
        raise InvitationError(_("This invitation is already waiting to be sent."))
    if current.send_count >= INVITATION_MAX_SENDS:
        raise InvitationError(
            _("This invitation has been sent %(count)d times, which is the limit.")
            % {"count": current.send_count}
        )
    if current.sent_at and current.sent_at > timezone.now() - INVITATION_RESEND_INTERVAL:
        raise InvitationError(
            _("This invitation was sent a few minutes ago. Try again in %(minutes)d minutes.")
            % {"minutes": int(INVITATION_RESEND_INTERVAL.total_seconds() // 60)}
        )
    reinstated = current.status == InvitationStatus.WITHDRAWN
    current.status = InvitationStatus.INVITED if reinstated else current.status
    current.send_due = True
    current.save(update_fields=["status", "send_due", "updated_at"])
    audit_record(
        actor=organiser,
        action="engagement.invitation_resend",
        object_type="invitation",
        object_id=current.pk,
        details={"session": current.session_id, "reinstated": reinstated},
    )
    transaction.on_commit(tasks.request_invitation_emails, robust=True)
    return current


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, organiser) -> Invitation:
    """Withdraw an invitation: its link stops working and an unsent email is not sent. A
    registration already made through it stays (the organiser can see it on the roster).
    Side effects: an audit row."""
    updated = (
        Invitation.objects.filter(pk=invitation.pk)
        .exclude(status=InvitationStatus.WITHDRAWN)
        .update(status=InvitationStatus.WITHDRAWN, send_due=False, updated_at=timezone.now())
    )
    if not updated:
        raise InvitationError(_("This invitation is already withdrawn."))
    audit_record(
        actor=organiser,
        action="engagement.invitation_withdraw",
        object_type="invitation",
        object_id=invitation.pk,
        details={"session": invitation.session_id},
    )
    invitation.refresh_from_db()
    return invitation


def invitation_claim_send(*, invitation_id: int) -> bool:
    """Claim the right to send this invitation's email. True exactly once per send, however
    many senders ask: a conditional UPDATE on send_due."""
    return bool(
        Invitation.objects.filter(
            pk=invitation_id, send_due=True, status=InvitationStatus.INVITED
        ).update(send_due=False, sent_at=timezone.now(), send_count=F("send_count") + 1)
    )


def invitation_email_send(*, invitation_id: int) -> bool:
    """Claim and send one invitation email, in the invitee's language (their account's, or
    the one it was written in). A failed send is put back for the next sweep. Logs hold the
    id only. True when this call sent it."""

    if not invitation_claim_send(invitation_id=invitation_id):
        return False
    invitation = Invitation.objects.select_related("session", "user").get(pk=invitation_id)
    language = (
        recipient_language(invitation.user)
        if invitation.user_id
        else (invitation.language if invitation.language in dict(settings.LANGUAGES) else "en")
    )
    try:
        with translation.override(language):
            day = date_format(timezone.localtime(invitation.session.starts_at), "j F")
            send_templated_email(
                to=[invitation.email],
                # Discreet: the date only, never the title (it may name a harm).
                subject=_("An invitation to an AfA session on %(date)s") % {"date": day},
                template="engagement/email/invitation",
                context={
                    "invitation": invitation,
                    "session": invitation.session,
                    "link": invitation_token(invitation),
                },
            )
    except Exception as exc:
        Invitation.objects.filter(pk=invitation_id).update(
            send_due=True, send_count=F("send_count") - 1
        )
        logger.warning("Invitation email %s failed: %s", invitation_id, type(exc).__name__)
        return False
    return True


def invitations_due_ids(*, limit: int = 500) -> list[int]:
    """Invitation emails to send: at published sessions still open for registration."""
    now = timezone.now()
    return list(
        Invitation.objects.filter(
            send_due=True,
            status=InvitationStatus.INVITED,
            session__status=SessionStatus.PUBLISHED,
            session__registration_closes_at__gt=now,
        )
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )


def invitations_erase(*, now: datetime, dry_run: bool = False) -> list[int]:
    """Retention (audit.retention): invitations (addresses, names, organisations) and
    invitation imports of sessions that ended more than RETENTION_INVITATIONS_DAYS ago are
    deleted; registrations stay. Returns the invitations' ids. Safe to run twice."""
    before = now - timedelta(days=settings.RETENTION_INVITATIONS_DAYS)
    ids = list(
        Invitation.objects.filter(session__ends_at__lt=before)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not dry_run:
        Invitation.objects.filter(pk__in=ids).delete()
        InvitationImport.objects.filter(session__ends_at__lt=before).delete()
    return ids
