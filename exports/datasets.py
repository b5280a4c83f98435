"""What MCI staff can export, and how the files are written.

Each dataset is declared once, as a list of columns (`Column`: name, label, how to get the
value from a row, whether it is personal data). The CSV and XLSX writers, the column list on
the export page and the tests all read that one list; nothing maps values by position.

Rows are read with `iterator(chunk_size=...)` over `values_list(named=True)`, and whatever a
row needs from another table (harm categories, suggestions, counts) is fetched once per chunk
by the loaders its columns registered, never per row, so memory stays flat and the number of
queries grows with chunks, not rows. Each column's getter is made once per export (a C-level
`attrgetter` for a plain field, a small function otherwise), so the work per row is one pass
over a list of functions.

Privacy rules, applied here and nowhere else:
- people appear as a pseudonym (exports.pseudonyms), never by id;
- names and emails (and access needs) only in a personal-data export, which needs the
  "export personal data" permission and a stated purpose;
- anonymous submissions carry no pseudonym, name, email or background, whoever asks;
- free text the privacy check flagged as holding personal data is left out of default exports;
- an aggregate dataset (counts, not rows) comes from reports.figures, which hides a count of
  1 to DISCLOSURE_THRESHOLD - 1 people, and any a total would give away (reports.disclosure),
  as the marker reports.figures.HIDDEN; it is never offered as a personal-data export.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter, itemgetter
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Background
from audit.cells import UTF8_BOM, iso, safe_row
from engagement.models import RegistrationStatus
from feedback.models import (
    Feedback,
    FeedbackSuggestion,
    QuestionAnswer,
    QuestionAnswerChoice,
    QuestionKind,
    QuoteStatus,
    SessionQuestion,
)
from harms.models import HarmCategory, SolutionArea
from harms.pii import KIND_LABELS
from initiatives.models import (
    URGENT_REASONS,
    CoCreator,
    Comment,
    CommentStatus,
    Idea,
    IdeaStatus,
    Initiative,
    InitiativeStatus,
    InitiativeUpdate,
    Report,
    ReportStatus,
)
from reports import figures
from reports.filters import (
    ReportFilters,
    feedback_matching,
    ideas_matching,
    initiatives_matching,
    registrations_matching,
)

from .pseudonyms import Pseudonymiser

YES, NO = "yes", "no"
YES_NO_CODES = ((YES, _("Yes")), (NO, _("No")))

# What a column holds, for the files: CSV writes every value as its code (a moment in ISO
# 8601, Singapore time); XLSX writes a moment as a date cell in Singapore time and a code as
# the label the site shows for it, and lists the codes on a sheet of its own.
TEXT, NUMBER, MOMENT, CODE, CODES = "text", "number", "moment", "code", "codes"
KIND_NAMES = {
    TEXT: _("text"),
    NUMBER: _("number"),
    MOMENT: _("date and time, Singapore time (ISO 8601 in CSV)"),
    CODE: _("one code"),
    CODES: _("codes separated by '; '"),
}
CODES_SEPARATOR = "; "


def yes_no(flag: bool) -> str:
    return YES if flag else NO


def field(path: str) -> Callable[[Any], Any]:
    """The value of one field the dataset reads, as it is."""
    return attrgetter(path)


# --- Datasets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a dataset. `name` is its code, heading the column in a CSV file;
    `heading` heads it in an XLSX file, in words as on screen; `label` says what it holds
    (the export page and the data dictionary show it); `value` gets the cell from one row the
    dataset reads (a named tuple of its `fields`); a `personal` column is only in a
    personal-data export. `kind` is one of TEXT, NUMBER, MOMENT (an aware datetime), CODE or
    CODES (several codes separated by '; '); `codes` are the codes a CODE or CODES column
    may hold, with the label the site shows for each."""

    name: str
    label: str | Promise
    value: Callable[[Any], Any]
    personal: bool = False
    heading: str | Promise = ""
    kind: str = TEXT
    codes: tuple[tuple[str, str | Promise], ...] = ()


def choices(text_choices) -> tuple[tuple[str, str | Promise], ...]:
    """A model's TextChoices as a column's codes, in their declared order."""
    return tuple(text_choices.choices)


class Export:
    """What one export's columns read besides the row: whether it has personal data, the
    pseudonyms, the names of harm categories and solution areas (read once, when rows are
    read), and the loaders that fetch, for each chunk of rows, what its columns look up."""

    def __init__(self, *, personal: bool, filters: ReportFilters | None = None) -> None:
        self.personal = personal
        # The filters the rows are read with, for columns that depend on them (a session's
        # own questions); None for the data dictionary, which lists the fixed columns.
        self.filters = filters
        self.pseudonym = Pseudonymiser().of
        self.harm_category_names: dict[int, str] = {}
        self.solution_area_names: dict[int, str] = {}
        self.chunk_loaders: list[Callable[[list[int]], None]] = []

    def each_chunk(self, loader: Callable[[list[int]], None]) -> None:
        """Run `loader(ids)` for each chunk of rows before they are written (ids ascending)."""
        self.chunk_loaders.append(loader)

    def load_names(self) -> None:
        self.harm_category_names.update(HarmCategory.objects.values_list("pk", "name"))
        self.solution_area_names.update(SolutionArea.objects.values_list("pk", "name"))


def _batches(queryset: QuerySet, chunk_size: int) -> Iterator[list]:
    iterator = queryset.iterator(chunk_size=chunk_size)
    while batch := list(islice(iterator, chunk_size)):
        yield batch


