"""An idea hidden after an urgent report ("personal details or images", "a minor") has its
text withheld from every export, personal-data ones included (issue 13, item 6)."""

import pytest
from django.contrib.auth.models import Permission

from exports.datasets import DATASETS
from initiatives import services
from initiatives.models import IdeaStatus, ReportReason
from reports.filters import ReportFilters
from tests.exports.reading import read_csv, read_xlsx, streamed
from tests.factories import IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

WITHHELD = "[withheld after a report]"
TITLE = "Name the admin of the group chat"
BODY = "He is called Tan Ah Kow and lives at Block 123."


@pytest.fixture
def idea(db):
    return IdeaFactory(title=TITLE, body=BODY, status=IdeaStatus.APPROVED)


def _report(idea, reason):
    return services.report_create(reporter=UserFactory(), idea=idea, reason=reason)


def _rows(personal=False):
    dataset = DATASETS["ideas"]
    names = [column.name for column in dataset.columns(personal=personal)]
    return [
        dict(zip(names, row, strict=True))
        for row in dataset.rows(ReportFilters(), personal=personal)
    ]


@pytest.mark.parametrize("reason", [ReportReason.PERSONAL_DETAILS, ReportReason.MINOR])
@pytest.mark.parametrize("personal", [False, True])
def test_an_idea_hidden_after_an_urgent_report_is_withheld_from_every_export(
    idea, reason, personal
):
    _report(idea, reason)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.HIDDEN
    (row,) = _rows(personal=personal)
    assert row["title"] == row["body"] == WITHHELD
    assert row["text_withheld"] == "yes"


def test_the_files_say_withheld_in_csv_and_xlsx_and_never_hold_the_text(client, staff, idea):
    _report(idea, ReportReason.PERSONAL_DETAILS)
    client.force_login(staff)
    content = streamed(client.get("/reports/exports/ideas.csv"))
    (row,) = read_csv(content)
    assert (row["title"], row["body"], row["text_withheld"]) == (WITHHELD, WITHHELD, "yes")
    xlsx = b"".join(client.get("/reports/exports/ideas.xlsx").streaming_content)
    data = read_xlsx(xlsx)["data"]
    assert data[1][2:4] == [WITHHELD, WITHHELD]
    for text in (TITLE, BODY):
        assert text.encode() not in content
        assert not any(text in str(cell) for row in data for cell in row)


def test_a_personal_data_export_withholds_it_too(client, staff, idea):
    _report(idea, ReportReason.MINOR)
    staff.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    client.force_login(staff)
    response = client.post(
        "/reports/exports/personal/",
        {
            "personal-dataset": "ideas",
            "personal-file_format": "csv",
            "personal-purpose": "Contacting authors about the launch event",
        },
    )
    (row,) = read_csv(streamed(response))
    assert row["body"] == WITHHELD
    assert TITLE not in row.values()


def test_a_dismissed_urgent_report_gives_the_text_back(idea):
    _report(idea, ReportReason.PERSONAL_DETAILS)
    organiser = UserFactory()
    services.reports_resolve(moderator=organiser, uphold=False, note="", idea=idea)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.APPROVED
    (row,) = _rows()
    assert (row["title"], row["body"], row["text_withheld"]) == (TITLE, BODY, "no")


def test_an_upheld_urgent_report_keeps_it_withheld(idea):
    _report(idea, ReportReason.PERSONAL_DETAILS)
    services.reports_resolve(moderator=UserFactory(), uphold=True, note="", idea=idea)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.REJECTED
    (row,) = _rows()
    assert row["body"] == WITHHELD


@pytest.mark.parametrize("reason", [ReportReason.SPAM, ReportReason.HARASSMENT])
def test_other_reports_do_not_withhold_the_text(idea, reason):
    _report(idea, reason)
    (row,) = _rows()
    assert (row["title"], row["body"]) == (TITLE, BODY)


def test_only_the_reported_idea_is_withheld(idea):
    other = IdeaFactory(title="Another idea", body="Fine", status=IdeaStatus.APPROVED)
    _report(idea, ReportReason.PERSONAL_DETAILS)
    rows = {row["idea_id"]: row for row in _rows()}
    assert rows[idea.pk]["body"] == WITHHELD
    assert rows[other.pk]["body"] == "Fine"
