"""Export contents on a known data set: columns, values, safety of cells, pseudonyms,
personal data, anonymity, filters and files."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.permissions import SECOND_FACTOR_ATTR
from audit.cells import neutralise
from exports.datasets import CODE, CODES, DATASETS, MOMENT, csv_chunks, write_xlsx
from exports.pseudonyms import Pseudonymiser, pseudonym
from reports.filters import ReportFilters
from tests.exports.reading import read_csv, read_csv_header, read_xlsx, streamed
from tests.factories.base import SGT
from tests.scenarios import CHINESE, MALAY, TAMIL, KnownData, build_known_data, build_more_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(db) -> KnownData:
    return build_known_data()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def personal_staff(staff):
    staff.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    # As a signed-in request's user is marked after two-factor sign-in (for service calls).
    setattr(staff, SECOND_FACTOR_ATTR, True)
    return staff


def get_csv(client, dataset: str, query: str = "") -> list[dict]:
    response = client.get(f"/reports/exports/{dataset}.csv{query}")
    assert response.status_code == 200
    return read_csv(streamed(response))


def get_xlsx_rows(client, dataset: str, query: str = "") -> list[list]:
    response = client.get(f"/reports/exports/{dataset}.xlsx{query}")
    assert response.status_code == 200
    sheets = read_xlsx(b"".join(response.streaming_content))
    assert list(sheets) == ["data", "columns and codes"]
    return sheets["data"]


def as_csv_text(value) -> str:
    return "" if value is None else str(value)


# --- Columns and values ---------------------------------------------------------------------


def test_registrations_csv_lists_each_registration_per_session_with_attendance(staff_client, known):
    response = staff_client.get("/reports/exports/registrations.csv")
    content = streamed(response)
    assert read_csv_header(content) == [
        "registration_id",
        "session_id",
        "session_title",
        "session_starts_at",
        "participant",
        "participant_background",
        "status",
        "registered_at",
        "confirmed_at",
        "cancelled_at",
        "waitlist_position",
        "attended",
    ]
    rows = read_csv(content)
    assert [row["registration_id"] for row in rows] == [
        str(known.reg_alice.pk),
        str(known.reg_bala.pk),
        str(known.reg_citra.pk),
        str(known.reg_later.pk),
    ]
    assert rows[0] == {
        "registration_id": str(known.reg_alice.pk),
        "session_id": str(known.session.pk),
        "session_title": "Engagement session 1 — 对话",
        "session_starts_at": "2021-02-22T10:00:00+08:00",
        "participant": pseudonym(known.alice.pk),
        "participant_background": "parent",
        "status": "confirmed",
        "registered_at": "2021-02-01T09:30:00+08:00",
        "confirmed_at": "2021-02-01T09:30:00+08:00",
        "cancelled_at": "",
        "waitlist_position": "",
        "attended": "yes",
    }
    assert rows[1]["attended"] == "no"
    assert rows[2]["status"] == "cancelled"
    assert rows[2]["cancelled_at"] == "2021-02-04T09:30:00+08:00"
    assert rows[3]["session_id"] == str(known.later_session.pk)
    assert rows[3]["participant"] == rows[0]["participant"]


def test_feedback_csv_columns_and_values(staff_client, known):
    response = staff_client.get("/reports/exports/feedback.csv")
    content = streamed(response)
    assert read_csv_header(content) == [
        "feedback_id",
        "given_at",
        "session_id",
        "session_title",
        "participant",
        "anonymous",
        "participant_background",
        "harm_categories",
        "rating",
        "experience",
        "suggestion_public_education",
        "suggestion_partnerships",
        "suggestion_regulation",
        "language",
        "personal_data_in_text",
        "text_withheld",
        "quote_status",
        "quote_excerpt",
    ]
    alice, bala, citra = read_csv(content)
    assert alice == {
        "feedback_id": str(known.fb_alice.pk),
        "given_at": "2021-02-22T13:00:00+08:00",
        "session_id": str(known.session.pk),
        "session_title": "Engagement session 1 — 对话",
        "participant": pseudonym(known.alice.pk),
        "anonymous": "no",
        "participant_background": "parent",
        "harm_categories": (
            "Non-consensual publication of images and personal details; Sexual harassment"
        ),
        "rating": "5",
        "experience": '\'=HYPERLINK("http://evil.example","click")',
        "suggestion_public_education": "'+ teach consent early 教育",
        "suggestion_partnerships": "",
        "suggestion_regulation": "'@platforms must act",
        "language": "en",
        "personal_data_in_text": "",
        "text_withheld": "no",
        "quote_status": "none",
        "quote_excerpt": "",
    }
    # Anonymous, and its text flagged as holding a phone number: no one, no text.
    assert bala["participant"] == ""
    assert bala["anonymous"] == "yes"
    assert bala["participant_background"] == ""
    assert bala["experience"] == ""
    assert bala["suggestion_partnerships"] == ""
    assert bala["personal_data_in_text"] == "phone"
    assert bala["text_withheld"] == "yes"
    assert bala["session_id"] == ""
    assert bala["harm_categories"] == "Online grooming"
    assert citra["experience"] == "'-1 for the current reporting tools\tand\rmore"
    assert citra["suggestion_public_education"] == MALAY
    assert citra["rating"] == ""


def test_ideas_csv_has_support_and_comment_counts_and_moderation_outcome(staff_client, known):
    rows = get_csv(staff_client, "ideas")
    assert list(rows[0]) == [
        "idea_id",
        "submitted_at",
        "title",
        "body",
        "language",
        "harm_category",
        "solution_area",
        "session_id",
        "author",
        "anonymous",
        "author_background",
        "support_count",
        "comment_count",
        "moderation_outcome",
        "decided_at",
        "moderation_reason",
        "content_warning",
        "initiative_id",
        "personal_data_in_text",
        "text_withheld",
    ]
    # Drafts were never submitted: not in the export.
    assert [row["idea_id"] for row in rows] == [
        str(known.idea_alice.pk),
        str(known.idea_bala.pk),
        str(known.idea_merged.pk),
    ]
    approved, anonymous, merged = rows
    assert approved["title"] == "Consent lessons " + CHINESE
    assert approved["body"] == "'=1+2 schools should teach"
    assert approved["support_count"] == "2"
    assert approved["comment_count"] == "2"  # the hidden comment is not counted
    assert approved["moderation_outcome"] == "approved"
    assert approved["decided_at"] == "2021-02-24T10:00:00+08:00"
    assert approved["moderation_reason"] == "Clear and kind."
    assert approved["author"] == pseudonym(known.alice.pk)
    assert approved["harm_category"] == "Sexual harassment"
    assert approved["solution_area"] == "Public education"
    assert anonymous["author"] == ""
    assert anonymous["author_background"] == ""
    assert anonymous["title"] == "" and anonymous["body"] == ""
    assert anonymous["text_withheld"] == "yes"
    assert anonymous["personal_data_in_text"] == "phone; name"
    assert anonymous["moderation_outcome"] == "submitted"
    assert merged["moderation_outcome"] == "merged"
    assert merged["initiative_id"] == str(known.initiative.pk)
    assert merged["session_id"] == str(known.session.pk)


def test_initiatives_csv_has_cocreator_counts(staff_client, known):
    rows = get_csv(staff_client, "initiatives")
    assert rows == [
        {
            "initiative_id": str(known.initiative.pk),
            "created_at": "2021-03-01T12:00:00+08:00",
            "title": "Safer schools",
            "summary": "Consent education in schools",
            "status": "in_progress",
            "solution_area": "Public education",
            "harm_categories": (
                "Non-consensual publication of images and personal details; Sexual harassment"
            ),
            "idea_count": "1",
            "cocreator_count": "2",
            "update_count": "1",
        }
    ]


def _xlsx_cell_as_csv(column, cell) -> str:
    """What the CSV holds for an XLSX cell: a date cell in Singapore time as ISO 8601, a
    label back to its code (the codes the data dictionary lists)."""
    if cell is None:
        return ""
    if column.kind == MOMENT:
        return cell.replace(tzinfo=SGT).isoformat(timespec="seconds")
    codes = {str(label): code for code, label in column.codes}
    if column.kind == CODE:
        return codes[cell]
    if column.kind == CODES:
        return "; ".join(codes[label] for label in cell.split("; "))
    return str(cell).replace("_x000D_", "\r")


@pytest.mark.parametrize("dataset", ["registrations", "feedback", "ideas", "initiatives"])
def test_xlsx_holds_the_same_cells_as_csv(staff_client, known, dataset):
    columns = DATASETS[dataset].columns()
    csv_content = streamed(staff_client.get(f"/reports/exports/{dataset}.csv"))
    csv_rows = [list(row.values()) for row in read_csv(csv_content)]
    xlsx_rows = get_xlsx_rows(staff_client, dataset)[1:]
    normalised = [
        [_xlsx_cell_as_csv(column, cell) for column, cell in zip(columns, row, strict=True)]
        for row in xlsx_rows
    ]
    assert normalised == csv_rows


def test_xlsx_numbers_are_numbers_and_formulas_stay_text(staff_client, known):
    response = staff_client.get("/reports/exports/feedback.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["data"]
    assert sheet["A2"].value == known.fb_alice.pk
    assert sheet["I2"].value == 5
    experience = sheet["J2"]
    assert experience.data_type == "s"
    assert experience.value == '\'=HYPERLINK("http://evil.example","click")'
    assert sheet.freeze_panes == "A2"


# --- Safe cells -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+6591234567", "'+6591234567"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("a = b", "a = b"),
        ("", ""),
        ("P-3f9a", "P-3f9a"),
        (CHINESE, CHINESE),
    ],
)
def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe(text, expected):
    assert neutralise(text) == expected


def test_csv_writer_neutralises_every_text_cell_but_not_numbers():
    columns = [DATASETS["initiatives"].base_columns[0], DATASETS["initiatives"].base_columns[2]]
    content = b"".join(csv_chunks(columns, [[-5, "=1+1"], [7, "-x"], [8, "@me"]]))
    assert content.decode("utf-8-sig").splitlines() == [
        "initiative_id,title",
        "-5,'=1+1",
        "7,'-x",
        "8,'@me",
    ]


def test_non_ascii_text_round_trips_in_csv_and_xlsx(staff_client, known):
    known.fb_citra.experience = f"{CHINESE} / {MALAY} / {TAMIL}"
    known.fb_citra.save(update_fields=["experience"])
    csv_rows = get_csv(staff_client, "feedback")
    assert csv_rows[2]["experience"] == f"{CHINESE} / {MALAY} / {TAMIL}"
    assert csv_rows[1]["harm_categories"] == "Online grooming"
    xlsx_rows = get_xlsx_rows(staff_client, "feedback")
    assert xlsx_rows[3][9] == f"{CHINESE} / {MALAY} / {TAMIL}"
    registrations = get_csv(staff_client, "registrations")
    assert registrations[0]["session_title"] == "Engagement session 1 — 对话"


# --- Pseudonyms and personal data ---------------------------------------------------------


def test_pseudonyms_are_stable_across_exports_and_differ_per_person(staff_client, known):
    registrations = get_csv(staff_client, "registrations")
    feedback = get_csv(staff_client, "feedback")
    ideas = get_csv(staff_client, "ideas")
    again = get_csv(staff_client, "registrations")
    alice = pseudonym(known.alice.pk)
    assert registrations[0]["participant"] == alice
    assert feedback[0]["participant"] == alice
    assert ideas[0]["author"] == alice
    assert again == registrations
    people = {row["participant"] for row in registrations}
    assert len(people) == 3  # alice, bala, citra: three different pseudonyms
    assert all(p.startswith("P-") and len(p) == 14 for p in people)


def test_pseudonyms_depend_on_the_key(settings):
    settings.EXPORT_PSEUDONYM_KEY = "one key"
    first = pseudonym(42)
    settings.EXPORT_PSEUDONYM_KEY = "another key"
    assert pseudonym(42) != first
    assert Pseudonymiser(b"one key").of(42) == first


def test_default_exports_hold_no_email_or_name(staff_client, known):
    secrets = []
    for person in (known.alice, known.bala, known.citra):
        secrets += [person.email, person.display_name]
    secrets.append("Wheelchair access")  # access needs are personal too
    for dataset in DATASETS:
        content = streamed(staff_client.get(f"/reports/exports/{dataset}.csv"))
        text = content.decode("utf-8")
        for secret in secrets:
            assert secret not in text, (dataset, secret)
        cells = [as_csv_text(cell) for row in get_xlsx_rows(staff_client, dataset) for cell in row]
        for secret in secrets:
            assert not any(secret in cell for cell in cells), (dataset, secret)


def personal_export(client, dataset: str, file_format: str = "csv", **extra):
    return client.post(
        "/reports/exports/personal/",
        {
            "personal-dataset": dataset,
            "personal-file_format": file_format,
            "personal-purpose": "Inviting attendees to the launch event",
            **extra,
        },
    )


def test_personal_export_adds_names_and_emails_but_never_for_anonymous_authors(
    client, personal_staff, known
):
    client.force_login(personal_staff)
    feedback = read_csv(streamed(personal_export(client, "feedback")))
    assert feedback[0]["participant_name"] == "林美玲"
    assert feedback[0]["participant_email"] == "alice.lim@example.com"
    # Bala shared anonymously: nothing about him, whoever asks.
    assert feedback[1]["participant"] == ""
    assert feedback[1]["participant_name"] == ""
    assert feedback[1]["participant_email"] == ""
    # With the permission, flagged text is included.
    assert feedback[1]["experience"] == "My neighbour's number is 9123 4567"
    assert feedback[1]["text_withheld"] == "no"

    ideas_content = streamed(personal_export(client, "ideas"))
    ideas = read_csv(ideas_content)
    assert ideas[0]["author_email"] == "alice.lim@example.com"
    assert ideas[1]["author"] == ideas[1]["author_name"] == ideas[1]["author_email"] == ""
    text = ideas_content.decode("utf-8")
    for secret in (known.bala.email, known.bala.display_name, pseudonym(known.bala.pk)):
        assert secret not in text
    feedback_xlsx = read_xlsx(personal_export(client, "feedback", "xlsx").getvalue())["data"]
    assert [row[-1] for row in feedback_xlsx] == [
        "Email address",
        "alice.lim@example.com",
        None,
        "citra@example.com",
    ]

    registrations = read_csv(streamed(personal_export(client, "registrations")))
    assert registrations[0]["participant_email"] == "alice.lim@example.com"
    assert registrations[0]["access_needs"] == "Wheelchair access"


def test_personal_export_needs_the_permission(staff_client, staff, known):
    response = personal_export(staff_client, "feedback")
    assert response.status_code == 403


def test_personal_export_needs_a_purpose(client, personal_staff, known):
    client.force_login(personal_staff)
    response = personal_export(client, "feedback", **{"personal-purpose": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = personal_export(client, "feedback", **{"personal-purpose": "because"})
    assert response.status_code == 400
    assert "Say in a sentence what the names and emails are for." in response.content.decode()


def test_staff_role_does_not_carry_the_personal_data_permission(staff, admin_user):
    assert not staff.has_perm("exports.export_personal_data")
    assert admin_user.has_perm("exports.export_personal_data")


def test_export_page_documents_columns_and_offers_personal_export_only_with_permission(
    client, staff, known
):
    client.force_login(staff)
    page = client.get("/reports/exports/").content.decode()
    for dataset in DATASETS.values():
        for column in dataset.columns():
            assert f"<code>{column.name}</code>" in page
    assert "/reports/exports/feedback.csv" in page
    assert "/reports/exports/ideas.xlsx" in page
    assert "participant_email" not in page
    assert "Export with names and emails" not in page
    staff.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    page = client.get("/reports/exports/").content.decode()
    assert "Export with names and emails" in page
    assert "<code>participant_email</code>" in page


# --- Filters --------------------------------------------------------------------------------


def ids(rows, key):
    return [int(row[key]) for row in rows]


def test_filters_select_rows_of_each_dataset(staff_client, known):
    # A parent category includes its sub-categories (harassment, grooming).
    unwelcome = known.harassment.parent_id
    rows = get_csv(staff_client, "feedback", f"?harm_category={unwelcome}")
    assert ids(rows, "feedback_id") == [known.fb_alice.pk, known.fb_bala.pk]
    rows = get_csv(staff_client, "feedback", "?date_from=2021-02-25&date_to=2021-03-09")
    assert ids(rows, "feedback_id") == [known.fb_bala.pk, known.fb_citra.pk]
    rows = get_csv(staff_client, "feedback", f"?session={known.session.pk}")
    assert ids(rows, "feedback_id") == [known.fb_alice.pk]
    rows = get_csv(staff_client, "feedback", f"?solution_area={known.education.pk}")
    assert ids(rows, "feedback_id") == [known.fb_alice.pk, known.fb_citra.pk]

    rows = get_csv(staff_client, "registrations", "?date_from=2021-03-01")
    assert ids(rows, "registration_id") == [known.reg_later.pk]
    rows = get_csv(staff_client, "registrations", f"?harm_category={unwelcome}")
    assert len(rows) == 3  # only the first session discusses unwelcome interactions

    rows = get_csv(staff_client, "ideas", f"?solution_area={known.partnerships.pk}")
    assert ids(rows, "idea_id") == [known.idea_bala.pk]
    rows = get_csv(staff_client, "ideas", f"?session={known.session.pk}")
    assert ids(rows, "idea_id") == [known.idea_merged.pk]

    rows = get_csv(staff_client, "initiatives", f"?session={known.session.pk}")
    assert ids(rows, "initiative_id") == [known.initiative.pk]
    rows = get_csv(staff_client, "initiatives", f"?solution_area={known.regulation.pk}")
    assert rows == []


def test_bad_filters_get_a_message_not_a_file(staff_client, known):
    response = staff_client.get(
        "/reports/exports/feedback.csv?date_from=2021-03-01&date_to=2021-02-01"
    )
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.content.decode()
    response = staff_client.get("/reports/exports/feedback.csv?session=not-a-number")
    assert response.status_code == 400


def test_unknown_dataset_or_format_is_404(staff_client):
    assert staff_client.get("/reports/exports/users.csv").status_code == 404
    assert staff_client.get("/reports/exports/feedback.pdf").status_code == 404


# --- Files ----------------------------------------------------------------------------------


def test_file_names_carry_dataset_and_date(staff_client, known):
    today = timezone.localdate().isoformat()
    response = staff_client.get("/reports/exports/feedback.csv")
    assert response["Content-Disposition"] == f'attachment; filename="afa-feedback-{today}.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    response = staff_client.get("/reports/exports/ideas.xlsx")
    assert f'filename="afa-ideas-{today}.xlsx"' in response["Content-Disposition"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_xlsx_splits_rows_across_sheets_at_the_limit():
    columns = [DATASETS["initiatives"].base_columns[0], DATASETS["initiatives"].base_columns[2]]
    target = io.BytesIO()
    written = write_xlsx(target, columns, ([n, f"row {n}"] for n in range(5)), rows_per_sheet=2)
    assert written == 5
    sheets = read_xlsx(target.getvalue())
    assert list(sheets) == ["data", "data 2", "data 3", "columns and codes"]
    assert sheets["data"] == [["Initiative number", "Title"], [0, "row 0"], [1, "row 1"]]
    assert sheets["data 3"] == [["Initiative number", "Title"], [4, "row 4"]]


def test_empty_export_still_has_its_header(staff_client, db):
    content = streamed(staff_client.get("/reports/exports/initiatives.csv"))
    assert read_csv(content) == []
    assert read_csv_header(content)[0] == "initiative_id"
    assert get_xlsx_rows(staff_client, "initiatives") == [
        [str(column.heading) for column in DATASETS["initiatives"].columns()]
    ]


def count_queries(callable_) -> int:
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)


@pytest.mark.parametrize("dataset", ["registrations", "feedback", "ideas", "initiatives"])
def test_export_queries_do_not_grow_with_rows(known, dataset):
    """Related data is fetched per chunk: more rows in one chunk cost no more queries."""

    def export():
        return list(DATASETS[dataset].rows(ReportFilters(), personal=True, chunk_size=500))

    before = count_queries(export)
    build_more_rows(known)
    assert count_queries(export) == before


def test_cells_starting_with_tab_or_carriage_return_stay_inert_in_csv_and_xlsx():
    columns = DATASETS["initiatives"].base_columns[2:4]
    rows = [["\t=cmd|' /C calc'!A0", "\r=1+1"], ["tab\tinside", "ok"]]
    content = b"".join(csv_chunks(columns, rows))
    parsed = read_csv(content)
    assert parsed[0] == {"title": "'\t=cmd|' /C calc'!A0", "summary": "'\r=1+1"}
    assert parsed[1] == {"title": "tab\tinside", "summary": "ok"}
    target = io.BytesIO()
    write_xlsx(target, columns, rows)
    sheet = read_xlsx(target.getvalue())["data"]
    assert sheet[1][0] == "'\t=cmd|' /C calc'!A0"
    assert sheet[1][1].replace("_x000D_", "\r") == "'\r=1+1"


@pytest.mark.parametrize(
    "query",
    [
        "?date_to=9999-12-31",
        "?date_from=0001-01-01",
        "?date_from=2021-02-30",
        "?date_from=yesterday",
        "?session=99999999999999999999",
        "?harm_category=-1",
    ],
)
def test_impossible_or_far_off_filters_get_a_message_not_a_server_error(staff_client, known, query):
    for url in ("/reports/exports/feedback.csv", "/reports/exports/ideas.xlsx"):
        response = staff_client.get(url + query)
        assert response.status_code == 400, url
        assert "Filters" in response.content.decode()
    assert staff_client.get("/reports/exports/" + query).status_code == 400


def test_far_off_dates_are_explained(staff_client, known):
    response = staff_client.get("/reports/exports/feedback.csv?date_to=9999-12-31")
    assert "Enter a date from the year 2000 to 2099." in response.content.decode()


def test_a_personal_export_without_permission_or_purpose_is_refused_by_the_service(
    staff, personal_staff, known
):
    from exports.services import ExportError, export_job_create
    from tests.factories import UserFactory

    plain_staff = UserFactory(roles=["MCI Staff"], mfa=True)
    with pytest.raises(ExportError, match="permission"):
        export_job_create(
            user=plain_staff,
            dataset=DATASETS["feedback"],
            file_format="xlsx",
            filters=ReportFilters(),
            personal=True,
            purpose="Inviting attendees to the launch event",
        )
    with pytest.raises(ExportError, match="State why"):
        export_job_create(
            user=personal_staff,
            dataset=DATASETS["feedback"],
            file_format="xlsx",
            filters=ReportFilters(),
            personal=True,
            purpose="   ",
        )


def test_the_mci_staff_group_does_not_grant_personal_data_exports(db):
    from django.contrib.auth.models import Group

    from accounts.roles import Role

    staff_group = Group.objects.get(name=Role.STAFF)
    assert staff_group.permissions.exists()  # the role is real, with its own permissions
    assert not staff_group.permissions.filter(codename="export_personal_data").exists()
