"""Exports people open in Excel (issue 12, item 8): real date cells in Singapore time,
readable headers in a frozen row, widths that fit, labels as on screen with the codes on a
sheet of their own; CSV keeps its codes and has a data dictionary."""

import io
import tracemalloc
from datetime import datetime

import openpyxl
import pytest
from django.contrib.auth.models import Permission

from accounts.models import Background
from exports import services as export_services
from exports.datasets import (
    DATASETS,
    XLSX_DICTIONARY_SHEET,
    XLSX_MAX_WIDTH,
    Column,
    dictionary_rows,
    field,
    write_xlsx,
)
from tests.exports.reading import read_csv, streamed
from tests.factories import ExportJobFactory
from tests.scenarios import build_known_data

pytestmark = pytest.mark.django_db

IHL = "Student at an Institute of Higher Learning"


@pytest.fixture
def known(db):
    known = build_known_data()
    known.citra.background = Background.IHL_STUDENT
    known.citra.save(update_fields=["background"])
    return known


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def workbook(client, dataset: str) -> openpyxl.Workbook:
    response = client.get(f"/reports/exports/{dataset}.xlsx")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def by_heading(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_xlsx_dates_are_date_cells_in_singapore_time(staff_client, known):
    sheet = workbook(staff_client, "registrations")["data"]
    rows = by_heading(sheet)
    # Registered 1 February 2021, 9:30 in Singapore (01:30 UTC): the cell reads 09:30.
    registered = rows[0]["Registered on"]
    assert isinstance(registered, datetime)
    assert registered == datetime(2021, 2, 1, 9, 30)
    assert rows[0]["Session starts"] == datetime(2021, 2, 22, 10, 0)
    # Sorting by date works because the cells are dates, shown with a date format.
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Registered on") + 1)
    assert cell.is_date
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    # Citra's registration was cancelled, never confirmed: an empty cell, not a text.
    assert rows[2]["Seat confirmed on"] is None
    assert rows[2]["Cancelled on"] == datetime(2021, 2, 4, 9, 30)


def test_csv_keeps_iso_times_and_codes(staff_client, known):
    rows = read_csv(streamed(staff_client.get("/reports/exports/registrations.csv")))
    assert rows[0]["registered_at"] == "2021-02-01T09:30:00+08:00"
    assert rows[2]["participant_background"] == "ihl_student"
    assert rows[2]["status"] == "cancelled"
    assert rows[0]["attended"] == "yes"


def test_xlsx_shows_labels_as_on_screen_instead_of_codes(staff_client, known):
    registrations = by_heading(workbook(staff_client, "registrations")["data"])
    citra = registrations[2]
    assert citra["Participant's background"] == IHL
    assert citra["Registration status"] == "Cancelled"
    assert registrations[0]["Attended"] == "Yes"
    assert registrations[1]["Attended"] == "No"
    feedback = by_heading(workbook(staff_client, "feedback")["data"])
    assert feedback[1]["Personal data found in the text"] == "a phone number"
    assert feedback[0]["Quote"] == "Not offered for quoting"
    ideas = by_heading(workbook(staff_client, "ideas")["data"])
    assert [idea["Status"] for idea in ideas] == [
        "Published",
        "Waiting for review",
        "Merged into an initiative",
    ]
    assert ideas[1]["Personal data found in the text"] == (
        "a phone number; a name of another person"
    )
    initiatives = by_heading(workbook(staff_client, "initiatives")["data"])
    assert initiatives[0]["Status"] == "In progress"


def test_xlsx_lists_codes_and_labels_for_analysts_on_a_sheet_of_their_own(staff_client, known):
    book = workbook(staff_client, "registrations")
    assert book.sheetnames == ["data", XLSX_DICTIONARY_SHEET]
    codes = by_heading(book[XLSX_DICTIONARY_SHEET])
    background = next(row for row in codes if row["Column"] == "participant_background")
    assert background["Label"] == "Participant's background"
    assert f"ihl_student = {IHL}" in background["Allowed codes"]
    assert background["Type"] == "one code"
    registered = next(row for row in codes if row["Column"] == "registered_at")
    assert registered["Meaning"] == "When they registered."
    assert registered["Type"].startswith("date and time, Singapore time")
    # Only the columns in the file: no names or emails in a default export's dictionary.
    assert "participant_email" not in {row["Column"] for row in codes}


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_xlsx_header_row_is_frozen_and_filters_on_every_sheet(staff_client, known, dataset):
    book = workbook(staff_client, dataset)
    sheet = book["data"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert all(cell.font.bold for cell in sheet[1])
    assert book[XLSX_DICTIONARY_SHEET].freeze_panes == "A2"


def test_an_empty_xlsx_still_has_a_frozen_labelled_header(staff_client, db):
    sheet = workbook(staff_client, "initiatives")["data"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "Initiative number"


def test_xlsx_columns_are_as_wide_as_their_content_within_bounds():
    columns = [
        Column("n", "A number.", field("n"), heading="N"),
        Column("short", "Short text.", field("short"), heading="Short text"),
        Column("long", "Long text.", field("long"), heading="Long"),
    ]

    class Row:
        def __init__(self, n, short, long):
            self.n, self.short, self.long = n, short, long

    rows = (
        [get(Row(n, "x" * 25, "y" * (n * 300))) for get in (c.value for c in columns)]
        for n in range(1, 4)
    )
    target = io.BytesIO()
    write_xlsx(target, columns, rows)
    sheet = openpyxl.load_workbook(io.BytesIO(target.getvalue()))["data"]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABC"}
    # A one-digit number: narrow, but not narrower than a minimum; 25 characters fit;
    # 900 characters stop at the bound.
    assert widths["A"] < 13
    assert 25 < widths["B"] < 32
    assert XLSX_MAX_WIDTH <= widths["C"] < XLSX_MAX_WIDTH + 4


def test_xlsx_headers_are_never_cut_by_a_narrow_column(staff_client, known):
    sheet = workbook(staff_client, "feedback")["data"]
    for cell in sheet[1]:
        width = sheet.column_dimensions[cell.column_letter].width
        assert width >= min(len(cell.value), 40), cell.value


def test_writing_xlsx_keeps_memory_flat_however_many_rows():
    columns = [
        Column("n", "A number.", field("n"), heading="Number"),
        Column("text", "Text.", field("text"), heading="Text"),
    ]

    def peak(count: int) -> int:
        rows = ([n, f"row number {n} " * 3] for n in range(count))
        tracemalloc.start()
        write_xlsx(io.BytesIO(), columns, rows)
        _current, highest = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return highest

    small, large = peak(2_000), peak(20_000)
    # Ten times the rows: the writer holds one row at a time (the file itself is written to
    # a BytesIO here, a temporary file or disk in the views and jobs).
    file_growth = 20_000 * 60  # generous room for the in-memory target's own bytes
    assert large < small + file_growth


def test_the_data_dictionary_lists_every_column_with_its_codes(staff_client, known):
    page = staff_client.get("/reports/exports/").content.decode()
    assert 'href="/reports/exports/dictionary/registrations.csv"' in page
    response = staff_client.get("/reports/exports/dictionary/registrations.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "afa-registrations-data-dictionary-" in response["Content-Disposition"]
    rows = read_csv(response.content)
    columns = DATASETS["registrations"].columns()
    assert [row["Column"] for row in rows] == [column.name for column in columns]
    assert list(rows[0]) == ["Column", "Label", "Meaning", "Type", "Allowed codes"]
    background = next(row for row in rows if row["Column"] == "participant_background")
    assert background["Label"] == "Participant's background"
    for code, label in Background.choices:
        assert f"{code} = {label}" in background["Allowed codes"]
    attended = next(row for row in rows if row["Column"] == "attended")
    assert attended["Allowed codes"] == "yes = Yes; no = No"
    # Every code a CSV holds is in the dictionary.
    csv_rows = read_csv(streamed(staff_client.get("/reports/exports/registrations.csv")))
    allowed = {row["Column"]: row["Allowed codes"] for row in rows if row["Allowed codes"]}
    for csv_row in csv_rows:
        for name, codes in allowed.items():
            if csv_row[name]:
                assert f"{csv_row[name]} = " in codes, (name, csv_row[name])


def test_the_data_dictionary_lists_names_and_emails_only_to_those_who_may_export_them(
    client, staff, known
):
    def names() -> list[str]:
        response = client.get("/reports/exports/dictionary/feedback.csv")
        return [row["Column"] for row in read_csv(response.content)]

    client.force_login(staff)
    assert "participant_email" not in names()
    staff.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    client.force_login(staff)
    assert names()[-2:] == ["participant_name", "participant_email"]


def test_the_data_dictionary_is_for_staff_only_and_knows_its_datasets(client, participant, staff):
    assert client.get("/reports/exports/dictionary/feedback.csv").status_code == 302
    client.force_login(participant)
    assert client.get("/reports/exports/dictionary/feedback.csv").status_code == 403
    client.force_login(staff)
    assert client.get("/reports/exports/dictionary/nothing.csv").status_code == 404


def test_dictionary_rows_word_each_kind():
    rows = dictionary_rows(DATASETS["ideas"].columns())
    kinds = {row[0]: row[3] for row in rows}
    assert kinds["idea_id"] == "number"
    assert kinds["title"] == "text"
    assert kinds["personal_data_in_text"] == "codes separated by '; '"
    assert "draft" not in {row[0]: row[4] for row in rows}["moderation_outcome"]


def test_an_xlsx_built_by_a_job_has_the_same_dates_labels_and_codes_sheet(
    staff, known, settings, tmp_path
):
    settings.PRIVATE_ROOT = str(tmp_path)
    job = ExportJobFactory(
        requested_by=staff, dataset="registrations", file_format="xlsx", rows_total=4
    )
    assert export_services.export_job_build(job_id=job.pk)
    job.refresh_from_db()
    book = openpyxl.load_workbook(tmp_path / "exports" / job.file_path)
    assert book.sheetnames == ["data", XLSX_DICTIONARY_SHEET]
    rows = by_heading(book["data"])
    assert rows[0]["Registered on"] == datetime(2021, 2, 1, 9, 30)
    assert rows[2]["Participant's background"] == IHL
    assert book["data"].freeze_panes == "A2"
