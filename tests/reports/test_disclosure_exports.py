"""The aggregate export (registrations by background and attendance) hides what the dashboard
hides: no count of 1 to 4 people, none a row, column or grand total would give away."""

import pytest

from accounts.models import Background
from engagement.models import RegistrationStatus
from exports.datasets import DATASETS
from exports.forms import PersonalExportForm
from reports.filters import ReportFilters
from tests.exports.reading import read_csv, streamed
from tests.factories import EngagementSessionFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

DATASET = "registrations-by-background"
PARTS = ("attended", "confirmed_not_attended", "waitlisted")


def _register(session, background: str, n: int, **extra) -> None:
    for _ in range(n):
        RegistrationFactory(
            session=session, participant=UserFactory(background=background), **extra
        )


@pytest.fixture
def registrations(db):
    """Parents: 6 attended, 5 did not. Community: 1 attended. Academics: 7 on the waiting
    list. A cancelled registration does not count."""
    session = EngagementSessionFactory()
    _register(session, Background.PARENT, 6, attended=True)
    _register(session, Background.PARENT, 5)
    _register(session, Background.COMMUNITY, 1, attended=True)
    _register(session, Background.ACADEMIC, 7, status=RegistrationStatus.WAITLISTED)
    _register(session, Background.LEGAL, 1, status=RegistrationStatus.CANCELLED)
    return session


def _table(staff_client, query: str = "") -> dict[str, dict[str, str]]:
    content = streamed(staff_client.get(f"/reports/exports/{DATASET}.csv{query}"))
    return {row["background"]: row for row in read_csv(content)}


def test_the_aggregate_export_hides_small_counts_and_what_totals_would_give_away(
    client, staff, registrations
):
    client.force_login(staff)
    table = _table(client)
    assert list(table) == [*Background.values, "all"]
    # The lone community member is hidden, with their row total (1). Then, line by line:
    # the attended column would give the 1 away (7 - 6), so the parents' 6 goes; the parents'
    # row would give the 6 away (11 - 5), so their 5 goes; that column has nothing else to
    # hide, so its total goes; and so on until no line has a single hidden count.
    assert table["community"]["attended"] == "hidden"
    assert table["community"]["total"] == "hidden"
    assert table["parent"]["attended"] == table["parent"]["confirmed_not_attended"] == "hidden"
    assert table["parent"]["total"] == "11"
    assert table["all"]["total"] == "19"
    assert table["corporate"]["total"] == "0"  # zero stays 0
    # No shown count from 1 to 4, anywhere.
    for row in table.values():
        for key in (*PARTS, "total"):
            assert row[key] == "hidden" or int(row[key]) == 0 or int(row[key]) >= 5, row
    # Every line with one hidden count has another hidden beside it.
    for row in table.values():
        line = [row[key] for key in (*PARTS, "total")]
        assert line.count("hidden") != 1
    for key in (*PARTS, "total"):
        column = [row[key] for row in table.values()]
        assert column.count("hidden") != 1


def test_the_aggregate_export_follows_the_filters_and_the_threshold(
    client, staff, settings, registrations
):
    client.force_login(staff)
    other = EngagementSessionFactory()
    table = _table(client, f"?session={other.pk}")
    assert {row["total"] for row in table.values()} == {"0"}
    settings.DISCLOSURE_THRESHOLD = 1
    table = _table(client, f"?session={registrations.pk}")
    assert table["community"]["attended"] == "1"
    assert table["all"]["total"] == "19"


def test_the_aggregate_export_is_never_a_personal_data_export(registrations):
    dataset = DATASETS[DATASET]
    assert dataset.aggregate and not any(column.personal for column in dataset.base_columns)
    choices = dict(PersonalExportForm().fields["dataset"].choices)
    assert DATASET not in choices and "feedback" in choices
    rows = list(dataset.rows(ReportFilters()))
    assert len(rows) == dataset.count(ReportFilters()) == len(Background.values) + 1


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_only_staff_reach_the_aggregate_export(client, request, file_format, db):
    url = f"/reports/exports/{DATASET}.{file_format}"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for who in ("participant", "organiser"):
        client.force_login(request.getfixturevalue(who))
        assert client.get(url).status_code == 403, who
    client.force_login(request.getfixturevalue("staff"))
    assert client.get(url).status_code == 200


def test_asking_for_the_aggregate_with_names_and_emails_is_refused(client, admin_user, db):
    client.force_login(admin_user)
    response = client.post(
        "/reports/exports/personal/",
        {
            "personal-dataset": DATASET,
            "personal-file_format": "csv",
            "personal-purpose": "Inviting attendees to the launch event",
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
