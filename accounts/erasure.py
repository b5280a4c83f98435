"""The registry of erasure steps: what each app does with a person's rows when their account
is erased (accounts.services.account_erase).

accounts sits below the apps that hold most of a person's rows (engagement, feedback,
initiatives, reports, exports) and must not import them. So each of those apps registers its
own steps, from its `erasure.py`, imported in its AppConfig.ready(); account_erase runs them,
in INSTALLED_APPS order, inside its one transaction, then erases the account itself.

Every foreign key to the user, in every installed model, must be accounted for: a step names
the keys it `covers`, or the key is declared safe with the reason (`declare_safe`), e.g. the
organiser who created a session, which after erasure points at a pseudonym and nothing else.
`uncovered_user_keys()` lists the rest, and a test fails while it is not empty, so a model
added later cannot keep a person's data past their erasure unnoticed.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models


@dataclass(frozen=True, kw_only=True)
class Erasure:
    """What a step is told. `user` still holds the old email and display name while the
    steps run (the account itself is erased last); `scrub` takes them out of a text a
    person chose to keep."""

    user: models.Model
    keep_contributions: bool
    requested_by: models.Model | None
    old_email: str
    old_display_name: str
    pseudonym: str

    @property
    def identifiers(self) -> list[str]:
        """The old email and display name, as they are searched for and replaced."""
        return [
            old
            for old in (self.old_email, self.old_display_name)
            if old and len(old) >= SCRUB_MIN_LENGTH
        ]

    def scrub(self, text: str) -> str:
        for old in self.identifiers:
            if old in text:
                text = text.replace(old, self.pseudonym)
        return text


@dataclass(frozen=True)
class ErasureStep:
    name: str
    run: Callable[[Erasure], None]
    covers: tuple[str, ...]


_STEPS: dict[str, ErasureStep] = {}
_SAFE: dict[str, str] = {}

# What account_erase does itself, after every step, to the account and the rows of the apps
# at its own level and below (allauth's, the admin's, the outbox's, Django's groups).
ACCOUNT_KEYS = (
    "accounts.User.groups",
    "accounts.User.user_permissions",
    "account.EmailAddress.user",
    "mfa.Authenticator.user",
    "admin.LogEntry.user",
    "outbox.OutboundEmail.recipient",
    "accounts.PersonalDataArchive.requested_by",
)
_SAFE["audit.AuditEvent.actor"] = (
    "the audit log is append-only and holds ids and pseudonyms only; the actor key points "
    "at the erased account, which holds a pseudonym only"
)
_SAFE["accounts.ConsentRecord.user"] = (
    "the consent history holds notice versions and times only, and ends with the withdrawal "
    "erasure records; it stays as the evidence of consent"
)
_SAFE["accounts.PersonDecision.person"] = (
    "the moderation log of warnings, suspensions and blocks, append-only and kept as its "
    "evidence; the key points at the erased account, which holds a pseudonym only"
)
_SAFE["accounts.PersonDecision.by"] = (
    "who decided, in the append-only log of decisions about people; the key points at the "
    "erased account, which holds a pseudonym only"
)
_SAFE["audit.AccessRecord.person"] = (
    "who a personal-data export or roster included: ids only, part of the audit log, kept "
    "as its evidence; the key points at the erased account, which holds a pseudonym only"
)
# A name shorter than this is in countless texts and identifies nobody: it is not scrubbed.
SCRUB_MIN_LENGTH = 3


def erasure_step(*, covers: tuple[str, ...] | list[str]) -> Callable:
    """Register the decorated function as a step. `covers` names the foreign keys (and
    many-to-many fields) to the user it deals with, as "app_label.Model.field"."""

    def register(function: Callable[[Erasure], None]) -> Callable[[Erasure], None]:
        name = f"{function.__module__}.{function.__qualname__}"
        _STEPS[name] = ErasureStep(name=name, run=function, covers=tuple(covers))
        return function

    return register


def declare_safe(key: str, *, why: str) -> None:
    """A foreign key to the user that erasure may leave as it is, and why."""
    _SAFE[key] = why


def steps() -> list[ErasureStep]:
    """The registered steps, in the order of their apps in INSTALLED_APPS."""
    order = {config.name: position for position, config in enumerate(apps.get_app_configs())}

    def app_position(step: ErasureStep) -> int:
        return min(
            (position for name, position in order.items() if step.name.startswith(name + ".")),
            default=len(order),
        )

    return sorted(_STEPS.values(), key=app_position)


def user_keys() -> list[str]:
    """Every foreign key, one-to-one and many-to-many field to the user model, in every
    installed model, as "app_label.Model.field" (auto-created through tables are covered by
    their many-to-many field)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    keys = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                field.is_relation
                and field.concrete
                and (field.many_to_one or field.one_to_one or field.many_to_many)
                and field.related_model is user_model
            ):
                keys.append(f"{model._meta.label}.{field.name}")
    return sorted(keys)


def covered_user_keys() -> dict[str, str]:
    """Each accounted-for key, with the step that covers it or why it is safe."""
    covered = {key: f"safe: {why}" for key, why in _SAFE.items()}
    covered.update(dict.fromkeys(ACCOUNT_KEYS, "accounts.services.account_erase"))
    for step in _STEPS.values():
        for key in step.covers:
            covered[key] = step.name
    return covered


def uncovered_user_keys() -> list[str]:
    covered = covered_user_keys()
    return [key for key in user_keys() if key not in covered]