def _ids_lookup(key: str, ids: list[int]) -> dict:
    """Select related rows for a chunk of ids (ascending). A dense chunk, as in an unfiltered
    export, becomes a range (cheap to build and to run); a sparse one an IN list. Rows for
    ids outside the chunk that a range lets in are simply never looked up."""
    if ids[-1] - ids[0] < 2 * len(ids):
        return {f"{key}__gte": ids[0], f"{key}__lte": ids[-1]}
    return {f"{key}__in": ids}


def _kinds(value: str | None) -> list[str]:
    """The kinds of personal data found: a JSON list on feedback and ideas alike, read as
    text so the common empty list costs no parsing."""
    if not value or value == "[]":
        return []
    return json.loads(value)


def _has_kinds(value: str | None) -> bool:
    return bool(value) and value != "[]" and bool(_kinds(value))


def _counts(model, key: str, ids: list[int], **conditions) -> dict[int, int]:
    return dict(
        model.objects.filter(**_ids_lookup(key, ids), **conditions)
        .values(key)
        .annotate(count=Count("id"))
        .values_list(key, "count")
    )


# The text of an idea (or a comment) hidden after an urgent report, in every export.
WITHHELD_AFTER_REPORT = _("[withheld after a report]")
PERSONAL_DATA_KINDS = tuple(KIND_LABELS.items())


def _withheld_after_report(model, key: str, ids: list[int]) -> set[int]:
    """Of a chunk of ids, those with a report for an urgent reason (personal details or
    images, a minor) that was not dismissed: the content was hidden at once, and stays out
    of the files while the report is open and after it is upheld."""
    return set(
        model.objects.filter(**_ids_lookup(key, ids), reason__in=URGENT_REASONS)
        .exclude(status=ReportStatus.DISMISSED)
        .values_list(key, flat=True)
        .distinct()
    )


def _category_lists(through, key: str, ids: list[int], names: dict[int, str]) -> dict[int, str]:
    """For each row id, its harm categories' names, joined by '; ' (in category id order)."""
    found: dict[int, list[str]] = {}
    for row_id, category_id in (
        through.objects.filter(**_ids_lookup(key, ids))
        .order_by("harmcategory_id")
        .values_list(key, "harmcategory_id")
    ):
        found.setdefault(row_id, []).append(names[category_id])
    return {row_id: "; ".join(found_names) for row_id, found_names in found.items()}


class Dataset:
    slug: str
    # Counts rather than rows: no personal-data export, and the counts already suppressed.
    aggregate: bool = False
    title: str | Promise
    description: str | Promise
    # How the dashboard's filters select rows of this dataset.
    filter_notes: dict[str, str | Promise]
    # What a row reads (values_list), by name; personal_fields only in a personal export.
    fields: tuple[str, ...]
    personal_fields: tuple[str, ...] = ()
    # Whose personal data a row holds (a user id): a personal-data export records them in the
    # audit log (audit.AccessRecord), so each person can see who has seen their data.
    person_field: str | None = None
    ordering: tuple[str, ...] = ("id",)

    def declare(self, export: Export) -> list[Column]:
        """The dataset's columns, in file order: the one list every reader uses."""
        raise NotImplementedError

    @property
    def base_columns(self) -> list[Column]:
        """Every column, personal ones included."""
        return self.declare(Export(personal=True))

    def columns(
        self, *, personal: bool = False, filters: ReportFilters | None = None
    ) -> list[Column]:
        """The columns of a file read with `filters` (the same as `rows` writes)."""
        declared = (
            self.base_columns
            if filters is None
            else self.declare(Export(personal=True, filters=filters))
        )
        return [column for column in declared if personal or not column.personal]

    def queryset(self, filters: ReportFilters) -> QuerySet:
        raise NotImplementedError

    def count(self, filters: ReportFilters) -> int:
        return self.queryset(filters).count()

    def read(self, filters: ReportFilters) -> QuerySet:
        """The queryset rows are read from (annotations a column needs go here)."""
        return self.queryset(filters)

    def person_ids(self, filters: ReportFilters) -> Iterator[int]:
        """The people whose rows these filters select (none for a dataset about no one)."""
        if self.person_field is None:
            return iter(())
        return (
            self.queryset(filters)
            .order_by()
            .values_list(self.person_field, flat=True)
            .distinct()
            .iterator(chunk_size=settings.EXPORT_CHUNK_SIZE)
        )

    def rows(
        self, filters: ReportFilters, *, personal: bool = False, chunk_size: int | None = None
    ) -> Iterator[list]:
        export = Export(personal=personal, filters=filters)
        getters = [
            column.value for column in self.declare(export) if personal or not column.personal
        ]
        fields = self.fields + (self.personal_fields if personal else ())
        queryset = self.read(filters).order_by(*self.ordering).values_list(*fields, named=True)
        export.load_names()
        loaders = export.chunk_loaders
        for batch in _batches(queryset, chunk_size or settings.EXPORT_CHUNK_SIZE):
            if loaders:
                ids = [row.id for row in batch]
                for load in loaders:
                    load(ids)
            for row in batch:
                yield [get(row) for get in getters]


def _written_language_column() -> Column:
    """The language the text was written in (issue 14): a code of settings.LANGUAGES."""
    return Column(
        "language",
        _("Language the text was written in."),
        field("language"),
        heading=_("Language written in"),
        kind=CODE,
        codes=tuple(settings.LANGUAGES),
    )


