"""A digest's part on sessions' own questions (issue 17, item 4): counts per option and per
point on the scale, hidden where they could single out fewer than five people
(reports.disclosure), and never the words of a text answer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import QuestionKind
from reports import figures, selectors, services
from reports.filters import Scope
from reports.models import DigestKind
from tests.factories import (
    DigestFactory,
    EngagementSessionFactory,
    FeedbackFactory,
    SessionQuestionFactory,
    answer,
    sgt,
)

pytestmark = pytest.mark.django_db

START = sgt(2026, 11, 2, 8)
END = sgt(2026, 11, 9, 8)
IN = sgt(2026, 11, 4, 12)


@pytest.fixture
def answered():
    session = EngagementSessionFactory(title="Safer chats", starts_at=sgt(2026, 11, 3, 10))
    scale = SessionQuestionFactory(session=session, kind=QuestionKind.SCALE, text="How safe?")
    one = SessionQuestionFactory(
        session=session, kind=QuestionKind.ONE_CHOICE, text="Again?", choices=["Yes", "No"]
    )
    several = SessionQuestionFactory(
        session=session,
        kind=QuestionKind.SEVERAL_CHOICES,
        text="What helped?",
        choices=["Talks", "Stories", "Games"],
    )
    text = SessionQuestionFactory(session=session, kind=QuestionKind.SHORT_TEXT, text="Else?")
    # 12 people: scale 5 x7, 4 x5; one: Yes x10, No x2; several: Talks x12, Stories x6,
    # Games x0; text: 6 answered (one names a secret), 6 not.
    for n in range(12):
        feedback = FeedbackFactory(session=session, created_at=IN)
        answer(feedback, scale, 5 if n < 7 else 4)
        answer(feedback, one, 1 if n < 10 else 2)
        answer(feedback, several, [1, 2] if n < 6 else [1])
        if n < 6:
            answer(feedback, text, "The secret words of one person" if n == 0 else "More.")
    # Outside the period: not counted.
    answer(FeedbackFactory(session=session, created_at=sgt(2026, 11, 10)), scale, 1)
    return session


def _part(period=None):
    found = figures.session_question_answers(period or Scope.period(START, END))
    assert len(found) == 1
    return {question["text"]: question for question in found[0]["questions"]}


def test_counts_per_point_and_option_with_small_ones_hidden(answered):
    part = _part()
    scale = part["How safe?"]
    assert [row["count"] for row in scale["rows"]] == [0, 0, 0, 5, 7]
    assert (scale["given"], scale["no_answer"], scale["answered"]) == (12, 0, 12)
    one = part["Again?"]
    # No: 2 people is hidden, and Yes with it (12 - 10 would give it away).
    assert [row["count"] for row in one["rows"]] == [None, None]
    several = part["What helped?"]
    assert [(row["label"], row["count"]) for row in several["rows"]] == [
        ("Talks", 12),
        ("Stories", 6),
        ("Games", 0),
    ]
    text = part["Else?"]
    assert (text["rows"], text["answered"], text["no_answer"]) == ([], 6, 6)


def test_a_session_with_fewer_than_five_pieces_of_feedback_shows_nothing_countable():
    session = EngagementSessionFactory()
    question = SessionQuestionFactory(session=session, kind=QuestionKind.SCALE)
    for point in (3, 4, 4):
        answer(FeedbackFactory(session=session, created_at=IN), question, point)
    part = figures.session_question_answers(Scope.period(START, END))[0]["questions"][0]
    assert part["given"] is None and part["answered"] is None
    assert [row["count"] for row in part["rows"]] == [0, 0, None, None, 0]


def test_several_choices_hide_a_complement_that_would_single_people_out():
    session = EngagementSessionFactory()
    question = SessionQuestionFactory(
        session=session, kind=QuestionKind.SEVERAL_CHOICES, choices=["A", "B"]
    )
    # 8 people: A chosen by 6 (so 2 did not: hidden), B by all 8.
    for n in range(8):
        answer(FeedbackFactory(session=session, created_at=IN), question, [1, 2] if n < 6 else [2])
    part = figures.session_question_answers(Scope.period(START, END))[0]["questions"][0]
    assert [row["count"] for row in part["rows"]] == [None, 8]


def test_the_digest_shows_the_part_and_never_a_text_answer(answered):
    digest = DigestFactory(
        kind=DigestKind.WEEKLY, period_start=START, period_end=END, queued_at=START
    )
    assert services.digest_compile(digest_id=digest.pk) is True
    digest.refresh_from_db()
    assert 'data-figure="session_questions"' in digest.html
    assert "Safer chats" in digest.html and "What helped?" in digest.html
    assert "The secret words" not in digest.html
    assert "secret" not in str(digest.figures)
    assert "Answers to sessions&#x27; own questions" in digest.html  # the glossary's name


def test_the_part_costs_the_same_queries_for_one_session_or_many(answered):
    period = Scope.period(START, END)
    with CaptureQueriesContext(connection) as one:
        figures.session_question_answers(period)
    for _n in range(3):
        session = EngagementSessionFactory()
        question = SessionQuestionFactory(session=session, kind=QuestionKind.ONE_CHOICE)
        answer(FeedbackFactory(session=session, created_at=IN), question, 1)
    with CaptureQueriesContext(connection) as many:
        found = figures.session_question_answers(period)
    assert len(found) == 4
    assert len(many) == len(one) == 5


def test_digest_figures_store_the_part(answered):
    stored = selectors.digest_figures(start=START, end=END)
    assert stored["session_questions"][0]["session"] == "Safer chats"
