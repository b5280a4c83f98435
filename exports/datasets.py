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
- free text the privacy check flagged as holding personal data is left out of default exports.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit.cells import UTF8_BOM, iso, safe_row
from feedback.models import Feedback, FeedbackSuggestion
from harms.models import HarmCategory, SolutionArea
from initiatives.models import CoCreator, Comment, CommentStatus, Idea, Initiative, InitiativeUpdate
from reports.filters import (
    ReportFilters,
    feedback_matching,
    ideas_matching,
    initiatives_matching,
    registrations_matching,
)

from .pseudonyms import Pseudonymiser

YES, NO = "yes", "no"


def yes_no(flag: bool) -> str:
    return YES if flag else NO


def field(path: str) -> Callable[[Any], Any]:
    """The value of one field the dataset reads, as it is."""
    return attrgetter(path)


# --- Datasets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a dataset. `name` heads the column in the file; `label` says on the
    export page what it holds; `value` gets the cell from one row the dataset reads (a
    named tuple of its `fields`); a `personal` column is only in a personal-data export."""

    name: str
    label: str | Promise
    value: Callable[[Any], Any]
    personal: bool = False


class Export:
    """What one export's columns read besides the row: whether it has personal data, the
    pseudonyms, the names of harm categories and solution areas (read once, when rows are
    read), and the loaders that fetch, for each chunk of rows, what its columns look up."""

    def __init__(self, *, personal: bool) -> None:
        self.personal = personal
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

    def columns(self, *, personal: bool = False) -> list[Column]:
        return [column for column in self.base_columns if personal or not column.personal]

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
        export = Export(personal=personal)
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
            Column("registration_id", _("Number of the registration."), field("id")),
            Column("session_id", _("Number of the session."), field("session_id")),
            Column("session_title", _("Title of the session."), field("session__title")),
            Column(
                "session_starts_at",
                _("When the session starts."),
                lambda row: iso(row.session__starts_at),
            ),
            Column(
                "participant",
                _("Pseudonym of the participant (stable across exports)."),
                lambda row: pseudonym(row.participant_id),
            ),
            Column(
                "participant_background",
                _("Background the participant stated (a code)."),
                field("participant__background"),
            ),
            Column("status", _("confirmed, waitlisted or cancelled."), field("status")),
            Column("registered_at", _("When they registered."), lambda row: iso(row.created_at)),
            Column(
                "confirmed_at",
                _("When their seat was confirmed."),
                lambda row: iso(row.confirmed_at),
            ),
            Column(
                "cancelled_at",
                _("When the registration was cancelled."),
                lambda row: iso(row.cancelled_at),
            ),
            Column(
                "waitlist_position",
                _("Place on the waiting list, while waitlisted."),
                field("waitlist_position"),
            ),
            Column(
                "attended",
                _("yes when an organiser marked them present."),
                lambda row: yes_no(row.attended),
            ),
            Column(
                "participant_name",
                _("Display name."),
                field("participant__display_name"),
                personal=True,
            ),
            Column(
                "participant_email", _("Email address."), field("participant__email"), personal=True
            ),
            Column(
                "access_needs",
                _("Access needs they told us about."),
                field("access_needs"),
                personal=True,
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
            Column("feedback_id", _("Number of the feedback."), field("id")),
            Column("given_at", _("When it was given."), lambda row: iso(row.created_at)),
            Column(
                "session_id",
                _("Number of the session; empty for general feedback."),
                field("session_id"),
            ),
            Column("session_title", _("Title of the session."), field("session__title")),
            Column(
                "participant",
                _("Pseudonym of the participant; empty when they chose to share anonymously."),
                lambda row: None if row.share_anonymously else pseudonym(row.participant_id),
            ),
            Column(
                "anonymous",
                _("yes when they chose to share anonymously."),
                lambda row: yes_no(row.share_anonymously),
            ),
            Column(
                "participant_background",
                _("Background code; empty when anonymous."),
                lambda row: None if row.share_anonymously else row.participant__background,
            ),
            Column(
                "harm_categories",
                _("Harm categories it concerns, separated by '; '."),
                lambda row: categories.get(row.id, ""),
            ),
            Column("rating", _("Rating of the session, 1 to 5."), field("rating")),
            Column(
                "experience",
                _("What they have seen or experienced (see text_withheld)."),
                lambda row: None if withheld(row) else row.experience,
            ),
            *(
                Column(
                    f"suggestion_{area.slug.replace('-', '_')}",
                    _("Suggestion for %(area)s.") % {"area": area.name},
                    suggestion(position),
                )
                for position, area in enumerate(areas)
            ),
            Column(
                "personal_data_in_text",
                _("Kinds of personal data the privacy check found in the text, if any."),
                lambda row: "; ".join(_kinds(row.kinds_text)),
            ),
            Column(
                "text_withheld",
                _("yes when the text holds personal data and was left out of this export."),
                lambda row: yes_no(withheld(row)),
            ),
            Column(
                "quote_status",
                _("none, pending, approved, rejected or withdrawn."),
                field("quote_status"),
            ),
            Column(
                "quote_excerpt",
                _("The excerpt an organiser approved for quoting."),
                field("quote_excerpt"),
            ),
            Column(
                "participant_name",
                _("Display name; empty when anonymous."),
                lambda row: None if row.share_anonymously else row.participant__display_name,
                personal=True,
            ),
            Column(
                "participant_email",
                _("Email address; empty when anonymous."),
                lambda row: None if row.share_anonymously else row.participant__email,
                personal=True,
            ),
        ]

    def queryset(self, filters: ReportFilters) -> QuerySet:
        return feedback_matching(filters)

    def read(self, filters: ReportFilters) -> QuerySet:
        return self.queryset(filters).annotate(kinds_text=Cast("personal_data_kinds", TextField()))


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

        def load(ids: list[int]) -> None:
            comment_counts.clear()
            comment_counts.update(_counts(Comment, "idea_id", ids, status=CommentStatus.PUBLISHED))

        export.each_chunk(load)

        def withheld(row) -> bool:
            return hide_flagged and _has_kinds(row.kinds_text)

        return [
            Column("idea_id", _("Number of the idea."), field("id")),
            Column(
                "submitted_at",
                _("When it was first submitted."),
                lambda row: iso(row.submitted_at),
            ),
            Column(
                "title",
                _("Title (see text_withheld)."),
                lambda row: None if withheld(row) else row.title,
            ),
            Column(
                "body",
                _("The idea (see text_withheld)."),
                lambda row: None if withheld(row) else row.body,
            ),
            Column(
                "harm_category",
                _("Harm it addresses."),
                lambda row: category_names.get(row.harm_category_id),
            ),
            Column(
                "solution_area",
                _("Solution area."),
                lambda row: area_names.get(row.solution_area_id),
            ),
            Column("session_id", _("Number of the related session, if any."), field("session_id")),
            Column(
                "author",
                _("Pseudonym of the author; empty when they chose to be anonymous."),
                lambda row: None if row.is_anonymous else pseudonym(row.author_id),
            ),
            Column(
                "anonymous",
                _("yes when the author chose to be anonymous."),
                lambda row: yes_no(row.is_anonymous),
            ),
            Column(
                "author_background",
                _("Background code; empty when anonymous."),
                lambda row: None if row.is_anonymous else row.author__background,
            ),
            Column("support_count", _("How many participants support it."), field("support_count")),
            Column(
                "comment_count",
                _("Published comments on it."),
                lambda row: comment_counts.get(row.id, 0),
            ),
            Column(
                "moderation_outcome",
                _(
                    "Current status: submitted, changes_requested, approved, rejected, hidden, "
                    "merged or withdrawn."
                ),
                field("status"),
            ),
            Column(
                "decided_at",
                _("When a moderator last decided on it."),
                lambda row: iso(row.decided_at),
            ),
            Column(
                "moderation_reason",
                _("The moderator's reason, as shown to the author."),
                field("moderator_note"),
            ),
            Column(
                "content_warning",
                _("yes when it is shown behind a content warning."),
                lambda row: yes_no(row.has_content_warning),
            ),
            Column(
                "initiative_id",
                _("Number of the initiative it was merged into."),
                field("merged_into_id"),
            ),
            Column(
                "personal_data_in_text",
                _("Kinds of personal data the privacy check found in the text, if any."),
                lambda row: "; ".join(_kinds(row.kinds_text)),
            ),
            Column(
                "text_withheld",
                _("yes when title and body hold personal data and were left out of this export."),
                lambda row: yes_no(withheld(row)),
            ),
            Column(
                "author_name",
                _("Display name; empty when anonymous."),
                lambda row: None if row.is_anonymous else row.author__display_name,
                personal=True,
            ),
            Column(
                "author_email",
                _("Email address; empty when anonymous."),
                lambda row: None if row.is_anonymous else row.author__email,
                personal=True,
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
            Column("initiative_id", _("Number of the initiative."), field("id")),
            Column("created_at", _("When it was created."), lambda row: iso(row.created_at)),
            Column("title", _("Title."), field("title")),
            Column("summary", _("Summary."), field("summary")),
            Column("status", _("forming, in_progress or launched."), field("status")),
            Column(
                "solution_area",
                _("Solution area."),
                lambda row: area_names.get(row.solution_area_id),
            ),
            Column(
                "harm_categories",
                _("Harms it addresses, separated by '; '."),
                lambda row: categories.get(row.id, ""),
            ),
            Column("idea_count", _("Ideas merged into it."), lambda row: ideas.get(row.id, 0)),
            Column(
                "cocreator_count",
                _("People who joined as co-creators."),
                lambda row: cocreators.get(row.id, 0),
            ),
            Column(
                "update_count",
                _("Progress updates posted."),
                lambda row: updates.get(row.id, 0),
            ),
        ]

    def queryset(self, filters: ReportFilters) -> QuerySet:
        return initiatives_matching(filters)


DATASETS: dict[str, Dataset] = {
    dataset.slug: dataset
    for dataset in (FeedbackDataset(), IdeasDataset(), RegistrationsDataset(), InitiativesDataset())
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


def csv_chunks(
    columns: list[Column], rows: Iterable[list], *, rows_per_chunk: int = 1000
) -> Iterator[bytes]:
    """UTF-8 CSV with a byte order mark (so Excel reads Chinese, Malay and Tamil right), in
    pieces of `rows_per_chunk` rows, each cell made safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(UTF8_BOM)
    writer.writerow([column.name for column in columns])
    yield buffer.getvalue().encode()
    iterator = iter(rows)
    while batch := list(islice(iterator, rows_per_chunk)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(map(safe_row, batch))
        yield buffer.getvalue().encode()


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
    each with the header. Returns the number of data rows written."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            # Text is text: never turned into formulas, links or numbers.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    header = [column.name for column in columns]
    written = 0
    sheet_number = 0
    worksheet = None
    row_on_sheet = rows_per_sheet
    for row in rows:
        if row_on_sheet >= rows_per_sheet:
            sheet_number += 1
            name = sheet_title if sheet_number == 1 else f"{sheet_title} {sheet_number}"
            worksheet = workbook.add_worksheet(name)
            worksheet.write_row(0, 0, header, bold)
            worksheet.freeze_panes(1, 0)
            row_on_sheet = 0
        row_on_sheet += 1
        worksheet.write_row(row_on_sheet, 0, safe_row(row))
        written += 1
    if worksheet is None:
        worksheet = workbook.add_worksheet(sheet_title)
        worksheet.write_row(0, 0, header, bold)
    workbook.close()
    return written


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