class RegistrationsDataset(Dataset):
    slug = "registrations"
    title = _("Registrations")
    description = _("One row per registration, grouped by session, with attendance.")
    filter_notes = {
        "date": _("sessions that start in the date range"),
        "session": _("registrations for that session"),
        "harm_category": _("sessions that discuss the harm category"),
        "solution_area": _("does not apply"),
    }
    fields = (
        "id",
        "session_id",
        "session__title",
        "session__starts_at",
        "participant_id",
        "participant__background",
        "status",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "waitlist_position",
        "attended",
    )
    personal_fields = ("participant__display_name", "participant__email", "access_needs")
    person_field = "participant_id"
    ordering = ("session__starts_at", "session_id", "id")

    def declare(self, export: Export) -> list[Column]:
        pseudonym = export.pseudonym
        return [
            Column(
                "registration_id",
                _("Number of the registration."),
                field("id"),
                heading=_("Registration number"),
                kind=NUMBER,
            ),
            Column(
                "session_id",
                _("Number of the session."),
                field("session_id"),
                heading=_("Session number"),
                kind=NUMBER,
            ),
            Column(
                "session_title",
                _("Title of the session."),
                field("session__title"),
                heading=_("Session"),
            ),
            Column(
                "session_starts_at",
                _("When the session starts."),
                field("session__starts_at"),
                heading=_("Session starts"),
                kind=MOMENT,
            ),
            Column(
                "participant",
                _("Pseudonym of the participant (stable across exports)."),
                lambda row: pseudonym(row.participant_id),
                heading=_("Participant (pseudonym)"),
            ),
            Column(
                "participant_background",
                _("Background the participant stated."),
                field("participant__background"),
                heading=_("Participant's background"),
                kind=CODE,
                codes=choices(Background),
            ),
            Column(
                "status",
                _("Whether the place is confirmed, on the waiting list or cancelled."),
                field("status"),
                heading=_("Registration status"),
                kind=CODE,
                codes=choices(RegistrationStatus),
            ),
            Column(
                "registered_at",
                _("When they registered."),
                field("created_at"),
                heading=_("Registered on"),
                kind=MOMENT,
            ),
            Column(
                "confirmed_at",
                _("When their seat was confirmed."),
                field("confirmed_at"),
                heading=_("Seat confirmed on"),
                kind=MOMENT,
            ),
            Column(
                "cancelled_at",
                _("When the registration was cancelled."),
                field("cancelled_at"),
                heading=_("Cancelled on"),
                kind=MOMENT,
            ),
            Column(
                "waitlist_position",
                _("Place on the waiting list, while waitlisted."),
                field("waitlist_position"),
                heading=_("Place on the waiting list"),
                kind=NUMBER,
            ),
            Column(
                "attended",
                _("Whether an organiser marked them present."),
                lambda row: yes_no(row.attended),
                heading=_("Attended"),
                kind=CODE,
                codes=YES_NO_CODES,
            ),
            Column(
                "participant_name",
                _("Display name."),
                field("participant__display_name"),
                personal=True,
                heading=_("Name"),
            ),
            Column(
                "participant_email",
                _("Email address."),
                field("participant__email"),
                personal=True,
                heading=_("Email address"),
            ),
            Column(
                "access_needs",
                _("Access needs they told us about."),
                field("access_needs"),
                personal=True,
                heading=_("Access needs"),
            ),
        ]

    def queryset(self, filters: ReportFilters) -> QuerySet:
        return registrations_matching(filters)


