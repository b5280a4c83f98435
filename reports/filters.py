"""What the reports count: scopes, and one filtered queryset per dataset.

A scope is a time range (from `starts`, inclusive, to `ends`, exclusive; None leaves that side
open) and, optionally, one session, one harm category (with its sub-categories) and one
solution area. Two kinds of value are scopes: `ReportFilters`, what the dashboard's and the
exports' filter form asks for, and `Scope`, which is also a digest's period
(`Scope.period(start, end)`). The querysets below (`registrations_matching` and the others)
take either, so the dashboard's figures, a digest's figures (reports.figures) and the export
files (exports.datasets) select rows the same way.

What each filter means for each dataset is written down in exports.datasets (and shown on the
export page).
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from afa_platform.i18n import interpolated
from audit import querystring
from engagement.models import EngagementSession, Registration, SessionStatus
from feedback.models import Feedback, FeedbackSuggestion
from harms.fields import TranslatedModelChoiceField
from harms.models import HarmCategory, SolutionArea
from initiatives.models import Idea, Initiative


@dataclass(frozen=True)
class Scope:
    """What a figure counts: see the module's docstring. A digest's period is
    `Scope.period(start, end)`; the dashboard's filters become one with `ReportFilters.scope`."""

    starts: datetime | None = None
    ends: datetime | None = None  # exclusive
    session_id: int | None = None
    harm_category_id: int | None = None
    solution_area_id: int | None = None

    @classmethod
    def period(cls, start: datetime, end: datetime) -> "Scope":
        """A digest's period: everything from start up to end (exclusive), nothing narrowed."""
        return cls(starts=start, ends=end)

    @property
    def before(self) -> "Scope":
        """The same narrowing over the time of the same length just before (start and end
        must be set)."""
        assert self.starts is not None and self.ends is not None
        return replace(self, starts=self.starts - (self.ends - self.starts), ends=self.starts)

    @property
    def after(self) -> "Scope":
        """The same narrowing over all the time from this scope's end on."""
        return replace(self, starts=self.ends, ends=None)

    @property
    def with_before(self) -> "Scope":
        """This scope and `before` together."""
        return replace(self, starts=self.before.starts)


@dataclass(frozen=True)
class ReportFilters:
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    session_id: int | None = None
    harm_category_id: int | None = None
    solution_area_id: int | None = None

    @property
    def starts(self) -> datetime | None:
        """The start of date_from in Singapore time."""
        if self.date_from is None:
            return None
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def ends(self) -> datetime | None:
        """The end of date_to in Singapore time (exclusive: midnight after it)."""
        if self.date_to is None:
            return None
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    @property
    def scope(self) -> Scope:
        return Scope(
            starts=self.starts,
            ends=self.ends,
            session_id=self.session_id,
            harm_category_id=self.harm_category_id,
            solution_area_id=self.solution_area_id,
        )

    @property
    def is_empty(self) -> bool:
        return self == ReportFilters()

    def as_dict(self) -> dict:
        """JSON-safe, for the audit log and export jobs; only the filters that are set."""
        values = {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "session": self.session_id,
            "harm_category": self.harm_category_id,
            "solution_area": self.solution_area_id,
        }
        return {key: value for key, value in values.items() if value is not None}

    @classmethod
    def from_dict(cls, values: dict) -> "ReportFilters":
        return cls(
            date_from=date.fromisoformat(values["date_from"]) if values.get("date_from") else None,
            date_to=date.fromisoformat(values["date_to"]) if values.get("date_to") else None,
            session_id=values.get("session"),
            harm_category_id=values.get("harm_category"),
            solution_area_id=values.get("solution_area"),
        )

    def query_string(self) -> str:
        """The same filters as URL query parameters (for links that keep them)."""
        return urlencode(self.as_dict())


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# Dates outside these years are typing slips (or probes); far-off ones would also overflow
# when turned into the end of the day in Singapore time.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


# The session list shows the newest sessions (or those a search finds), never all of them: at
# national scale 2,000 <option>s took 0.8 s to render on each dashboard and exports page. Any
# session id still validates, and the chosen one is always listed.
SESSION_OPTIONS_SHOWN = 25


