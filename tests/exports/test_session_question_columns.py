"""The feedback export's columns for sessions' own questions (issue 17, item 4): one column
per question in scope, a session's alone when filtered to it; codes in CSV, words in XLSX;
text answers formula-safe and, when flagged, left out of a default export."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.permissions import SECOND_FACTOR_ATTR
from exports.datasets import DATASETS
from feedback.models import QuestionAnswer, QuestionKind
from reports.filters import ReportFilters
from tests.exports.reading import read_csv, read_csv_header, read_xlsx, streamed
from tests.factories import (
    EngagementSessionFactory,
    FeedbackFactory,
    SessionQuestionFactory,
    answer,
    sgt,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked():
    first = EngagementSessionFactory(title="First talk", starts_at=sgt(2026, 11, 3, 10))
    second = EngagementSessionFactory(title="Second talk", starts_at=sgt(2026, 11, 5, 10))
    q = {
        "scale": SessionQuestionFactory(session=first, kind=QuestionKind.SCALE, text="Safe?"),
        "one": SessionQuestionFactory(
            session=first, kind=QuestionKind.ONE_CHOICE, text="Again?", choices=["Yes", "No"]
        ),
        "several": SessionQuestionFactory(
            session=first,
            kind=QuestionKind.SEVERAL_CHOICES,
            text="Helped?",
            choices=["Talks", "Stories", "Games"],
        ),
        "text": SessionQuestionFactory(session=first, kind=QuestionKind.SHORT_TEXT, text="Else?"),
        "other": SessionQuestionFactory(session=second, kind=QuestionKind.SCALE, text="Useful?"),
    }
    f1 = FeedbackFactory(session=first)
    answer(f1, q["scale"], 4)
    answer(f1, q["one"], 2)
    answer(f1, q["several"], [1, 3])
    answer(f1, q["text"], "=HYPERLINK(1)")
    f2 = FeedbackFactory(session=first)
    flagged = answer(f2, q["text"], "Call 9123 4567")
    QuestionAnswer.objects.filter(pk=flagged.pk).update(personal_data_kinds=["phone"])
    f3 = FeedbackFactory(session=second)
    answer(f3, q["other"], 5)
    FeedbackFactory()  # general feedback: no answers
    return {"first": first, "second": second, "q": q, "feedback": (f1, f2, f3)}


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_filtered_to_a_session_the_export_has_one_column_per_question(staff_client, asked):
    q = asked["q"]
    content = streamed(
        staff_client.get(f"/reports/exports/feedback.csv?session={asked['first'].pk}")
    )
    header = read_csv_header(content)
    names = [f"question_{q[key].pk}" for key in ("scale", "one", "several", "text")]
    assert [name for name in header if name.startswith("question_")] == names
    rows = read_csv(content)
    f1, f2, _f3 = asked["feedback"]
    first = next(row for row in rows if row["feedback_id"] == str(f1.pk))
    assert first[names[0]] == "4"
    assert first[names[1]] == "2"
    assert first[names[2]] == "1; 3"
    assert first[names[3]] == "'=HYPERLINK(1)"  # formula-safe
    second = next(row for row in rows if row["feedback_id"] == str(f2.pk))
    assert second[names[0]] == ""
    assert second[names[3]] == "[left out: holds personal data]"


def test_an_export_over_sessions_labels_each_question_by_its_session(staff_client, asked):
    response = staff_client.get("/reports/exports/feedback.xlsx")
    header, *rows = read_xlsx(b"".join(response.streaming_content))["data"]
    assert "First talk – Q1: Safe?" in header
    assert "Second talk – Q1: Useful?" in header
    f1 = asked["feedback"][0]
    row = dict(zip(header, next(r for r in rows if r[0] == f1.pk), strict=True))
    # XLSX gives the options' words.
    assert row["First talk – Q2: Again?"] == "No"
    assert row["First talk – Q3: Helped?"] == "Talks; Games"


def test_without_questions_in_scope_there_are_no_question_columns(staff_client, asked):
    general = ReportFilters(session_id=EngagementSessionFactory().pk)
    columns = DATASETS["feedback"].columns(filters=general)
    assert not [c for c in columns if c.name.startswith("question_")]


def test_a_personal_export_includes_a_flagged_text_answer(client, staff, asked):
    staff.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    setattr(staff, SECOND_FACTOR_ATTR, True)
    client.force_login(staff)
    response = client.post(
        "/reports/exports/personal/",
        {
            "personal-dataset": "feedback",
            "personal-file_format": "csv",
            "personal-purpose": "Reading what attendees said",
            "personal-session": asked["first"].pk,
        },
    )
    rows = read_csv(streamed(response))
    column = f"question_{asked['q']['text'].pk}"
    assert "Call 9123 4567" in [row[column] for row in rows]


def test_the_answers_cost_the_same_queries_for_few_rows_and_many(asked):
    dataset = DATASETS["feedback"]
    filters = ReportFilters(session_id=asked["first"].pk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            list(dataset.rows(filters))
        return len(captured)

    few = queries()
    for n in range(40):
        feedback = FeedbackFactory(session=asked["first"])
        answer(feedback, asked["q"]["several"], [1, 2] if n % 2 else [3])
    assert queries() == few