class FeedbackDataset(Dataset):
    slug = "feedback"
    title = _("Feedback")
    description = _(
        "One row per piece of feedback, about a session or general, with one suggestion "
        "column per solution area."
    )
    filter_notes = {
        "date": _("feedback given in the date range"),
        "session": _("feedback about that session"),
        "harm_category": _("feedback that concerns the harm category"),
        "solution_area": _("feedback with a suggestion for the solution area"),
    }
    fields = (
        "id",
        "created_at",
        "session_id",
        "session__title",
        "participant_id",
        "share_anonymously",
        "participant__background",
        "rating",
        "experience",
        "language",
        "kinds_text",
        "quote_status",
        "quote_excerpt",
    )
    personal_fields = ("participant__display_name", "participant__email")
    person_field = "participant_id"

    def declare(self, export: Export) -> list[Column]:
        pseudonym = export.pseudonym
        # In a default export, text the privacy check flagged is left out.
        hide_flagged = not export.personal
        areas = list(SolutionArea.objects.order_by("order", "name"))
        area_position = {area.pk: position for position, area in enumerate(areas)}
        no_suggestions = (None,) * len(areas)
        categories: dict[int, str] = {}
        suggestions: dict[int, list] = {}

        def load(ids: list[int]) -> None:
            categories.clear()
            categories.update(
                _category_lists(
                    Feedback.harm_categories.through,
                    "feedback_id",
                    ids,
                    export.harm_category_names,
                )
            )
            suggestions.clear()
            for feedback_id, area_id, text in FeedbackSuggestion.objects.filter(
                **_ids_lookup("feedback_id", ids)
            ).values_list("feedback_id", "solution_area_id", "text"):
                suggestions.setdefault(feedback_id, [None] * len(areas))[area_position[area_id]] = (
                    text
                )

        export.each_chunk(load)

        def withheld(row) -> bool:
            return hide_flagged and _has_kinds(row.kinds_text)

        def suggestion(position: int) -> Callable[[Any], Any]:
            return lambda row: (
                None if withheld(row) else suggestions.get(row.id, no_suggestions)[position]
            )

        return [
            Column(
                "feedback_id",
                _("Number of the feedback."),
                field("id"),
                heading=_("Feedback number"),
                kind=NUMBER,
            ),
            Column(
                "given_at",
                _("When it was given."),
                field("created_at"),
                heading=_("Given on"),
                kind=MOMENT,
            ),
            Column(
                "session_id",
                _("Number of the session; empty for general feedback."),
                field("session_id"),
                heading=_("Session number"),
                kind=NUMBER,
            ),
            Column(
                "session_title",
                _("Title of the session."),
                field("session__title"),
                heading=_("Session"),
            ),
            Column(
                "participant",
                _("Pseudonym of the participant; empty when they chose to share anonymously."),
                lambda row: None if row.share_anonymously else pseudonym(row.participant_id),
                heading=_("Participant (pseudonym)"),
            ),
            Column(
                "anonymous",
                _("Whether they chose to share anonymously."),
                lambda row: yes_no(row.share_anonymously),
                heading=_("Shared anonymously"),
                kind=CODE,
                codes=YES_NO_CODES,
            ),
            Column(
                "participant_background",
                _("Background the participant stated; empty when anonymous."),
                lambda row: None if row.share_anonymously else row.participant__background,
                heading=_("Participant's background"),
                kind=CODE,
                codes=choices(Background),
            ),
            Column(
                "harm_categories",
                _("Harm categories it concerns, separated by '; '."),
                lambda row: categories.get(row.id, ""),
                heading=_("Harm categories"),
            ),
            Column(
                "rating",
                _("Rating of the session, 1 to 5."),
                field("rating"),
                heading=_("Rating (1 to 5)"),
                kind=NUMBER,
            ),
            Column(
                "experience",
                _("What they have seen or experienced (see text_withheld)."),
                lambda row: None if withheld(row) else row.experience,
                heading=_("What they have seen or experienced"),
            ),
            *(
                Column(
                    f"suggestion_{area.slug.replace('-', '_')}",
                    _("Suggestion for %(area)s.") % {"area": area.name},
                    suggestion(position),
                    heading=_("Suggestion: %(area)s") % {"area": area.name},
                )
                for position, area in enumerate(areas)
            ),
            _written_language_column(),
            Column(
                "personal_data_in_text",
                _("Kinds of personal data the privacy check found in the text, if any."),
                lambda row: CODES_SEPARATOR.join(_kinds(row.kinds_text)),
                heading=_("Personal data found in the text"),
                kind=CODES,
                codes=PERSONAL_DATA_KINDS,
            ),
            Column(
                "text_withheld",
                _("Whether the text holds personal data and was left out of this export."),
                lambda row: yes_no(withheld(row)),
                heading=_("Text left out"),
                kind=CODE,
                codes=YES_NO_CODES,
            ),
            Column(
                "quote_status",
                _("Whether the text was offered for quoting, and what became of it."),
                field("quote_status"),
                heading=_("Quote"),
                kind=CODE,
                codes=choices(QuoteStatus),
            ),
            Column(
                "quote_excerpt",
                _("The excerpt an organiser approved for quoting."),
                field("quote_excerpt"),
                heading=_("Approved excerpt"),
            ),
            *_question_columns(export, hide_flagged=hide_flagged),
            Column(
                "participant_name",
                _("Display name; empty when anonymous."),
                lambda row: None if row.share_anonymously else row.participant__display_name,
                personal=True,
                heading=_("Name"),
            ),
            Column(
                "participant_email",
                _("Email address; empty when anonymous."),
                lambda row: None if row.share_anonymously else row.participant__email,
                personal=True,
                heading=_("Email address"),
            ),
        ]

    def queryset(self, filters: ReportFilters) -> QuerySet:
        return feedback_matching(filters)

    def read(self, filters: ReportFilters) -> QuerySet:
        return self.queryset(filters).annotate(kinds_text=Cast("personal_data_kinds", TextField()))


# A text answer the privacy check flagged, in a default export (as flagged feedback text).
WITHHELD_PERSONAL_DATA = _("[left out: holds personal data]")


def _questions_in_scope(filters: ReportFilters) -> list[SessionQuestion]:
    """The own questions of every session whose feedback these filters select (one session's
    when the export is filtered to it), by session start, then position."""
    sessions = feedback_matching(filters).filter(session__isnull=False).values("session_id")
    return list(
        SessionQuestion.objects.filter(session_id__in=sessions)
        .select_related("session")
        .order_by("session__starts_at", "session_id", "position")
    )


def _question_columns(export: Export, *, hide_flagged: bool) -> list[Column]:
    """One column per session question in scope (issue 17, item 4), named
    `question_<id>` (stable across exports) and headed by the question, after its session's
    title when the export spans several sessions. A scale is a number; one choice a code and
    several choices codes (the option's number; XLSX and the data dictionary give its
    words); a text answer its text, left out of a default export when the privacy check
    flagged it. Answers are read once per chunk of rows."""
    if export.filters is None:
        return []
    questions = _questions_in_scope(export.filters)
    if not questions:
        return []
    several_sessions = len({question.session_id for question in questions}) > 1
    question_ids = [question.pk for question in questions]
    values: dict[tuple[int, int], Any] = {}

    def load(ids: list[int]) -> None:
        values.clear()
        for feedback_id, question_id, scale, text, kinds in QuestionAnswer.objects.filter(
            **_ids_lookup("feedback_id", ids), question_id__in=question_ids
        ).values_list("feedback_id", "question_id", "scale", "text", "personal_data_kinds"):
            if scale is not None:
                values[(feedback_id, question_id)] = scale
            elif text:
                flagged = hide_flagged and bool(kinds)
                values[(feedback_id, question_id)] = (
                    str(WITHHELD_PERSONAL_DATA) if flagged else text
                )
        chosen: dict[tuple[int, int], list[str]] = {}
        for feedback_id, question_id, option in (
            QuestionAnswerChoice.objects.filter(
                **_ids_lookup("answer__feedback_id", ids), answer__question_id__in=question_ids
            )
            .order_by("answer_id", "option")
            .values_list("answer__feedback_id", "answer__question_id", "option")
        ):
            chosen.setdefault((feedback_id, question_id), []).append(str(option))
        for key, options in chosen.items():
            values[key] = CODES_SEPARATOR.join(options)

    export.each_chunk(load)

    def value(question_id: int) -> Callable[[Any], Any]:
        return lambda row: values.get((row.id, question_id))

    columns = []
    for question in questions:
        words = {
            "question": question.text,
            "session": question.session.title,
            "n": question.position,
        }
        heading = (
            _("%(session)s – Q%(n)s: %(question)s")
            if several_sessions
            else _("Q%(n)s: %(question)s")
        ) % words
        kind, codes = TEXT, ()
        if question.kind == QuestionKind.SCALE:
            kind = NUMBER
            label = _("Answer to “%(question)s” (%(session)s), 1 to 5.") % words
        elif question.kind == QuestionKind.SHORT_TEXT:
            label = (
                _(
                    "Answer to “%(question)s” (%(session)s), in their words; left out when it "
                    "holds personal data."
                )
                % words
            )
        else:
            kind = CODE if question.kind == QuestionKind.ONE_CHOICE else CODES
            codes = tuple((str(number), option) for number, option in question.options())
            label = _("Answer to “%(question)s” (%(session)s): the option's number.") % words
        columns.append(
            Column(
                f"question_{question.pk}",
                label,
                value(question.pk),
                heading=heading,
                kind=kind,
                codes=codes,
            )
        )
    return columns


