"""Two organisers adding questions to one session at the same moment (PostgreSQL, real
threads): the session's row lock makes them take turns, so each gets its own position and
the limit holds. The control takes the lock away and shows the race it prevents."""

import threading

import pytest
from django.db import connection

from feedback import services
from feedback.models import QUESTIONS_PER_SESSION, QuestionKind, SessionQuestion
from tests.factories import EngagementSessionFactory, SessionQuestionFactory, UserFactory
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DETAILS = services.QuestionDetails(kind=QuestionKind.SCALE, text="How safe did you feel?")


def _adds(session, organisers):
    return [
        lambda organiser=organiser: services.session_question_add(
            session=session, organiser=organiser, details=DETAILS
        )
        for organiser in organisers
    ]


def test_adding_at_once_gives_each_question_its_own_place_and_keeps_the_limit(db):
    session = EngagementSessionFactory()
    for _n in range(QUESTIONS_PER_SESSION - 2):
        SessionQuestionFactory(session=session)
    organisers = [UserFactory() for _n in range(4)]
    results, errors = run_at_once(
        _adds(session, organisers), refusals=(services.SessionQuestionError,)
    )
    assert errors == []
    refused = [r for r in results if isinstance(r, services.SessionQuestionError)]
    assert len(refused) == 2
    positions = list(
        SessionQuestion.objects.filter(session=session).values_list("position", flat=True)
    )
    assert positions == list(range(1, QUESTIONS_PER_SESSION + 1))


def test_control_without_the_session_lock_two_adds_collide(db, monkeypatch):
    assert connection.vendor == "postgresql"
    monkeypatch.setattr(services, "_lock_session", lambda session: session)
    # Without the lock, both read the same last position; make them read it together.
    original = services._lock_questions
    session = EngagementSessionFactory()
    organisers = [UserFactory() for _n in range(2)]
    barrier = threading.Barrier(2)

    def slow(locked):
        questions = original(locked)
        barrier.wait(timeout=10)
        return questions

    monkeypatch.setattr(services, "_lock_questions", slow)
    _results, errors = run_at_once(
        _adds(session, organisers), refusals=(services.SessionQuestionError,)
    )
    assert any("IntegrityError" in error for error in errors)
