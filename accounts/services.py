"""Writes to accounts. Every change to a user's details or roles goes through here, and
"Download my data": the archive of everything about a person, built by a leased job.

Archive lifecycle (as exports.ExportJob): personal_data_archive_request() stores the request
and enqueues build_personal_data_archive on commit. personal_data_archive_build() claims the
row with a lease (afa_platform.leases), so a second delivery does nothing while the first
run holds it and takes over once its lease ran out; it writes the ZIP into a private
directory (PERSONAL_DATA_ROOT, never under a URL), then marks it ready with an expiry date,
writes the audit row and the "ready" email through the outbox, in one transaction. Beat:
personal_data_archives_resume() re-queues jobs whose worker died; hourly,
personal_data_archives_expire() deletes files past their date.
"""

import csv
import io
import json
import logging
import os
import secrets
import zipfile
from datetime import timedelta
from importlib import import_module
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Replace
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from afa_platform.leases import lease_claim, lease_deadline, lease_sweep
from audit.cells import UTF8_BOM, iso, safe_row
from audit.periods import months_before
from audit.ratelimit import rate_limit_reached
from audit.services import audit_record
from outbox.models import OutboundEmail, OutboundEmailStatus
from outbox.services import Email, email_queue

# tasks imports this module too: each names the other only at call time.
from . import personal_data, tasks
from .erasure import Erasure, steps
from .models import (
    PERSONAL_DATA_ARCHIVE_TRANSITIONS,
    AgeGroup,
    ConsentDecision,
    ConsentMethod,
    ConsentRecord,
    PersonAction,
    PersonalDataArchive,
    PersonalDataArchiveStatus,
    PersonDecision,
    Restriction,
    User,
)
from .restrictions import restriction_hooks
from .roles import Role

logger = logging.getLogger(__name__)

PERSONAL_DATA_READY_EMAIL = "accounts.personal_data_ready"
INACTIVE_ACCOUNT_EMAIL = "accounts.inactive_warning"
PERSON_WARNING_EMAIL = "accounts.person_warning"
PERSON_DECISION_REASON_MAX = 1000


class AccountError(Exception):
    """A refusal whose message is safe to show the user."""


class NoticeChanged(AccountError):
    """The notice the person accepted is no longer the current one."""


@transaction.atomic
def user_complete_signup(
    *,
    user: User,
    display_name: str,
    background: str,
    organisation: str,
    age_group: str,
    guardian_consent: bool,
    pdpa_consent: bool,
    preferred_language: str | None = None,
) -> User:
    """Record the sign-up details (the language: the page's, when it is one of ours), the
    PDPA consent (version and time, and its first ConsentRecord) and the Participant role.

    Side effects: adds the user to the Participant group.
    """
    if not pdpa_consent:
        raise AccountError(_("Consent to the privacy notice is needed to take part."))
    if age_group == AgeGroup.MINOR_WITH_CONSENT and not guardian_consent:
        raise AccountError(_("Participants under 18 need a parent's or guardian's consent."))
    user.display_name = display_name
    user.background = background
    user.organisation = organisation
    user.age_group = age_group
    user.guardian_consent = age_group == AgeGroup.MINOR_WITH_CONSENT and guardian_consent
    user.preferred_language = _known_language(preferred_language)
    user.save(
        update_fields=[
            "preferred_language",
            "display_name",
            "background",
            "organisation",
            "age_group",
            "guardian_consent",
        ]
    )
    _consent_given(user, version=settings.PDPA_NOTICE_VERSION, method=ConsentMethod.SIGN_UP)
    user.groups.add(Group.objects.get(name=Role.PARTICIPANT))
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    display_name: str,
    background: str,
    organisation: str,
    content_warning_display: str | None = None,
    preferred_language: str | None = None,
) -> User:
    user.display_name = display_name
    user.background = background
    user.organisation = organisation
    fields = ["display_name", "background", "organisation"]
    if content_warning_display is not None:
        user.content_warning_display = content_warning_display
        fields.append("content_warning_display")
    if preferred_language is not None:
        user.preferred_language = _known_language(preferred_language)
        fields.append("preferred_language")
    user.save(update_fields=fields)
    return user


