"""Every write to the process phases.

Phases must not overlap and must not run backwards. Each write takes the phases' lock first
(`_lock_phases`: a transaction-scoped advisory lock on PostgreSQL; SQLite, the embedded demo,
serialises writers by itself), then checks against every other phase and gives a message
that names the phase in the way. On PostgreSQL the exclusion constraint of
migrations/0001_phases.py is the guarantee behind the check: an insert that slips past it
fails there, and is answered with the same message. Every write appends an audit row.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from audit.services import audit_record

from .models import ACTION_FIELDS, Action, Phase
from .selectors import long_date

TRANSLATED = ("title", "what_happens", "what_you_can_do")
# Any number fits in a bigint: the advisory lock's key, for "the process phases".
PHASES_LOCK_KEY = 170_017


class PhaseError(Exception):
    """A refusal whose message is safe to show."""


@dataclass
class PhaseFields:
    start_date: date | None
    end_date: date | None
    # The text in each language, by settings.LANGUAGES code: {"title": {"en": "Ideas",
    # "zh-hans": "点子"}, ...}. English is required for the title and "what happens"; a
    # language left empty falls back to it.
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    actions: frozenset[Action] = frozenset()
    is_launch: bool = False

    def text(self, name: str, language: str) -> str:
        return (self.texts.get(name, {}).get(language) or "").strip()

    def columns(self) -> dict:
        values = {
            "start_date": self.start_date,
            "end_date": self.end_date,
            "is_launch": self.is_launch,
            **{field: action in self.actions for action, field in ACTION_FIELDS.items()},
        }
        for name in TRANSLATED:
            for code, _name in settings.LANGUAGES:
                # None, not "", where a language is left empty: it falls back to English.
                values[build_localized_fieldname(name, code)] = self.text(name, code) or None
            # The original column holds the English, as the admin's LanguageTabsAdmin keeps it.
            values[name] = self.text(name, settings.MODELTRANSLATION_DEFAULT_LANGUAGE)
        return values


def _lock_phases() -> None:
    """One writer of phases at a time, even when there is no phase yet to lock a row of."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PHASES_LOCK_KEY])


def _overlap_message(other: Phase) -> str:
    return _(
        "These dates overlap “%(title)s” (%(start)s to %(end)s). Phases follow one another: "
        "choose dates outside it, or change that phase first."
    ) % {
        "title": other.title,
        "start": long_date(other.start_date),
        "end": long_date(other.end_date),
    }


def _validate(fields: PhaseFields, *, phase: Phase | None) -> None:
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    if not fields.text("title", default):
        raise PhaseError(_("A phase needs a title in English."))
    if not fields.text("what_happens", default):
        raise PhaseError(_("Say in English what happens in this phase."))
    if fields.start_date is None or fields.end_date is None:
        raise PhaseError(_("A phase needs a first day and a last day."))
    if fields.end_date < fields.start_date:
        raise PhaseError(
            _("The last day (%(end)s) is before the first day (%(start)s).")
            % {"end": long_date(fields.end_date), "start": long_date(fields.start_date)}
        )
    others = Phase.objects.exclude(pk=phase.pk) if phase is not None else Phase.objects.all()
    overlapping = (
        others.filter(start_date__lte=fields.end_date, end_date__gte=fields.start_date)
        .order_by("start_date")
        .first()
    )
    if overlapping is not None:
        raise PhaseError(_overlap_message(overlapping))
    if fields.is_launch:
        launch = others.filter(is_launch=True).first()
        if launch is not None:
            raise PhaseError(
                _("“%(title)s” is already the launch. Only one phase can be the launch.")
                % {"title": launch.title}
            )


def _write(save) -> Phase:
    """Runs the insert or update in a savepoint, so that a constraint the check did not see
    (a concurrent writer without the lock) is a message, not a server error."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError as error:
        raise PhaseError(
            _(
                "Another change to the phases was saved at the same moment. Check the dates "
                "and try again."
            )
        ) from error


def _details(phase: Phase) -> dict:
    return {
        "title": phase.title_en,
        "start_date": phase.start_date.isoformat(),
        "end_date": phase.end_date.isoformat(),
        "actions": [action.value for action in phase.allowed_actions],
        "is_launch": phase.is_launch,
    }


@transaction.atomic
def phase_create(*, actor, fields: PhaseFields) -> Phase:
    """Add a phase. Side effects: the phases' lock; an audit row (`process.phase_create`)."""
    _lock_phases()
    _validate(fields, phase=None)
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        phase = _write(lambda: Phase.objects.create(**fields.columns()))
    audit_record(
        actor=actor,
        action="process.phase_create",
        object_type="phase",
        object_id=phase.pk,
        details=_details(phase),
    )
    return phase


@transaction.atomic
def phase_update(*, phase: Phase, actor, fields: PhaseFields) -> Phase:
    """Change a phase's dates, text or switches. Side effects: the phases' lock; an audit row
    (`process.phase_update`) with the values before and after."""
    _lock_phases()
    locked = Phase.objects.select_for_update().filter(pk=phase.pk).first()
    if locked is None:
        raise PhaseError(_("This phase has been deleted in the meantime."))
    _validate(fields, phase=locked)
    before = _details(locked)
    columns = fields.columns()

    def save():
        # In English: `phase.title = ...` writes the active language's column.
        for name, value in columns.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*columns, "updated_at"])
        return locked

    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        _write(save)
    audit_record(
        actor=actor,
        action="process.phase_update",
        object_type="phase",
        object_id=locked.pk,
        details={"before": before, "after": _details(locked)},
    )
    return locked


@transaction.atomic
def phase_delete(*, phase: Phase, actor) -> None:
    """Remove a phase. With the last one gone every action is open again (the gate's rule).
    Side effects: the phases' lock; an audit row (`process.phase_delete`)."""
    _lock_phases()
    locked = Phase.objects.select_for_update().filter(pk=phase.pk).first()
    if locked is None:
        raise PhaseError(_("This phase has been deleted in the meantime."))
    details = _details(locked)
    pk = locked.pk
    locked.delete()
    audit_record(
        actor=actor,
        action="process.phase_delete",
        object_type="phase",
        object_id=pk,
        details=details,
    )
