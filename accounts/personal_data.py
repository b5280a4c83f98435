"""What "Download my data" holds: a registry of sections, one per kind of row about a person.

accounts sits below the apps whose rows it must gather (engagement, feedback, initiatives,
reports, exports), so it never imports them: each app registers its own sections in its own
`personal_data` module, found at start-up by AccountsConfig.ready() (as the outbox finds each
app's `emails`). This module registers the sections of accounts itself, of the apps below it
(audit, outbox) and of the third-party apps holding a user key (allauth, the admin's history).

Each section says which user keys it reads (`covers`, "app_label.Model.field"); a test walks
every model's foreign keys to the user (`user_references`) and fails when one is not covered,
so a new model cannot be left out of the archive.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit.cells import iso
from audit.models import AccessRecord, AuditEvent
from outbox.models import OutboundEmail

from .models import ConsentRecord, PersonalDataArchive, PersonDecision
from .roles import Role


@dataclass(frozen=True)
class Column:
    name: str
    help: str | Promise
    # What the row is read with (a values_list lookup); the name when empty.
    lookup: str = ""


@dataclass(frozen=True)
class Section:
    """One kind of row about the person: one CSV file, one part of data.json and index.html."""

    key: str
    title: str | Promise
    description: str | Promise
    columns: tuple[Column, ...]
    # The person's rows, as values_list of the columns' lookups (or `read`, for rows that
    # need more than one query).
    queryset: Callable[..., QuerySet] | None = None
    read: Callable[..., Iterable[dict]] | None = None
    # The user keys this section reads: "app_label.Model.field".
    covers: tuple[str, ...] = ()
    order: int = 100

    def rows(self, user) -> list[dict]:
        if self.read is not None:
            return [
                {column.name: plain(row.get(column.name)) for column in self.columns}
                for row in self.read(user)
            ]
        lookups = [column.lookup or column.name for column in self.columns]
        return [
            {column.name: plain(value) for column, value in zip(self.columns, values, strict=True)}
            for values in self.queryset(user).values_list(*lookups)
        ]


SECTIONS: dict[str, Section] = {}

# The role an access record names for a file only administrators can produce (the audit log
# as CSV); the others are accounts.roles.Role values.
ADMINISTRATOR = "administrator"


def register(*sections: Section) -> None:
    for section in sections:
        if section.key in SECTIONS and SECTIONS[section.key] != section:
            raise ValueError(f"Personal data section {section.key!r} is registered twice")
        SECTIONS[section.key] = section


def sections() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda section: (section.order, section.key))


def plain(value):
    """A value data.json and a CSV cell can hold: times in Singapore time, ISO 8601."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def user_references() -> set[str]:
    """Every foreign key, one-to-one and many-to-many field of any model that points to the
    user model, as "app_label.Model.field"."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = set()
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if (
                model_field.is_relation
                and model_field.concrete
                and not model_field.auto_created
                and model_field.related_model is user_model
            ):
                found.add(f"{model._meta.app_label}.{model.__name__}.{model_field.name}")
    return found


def covered_references() -> set[str]:
    return {reference for section in SECTIONS.values() for reference in section.covers}


# --- The sections of accounts and of the apps below it ----------------------------------


def _profile(user) -> list[dict]:
    roles = [
        str(Role(name).label)
        for name in user.groups.values_list("name", flat=True)
        if name in Role.values
    ]
    return [
        {
            "user_id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "background": user.get_background_display(),
            "organisation": user.organisation,
            "age_group": user.get_age_group_display(),
            "guardian_consent": user.guardian_consent,
            "content_warning_display": user.get_content_warning_display_display(),
            "language": user.get_preferred_language_display(),
            "roles": roles,
            "joined_at": user.date_joined,
            "last_sign_in_at": user.last_login,
        }
    ]


def _consent(user) -> list[dict]:
    return [
        {
            "notice_version": record.notice_version,
            "decision": record.get_decision_display(),
            "how": record.get_method_display(),
            "when": record.recorded_at,
        }
        for record in ConsentRecord.objects.filter(user=user).order_by("recorded_at", "pk")
    ]


def _role_label(role: str) -> str:
    if role == ADMINISTRATOR:
        return str(_("Administrator"))
    return str(Role(role).label) if role in Role.values else role


def _accesses(user) -> list[dict]:
    records = (
        AccessRecord.objects.filter(person=user)
        .select_related("event")
        .order_by("event__created_at", "event_id")
    )
    return [
        {
            "when": record.event.created_at,
            "what": record.event.action,
            "role": _role_label(record.role),
            "purpose": record.event.details.get("purpose", ""),
        }
        for record in records
    ]


register(
    Section(
        key="profile",
        title=_("Your profile"),
        description=_(
            "The details of your account, as you gave them when you signed up or "
            "changed them since."
        ),
        columns=(
            Column("user_id", _("The number of your account.")),
            Column("email", _("Your email address, which you sign in with.")),
            Column(
                "display_name",
                _("The name shown beside what you post (unless you post anonymously)."),
            ),
            Column("background", _("The background you chose.")),
            Column("organisation", _("Your organisation, if you gave one.")),
            Column("age_group", _("Your age group.")),
            Column("guardian_consent", _("Whether a parent or guardian consented (under 18).")),
            Column("content_warning_display", _("How text under a content warning is shown.")),
            Column("language", _("The language of the site and of your emails.")),
            Column("roles", _("Your roles on the platform.")),
            Column("joined_at", _("When you signed up.")),
            Column("last_sign_in_at", _("When you last signed in.")),
        ),
        read=_profile,
        order=1,
    ),
    Section(
        key="consent",
        title=_("Your consent to the privacy notice"),
        description=_(
            "Each time you gave or withdrew your consent to the privacy notice: which version, "
            "how, and when."
        ),
        columns=(
            Column("notice_version", _("The version of the privacy notice.")),
            Column("decision", _("Given or withdrawn.")),
            Column("how", _("How: at sign-up, accepting an updated notice, and so on.")),
            Column("when", _("When.")),
        ),
        read=_consent,
        covers=("accounts.ConsentRecord.user",),
        order=2,
    ),
    Section(
        key="email_addresses",
        title=_("Your email addresses"),
        description=_("The addresses on your account and whether each was confirmed."),
        columns=(
            Column("email", _("The address.")),
            Column("verified", _("Whether you confirmed it.")),
            Column("primary", _("Whether it is the one we write to.")),
        ),
        queryset=lambda user: EmailAddress.objects.filter(user=user).order_by("pk"),
        covers=("account.EmailAddress.user",),
        order=3,
    ),
    Section(
        key="two_factor",
        title=_("Your two-factor sign-in"),
        description=_("The second factors you set up (never their secrets)."),
        columns=(
            Column("type", _("An authenticator app (totp) or recovery codes.")),
            Column("created_at", _("When you set it up.")),
            Column("last_used_at", _("When it was last used.")),
        ),
        queryset=lambda user: Authenticator.objects.filter(user=user).order_by("pk"),
        covers=("mfa.Authenticator.user",),
        order=4,
    ),
    Section(
        key="decisions_about_you",
        title=_("Warnings, suspensions and blocks"),
        description=_(
            "Each time an organiser warned you, suspended or blocked your account, or lifted "
            "a suspension or block: what they decided, their reason and when. Who reported "
            "you is never recorded here."
        ),
        columns=(
            Column("when", _("When."), "created_at"),
            Column("decision", _("warn, suspend, block or unblock."), "action"),
            Column("reason", _("The organiser's reason, as you were shown it.")),
            Column("until", _("When a suspension ends.")),
        ),
        queryset=lambda user: PersonDecision.objects.filter(person=user).order_by("pk"),
        # An organiser's own decisions (PersonDecision.by) are in audited_actions: each
        # writes an audit row (person.warn, person.block...) with them as the actor.
        covers=("accounts.PersonDecision.person", "accounts.PersonDecision.by"),
        order=5,
    ),
    Section(
        key="emails_sent",
        title=_("Emails we sent you"),
        description=_("Each email the platform queued for you: its kind and dates, not its text."),
        columns=(
            Column("kind", _("What the email was about (a code).")),
            Column("queued_at", _("When it was written."), "created_at"),
            Column("sent_at", _("When it was sent, if it was.")),
            Column("status", _("sent, pending, dropped (no longer needed) or failed.")),
        ),
        queryset=lambda user: OutboundEmail.objects.filter(recipient=user).order_by("pk"),
        covers=("outbox.OutboundEmail.recipient",),
        order=80,
    ),
    Section(
        key="who_has_seen_your_data",
        title=_("Who has seen your personal data"),
        description=_(
            "Every file with names and emails that included you: an export by MCI "
            "staff or a session roster downloaded by an organiser; when, in which "
            "role, and for what purpose they said they needed it."
        ),
        columns=(
            Column("when", _("When the file was produced.")),
            Column(
                "what",
                _(
                    "export (MCI staff), engagement.roster_export (an organiser's roster) or "
                    "audit_log_export (the audit log, which names staff, by an administrator)."
                ),
            ),
            Column("role", _("The role of the person who produced it.")),
            Column("purpose", _("The purpose they gave, when one was asked for.")),
        ),
        read=_accesses,
        covers=("audit.AccessRecord.person",),
        order=90,
    ),
    Section(
        key="audited_actions",
        title=_("What you did that the audit log records"),
        description=_(
            "Actions of yours written in the audit log (for organisers and staff: "
            "exports, roster downloads, session changes, quote decisions)."
        ),
        columns=(
            Column("when", _("When."), "created_at"),
            Column("action", _("What was done (a code).")),
            Column("object_type", _("On what kind of record.")),
            Column("object_id", _("The number of that record.")),
        ),
        queryset=lambda user: AuditEvent.objects.filter(actor=user).order_by("created_at", "pk"),
        covers=("audit.AuditEvent.actor",),
        order=95,
    ),
    Section(
        key="admin_history",
        title=_("Your changes in the administration site"),
        description=_("Records you added, changed or deleted in the administration site."),
        columns=(
            Column("when", _("When."), "action_time"),
            Column("record", _("The kind of record."), "content_type__model"),
            Column("object_id", _("The number of the record.")),
            Column("action_flag", _("1 added, 2 changed, 3 deleted.")),
        ),
        queryset=lambda user: LogEntry.objects.filter(user=user).order_by("action_time", "pk"),
        covers=("admin.LogEntry.user",),
        order=96,
    ),
)


register(
    Section(
        key="personal_data_archives",
        title=_("Your earlier copies of your data"),
        description=_("Each time you asked for a copy of your data."),
        columns=(
            Column("asked_at", _("When you asked."), "created_at"),
            Column("status", _("Where it stands.")),
            Column("deleted_after", _("When its file is deleted."), "expires_at"),
        ),
        queryset=lambda user: PersonalDataArchive.objects.filter(requested_by=user).order_by("pk"),
        covers=("accounts.PersonalDataArchive.requested_by",),
        order=97,
    ),
)