class IdeasDataset(Dataset):
    slug = "ideas"
    title = _("Ideas")
    description = _(
        "One row per submitted idea (drafts are left out), with its support and comment "
        "counts and the outcome of its moderation."
    )
    filter_notes = {
        "date": _("ideas submitted in the date range"),
        "session": _("ideas linked to that session"),
        "harm_category": _("ideas that address the harm category"),
        "solution_area": _("ideas in the solution area"),
    }
    fields = (
        "id",
        "submitted_at",
        "title",
        "body",
        "language",
        "harm_category_id",
        "solution_area_id",
        "session_id",
        "author_id",
        "is_anonymous",
        "author__background",
        "support_count",
        "status",
        "decided_at",
        "moderator_note",
        "has_content_warning",
        "merged_into_id",
        "kinds_text",
    )
    personal_fields = ("author__display_name", "author__email")
    person_field = "author_id"

    def declare(self, export: Export) -> list[Column]:
        pseudonym = export.pseudonym
        hide_flagged = not export.personal
        category_names = export.harm_category_names
        area_names = export.solution_area_names
        comment_counts: dict[int, int] = {}
        reported: set[int] = set()

        def load(ids: list[int]) -> None:
            comment_counts.clear()
            comment_counts.update(_counts(Comment, "idea_id", ids, status=CommentStatus.PUBLISHED))
            reported.clear()
            reported.update(_withheld_after_report(Report, "idea_id", ids))

        export.each_chunk(load)

        def withheld(row) -> bool:
            return row.id in reported or (hide_flagged and _has_kinds(row.kinds_text))

        def text(row, value):
            # Hidden after an urgent report: withheld from every export, personal ones too.
            if row.id in reported:
                return str(WITHHELD_AFTER_REPORT)
            return None if hide_flagged and _has_kinds(row.kinds_text) else value

        return [
            Column(
                "idea_id",
                _("Number of the idea."),
                field("id"),
                heading=_("Idea number"),
                kind=NUMBER,
            ),
            Column(
                "submitted_at",
                _("When it was first submitted."),
                field("submitted_at"),
                heading=_("Submitted on"),
                kind=MOMENT,
            ),
            Column(
                "title",
                _("Title (see text_withheld)."),
                lambda row: text(row, row.title),
                heading=_("Title"),
            ),
            Column(
                "body",
                _("The idea (see text_withheld)."),
                lambda row: text(row, row.body),
                heading=_("Idea"),
            ),
            _written_language_column(),
            Column(
                "harm_category",
                _("Harm it addresses."),
                lambda row: category_names.get(row.harm_category_id),
                heading=_("Harm it addresses"),
            ),
            Column(
                "solution_area",
                _("Solution area."),
                lambda row: area_names.get(row.solution_area_id),
                heading=_("Solution area"),
            ),
            Column(
                "session_id",
                _("Number of the related session, if any."),
                field("session_id"),
                heading=_("Session number"),
                kind=NUMBER,
            ),
            Column(
                "author",
                _("Pseudonym of the author; empty when they chose to be anonymous."),
                lambda row: None if row.is_anonymous else pseudonym(row.author_id),
                heading=_("Author (pseudonym)"),
            ),
            Column(
                "anonymous",
                _("Whether the author chose to be anonymous."),
                lambda row: yes_no(row.is_anonymous),
                heading=_("Anonymous"),
                kind=CODE,
                codes=YES_NO_CODES,
            ),
            Column(
                "author_background",
                _("Background the author stated; empty when anonymous."),
                lambda row: None if row.is_anonymous else row.author__background,
                heading=_("Author's background"),
                kind=CODE,
                codes=choices(Background),
            ),
            Column(
                "support_count",
                _("How many participants support it."),
                field("support_count"),
                heading=_("Supporters"),
                kind=NUMBER,
            ),
            Column(
                "comment_count",
                _("Published comments on it."),
                lambda row: comment_counts.get(row.id, 0),
                heading=_("Comments"),
                kind=NUMBER,
            ),
            Column(
                "moderation_outcome",
                _("Its status now, after moderation (drafts are never exported)."),
                field("status"),
                heading=_("Status"),
                kind=CODE,
                codes=tuple(
                    (code, label) for code, label in IdeaStatus.choices if code != IdeaStatus.DRAFT
                ),
            ),
            Column(
                "decided_at",
                _("When a moderator last decided on it."),
                field("decided_at"),
                heading=_("Decided on"),
                kind=MOMENT,
            ),
            Column(
                "moderation_reason",
                _("The moderator's reason, as shown to the author."),
                field("moderator_note"),
                heading=_("Moderator's reason"),
            ),
            Column(
                "content_warning",
                _("Whether it is shown behind a content warning."),
                lambda row: yes_no(row.has_content_warning),
                heading=_("Content warning"),
                kind=CODE,
                codes=YES_NO_CODES,
            ),
            Column(
                "initiative_id",
                _("Number of the initiative it was merged into."),
                field("merged_into_id"),
                heading=_("Initiative number"),
                kind=NUMBER,
            ),
            Column(
                "personal_data_in_text",
                _("Kinds of personal data the privacy check found in the text, if any."),
                lambda row: CODES_SEPARATOR.join(_kinds(row.kinds_text)),
                heading=_("Personal data found in the text"),
                kind=CODES,
                codes=PERSONAL_DATA_KINDS,
            ),
            Column(
                "text_withheld",
                _(
                    "Whether title and body were left out of this export: they hold personal "
                    "data, or the idea was hidden after an urgent report (personal details or "
                    "images, or a minor), when they read “[withheld after a report]” in every "
                    "export."
                ),
                lambda row: yes_no(withheld(row)),
                heading=_("Text left out"),
                kind=CODE,
                codes=YES_NO_CODES,
            ),
            Column(
                "author_name",
                _("Display name; empty when anonymous."),
                lambda row: None if row.is_anonymous else row.author__display_name,
                personal=True,
                heading=_("Author's name"),
            ),
            Column(
                "author_email",
                _("Email address; empty when anonymous."),
                lambda row: None if row.is_anonymous else row.author__email,
                personal=True,
                heading=_("Author's email address"),
            ),
        ]

    def queryset(self, filters: ReportFilters) -> QuerySet:
        return ideas_matching(filters)

    def read(self, filters: ReportFilters) -> QuerySet:
        return self.queryset(filters).annotate(kinds_text=Cast("personal_data_kinds", TextField()))


