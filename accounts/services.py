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
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from afa_platform.leases import lease_claim, lease_deadline, lease_sweep
from audit.cells import UTF8_BOM, iso, safe_row
from audit.periods import months_before
from audit.ratelimit import rate_limit_reached
from audit.services import audit_record
from outbox.services import Email, email_queue

# tasks imports this module too: each names the other only at call time.
from . import personal_data, tasks
from .models import (
    PERSONAL_DATA_ARCHIVE_TRANSITIONS,
    AgeGroup,
    PersonalDataArchive,
    PersonalDataArchiveStatus,
    User,
)
from .roles import Role

logger = logging.getLogger(__name__)

PERSONAL_DATA_READY_EMAIL = "accounts.personal_data_ready"
INACTIVE_ACCOUNT_EMAIL = "accounts.inactive_warning"


class AccountError(Exception):
    """A refusal whose message is safe to show the user."""


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
) -> User:
    """Record the sign-up details, the PDPA consent (version and time) and the Participant role.

    Side effects: adds the user to the Participant group.
    """
    if not pdpa_consent:
        raise AccountError("Consent to the privacy notice is needed to take part.")
    if age_group == AgeGroup.MINOR_WITH_CONSENT and not guardian_consent:
        raise AccountError("Participants under 18 need a parent's or guardian's consent.")
    user.display_name = display_name
    user.background = background
    user.organisation = organisation
    user.age_group = age_group
    user.guardian_consent = age_group == AgeGroup.MINOR_WITH_CONSENT and guardian_consent
    user.pdpa_consent_version = settings.PDPA_NOTICE_VERSION
    user.pdpa_consented_at = timezone.now()
    user.save(
        update_fields=[
            "display_name",
            "background",
            "organisation",
            "age_group",
            "guardian_consent",
            "pdpa_consent_version",
            "pdpa_consented_at",
        ]
    )
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
) -> User:
    user.display_name = display_name
    user.background = background
    user.organisation = organisation
    fields = ["display_name", "background", "organisation"]
    if content_warning_display is not None:
        user.content_warning_display = content_warning_display
        fields.append("content_warning_display")
    user.save(update_fields=fields)
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
