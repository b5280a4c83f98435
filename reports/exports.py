"""What MCI staff can export, and how the files are written.

Each dataset names its columns (shown on the export page) and yields rows of plain values:
text, whole numbers or None. Rows are read with `iterator(chunk_size=...)` over `values_list`,
and whatever a row needs from a many-to-many table is fetched once per chunk, never per row,
so memory stays flat and the number of queries grows with chunks, not rows.

Privacy rules, applied here and nowhere else:
- people appear as a pseudonym (reports.pseudonyms), never by id;
- names and emails (and access needs) only in a personal-data export, which needs the
  "export personal data" permission and a stated purpose;
- anonymous submissions carry no pseudonym, name, email or background, whoever asks;
- free text the privacy check flagged as holding personal data is left out of default exports.
"""

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import islice

import xlsxwriter
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from engagement.models import Registration
from harms.models import HarmCategory, SolutionArea

from .filters import ReportFilters, harm_category_ids
from .pseudonyms import Pseudonymiser

# --- Cells ----------------------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula (or a DDE command).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"
YES, NO = "yes", "no"


def neutralise(text: str) -> str:
    """Prefix text a spreadsheet would run with an apostrophe, so it stays text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in Singapore time (the site's zone), to the second: 2021-02-22T10:00:00+08:00."""
    if moment is None:
        return None
    return moment.astimezone(_site_zone()).isoformat(timespec="seconds")


@lru_cache(maxsize=1)
def _site_zone():
    # The settings' zone, not the request's "current" one (looked up per call, which costs
    # more than the conversion itself on a 500,000-row export).
    return timezone.get_default_timezone()


def yes_no(flag: bool) -> str:
    return YES if flag else NO


def safe_row(row: Iterable) -> list:
    return [neutralise(cell) if cell.__class__ is str else cell for cell in row]


# --- Datasets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    description: str | Promise
    personal: bool = False  # only in a personal-data export


def _batches(queryset: QuerySet, chunk_size: int) -> Iterator[list]:
    iterator = queryset.iterator(chunk_size=chunk_size)
    while batch := list(islice(iterator, chunk_size)):
        yield batch


def _ids_lookup(field: str, ids: list[int]) -> dict:
    """Select related rows for a chunk of ids (ascending). A dense chunk, as in an unfiltered
    export, becomes a range (cheap to build and to run); a sparse one an IN list. Rows for
    ids outside the chunk that a range lets in are simply never looked up."""
    if ids[-1] - ids[0] < 2 * len(ids):
        return {f"{field}__gte": ids[0], f"{field}__lte": ids[-1]}
    return {f"{field}__in": ids}


def _kinds(value: str | None) -> list[str]:
    """The kinds of personal data found: a JSON list (feedback, read as text so the common
    empty list costs no parsing) or comma-separated text (ideas)."""
    if not value or value == "[]":
        return []
    if value.startswith("["):
        return json.loads(value)
    return [kind for kind in value.split(",") if kind]