class InitiativesDataset(Dataset):
    slug = "initiatives"
    title = _("Initiatives")
    description = _("One row per initiative, with its co-creator, idea and update counts.")
    filter_notes = {
        "date": _("initiatives created in the date range"),
        "session": _("initiatives grown from an idea linked to that session"),
        "harm_category": _("initiatives that address the harm category"),
        "solution_area": _("initiatives in the solution area"),
    }
    fields = ("id", "created_at", "title", "summary", "status", "solution_area_id")

    def declare(self, export: Export) -> list[Column]:
        area_names = export.solution_area_names
        categories: dict[int, str] = {}
        ideas: dict[int, int] = {}
        cocreators: dict[int, int] = {}
        updates: dict[int, int] = {}

        def load(ids: list[int]) -> None:
            through = Initiative.harm_categories.through
            for found, fresh in (
                (
                    categories,
                    _category_lists(through, "initiative_id", ids, export.harm_category_names),
                ),
                (ideas, _counts(Idea, "merged_into_id", ids)),
                (cocreators, _counts(CoCreator, "initiative_id", ids)),
                (updates, _counts(InitiativeUpdate, "initiative_id", ids)),
            ):
                found.clear()
                found.update(fresh)

        export.each_chunk(load)
        return [
            Column(
                "initiative_id",
                _("Number of the initiative."),
                field("id"),
                heading=_("Initiative number"),
                kind=NUMBER,
            ),
            Column(
                "created_at",
                _("When it was created."),
                field("created_at"),
                heading=_("Created on"),
                kind=MOMENT,
            ),
            Column("title", _("Title."), field("title"), heading=_("Title")),
            Column("summary", _("Summary."), field("summary"), heading=_("Summary")),
            Column(
                "status",
                _("Where the initiative stands."),
                field("status"),
                heading=_("Status"),
                kind=CODE,
                codes=choices(InitiativeStatus),
            ),
            Column(
                "solution_area",
                _("Solution area."),
                lambda row: area_names.get(row.solution_area_id),
                heading=_("Solution area"),
            ),
            Column(
                "harm_categories",
                _("Harms it addresses, separated by '; '."),
                lambda row: categories.get(row.id, ""),
                heading=_("Harms it addresses"),
            ),
            Column(
                "idea_count",
                _("Ideas merged into it."),
                lambda row: ideas.get(row.id, 0),
                heading=_("Ideas merged into it"),
                kind=NUMBER,
            ),
            Column(
                "cocreator_count",
                _("People who joined as co-creators."),
                lambda row: cocreators.get(row.id, 0),
                heading=_("Co-creators"),
                kind=NUMBER,
            ),
            Column(
                "update_count",
                _("Progress updates posted."),
                lambda row: updates.get(row.id, 0),
                heading=_("Updates"),
                kind=NUMBER,
            ),
        ]

    def queryset(self, filters: ReportFilters) -> QuerySet:
        return initiatives_matching(filters)


