"""A person's answers to sessions' own questions are theirs: "Download my data" holds them,
and erasing the account deletes them with the feedback they belong to. The organiser who
added a question is declared, and their questions listed in their own archive."""

import io
import json
import zipfile

import pytest

from accounts import erasure, personal_data, services
from accounts.services import account_erase
from feedback.models import QuestionAnswer, QuestionAnswerChoice, QuestionKind
from tests.factories import (
    EngagementSessionFactory,
    FeedbackFactory,
    SessionQuestionFactory,
    answer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(participant, organiser):
    session = EngagementSessionFactory(title="Safer chats")
    one = SessionQuestionFactory(
        session=session,
        kind=QuestionKind.SEVERAL_CHOICES,
        text="What helped?",
        choices=["Talks", "Stories"],
        created_by=organiser,
    )
    text = SessionQuestionFactory(session=session, kind=QuestionKind.SHORT_TEXT, text="Else?")
    feedback = FeedbackFactory(participant=participant, session=session)
    answer(feedback, one, [1, 2])
    answer(feedback, text, "My own words")
    answer(FeedbackFactory(session=session), text, "Someone else's words")
    return feedback


def test_download_my_data_holds_the_persons_answers_in_words(participant, answered):
    rows = personal_data.SECTIONS["session_answers"].rows(participant)
    assert [(row["question"], row["answer"]) for row in rows] == [
        ("What helped?", ["Talks", "Stories"]),
        ("Else?", "My own words"),
    ]
    assert all(row["session"] == "Safer chats" for row in rows)


def test_an_organisers_archive_lists_the_questions_they_added(organiser, answered):
    rows = personal_data.SECTIONS["session_questions_written"].rows(organiser)
    assert [row["question"] for row in rows] == ["What helped?"]


def test_the_key_to_the_organiser_is_declared_for_erasure():
    assert "feedback.SessionQuestion.created_by" in erasure._SAFE
    assert "feedback.SessionQuestion.created_by" in personal_data.covered_references()


def test_erasing_the_account_deletes_the_answers_and_nobody_elses(
    participant, answered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=participant, keep_contributions=True, requested_by=participant)
    assert list(QuestionAnswer.objects.values_list("text", flat=True)) == ["Someone else's words"]
    assert not QuestionAnswerChoice.objects.exists()


def test_the_archive_file_holds_the_answers(participant, answered):
    archive = services.personal_data_archive(user=participant)
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        data = json.loads(files.read("data.json"))
    assert data["sections"]["session_answers"]["rows"][1]["answer"] == "My own words"
