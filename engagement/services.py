"""Writes to engagement sessions and registrations. Nothing else saves what these own.

Seats and waiting list places are counters on the session row (`seats_taken`,
`waitlist_length`). A registration claims one with a single conditional UPDATE, which holds
the row lock until commit; cancellations and organiser moves take the same lock with
`SELECT ... FOR UPDATE`. So registrations for one session queue up for a few milliseconds
each instead of counting rows, and the database's CheckConstraint keeps `seats_taken`
within `capacity` even if a bug slipped past.
"""

import csv
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.restrictions import restriction_refusal
from accounts.roles import Role
from audit.cells import neutralise
from audit.services import access_record, audit_record
from harms.models import HarmCategory
from outbox.services import Email, email_queue

# tasks imports this module too: both name each other only inside functions' bodies, at
# call time, so either can be imported first (as in exports.services).
from . import tasks
from .models import (
    CHECK_IN_ALPHABET,
    CHECK_IN_CODE_LENGTH,
    REGISTRATION_TRANSITIONS,
    SESSION_TRANSITIONS,
    CalendarFeed,
    EngagementSession,
    Registration,
    RegistrationStatus,
    SessionMode,
    SessionStatus,
    check_in_code_new,
)

# Paths under /sessions/ that a session slug must never shadow.
RESERVED_SLUGS = frozenset({"mine", "cancel", "calendar"})


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
        **{k: v for k, v in details.__dict__.items() if k != "harm_categories"},
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
    fields = [k for k in details.__dict__ if k != "harm_categories"]
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
    return _register(key="id", value=session.pk, participant=participant, access_needs=access_needs)


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
            raise RegistrationError(_("This session is by invitation only."))
        raise RegistrationError(_("This session is not open for registration."))
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
