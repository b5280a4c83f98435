"""Each dataset is declared once, as a list of columns: the files, the export page and these
tests all read it."""

import html

import pytest
from django.contrib.auth.models import Permission

from exports.datasets import DATASETS, Column
from reports.filters import ReportFilters
from tests.exports.reading import read_csv, read_xlsx, streamed
from tests.scenarios import build_known_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(db):
    return build_known_data()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def names(columns) -> list[str]:
    return [column.name for column in columns]


@pytest.mark.parametrize("slug", list(DATASETS))
@pytest.mark.parametrize("personal", [False, True])
def test_every_row_has_one_value_per_declared_column(known, slug, personal):
    dataset = DATASETS[slug]
    width = len(dataset.columns(personal=personal))
    rows = list(dataset.rows(ReportFilters(), personal=personal))
    assert rows, "the known data has rows in every dataset"
    assert {len(row) for row in rows} == {width}


@pytest.mark.parametrize("slug", list(DATASETS))
def test_personal_columns_are_only_in_a_personal_export(slug):
    dataset = DATASETS[slug]
    everything = dataset.base_columns
    assert all(isinstance(column, Column) for column in everything)
    assert len({column.name for column in everything}) == len(everything)
    # Each declaration makes fresh getters, so columns compare by name.
    assert names(dataset.columns(personal=True)) == names(everything)
    assert names(dataset.columns()) == names(c for c in everything if not c.personal)


@pytest.mark.parametrize("slug", list(DATASETS))
def test_csv_headers_are_the_column_codes_and_xlsx_headers_their_labels(staff_client, known, slug):
    columns = DATASETS[slug].columns()
    content = streamed(staff_client.get(f"/reports/exports/{slug}.csv"))
    assert list(read_csv(content)[0]) == names(columns)
    response = staff_client.get(f"/reports/exports/{slug}.xlsx")
    header = read_xlsx(b"".join(response.streaming_content))["data"][0]
    assert header == [str(column.heading) for column in columns]
    # Words as on screen: no snake_case, and no two columns headed alike.
    assert all(heading and "_" not in heading for heading in header)
    assert len(set(header)) == len(header)


def test_export_page_lists_each_column_with_its_label(client, staff, known):
    client.force_login(staff)
    page = html.unescape(client.get("/reports/exports/").content.decode())
    for dataset in DATASETS.values():
        for column in dataset.columns():
            assert f"<code>{column.name}</code></td><td>{column.label}" in page
    personal = DATASETS["feedback"].columns(personal=True)[-1]
    assert personal.personal and f"<code>{personal.name}</code>" not in page
    staff.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    page = html.unescape(client.get("/reports/exports/").content.decode())
    assert f"<code>{personal.name}</code></td><td>{personal.label}" in page
