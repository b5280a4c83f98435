"""The Alliance's road to its launch: ordered phases with dates, each switching actions on.

A phase runs from its start date 00:00 to its end date 23:59:59, Singapore time (dates, not
times: TIME_ZONE is Asia/Singapore and the gate compares Singapore dates). No two phases
overlap: the service checks it under a lock (the friendly message) and, on PostgreSQL, an
exclusion constraint on the date range is the guarantee (migrations/0001_phases.py).
"""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What a phase can switch on. Each has its gate wired in the service that does it
    (README, "Process phases")."""

    SUBMIT_IDEAS = "submit_ideas", _("Idea submission")
    CO_CREATE = "co_create", _("Co-creating initiatives")


# The switch on Phase for each action.
ACTION_FIELDS = {
    Action.SUBMIT_IDEAS: "allows_ideas",
    Action.CO_CREATE: "allows_co_creation",
}


class Phase(models.Model):
    title = models.CharField(_("title"), max_length=120)
    what_happens = models.TextField(_("what happens"), max_length=4000)
    what_you_can_do = models.TextField(_("what you can do now"), max_length=4000, blank=True)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    allows_ideas = models.BooleanField(_("ideas can be submitted"), default=False)
    allows_co_creation = models.BooleanField(
        _("people can join and draft initiatives"), default=False
    )
    is_launch = models.BooleanField(
        _("the launch"),
        default=False,
        help_text=_("Its first day is the Alliance's official launch date."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("process phase")
        verbose_name_plural = _("process phases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__lte=models.F("end_date")),
                name="phase_starts_before_it_ends",
            ),
            models.UniqueConstraint(
                fields=["is_launch"],
                condition=models.Q(is_launch=True),
                name="phase_one_launch",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def contains(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date

    def allows(self, action: str) -> bool:
        return bool(getattr(self, ACTION_FIELDS[Action(action)]))

    @property
    def allowed_actions(self) -> list[Action]:
        return [action for action in Action if self.allows(action)]