def _known_language(code: str | None) -> str:
    """One of settings.LANGUAGES; anything else (a forged post, a stale cookie) is English."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """The language switcher, for a signed-in person: the site and their emails from now on.
    An unknown code is English. No write when it is already theirs."""
    language = _known_language(language)
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


def user_set_moderation_alerts(
    *, user: User, urgent_report_alerts: bool, moderation_summary: bool
) -> User:
    """An organiser's choice of moderation emails: urgent reports at once ("on duty"), and
    the morning summary of what is waiting."""
    if not user.has_perm("accounts.decide_about_person"):
        raise AccountError(_("Only organisers get moderation emails."))
    user.urgent_report_alerts, user.moderation_summary = urgent_report_alerts, moderation_summary
    user.save(update_fields=["urgent_report_alerts", "moderation_summary"])
    return user


# --- Download my data ----------------------------------------------------------------------


def _csv_cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


def personal_data_archive(*, user: User, language: str | None = None) -> bytes:
    """The ZIP of everything the platform holds about `user`: data.json (every row, machine
    readable), one CSV per kind of row (cells safe to open in a spreadsheet) and index.html,
    a page in the person's language (`language`, else the current one) that explains each
    part. Reads only; no side effects.

    What it holds is the registry of accounts.personal_data: each app registers the sections
    of its own rows."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    # Every word of it (titles, labels, the page) in the person's language.
    with translation.override(language):
        return _archive_bytes(user=user, language=language)