class Dataset:
    slug: str
    title: str | Promise
    description: str | Promise
    # How the dashboard's filters select rows of this dataset.
    filter_notes: dict[str, str | Promise]
    base_columns: list[Column]

    def columns(self, *, personal: bool = False) -> list[Column]:
        return [column for column in self.base_columns if personal or not column.personal]

    def queryset(self, filters: ReportFilters) -> QuerySet:
        raise NotImplementedError

    def count(self, filters: ReportFilters) -> int:
        return self.queryset(filters).count()

    def rows(
        self, filters: ReportFilters, *, personal: bool = False, chunk_size: int | None = None
    ) -> Iterator[list]:
        raise NotImplementedError


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
    base_columns = [
        Column("registration_id", _("Number of the registration.")),
        Column("session_id", _("Number of the session.")),
        Column("session_title", _("Title of the session.")),
        Column("session_starts_at", _("When the session starts.")),
        Column("participant", _("Pseudonym of the participant (stable across exports).")),
        Column("participant_background", _("Background the participant stated (a code).")),
        Column("status", _("confirmed, waitlisted or cancelled.")),
        Column("registered_at", _("When they registered.")),
        Column("confirmed_at", _("When their seat was confirmed.")),
        Column("cancelled_at", _("When the registration was cancelled.")),
        Column("waitlist_position", _("Place on the waiting list, while waitlisted.")),
        Column("attended", _("yes when an organiser marked them present.")),
        Column("participant_name", _("Display name."), personal=True),
        Column("participant_email", _("Email address."), personal=True),
        Column("access_needs", _("Access needs they told us about."), personal=True),
    ]

    def queryset(self, filters: ReportFilters) -> QuerySet:
        registrations = Registration.objects.all()
        if filters.starts:
            registrations = registrations.filter(session__starts_at__gte=filters.starts)
        if filters.ends:
            registrations = registrations.filter(session__starts_at__lt=filters.ends)
        if filters.session_id:
            registrations = registrations.filter(session_id=filters.session_id)
        if filters.harm_category_id:
            through = Registration.session.field.related_model.harm_categories.through
            registrations = registrations.filter(
                Exists(
                    through.objects.filter(
                        engagementsession_id=OuterRef("session_id"),
                        harmcategory_id__in=harm_category_ids(filters.harm_category_id),
                    )
                )
            )
        return registrations

    def rows(self, filters, *, personal=False, chunk_size=None):
        fields = [
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
        ]
        if personal:
            fields += ["participant__display_name", "participant__email", "access_needs"]
        queryset = (
            self.queryset(filters)
            .order_by("session__starts_at", "session_id", "id")
            .values_list(*fields)
        )
        pseudonym = Pseudonymiser().of
        for batch in _batches(queryset, chunk_size or settings.EXPORT_CHUNK_SIZE):
            for row in batch:
                out = [
                    row[0],
                    row[1],
                    row[2],
                    iso(row[3]),
                    pseudonym(row[4]),
                    row[5],
                    row[6],
                    iso(row[7]),
                    iso(row[8]),
                    iso(row[9]),
                    row[10],
                    yes_no(row[11]),
                ]
                if personal:
                    out += [row[12], row[13], row[14]]
                yield out


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

    @property
    def base_columns(self) -> list[Column]:  # type: ignore[override]
        suggestion_columns = [
            Column(
                f"suggestion_{area.slug.replace('-', '_')}",
                _("Suggestion for %(area)s.") % {"area": area.name},
            )
            for area in SolutionArea.objects.order_by("order", "name")
        ]
        return [
            Column("feedback_id", _("Number of the feedback.")),
            Column("given_at", _("When it was given.")),
            Column("session_id", _("Number of the session; empty for general feedback.")),
            Column("session_title", _("Title of the session.")),
            Column(
                "participant",
                _("Pseudonym of the participant; empty when they chose to share anonymously."),
            ),
            Column("anonymous", _("yes when they chose to share anonymously.")),
            Column("participant_background", _("Background code; empty when anonymous.")),
            Column("harm_categories", _("Harm categories it concerns, separated by '; '.")),
            Column("rating", _("Rating of the session, 1 to 5.")),
            Column("experience", _("What they have seen or experienced (see text_withheld).")),
            *suggestion_columns,
            Column(
                "personal_data_in_text",
                _("Kinds of personal data the privacy check found in the text, if any."),
            ),
            Column(
                "text_withheld",
                _("yes when the text holds personal data and was left out of this export."),
            ),
            Column("quote_status", _("none, pending, approved, rejected or withdrawn.")),
            Column("quote_excerpt", _("The excerpt an organiser approved for quoting.")),
            Column("participant_name", _("Display name; empty when anonymous."), personal=True),
            Column("participant_email", _("Email address; empty when anonymous."), personal=True),
        ]

    def queryset(self, filters: ReportFilters) -> QuerySet:
        from feedback.models import Feedback, FeedbackSuggestion

        feedback = Feedback.objects.all()
        if filters.starts:
            feedback = feedback.filter(created_at__gte=filters.starts)
        if filters.ends:
            feedback = feedback.filter(created_at__lt=filters.ends)
        if filters.session_id:
            feedback = feedback.filter(session_id=filters.session_id)
        if filters.harm_category_id:
            feedback = feedback.filter(
                Exists(
                    Feedback.harm_categories.through.objects.filter(
                        feedback_id=OuterRef("pk"),
                        harmcategory_id__in=harm_category_ids(filters.harm_category_id),
                    )
                )
            )
        if filters.solution_area_id:
            feedback = feedback.filter(
                Exists(
                    FeedbackSuggestion.objects.filter(
                        feedback_id=OuterRef("pk"), solution_area_id=filters.solution_area_id
                    )
                )
            )
        return feedback

    def rows(self, filters, *, personal=False, chunk_size=None):
        from feedback.models import Feedback, FeedbackSuggestion

        areas = list(SolutionArea.objects.order_by("order", "name"))
        area_index = {area.pk: position for position, area in enumerate(areas)}
        category_names = dict(HarmCategory.objects.values_list("pk", "name"))
        through = Feedback.harm_categories.through
        fields = [
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
        ]
        if personal:
            fields += ["participant__display_name", "participant__email"]
        queryset = (
            self.queryset(filters)
            .annotate(kinds_text=Cast("personal_data_kinds", TextField()))
            .order_by("id")
            .values_list(*fields)
        )
        pseudonym = Pseudonymiser().of
        for batch in _batches(queryset, chunk_size or settings.EXPORT_CHUNK_SIZE):
            ids = [row[0] for row in batch]
            categories = defaultdict(list)
            for feedback_id, category_id in (
                through.objects.filter(**_ids_lookup("feedback_id", ids))
                .order_by("harmcategory_id")
                .values_list("feedback_id", "harmcategory_id")
            ):
                categories[feedback_id].append(category_names[category_id])
            suggestions: dict[int, list] = defaultdict(lambda: [None] * len(areas))
            for feedback_id, area_id, text in FeedbackSuggestion.objects.filter(
                **_ids_lookup("feedback_id", ids)
            ).values_list("feedback_id", "solution_area_id", "text"):
                suggestions[feedback_id][area_index[area_id]] = text
            for row in batch:
                anonymous = row[5]
                kinds = _kinds(row[9])
                withheld = bool(kinds) and not personal
                out = [
                    row[0],
                    iso(row[1]),
                    row[2],
                    row[3],
                    None if anonymous else pseudonym(row[4]),
                    yes_no(anonymous),
                    None if anonymous else row[6],
                    "; ".join(categories.get(row[0], ())),
                    row[7],
                    None if withheld else row[8],
                    *(
                        [None] * len(areas)
                        if withheld
                        else suggestions.get(row[0], [None] * len(areas))
                    ),
                    "; ".join(kinds),
                    yes_no(withheld),
                    row[10],
                    row[11],
                ]
                if personal:
                    out += [None, None] if anonymous else [row[12], row[13]]
                yield out


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
    base_columns = [
        Column("idea_id", _("Number of the idea.")),
        Column("submitted_at", _("When it was first submitted.")),
        Column("title", _("Title (see text_withheld).")),
        Column("body", _("The idea (see text_withheld).")),
        Column("harm_category", _("Harm it addresses.")),
        Column("solution_area", _("Solution area.")),
        Column("session_id", _("Number of the related session, if any.")),
        Column("author", _("Pseudonym of the author; empty when they chose to be anonymous.")),
        Column("anonymous", _("yes when the author chose to be anonymous.")),
        Column("author_background", _("Background code; empty when anonymous.")),
        Column("support_count", _("How many participants support it.")),
        Column("comment_count", _("Published comments on it.")),
        Column(
            "moderation_outcome",
            _(
                "Current status: submitted, changes_requested, approved, rejected, hidden, "
                "merged or withdrawn."
            ),
        ),
        Column("decided_at", _("When a moderator last decided on it.")),
        Column("moderation_reason", _("The moderator's reason, as shown to the author.")),
        Column("content_warning", _("yes when it is shown behind a content warning.")),
        Column("initiative_id", _("Number of the initiative it was merged into.")),
        Column(
            "personal_data_in_text",
            _("Kinds of personal data the privacy check found in the text, if any."),
        ),
        Column(
            "text_withheld",
            _("yes when title and body hold personal data and were left out of this export."),
        ),
        Column("author_name", _("Display name; empty when anonymous."), personal=True),
        Column("author_email", _("Email address; empty when anonymous."), personal=True),
    ]

    def queryset(self, filters: ReportFilters) -> QuerySet:
        from initiatives.models import Idea

        ideas = Idea.objects.filter(submitted_at__isnull=False)
        if filters.starts:
            ideas = ideas.filter(submitted_at__gte=filters.starts)
        if filters.ends:
            ideas = ideas.filter(submitted_at__lt=filters.ends)
        if filters.session_id:
            ideas = ideas.filter(session_id=filters.session_id)
        if filters.harm_category_id:
            ideas = ideas.filter(harm_category_id__in=harm_category_ids(filters.harm_category_id))
        if filters.solution_area_id:
            ideas = ideas.filter(solution_area_id=filters.solution_area_id)
        return ideas

    def rows(self, filters, *, personal=False, chunk_size=None):
        from initiatives.models import Comment, CommentStatus

        category_names = dict(HarmCategory.objects.values_list("pk", "name"))
        area_names = dict(SolutionArea.objects.values_list("pk", "name"))
        fields = [
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
            "personal_data_kinds",
        ]
        if personal:
            fields += ["author__display_name", "author__email"]
        queryset = self.queryset(filters).order_by("id").values_list(*fields)
        pseudonym = Pseudonymiser().of
        for batch in _batches(queryset, chunk_size or settings.EXPORT_CHUNK_SIZE):
            comment_counts = dict(
                Comment.objects.filter(
                    **_ids_lookup("idea_id", [row[0] for row in batch]),
                    status=CommentStatus.PUBLISHED,
                )
                .values("idea_id")
                .annotate(count=Count("id"))
                .values_list("idea_id", "count")
            )
            for row in batch:
                anonymous = row[8]
                kinds = _kinds(row[16])
                withheld = bool(kinds) and not personal
                out = [
                    row[0],
                    iso(row[1]),
                    None if withheld else row[2],
                    None if withheld else row[3],
                    category_names.get(row[4]),
                    area_names.get(row[5]),
                    row[6],
                    None if anonymous else pseudonym(row[7]),
                    yes_no(anonymous),
                    None if anonymous else row[9],
                    row[10],
                    comment_counts.get(row[0], 0),
                    row[11],
                    iso(row[12]),
                    row[13],
                    yes_no(row[14]),
                    row[15],
                    "; ".join(kinds),
                    yes_no(withheld),
                ]
                if personal:
                    out += [None, None] if anonymous else [row[17], row[18]]
                yield out


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
    base_columns = [
        Column("initiative_id", _("Number of the initiative.")),
        Column("created_at", _("When it was created.")),
        Column("title", _("Title.")),
        Column("summary", _("Summary.")),
        Column("status", _("forming, in_progress or launched.")),
        Column("solution_area", _("Solution area.")),
        Column("harm_categories", _("Harms it addresses, separated by '; '.")),
        Column("idea_count", _("Ideas merged into it.")),
        Column("cocreator_count", _("People who joined as co-creators.")),
        Column("update_count", _("Progress updates posted.")),
    ]

    def queryset(self, filters: ReportFilters) -> QuerySet:
        from initiatives.models import Idea, Initiative

        initiatives = Initiative.objects.all()
        if filters.starts:
            initiatives = initiatives.filter(created_at__gte=filters.starts)
        if filters.ends:
            initiatives = initiatives.filter(created_at__lt=filters.ends)
        if filters.session_id:
            initiatives = initiatives.filter(
                Exists(
                    Idea.objects.filter(
                        merged_into_id=OuterRef("pk"), session_id=filters.session_id
                    )
                )
            )
        if filters.harm_category_id:
            initiatives = initiatives.filter(
                Exists(
                    Initiative.harm_categories.through.objects.filter(
                        initiative_id=OuterRef("pk"),
                        harmcategory_id__in=harm_category_ids(filters.harm_category_id),
                    )
                )
            )
        if filters.solution_area_id:
            initiatives = initiatives.filter(solution_area_id=filters.solution_area_id)
        return initiatives

    def rows(self, filters, *, personal=False, chunk_size=None):
        from initiatives.models import CoCreator, Idea, Initiative, InitiativeUpdate

        category_names = dict(HarmCategory.objects.values_list("pk", "name"))
        area_names = dict(SolutionArea.objects.values_list("pk", "name"))
        through = Initiative.harm_categories.through
        queryset = (
            self.queryset(filters)
            .order_by("id")
            .values_list("id", "created_at", "title", "summary", "status", "solution_area_id")
        )

        def counts(model, key: str, ids: list[int]) -> dict[int, int]:
            return dict(
                model.objects.filter(**_ids_lookup(key, ids))
                .values(key)
                .annotate(count=Count("id"))
                .values_list(key, "count")
            )

        for batch in _batches(queryset, chunk_size or settings.EXPORT_CHUNK_SIZE):
            ids = [row[0] for row in batch]
            categories = defaultdict(list)
            for initiative_id, category_id in (
                through.objects.filter(**_ids_lookup("initiative_id", ids))
                .order_by("harmcategory_id")
                .values_list("initiative_id", "harmcategory_id")
            ):
                categories[initiative_id].append(category_names[category_id])
            ideas = counts(Idea, "merged_into_id", ids)
            cocreators = counts(CoCreator, "initiative_id", ids)
            updates = counts(InitiativeUpdate, "initiative_id", ids)
            for row in batch:
                yield [
                    row[0],
                    iso(row[1]),
                    row[2],
                    row[3],
                    row[4],
                    area_names.get(row[5]),
                    "; ".join(categories.get(row[0], ())),
                    ideas.get(row[0], 0),
                    cocreators.get(row[0], 0),
                    updates.get(row[0], 0),
                ]


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
