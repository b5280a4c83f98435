"""Writes to accounts. Every change to a user's details or roles goes through here."""

import secrets
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from outbox.models import OutboundEmail, OutboundEmailStatus

from . import tasks
from .erasure import Erasure, steps
from .models import AgeGroup, ConsentDecision, ConsentMethod, ConsentRecord, User
from .roles import Role


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
) -> User:
    """Record the sign-up details, the PDPA consent (version and time, and its first
    ConsentRecord) and the Participant role.

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
    user.save(
        update_fields=[
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


def _erase_account_itself(erasure: Erasure, pseudonym_email: str, now) -> None:
    user = erasure.user
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    _scrub_admin_history(erasure)
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
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    user.email, user.display_name, user.erased_at = pseudonym_email, display_name, now
    user.is_active = False