def _archive_bytes(*, user: User, language: str) -> bytes:
    generated_at = timezone.now()
    parts = [
        {"section": section, "rows": section.rows(user), "file": f"{section.key}.csv"}
        for section in personal_data.sections()
    ]
    data = {
        "generated_at": iso(generated_at),
        "user_id": user.pk,
        "language": language,
        "sections": {
            part["section"].key: {
                "title": str(part["section"].title),
                "file": part["file"],
                "rows": part["rows"],
            }
            for part in parts
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        for part in parts:
            text = io.StringIO()
            writer = csv.writer(text)
            columns = part["section"].columns
            writer.writerow([column.name for column in columns])
            for row in part["rows"]:
                writer.writerow(safe_row(_csv_cell(row[column.name]) for column in columns))
            archive.writestr(part["file"], UTF8_BOM + text.getvalue())
        index = render_to_string(
            "accounts/personal_data/index.html",
            {
                "person": user,
                "parts": [
                    {
                        **part,
                        "cells": [
                            [_csv_cell(row[column.name]) for column in part["section"].columns]
                            for row in part["rows"]
                        ],
                    }
                    for part in parts
                ],
                "generated_at": generated_at,
                "language": language,
            },
        )
        archive.writestr("index.html", index)
    return buffer.getvalue()


def personal_data_directory() -> Path:
    """Private: only the process's user can read it, and no URL maps to it."""
    directory = Path(settings.PERSONAL_DATA_ROOT)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


@transaction.atomic
def personal_data_archive_request(*, user: User, language: str = "") -> PersonalDataArchive:
    """Ask for a copy of one's data. While one is being prepared, asking again returns it (a
    double click makes one job); at most PERSONAL_DATA_REQUESTS_PER_DAY a day.

    Side effects: an audit row (personal_data.request); build_personal_data_archive on
    commit. Raises AccountError when the day's limit is reached."""
    recent = PersonalDataArchive.objects.filter(requested_by=user)
    # Locks the person's row first, so two requests at once are handled one after the other.
    limited = rate_limit_reached(
        person=user,
        recent=recent,
        limit=settings.PERSONAL_DATA_REQUESTS_PER_DAY,
        window=timedelta(days=1),
    )
    pending = recent.filter(status__in=_PENDING).first()
    if pending is not None:
        return pending
    if limited:
        raise AccountError(
            _("You have asked for your data several times today. Please try again tomorrow.")
        )
    PERSONAL_DATA_ARCHIVE_TRANSITIONS.check_initial(PersonalDataArchiveStatus.QUEUED)
    archive = PersonalDataArchive.objects.create(
        requested_by=user,
        language=(language or settings.LANGUAGE_CODE)[:10],
        # Still queued after this, its message was lost: the sweep enqueues it again.
        lease_expires_at=lease_deadline(),
    )
    audit_record(
        actor=user,
        action="personal_data.request",
        object_type="personal_data_archive",
        object_id=archive.pk,
    )
    tasks.build_personal_data_archive.delay_on_commit(archive_id=archive.pk)
    return archive


_PENDING = (PersonalDataArchiveStatus.QUEUED, PersonalDataArchiveStatus.RUNNING)


def personal_data_archive_build(*, archive_id: int) -> bool:
    """Build one archive's ZIP. Returns False when another run holds it (lease alive), it is
    done, or it is gone; safe to run twice.

    Side effects: the file under PERSONAL_DATA_ROOT; when ready, in one transaction, the row
    (ready, expiry), an audit row (personal_data.ready) and the "ready" email through the
    outbox; on an error, the row failed and an audit row (personal_data.failed)."""
    token = lease_claim(
        PersonalDataArchive,
        pk=archive_id,
        transitions=PERSONAL_DATA_ARCHIVE_TRANSITIONS,
        queued=PersonalDataArchiveStatus.QUEUED,
        running=PersonalDataArchiveStatus.RUNNING,
        started_at=timezone.now(),
    )
    if token is None:
        return False
    archive = PersonalDataArchive.objects.select_related("requested_by").get(pk=archive_id)
    mine = PersonalDataArchive.objects.filter(
        pk=archive.pk, status=PersonalDataArchiveStatus.RUNNING, lease_token=token
    )
    directory = personal_data_directory()
    for stale in directory.glob(f"{archive.pk}-*.part"):
        stale.unlink(missing_ok=True)
    relative = f"{archive.pk}-{secrets.token_hex(16)}.zip"
    path = directory / relative
    partial = path.with_suffix(".part")
    person = archive.requested_by
    try:
        content = personal_data_archive(user=person, language=archive.language)
        with open(partial, "wb") as handle:
            os.chmod(partial, 0o600)
            handle.write(content)
        os.replace(partial, path)
    except Exception as exc:
        logger.exception("Personal data archive %s failed", archive.pk)
        partial.unlink(missing_ok=True)
        with transaction.atomic():
            if PERSONAL_DATA_ARCHIVE_TRANSITIONS.update(
                mine,
                to=PersonalDataArchiveStatus.FAILED,
                error=_("Your data could not be gathered. Please ask again."),
                finished_at=timezone.now(),
                lease_expires_at=None,
            ):
                audit_record(
                    actor=person,
                    action="personal_data.failed",
                    object_type="personal_data_archive",
                    object_id=archive.pk,
                    details={"error": exc.__class__.__name__},
                )
        return True
    finished = timezone.now()
    with transaction.atomic():
        ready = PERSONAL_DATA_ARCHIVE_TRANSITIONS.update(
            mine,
            to=PersonalDataArchiveStatus.READY,
            file_path=relative,
            file_size=len(content),
            finished_at=finished,
            expires_at=finished + timedelta(days=settings.PERSONAL_DATA_FILE_DAYS),
            lease_expires_at=None,
        )
        if not ready:
            # Taken over (or given up) while this run worked: its file belongs to no row.
            path.unlink(missing_ok=True)
            return False
        audit_record(
            actor=person,
            action="personal_data.ready",
            object_type="personal_data_archive",
            object_id=archive.pk,
            details={"bytes": len(content)},
        )
        email_queue(
            Email(
                kind=PERSONAL_DATA_READY_EMAIL,
                recipient_id=person.pk,
                params={"archive": archive.pk},
            )
        )
    return True


def personal_data_archive_file(archive: PersonalDataArchive) -> Path | None:
    """The archive's file, when it is ready, unexpired and still on disk."""
    if not archive.is_ready or not archive.file_path:
        return None
    path = Path(settings.PERSONAL_DATA_ROOT) / archive.file_path
    return path if path.is_file() else None


@transaction.atomic
def personal_data_archive_download(*, archive: PersonalDataArchive, user: User) -> Path | None:
    """The file to send the requester, with an audit row (personal_data.download); None when
    it expired or is gone."""
    path = personal_data_archive_file(archive)
    if path is None:
        return None
    audit_record(
        actor=user,
        action="personal_data.download",
        object_type="personal_data_archive",
        object_id=archive.pk,
    )
    return path


def personal_data_archives_expire(*, now=None, dry_run: bool = False) -> list[int]:
    """Delete archive files past their expiry (the row says so, and stays). Safe to run
    twice: each row moves by a conditional UPDATE. Returns the ids expired (or, with
    dry_run, that would be, changing nothing)."""
    now = now or timezone.now()
    due = PersonalDataArchive.objects.filter(
        status=PersonalDataArchiveStatus.READY, expires_at__lte=now
    ).values_list("pk", "file_path")
    if dry_run:
        return [pk for pk, _path in due]
    expired = []
    for archive_id, relative in due:
        if relative:
            (Path(settings.PERSONAL_DATA_ROOT) / relative).unlink(missing_ok=True)
        if PERSONAL_DATA_ARCHIVE_TRANSITIONS.update(
            PersonalDataArchive.objects.filter(pk=archive_id),
            to=PersonalDataArchiveStatus.EXPIRED,
            among={PersonalDataArchiveStatus.READY},
            file_path="",
        ):
            expired.append(archive_id)
    return expired


def personal_data_archive_give_up(*, archive_id: int) -> bool:
    """Fail an archive whose worker died once too often, with an audit row."""
    now = timezone.now()
    with transaction.atomic():
        moved = PERSONAL_DATA_ARCHIVE_TRANSITIONS.update(
            PersonalDataArchive.objects.filter(pk=archive_id, lease_expires_at__lt=now),
            to=PersonalDataArchiveStatus.FAILED,
            among={PersonalDataArchiveStatus.RUNNING},
            error=_("Gathering your data was interrupted. Please ask again."),
            finished_at=now,
            lease_token="",
            lease_expires_at=None,
        )
        if not moved:
            return False
        archive = PersonalDataArchive.objects.get(pk=archive_id)
        audit_record(
            actor=None,
            action="personal_data.failed",
            object_type="personal_data_archive",
            object_id=archive.pk,
            details={"error": "interrupted", "person": archive.requested_by_id},
        )
    return True


def personal_data_archives_resume(*, now=None) -> list[int]:
    """Beat: archives whose worker died are queued again (or failed after
    PERSONAL_DATA_JOB_MAX_ATTEMPTS); queued ones whose message was lost are enqueued again."""
    return lease_sweep(
        PersonalDataArchive,
        transitions=PERSONAL_DATA_ARCHIVE_TRANSITIONS,
        queued=PersonalDataArchiveStatus.QUEUED,
        running=PersonalDataArchiveStatus.RUNNING,
        max_attempts=settings.PERSONAL_DATA_JOB_MAX_ATTEMPTS,
        enqueue=lambda pk: tasks.build_personal_data_archive.delay_on_commit(archive_id=pk),
        give_up=lambda pk: personal_data_archive_give_up(archive_id=pk),
        now=now,
    )


# --- Retention: accounts nobody signs in to ----------------------------------------------


def _with_last_activity(users: QuerySet) -> QuerySet:
    """A person who never signed in counts from the day they signed up."""
    return users.annotate(last_activity=Coalesce("last_login", "date_joined"))


def inactive_accounts_warn(*, now, dry_run: bool = False) -> list[int]:
    """Retention (audit.retention): warn, by email, each active account with no sign-in for
    RETENTION_INACTIVE_ACCOUNT_MONTHS that has not been warned since its last sign-in, and
    mark it (inactivity_warned_at). Returns the accounts' ids (with dry_run, those it would
    warn, changing nothing). Safe to run twice: each account is marked by a conditional
    UPDATE, and only the run that marked it queues the email (keyed, so once per absence).

    Side effects: the mark, and one outbox email per account warned."""
    due = _with_last_activity(User.objects.filter(is_active=True)).filter(
        Q(inactivity_warned_at__isnull=True) | Q(inactivity_warned_at__lt=F("last_activity")),
        last_activity__lt=months_before(now, settings.RETENTION_INACTIVE_ACCOUNT_MONTHS),
    )
    candidates = list(due.order_by("pk").values_list("pk", "last_activity"))
    if dry_run:
        return [pk for pk, _last in candidates]
    warned = []
    for pk, last_activity in candidates:
        with transaction.atomic():
            if not due.filter(pk=pk).update(inactivity_warned_at=now):
                continue
            email_queue(
                Email(
                    kind=INACTIVE_ACCOUNT_EMAIL,
                    recipient_id=pk,
                    params={"warned_at": iso(now)},
                    key=f"{INACTIVE_ACCOUNT_EMAIL}:{pk}:{last_activity:%Y%m%d%H%M%S}",
                )
            )
            warned.append(pk)
    return warned


def inactive_account_erase_after(warned_at):
    return warned_at + timedelta(days=settings.RETENTION_ERASURE_NOTICE_DAYS)


def accounts_due_for_erasure(*, now) -> QuerySet[User]:
    """Active accounts warned for inactivity at least RETENTION_ERASURE_NOTICE_DAYS ago that
    have not signed in since the warning: the ones the retention rules say must now be
    erased. Reads only."""
    return _with_last_activity(User.objects.filter(is_active=True)).filter(
        inactivity_warned_at__lte=now - timedelta(days=settings.RETENTION_ERASURE_NOTICE_DAYS),
        last_activity__lt=F("inactivity_warned_at"),
    )


def inactive_accounts_erase(*, now, dry_run: bool = False) -> list[int]:
    """Retention (audit.retention): erase each account due for erasure after inactivity
    (accounts_due_for_erasure), keeping its ideas and comments as "Anonymous participant":
    the person made no choice, and what they published stays part of the conversation
    without their name. Returns the accounts' ids (with dry_run, those it would erase,
    changing nothing). Safe to run twice: each account is erased in its own transaction,
    re-checked under account_erase's row lock, and an erased account is inactive, so it is
    never due again.

    Side effects: account_erase's, for each (the audit row names the platform, not a
    person, as the one who erased it)."""
    due = list(accounts_due_for_erasure(now=now).order_by("pk").values_list("pk", flat=True))
    if dry_run:
        return due
    erased = []
    for pk in due:
        with transaction.atomic():
            user = accounts_due_for_erasure(now=now).select_for_update().filter(pk=pk).first()
            if user is None:  # signed in, or erased, since the list was read
                continue
            account_erase(user=user, keep_contributions=True, requested_by=None)
            erased.append(pk)
    return erased


# --- Consent to the privacy notice ----------------------------------------------------------


def consent_is_current(user: User) -> bool:
    """Whether the person has accepted the notice in force (settings.PDPA_NOTICE_VERSION)."""
    return user.pdpa_consent_version == settings.PDPA_NOTICE_VERSION


def _consent_given(user: User, *, version: str, method: str) -> ConsentRecord:
    now = timezone.now()
    user.pdpa_consent_version = version
    user.pdpa_consented_at = now
    user.save(update_fields=["pdpa_consent_version", "pdpa_consented_at"])
    return ConsentRecord.objects.create(
        user=user,
        notice_version=version,
        decision=ConsentDecision.GIVEN,
        method=method,
        recorded_at=now,
    )


@transaction.atomic
def consent_accept(*, user: User, version: str) -> ConsentRecord | None:
    """Accept the notice `version` the person was shown. If the notice changed since the page
    was drawn, nothing is recorded and NoticeChanged says so: they must read the newer one.
    Accepting the version already accepted (a second click) records nothing again.

    Locks: the user's row."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if version != settings.PDPA_NOTICE_VERSION:
        raise NoticeChanged(
            _("The privacy notice changed while you were reading it. Please read this version.")
        )
    if locked.pdpa_consent_version == version:
        return None
    record = _consent_given(locked, version=version, method=ConsentMethod.NOTICE_UPDATE)
    user.pdpa_consent_version, user.pdpa_consented_at = version, locked.pdpa_consented_at
    return record


def consent_history(user: User, *, limit: int = 20) -> list[ConsentRecord]:
    """The person's latest decisions, newest first (one per notice version, in practice)."""
    return list(user.consent_records.order_by("-recorded_at", "-id")[:limit])


@transaction.atomic
def consent_withdraw(*, user: User, keep_contributions: bool) -> None:
    """Withdraw consent to the privacy notice, on the privacy page. Taking part needs the
    processing the notice describes, so withdrawing is erasing the account: the withdrawal
    is recorded, then account_erase runs, in one transaction."""
    account_erase(
        user=user,
        keep_contributions=keep_contributions,
        requested_by=user,
        consent_method=ConsentMethod.PRIVACY_PAGE,
    )


# --- Erasure ------------------------------------------------------------------------------

ERASED_EMAIL_DOMAIN = "erased.invalid"  # RFC 2606: no mail is ever delivered there


def _pseudonym() -> tuple[str, str]:
    """A display name and an email address that say nothing about the person: random, not
    derived from the account, so nothing leads back from them."""
    token = secrets.token_hex(6)
    return f"Erased account {token.upper()}", f"erased-{token}@{ERASED_EMAIL_DOMAIN}"


def _session_store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _end_sessions(user: User) -> None:
    """Delete every stored session signed in as `user` (the database rows now, the cached
    copies on commit). Sessions do not index their user, so the stored ones are read once;
    erasure is rare. A session missed anyway no longer verifies: the password hash it was
    signed with is gone (Django checks it on every request) and the account is inactive."""
    store_class = _session_store_class()
    model = store_class.get_model_class()
    store = store_class()
    keys = [
        key
        for key, data in model.objects.values_list("session_key", "session_data").iterator(
            chunk_size=2000
        )
        if store.decode(data).get(SESSION_KEY) == str(user.pk)
    ]
    model.objects.filter(session_key__in=keys).delete()

    def forget_cached_copies() -> None:
        for key in keys:
            store_class(session_key=key).delete()

    transaction.on_commit(forget_cached_copies)


def _scrub_admin_history(erasure: Erasure) -> None:
    """The admin's own history names objects by their str(), which for a user, a
    registration or a comment is the person's display name or email."""
    for old in erasure.identifiers:
        LogEntry.objects.filter(
            Q(object_repr__contains=old) | Q(change_message__contains=old)
        ).update(
            object_repr=Replace("object_repr", Value(old), Value(erasure.pseudonym)),
            change_message=Replace("change_message", Value(old), Value(erasure.pseudonym)),
        )


def _delete_personal_data_archives(user: User) -> None:
    """Copies of the person's data hold their old email and everything else: the rows go (a
    build still queued then finds nothing to build) and their files after commit."""
    archives = PersonalDataArchive.objects.filter(requested_by=user)
    files = [relative for relative in archives.values_list("file_path", flat=True) if relative]
    archives.delete()

    def delete_files() -> None:
        for relative in files:
            (Path(settings.PERSONAL_DATA_ROOT) / relative).unlink(missing_ok=True)

    transaction.on_commit(delete_files)


def _erase_account_itself(erasure: Erasure, pseudonym_email: str, now) -> None:
    user = erasure.user
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    _scrub_admin_history(erasure)
    _delete_personal_data_archives(user)
    # Emails not yet sent would go to the pseudonym (the drain drops them for an inactive
    # account anyway): the confirmation says everything they would have said.
    OutboundEmail.objects.filter(
        recipient=user, status__in=[OutboundEmailStatus.PENDING, OutboundEmailStatus.FAILED]
    ).update(status=OutboundEmailStatus.DROPPED)
    _end_sessions(user)
    user.email = pseudonym_email
    user.display_name = erasure.pseudonym
    user.organisation = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.erased_at = now
    user.save(
        update_fields=[
            "email",
            "display_name",
            "organisation",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "erased_at",
        ]
    )


@transaction.atomic
def account_erase(
    *,
    user: User,
    keep_contributions: bool,
    requested_by: User | None,
    consent_method: str = ConsentMethod.ACCOUNT_DELETED,
) -> None:
    """Erase a person's account, in one transaction, so that no table holds their email or
    display name afterwards.

    Every app's registered erasure step runs first (accounts.erasure: cancelling upcoming
    registrations, deleting feedback, deleting or anonymising ideas and comments, removing
    supports and co-creator entries...), then the account itself: its email addresses,
    authenticators, roles, sessions, unsent emails, and its email and display name replaced
    by a random pseudonym. The row stays, inactive and unable to sign in, for what was kept
    to point to. Its consent history stays (versions and times only), ending with consent
    withdrawn by `consent_method`. Erasing an erased account does nothing.

    `requested_by` is the person themselves, an administrator, or None for the platform's own
    jobs. Locks: the user's row. Side effects: an audit row naming the pseudonym only; on commit,
    a confirmation email to the old address (handed to Celery with the address, which no
    table keeps), and the cached copies of the sessions deleted.
    """
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None or locked.is_erased:
        return
    display_name, pseudonym_email = _pseudonym()
    erasure = Erasure(
        user=locked,
        keep_contributions=keep_contributions,
        requested_by=requested_by,
        old_email=locked.email,
        old_display_name=locked.display_name,
        pseudonym=display_name,
    )
    for step in steps():
        step.run(erasure)
    now = timezone.now()
    ConsentRecord.objects.create(
        user=locked,
        notice_version=locked.pdpa_consent_version or settings.PDPA_NOTICE_VERSION,
        decision=ConsentDecision.WITHDRAWN,
        method=consent_method,
        recorded_at=now,
    )
    _erase_account_itself(erasure, pseudonym_email, now)
    if requested_by is None:
        by = "platform"  # a job, e.g. retention: nobody asked
    else:
        by = "self" if requested_by.pk == locked.pk else "administrator"
    audit_record(
        actor=requested_by,
        action="accounts.account_erase",
        object_type="user",
        object_id=locked.pk,
        details={
            "pseudonym": display_name,
            "kept_contributions": keep_contributions,
            "by": by,
        },
    )
    tasks.send_account_erased_email.delay_on_commit(
        to=erasure.old_email,
        kept_contributions=keep_contributions,
        # The person's own language, whoever erases the account (an administrator, a job).
        language=_known_language(locked.preferred_language),
        after_inactivity=requested_by is None,
    )
    user.email, user.display_name, user.erased_at = pseudonym_email, display_name, now
    user.is_active = False


# --- Acting on a person: warn, suspend, block, unblock -----------------------------------


def _decision_reason(reason: str) -> str:
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise AccountError(_("Give a reason. The person will see it."))
    if len(reason) > PERSON_DECISION_REASON_MAX:
        raise AccountError(
            _("Keep the reason to %(max)d characters.") % {"max": PERSON_DECISION_REASON_MAX}
        )
    return reason


def holds_a_role(person: User) -> bool:
    """Organisers, MCI staff and administrators: only an administrator acts on them."""
    return (
        person.is_superuser
        or person.is_staff
        or person.groups.filter(name__in=[Role.ORGANISER, Role.STAFF]).exists()
    )


def _check_may_decide(*, person: User, by: User) -> None:
    if not by.has_perm("accounts.decide_about_person"):
        raise AccountError(_("Only organisers can act on a person's account."))
    if person.pk == by.pk:
        raise AccountError(_("You cannot act on your own account."))
    if person.is_erased or not person.is_active:
        raise AccountError(_("This account is closed."))
    if holds_a_role(person) and not by.is_superuser:
        raise AccountError(
            _("Only an administrator can act on an organiser's or MCI staff member's account.")
        )


def person_block(
    *,
    person: User,
    by: User,
    reason: str,
    until=None,
    hide_content: bool = False,
    cancel_registrations: bool = False,
) -> PersonDecision:
    """Suspend `person` until `until` (an aware time in the future) or, with until None, block
    them indefinitely. From then on they can sign in only to the page that says so, their
    data and deleting their account, and every service refuses them (accounts.restrictions).

    Side effects, in one transaction with the person's row locked: the restriction on the
    person; with hide_content, each of their published ideas and comments hidden with a
    moderation log row, and with cancel_registrations, their places in sessions not yet
    started cancelled with the waiting list promoted (the apps' restriction hooks); a
    PersonDecision; an audit row. A second call replaces the restriction (a suspension can
    become a block, or change its date)."""
    reason = _decision_reason(reason)
    _check_may_decide(person=person, by=by)
    now = timezone.now()
    if until is not None and until <= now:
        raise AccountError(_("Choose an end date and time in the future."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=person.pk)
        locked.restriction = Restriction.BLOCKED if until is None else Restriction.SUSPENDED
        locked.restricted_until = until
        locked.restriction_reason = reason
        locked.save(update_fields=["restriction", "restricted_until", "restriction_reason"])
        effects = [
            hook(
                person=locked,
                by=by,
                reason=reason,
                hide_content=hide_content,
                cancel_registrations=cancel_registrations,
            )
            for hook in restriction_hooks()
        ]
        decision = PersonDecision.objects.create(
            person=locked,
            by=by,
            action=PersonAction.SUSPEND if until else PersonAction.BLOCK,
            reason=reason,
            until=until,
            hidden_items=sum(effect.hidden_items for effect in effects),
            cancelled_registrations=sum(effect.cancelled_registrations for effect in effects),
        )
        audit_record(
            actor=by,
            action=f"person.{decision.action}",
            object_type="user",
            object_id=locked.pk,
            details={"decision": decision.pk, "until": iso(until)},
        )
    person.restriction, person.restricted_until = locked.restriction, locked.restricted_until
    person.restriction_reason = locked.restriction_reason
    return decision


def person_unblock(*, person: User, by: User, reason: str) -> PersonDecision:
    """End `person`'s suspension or block now. Content hidden by the block stays hidden
    (organisers restore items one by one) and cancelled places stay cancelled.
    Side effects: the person's row, a PersonDecision, an audit row."""
    reason = _decision_reason(reason)
    _check_may_decide(person=person, by=by)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=person.pk)
        if not locked.restriction_in_force():
            raise AccountError(_("This person is not suspended or blocked."))
        locked.restriction, locked.restricted_until, locked.restriction_reason = "", None, ""
        locked.save(update_fields=["restriction", "restricted_until", "restriction_reason"])
        decision = PersonDecision.objects.create(
            person=locked, by=by, action=PersonAction.UNBLOCK, reason=reason
        )
        audit_record(
            actor=by,
            action="person.unblock",
            object_type="user",
            object_id=locked.pk,
            details={"decision": decision.pk},
        )
    person.restriction, person.restricted_until, person.restriction_reason = "", None, ""
    return decision


def person_warn(*, person: User, by: User, reason: str) -> PersonDecision:
    """Warn `person` by email with the organiser's reason (the email never names who
    reported them). Side effects: a PersonDecision, one outbox email (keyed by the decision),
    an audit row."""
    reason = _decision_reason(reason)
    _check_may_decide(person=person, by=by)
    with transaction.atomic():
        decision = PersonDecision.objects.create(
            person=person, by=by, action=PersonAction.WARN, reason=reason
        )
        email_queue(
            Email(
                kind=PERSON_WARNING_EMAIL,
                recipient_id=person.pk,
                params={"decision": decision.pk},
                key=f"{PERSON_WARNING_EMAIL}:{decision.pk}",
            )
        )
        audit_record(
            actor=by,
            action="person.warn",
            object_type="user",
            object_id=person.pk,
            details={"decision": decision.pk},
        )
    return decision
