"""Reads of the process: the phases in order, the phase of a day, and the gate that says
whether an action is open.

The gate is the one rule (README, "Process phases"): with no phases defined at all, every
action is open (an install that never set phases up works as before); otherwise an action is
open only on a day inside a phase that switches it on. Days are Singapore days. Each call
reads every phase in one small query (there are a handful); pass `among=` to reuse a list
already read on the same page.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Action, Phase


def phases() -> list[Phase]:
    """Every phase, first to last: one query."""
    return list(Phase.objects.order_by("start_date"))


def singapore_day(at: datetime | None = None) -> date:
    """The Singapore date of `at` (now by default); TIME_ZONE is Asia/Singapore."""
    return timezone.localdate(at or timezone.now())


def phase_on(day: date, *, among: list[Phase]) -> Phase | None:
    return next((phase for phase in among if phase.contains(day)), None)


def launch_phase_start(*, among: list[Phase] | None = None) -> date | None:
    """The first day of the phase marked as the launch, if any (reports.figures.launch_date
    reads it before the launch settings). `among`: the phases a page already read."""
    if among is not None:
        return next((phase.start_date for phase in among if phase.is_launch), None)
    return Phase.objects.filter(is_launch=True).values_list("start_date", flat=True).first()


def long_date(day: date) -> str:
    """'3 March 2027', in the active language's words."""
    return date_format(day, "j F Y")


# Per action: (closed on, opens on, not open at all).
_WORDING = {
    Action.SUBMIT_IDEAS: (
        lambda day: _("Idea submission closed on %(date)s.") % {"date": day},
        lambda day: _("Idea submission opens on %(date)s.") % {"date": day},
        lambda: _("Idea submission is not open at this stage of the process."),
    ),
    Action.CO_CREATE: (
        lambda day: _("Co-creating initiatives closed on %(date)s.") % {"date": day},
        lambda day: _("Co-creating initiatives opens on %(date)s.") % {"date": day},
        lambda: _("Co-creating initiatives is not open at this stage of the process."),
    ),
}


@dataclass(frozen=True)
class ActionState:
    action: Action
    is_open: bool
    # Ready to show when closed ("Idea submission closed on 3 March 2027."), else "".
    message: str = ""
    # The phase of the day, if any (open or not).
    phase: Phase | None = None


def action_state(
    action: Action | str, *, at: datetime | None = None, among: list[Phase] | None = None
) -> ActionState:
    """Is `action` open at `at` (now by default)? When closed, the message says when it
    opens next or, failing that, when it closed."""
    action = Action(action)
    among = phases() if among is None else among
    if not among:
        return ActionState(action=action, is_open=True)
    day = singapore_day(at)
    current = phase_on(day, among=among)
    if current is not None and current.allows(action):
        return ActionState(action=action, is_open=True, phase=current)
    closed_on, opens_on, not_open = _WORDING[action]
    upcoming = [p for p in among if p.start_date > day and p.allows(action)]
    past = [p for p in among if p.end_date < day and p.allows(action)]
    if upcoming:
        message = opens_on(long_date(upcoming[0].start_date))
    elif past:
        message = closed_on(long_date(past[-1].end_date))
    else:
        message = not_open()
    return ActionState(action=action, is_open=False, message=message, phase=current)


def action_refusal(action: Action | str, *, at: datetime | None = None) -> str | None:
    """For a service: None when `action` is open now, else the message to refuse with.

    refusal = action_refusal(Action.CO_CREATE)
    if refusal:
        raise DraftError(refusal)
    """
    state = action_state(action, at=at)
    return None if state.is_open else state.message


@dataclass(frozen=True)
class TimelineEntry:
    phase: Phase
    is_current: bool
    is_past: bool


def timeline(*, at: datetime | None = None) -> list[TimelineEntry]:
    """Every phase in order, marked current or past on the Singapore day of `at`."""
    day = singapore_day(at)
    return [
        TimelineEntry(phase=phase, is_current=phase.contains(day), is_past=phase.end_date < day)
        for phase in phases()
    ]