class RegistrationsByBackgroundDataset(Dataset):
    """reports.figures.registrations_by_background_and_attendance as a file: one row per
    background, then the totals row."""

    slug = "registrations-by-background"
    aggregate = True
    title = _("Registrations by background and attendance (counts)")
    description = _(
        "Counts, not rows: for each background participants stated, the registrations that "
        "were not cancelled, by attended, confirmed but not marked attended, and on the "
        "waiting list, with totals. A count of 1 to 4 people, and any count a total would "
        "give away, reads “hidden” (the dashboard's glossary says why)."
    )
    filter_notes = RegistrationsDataset.filter_notes
    fields = ()
    ALL = "all"

    def declare(self, export: Export) -> list[Column]:
        parts = {
            "attended": (
                _("Registrations an organiser marked attended."),
                _("Attended"),
            ),
            "confirmed_not_attended": (
                _("Confirmed registrations not marked attended (sessions to come included)."),
                _("Confirmed, not marked attended"),
            ),
            "waitlisted": (_("Registrations on the waiting list."), _("On the waiting list")),
        }
        return [
            Column(
                "background",
                _("Background code; “all” for the totals row."),
                itemgetter(0),
                heading=_("Background"),
                kind=CODE,
                codes=(*choices(Background), (self.ALL, _("All backgrounds"))),
            ),
            *(
                Column(part, parts[part][0], itemgetter(position), heading=parts[part][1])
                for position, part in enumerate(figures.ATTENDANCE_PARTS, start=1)
            ),
            Column(
                "total",
                _("All three together."),
                itemgetter(len(figures.ATTENDANCE_PARTS) + 1),
                heading=_("Total"),
            ),
        ]

    def count(self, filters: ReportFilters) -> int:
        return len(Background.choices) + 1

    def rows(
        self, filters: ReportFilters, *, personal: bool = False, chunk_size: int | None = None
    ) -> Iterator[list]:
        table = figures.registrations_by_background_and_attendance(filters)
        marker = str(figures.HIDDEN)

        def cell(value: int | None):
            return marker if value is None else value

        getters = [column.value for column in self.declare(Export(personal=False))]
        lines = [
            (code, *map(cell, counts), cell(total)) for code, _label, counts, total in table["rows"]
        ]
        lines.append((self.ALL, *map(cell, table["column_totals"]), cell(table["total"])))
        for line in lines:
            yield [get(line) for get in getters]


DATASETS: dict[str, Dataset] = {
    dataset.slug: dataset
    for dataset in (
        FeedbackDataset(),
        IdeasDataset(),
        RegistrationsDataset(),
        InitiativesDataset(),
        RegistrationsByBackgroundDataset(),
    )
}
FORMATS = ("csv", "xlsx")


# --- Files ----------------------------------------------------------------------------------

# Excel's sheet holds 1,048,576 rows: one header and this many rows of data.
XLSX_MAX_DATA_ROWS = 1_048_575


def export_filename(dataset: Dataset, file_format: str, *, personal: bool, on=None) -> str:
    """e.g. afa-feedback-2026-11-20.csv; a personal-data file says so in its name."""
    day = timezone.localdate(on) if on else timezone.localdate()
    suffix = "-with-personal-data" if personal else ""
    return f"afa-{dataset.slug}-{day.isoformat()}{suffix}.{file_format}"


class ProgressCounter:
    """Counts rows as they go by, telling `report` every `every` rows."""

    def __init__(
        self, rows: Iterable, *, report: Callable[[int], None] | None = None, every: int = 5000
    ) -> None:
        self.rows, self.report, self.every, self.count = rows, report, every, 0

    def __iter__(self) -> Iterator:
        for row in self.rows:
            self.count += 1
            if self.report is not None and self.count % self.every == 0:
                self.report(self.count)
            yield row


def _moment_positions(columns: list[Column]) -> list[int]:
    return [position for position, column in enumerate(columns) if column.kind == MOMENT]