def session_option_label(session: EngagementSession) -> str:
    """A session's title and its date in Singapore time: titles repeat across sessions."""
    return f"{session.title} ({date_format(timezone.localtime(session.starts_at), 'j F Y')})"


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To (inclusive)"), required=False, widget=DateInput())
    session_search = forms.CharField(
        label=_("Find a session"),
        required=False,
        max_length=querystring.TEXT_MAX_LENGTH,
        help_text=interpolated(
            _(
                "Type part of its title and apply the filters: the session list then holds "
                "the %(count)s newest that match."
            ),
            {"count": SESSION_OPTIONS_SHOWN},
        ),
    )
    session = forms.ModelChoiceField(
        label=_("Session"),
        queryset=EngagementSession.objects.order_by("-starts_at", "-id"),
        required=False,
        empty_label=_("All sessions"),
        help_text=interpolated(
            _("The %(count)s newest sessions, and the one chosen."),
            {"count": SESSION_OPTIONS_SHOWN},
        ),
    )
    harm_category = TranslatedModelChoiceField(
        label=_("Harm category"),
        queryset=HarmCategory.objects.all(),
        required=False,
        empty_label=_("All harm categories"),
        help_text=_("Includes its sub-categories."),
    )
    solution_area = TranslatedModelChoiceField(
        label=_("Solution area"),
        queryset=SolutionArea.objects.all(),
        required=False,
        empty_label=_("All solution areas"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._session_options: list[tuple] | None = None
        # A callable: the widget asks for its options only when the form is rendered.
        self.fields["session"].widget.choices = self.session_options

    def session_options(self) -> list[tuple]:
        """The empty choice, then the newest sessions matching the search (at most
        SESSION_OPTIONS_SHOWN, one query) and the chosen session if it is not among them.
        Worked out once per form: rendering asks for the options more than once."""
        if self._session_options is None:
            self._session_options = self._list_session_options()
        return self._session_options

    def _list_session_options(self) -> list[tuple]:
        field = self.fields["session"]
        sessions = field.queryset.only("pk", "title", "starts_at")
        term = querystring.clean_text(str(self["session_search"].value() or "")).strip()
        if term:
            sessions = sessions.filter(title__icontains=term)
        shown = list(sessions[:SESSION_OPTIONS_SHOWN])
        chosen = self._chosen_session()
        if chosen is not None and chosen.pk not in {session.pk for session in shown}:
            shown.insert(0, chosen)
        return [("", field.empty_label)] + [
            (session.pk, session_option_label(session)) for session in shown
        ]

    def _chosen_session(self) -> EngagementSession | None:
        cleaned = getattr(self, "cleaned_data", {}).get("session")
        if cleaned is not None:
            return cleaned
        chosen_id = querystring.as_id(str(self["session"].value() or ""))
        if chosen_id is None:
            return None
        return self.fields["session"].queryset.filter(pk=chosen_id).first()

    def _clean_bounded_date(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                _("Enter a date from the year %(earliest)s to %(latest)s.")
                % {"earliest": EARLIEST_DATE.year, "latest": LATEST_DATE.year}
            )
        return value

    def clean_date_from(self) -> date | None:
        return self._clean_bounded_date("date_from")

    def clean_date_to(self) -> date | None:
        return self._clean_bounded_date("date_to")

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned

    def filters(self) -> ReportFilters:
        """Call after is_valid()."""
        data = self.cleaned_data
        return ReportFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            session_id=data["session"].pk if data.get("session") else None,
            harm_category_id=data["harm_category"].pk if data.get("harm_category") else None,
            solution_area_id=data["solution_area"].pk if data.get("solution_area") else None,
        )


def harm_category_ids(harm_category_id: int) -> QuerySet:
    """The category and its sub-categories: filtering by a category includes its children.
    A subquery, not a list: each figure filtered by category then costs no extra query."""
    return HarmCategory.objects.filter(
        Q(pk=harm_category_id) | Q(parent_id=harm_category_id)
    ).values("pk")


# --- One filtered queryset per dataset ---------------------------------------------------

# Either kind of scope: both have starts, ends, session_id, harm_category_id, solution_area_id.
AnyScope = Scope | ReportFilters


def in_range(queryset: QuerySet, field: str, scope: AnyScope) -> QuerySet:
    """Rows whose `field` falls in the scope's time range."""
    if scope.starts:
        queryset = queryset.filter(**{f"{field}__gte": scope.starts})
    if scope.ends:
        queryset = queryset.filter(**{f"{field}__lt": scope.ends})
    return queryset


def _session_discusses(session_ref, harm_category_id: int) -> Exists:
    return Exists(
        EngagementSession.harm_categories.through.objects.filter(
            engagementsession_id=session_ref,
            harmcategory_id__in=harm_category_ids(harm_category_id),
        )
    )


def sessions_matching(scope: AnyScope, *, dated_by: str = "starts_at") -> QuerySet:
    """Published sessions the scope selects, by start (or `dated_by`). A solution area does
    not apply to sessions."""
    sessions = in_range(
        EngagementSession.objects.filter(status=SessionStatus.PUBLISHED), dated_by, scope
    )
    if scope.session_id:
        sessions = sessions.filter(pk=scope.session_id)
    if scope.harm_category_id:
        sessions = sessions.filter(_session_discusses(OuterRef("pk"), scope.harm_category_id))
    return sessions


def registrations_matching(scope: AnyScope, *, dated_by: str = "session__starts_at") -> QuerySet:
    """Registrations of every status, dated by their session's start (or `dated_by`, such
    as `created_at`). A solution area does not apply to registrations."""
    registrations = in_range(Registration.objects.all(), dated_by, scope)
    if scope.session_id:
        registrations = registrations.filter(session_id=scope.session_id)
    if scope.harm_category_id:
        registrations = registrations.filter(
            _session_discusses(OuterRef("session_id"), scope.harm_category_id)
        )
    return registrations


def feedback_matching(scope: AnyScope) -> QuerySet:
    feedback = in_range(Feedback.objects.all(), "created_at", scope)
    if scope.session_id:
        feedback = feedback.filter(session_id=scope.session_id)
    if scope.harm_category_id:
        feedback = feedback.filter(
            Exists(
                Feedback.harm_categories.through.objects.filter(
                    feedback_id=OuterRef("pk"),
                    harmcategory_id__in=harm_category_ids(scope.harm_category_id),
                )
            )
        )
    if scope.solution_area_id:
        feedback = feedback.filter(
            Exists(
                FeedbackSuggestion.objects.filter(
                    feedback_id=OuterRef("pk"), solution_area_id=scope.solution_area_id
                )
            )
        )
    return feedback


def ideas_matching(scope: AnyScope) -> QuerySet:
    """Submitted ideas only: drafts are nobody's business but their author's."""
    ideas = in_range(Idea.objects.filter(submitted_at__isnull=False), "submitted_at", scope)
    if scope.session_id:
        ideas = ideas.filter(session_id=scope.session_id)
    if scope.harm_category_id:
        ideas = ideas.filter(harm_category_id__in=harm_category_ids(scope.harm_category_id))
    if scope.solution_area_id:
        ideas = ideas.filter(solution_area_id=scope.solution_area_id)
    return ideas


def initiatives_matching(scope: AnyScope) -> QuerySet:
    initiatives = in_range(Initiative.objects.all(), "created_at", scope)
    if scope.session_id:
        initiatives = initiatives.filter(
            Exists(Idea.objects.filter(merged_into_id=OuterRef("pk"), session_id=scope.session_id))
        )
    if scope.harm_category_id:
        initiatives = initiatives.filter(
            Exists(
                Initiative.harm_categories.through.objects.filter(
                    initiative_id=OuterRef("pk"),
                    harmcategory_id__in=harm_category_ids(scope.harm_category_id),
                )
            )
        )
    if scope.solution_area_id:
        initiatives = initiatives.filter(solution_area_id=scope.solution_area_id)
    return initiatives