def csv_chunks(
    columns: list[Column], rows: Iterable[list], *, rows_per_chunk: int = 1000
) -> Iterator[bytes]:
    """UTF-8 CSV with a byte order mark (so Excel reads Chinese, Malay and Tamil right), in
    pieces of `rows_per_chunk` rows, each cell made safe to open in a spreadsheet. The header
    is the columns' codes, coded values stay codes (the data dictionary words them) and
    moments are ISO 8601 in Singapore time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(UTF8_BOM)
    writer.writerow([column.name for column in columns])
    yield buffer.getvalue().encode()
    moments = _moment_positions(columns)

    def as_csv(row: list) -> list:
        for position in moments:
            row[position] = iso(row[position])
        return safe_row(row)

    iterator = iter(rows)
    while batch := list(islice(iterator, rows_per_chunk)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(map(as_csv, batch))
        yield buffer.getvalue().encode()


# --- The data dictionary ----------------------------------------------------------------------

DICTIONARY_HEADER = (
    _("Column"),
    _("Label"),
    _("Meaning"),
    _("Type"),
    _("Allowed codes"),
)


def _codes_text(column: Column) -> str:
    return CODES_SEPARATOR.join(f"{code} = {label}" for code, label in column.codes)


def dictionary_rows(columns: list[Column]) -> list[list[str]]:
    """One row per column: its code (the CSV header), its label (the XLSX header), what it
    holds, its type and, for coded columns, each allowed code with the label shown for it."""
    return [
        [
            column.name,
            str(column.heading),
            str(column.label),
            str(KIND_NAMES[column.kind]),
            _codes_text(column),
        ]
        for column in columns
    ]


def dictionary_csv(columns: list[Column]) -> bytes:
    """The data dictionary of an export as its own CSV file (UTF-8 with a byte order mark)."""
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    writer.writerow([str(heading) for heading in DICTIONARY_HEADER])
    writer.writerows(map(safe_row, dictionary_rows(columns)))
    return buffer.getvalue().encode()


def dictionary_filename(dataset: Dataset, *, on=None) -> str:
    day = timezone.localdate(on) if on else timezone.localdate()
    return f"afa-{dataset.slug}-data-dictionary-{day.isoformat()}.csv"


# --- XLSX ---------------------------------------------------------------------------------

XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_DATE_WIDTH = 16  # "2026-11-20 14:05"
XLSX_MIN_WIDTH = 6
XLSX_MAX_WIDTH = 60
XLSX_HEADING_MAX_WIDTH = 40
XLSX_DICTIONARY_SHEET = "columns and codes"


class XlsxCells:
    """Turns a row of an export into the cells of an XLSX sheet (a moment into a date in
    Singapore time, a code into the label the site shows), and keeps how wide each column's
    content runs, so the columns fit it (within bounds). Holds one number per column, never
    rows: memory stays flat however many rows go by."""

    def __init__(self, columns: list[Column]) -> None:
        self.zone = timezone.get_default_timezone()
        self.moments = _moment_positions(columns)
        self.codes = [
            (position, {code: str(label) for code, label in column.codes})
            for position, column in enumerate(columns)
            if column.kind == CODE
        ]
        self.code_lists = [
            (position, {code: str(label) for code, label in column.codes})
            for position, column in enumerate(columns)
            if column.kind == CODES
        ]
        self.widths = [
            max(
                XLSX_DATE_WIDTH if column.kind == MOMENT else XLSX_MIN_WIDTH,
                min(len(str(column.heading)), XLSX_HEADING_MAX_WIDTH),
            )
            for column in columns
        ]
        # Columns whose width may still grow; one at the bound is measured no more.
        self.measured = [
            position
            for position, column in enumerate(columns)
            if column.kind != MOMENT and self.widths[position] < XLSX_MAX_WIDTH
        ]

    def convert(self, row: list) -> list:
        zone = self.zone
        for position in self.moments:
            moment = row[position]
            if moment is not None:
                row[position] = moment.astimezone(zone).replace(tzinfo=None)
        for position, labels in self.codes:
            code = row[position]
            if code is not None:
                row[position] = labels.get(code, code)
        for position, labels in self.code_lists:
            codes = row[position]
            if codes:
                row[position] = CODES_SEPARATOR.join(
                    labels.get(code, code) for code in codes.split(CODES_SEPARATOR)
                )
        self._measure(row)
        return safe_row(row)

    def _measure(self, row: list) -> None:
        widths = self.widths
        full = False
        for position in self.measured:
            cell = row[position]
            if cell is None:
                continue
            length = len(cell) if cell.__class__ is str else len(str(cell))
            if length > widths[position]:
                widths[position] = min(length, XLSX_MAX_WIDTH)
                full = full or length >= XLSX_MAX_WIDTH
        if full:
            self.measured = [p for p in self.measured if widths[p] < XLSX_MAX_WIDTH]

    def column_widths(self) -> list[float]:
        # A little room for the filter button beside each header.
        return [width + 2 for width in self.widths]


def write_xlsx(
    target,
    columns: list[Column],
    rows: Iterable[list],
    *,
    rows_per_sheet: int = XLSX_MAX_DATA_ROWS,
    sheet_title: str = "data",
) -> int:
    """Write an XLSX file row by row (XlsxWriter's constant-memory mode keeps one row in
    memory). Past `rows_per_sheet` rows the data goes on to a second sheet (data 2, ...),
    each with the header. Headers are the columns' labels, in a frozen first row with a
    filter; moments are date cells in Singapore time; codes show as the site's labels; the
    columns are as wide as their content (within bounds). A last sheet lists each column's
    code, label, meaning and codes (the data dictionary). Returns the data rows written."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            # Text is text: never turned into formulas, links or numbers.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            # Datetimes (naive, already in Singapore time) become date cells.
            "default_date_format": XLSX_DATE_FORMAT,
        },
    )
    bold = workbook.add_format({"bold": True})
    header = [str(column.heading) for column in columns]
    cells = XlsxCells(columns)
    sheets: list = []
    rows_on_sheets: list[int] = []

    def new_sheet():
        number = len(sheets) + 1
        sheet = workbook.add_worksheet(sheet_title if number == 1 else f"{sheet_title} {number}")
        sheet.write_row(0, 0, header, bold)
        sheet.freeze_panes(1, 0)
        sheets.append(sheet)
        rows_on_sheets.append(0)
        return sheet

    written = 0
    worksheet = None
    row_on_sheet = rows_per_sheet
    for row in rows:
        if row_on_sheet >= rows_per_sheet:
            worksheet = new_sheet()
            row_on_sheet = 0
        row_on_sheet += 1
        worksheet.write_row(row_on_sheet, 0, cells.convert(row))
        rows_on_sheets[-1] = row_on_sheet
        written += 1
    if worksheet is None:
        new_sheet()
    # Column widths and filters are kept apart from the rows in the file, so they can be set
    # now that every row has gone by.
    widths = cells.column_widths()
    for sheet, rows_on_it in zip(sheets, rows_on_sheets, strict=True):
        for position, width in enumerate(widths):
            sheet.set_column(position, position, width)
        if columns:
            sheet.autofilter(0, 0, rows_on_it, len(columns) - 1)
    _write_dictionary_sheet(workbook, columns, bold)
    workbook.close()
    return written


def _write_dictionary_sheet(workbook, columns: list[Column], bold) -> None:
    sheet = workbook.add_worksheet(XLSX_DICTIONARY_SHEET)
    sheet.write_row(0, 0, [str(heading) for heading in DICTIONARY_HEADER], bold)
    sheet.freeze_panes(1, 0)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for number, row in enumerate(dictionary_rows(columns), start=1):
        sheet.write_row(number, 0, safe_row(row), wrap)
    for position, width in enumerate((24, 30, 60, 24, 60)):
        sheet.set_column(position, position, width)


def stream_rows_in_transaction(rows: Iterable[list]) -> Iterator[list]:
    """On PostgreSQL, keep the read inside one transaction while it streams: the server-side
    cursor then sends rows as they are read, instead of materialising the whole result before
    the first one (what a cursor held across commits must do). On SQLite a transaction would
    hold the write lock for the whole download, so rows are read without one."""
    if connection.vendor != "postgresql":
        yield from rows
        return
    with transaction.atomic():
        yield from rows
