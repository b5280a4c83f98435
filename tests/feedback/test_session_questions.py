"""Questions of a session's own (issue 17, item 4), through the services: organisers change
them only before feedback opens; answers are validated against that session's questions and
stored with the feedback, in its transaction."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from feedback import services
from feedback.models import (
    QUESTIONS_PER_SESSION,
    Feedback,
    QuestionAnswer,
    QuestionAnswerChoice,
    QuestionKind,
    SessionQuestion,
)
from harms.models import HarmCategory
from tests.factories import (
    EngagementSessionFactory,
    RegistrationFactory,
    SessionQuestionFactory,
)

pytestmark = pytest.mark.django_db


def _details(**answers) -> services.FeedbackDetails:
    return services.FeedbackDetails(
        harm_categories=[HarmCategory.objects.get(slug="doxxing")],
        experience="What I saw.",
        answers=answers.get("answers", {}),
    )


def _question(kind=QuestionKind.SCALE, **extra) -> services.QuestionDetails:
    values = {"kind": kind, "text": "How safe did you feel?", **extra}
    if kind in (QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES):
        values.setdefault("choices", ["Yes", "No"])
    return services.QuestionDetails(**values)


@pytest.fixture
def upcoming(db):
    return EngagementSessionFactory()


@pytest.fixture
def held(participant):
    session = EngagementSessionFactory(starts_at=timezone.now() - timedelta(hours=3))
    RegistrationFactory(session=session, participant=participant, status="confirmed")
    return session


# --- Organisers' changes -------------------------------------------------------------------


def test_an_organiser_adds_questions_in_order_with_an_audit_row(upcoming, organiser):
    first = services.session_question_add(
        session=upcoming, organiser=organiser, details=_question()
    )
    second = services.session_question_add(
        session=upcoming,
        organiser=organiser,
        details=_question(QuestionKind.SEVERAL_CHOICES, text="Which helped?", choices=["A", " B "]),
    )
    assert (first.position, second.position) == (1, 2)
    assert second.choices == ["A", "B"]
    assert second.created_by == organiser
    assert AuditEvent.objects.filter(action="feedback.question_add", actor=organiser).count() == 2


@pytest.mark.parametrize(
    ("details", "message"),
    [
        (_question(text="   "), "Write the question"),
        (_question(text="x" * 201), "under 200"),
        (_question(QuestionKind.ONE_CHOICE, choices=["Only one"]), "from 2 to 10 options"),
        (_question(QuestionKind.ONE_CHOICE, choices=[f"o{n}" for n in range(11)]), "2 to 10"),
        (_question(QuestionKind.ONE_CHOICE, choices=["Yes", "yes"]), "there twice"),
        (_question(QuestionKind.ONE_CHOICE, choices=["Yes", "x" * 81]), "under 80"),
        (_question(kind="essay"), "kind of answer"),
    ],
)
def test_a_bad_question_is_refused_with_a_reason(upcoming, organiser, details, message):
    with pytest.raises(services.SessionQuestionError, match=message):
        services.session_question_add(session=upcoming, organiser=organiser, details=details)
    assert not SessionQuestion.objects.exists()


def test_a_session_has_at_most_the_limit_of_questions(upcoming, organiser):
    for _n in range(QUESTIONS_PER_SESSION):
        services.session_question_add(session=upcoming, organiser=organiser, details=_question())
    with pytest.raises(services.SessionQuestionError, match="at most 10"):
        services.session_question_add(session=upcoming, organiser=organiser, details=_question())


def test_a_text_question_keeps_no_options(upcoming, organiser):
    question = services.session_question_add(
        session=upcoming,
        organiser=organiser,
        details=_question(QuestionKind.SHORT_TEXT, choices=["ignored", "too"]),
    )
    assert question.choices == []


def test_moving_swaps_positions_and_the_ends_stay_put(upcoming, organiser):
    a, b, c = (SessionQuestionFactory(session=upcoming) for _n in range(3))
    services.session_question_move(question=c, organiser=organiser, up=True)
    order = list(SessionQuestion.objects.filter(session=upcoming).values_list("pk", flat=True))
    assert order == [a.pk, c.pk, b.pk]
    services.session_question_move(question=a, organiser=organiser, up=True)
    services.session_question_move(question=b, organiser=organiser, up=False)
    order = list(SessionQuestion.objects.filter(session=upcoming).values_list("pk", flat=True))
    assert order == [a.pk, c.pk, b.pk]
    assert AuditEvent.objects.filter(action="feedback.question_move").count() == 1


def test_deleting_moves_the_later_questions_up(upcoming, organiser):
    a, b, c = (SessionQuestionFactory(session=upcoming) for _n in range(3))
    services.session_question_delete(question=a, organiser=organiser)
    assert list(SessionQuestion.objects.filter(session=upcoming).values_list("pk", "position")) == [
        (b.pk, 1),
        (c.pk, 2),
    ]
    assert AuditEvent.objects.filter(action="feedback.question_delete").exists()


def test_editing_changes_the_question(upcoming, organiser):
    question = SessionQuestionFactory(session=upcoming)
    services.session_question_update(
        question=question,
        organiser=organiser,
        details=_question(QuestionKind.ONE_CHOICE, text="Would you come again?", required=True),
    )
    question.refresh_from_db()
    assert (question.kind, question.text, question.choices, question.required) == (
        "one",
        "Would you come again?",
        ["Yes", "No"],
        True,
    )


def test_nothing_changes_once_feedback_has_opened(held, organiser):
    question = SessionQuestionFactory(session=held)
    calls = [
        lambda: services.session_question_add(
            session=held, organiser=organiser, details=_question()
        ),
        lambda: services.session_question_update(
            question=question, organiser=organiser, details=_question()
        ),
        lambda: services.session_question_delete(question=question, organiser=organiser),
        lambda: services.session_question_move(question=question, organiser=organiser, up=False),
    ]
    for call in calls:
        with pytest.raises(services.SessionQuestionError, match="Feedback opened on"):
            call()
    assert SessionQuestion.objects.filter(session=held).count() == 1
    assert not AuditEvent.objects.filter(action__startswith="feedback.question").exists()


def test_the_frozen_message_says_when_feedback_opened_in_singapore_time(organiser):
    session = EngagementSessionFactory(
        starts_at=timezone.make_aware(timezone.datetime(2021, 3, 8, 14, 30))
    )
    assert services.questions_frozen_reason(session) == (
        "Feedback opened on 8 March 2021, 2:30 PM; questions can no longer be changed."
    )


def test_a_cancelled_sessions_questions_are_frozen(organiser):
    session = EngagementSessionFactory(status="cancelled")
    with pytest.raises(services.SessionQuestionError, match="cancelled"):
        services.session_question_add(session=session, organiser=organiser, details=_question())


def test_the_change_locks_the_sessions_row(upcoming, organiser):
    with CaptureQueriesContext(connection) as queries:
        services.session_question_add(session=upcoming, organiser=organiser, details=_question())
    if connection.vendor == "postgresql":
        assert any(
            "FOR UPDATE" in q["sql"] and "engagement_engagementsession" in q["sql"]
            for q in queries.captured_queries
        )


# --- Answers ---------------------------------------------------------------------------------


@pytest.fixture
def questions(held):
    return {
        "scale": SessionQuestionFactory(session=held, kind=QuestionKind.SCALE, required=True),
        "one": SessionQuestionFactory(session=held, kind=QuestionKind.ONE_CHOICE),
        "several": SessionQuestionFactory(session=held, kind=QuestionKind.SEVERAL_CHOICES),
        "text": SessionQuestionFactory(session=held, kind=QuestionKind.SHORT_TEXT),
    }


def test_answers_are_stored_with_the_feedback(held, participant, questions):
    feedback = services.feedback_create(
        participant=participant,
        session=held,
        details=_details(
            answers={
                questions["scale"].pk: 4,
                questions["one"].pk: "2",
                questions["several"].pk: ["1", "3"],
                questions["text"].pk: "  Call me on 9123 4567  ",
            }
        ),
    )
    answers = {a.question_id: a for a in QuestionAnswer.objects.filter(feedback=feedback)}
    assert answers[questions["scale"].pk].scale == 4
    assert answers[questions["text"].pk].text == "Call me on 9123 4567"
    assert answers[questions["text"].pk].personal_data_kinds == ["phone"]
    assert set(
        QuestionAnswerChoice.objects.filter(answer__feedback=feedback).values_list(
            "answer__question_id", "option"
        )
    ) == {(questions["one"].pk, 2), (questions["several"].pk, 1), (questions["several"].pk, 3)}


def test_optional_questions_may_be_left_out(held, participant, questions):
    feedback = services.feedback_create(
        participant=participant,
        session=held,
        details=_details(answers={questions["scale"].pk: 3, questions["several"].pk: []}),
    )
    assert feedback.answers.count() == 1


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("scale", None, "it is required"),
        ("scale", 6, "from 1 to 5"),
        ("scale", "five", "from 1 to 5"),
        ("one", "4", "Choose from the options"),
        ("one", ["1", "2"], "Choose from the options"),
        ("several", ["1", "9"], "Choose from the options"),
        ("text", "x" * 501, "under 500"),
    ],
)
def test_a_bad_answer_is_refused_and_nothing_is_stored(
    held, participant, questions, key, value, message
):
    answers = {questions["scale"].pk: 3, questions[key].pk: value}
    with pytest.raises(services.FeedbackError, match=message):
        services.feedback_create(
            participant=participant, session=held, details=_details(answers=answers)
        )
    assert not Feedback.objects.exists()
    assert not QuestionAnswer.objects.exists()


def test_a_required_several_choice_question_needs_one_option(held, participant):
    question = SessionQuestionFactory(
        session=held, kind=QuestionKind.SEVERAL_CHOICES, required=True
    )
    with pytest.raises(services.FeedbackError, match="it is required"):
        services.feedback_create(
            participant=participant, session=held, details=_details(answers={question.pk: []})
        )


def test_an_answer_to_another_sessions_question_is_refused(held, participant, questions):
    elsewhere = SessionQuestionFactory(session=EngagementSessionFactory())
    for key in (elsewhere.pk, 987654):
        with pytest.raises(services.FeedbackError, match="not on this session's form"):
            services.feedback_create(
                participant=participant,
                session=held,
                details=_details(answers={questions["scale"].pk: 3, key: 1}),
            )
    assert not Feedback.objects.exists()


def test_general_feedback_takes_no_answers(participant, questions):
    with pytest.raises(services.FeedbackError, match="no questions"):
        services.feedback_create(
            participant=participant, details=_details(answers={questions["scale"].pk: 3})
        )


def test_an_update_replaces_the_answers_within_the_edit_window(held, participant, questions):
    feedback = services.feedback_create(
        participant=participant,
        session=held,
        details=_details(answers={questions["scale"].pk: 2, questions["several"].pk: [1, 2]}),
    )
    services.feedback_update(
        feedback=feedback,
        participant=participant,
        details=_details(answers={questions["scale"].pk: 5, questions["several"].pk: [3]}),
    )
    assert feedback.answers.get(question=questions["scale"]).scale == 5
    assert list(
        QuestionAnswerChoice.objects.filter(answer__feedback=feedback).values_list(
            "option", flat=True
        )
    ) == [3]
    Feedback.objects.filter(pk=feedback.pk).update(editable_until=timezone.now())
    with pytest.raises(services.FeedbackError, match="can no longer be changed"):
        services.feedback_update(
            feedback=feedback,
            participant=participant,
            details=_details(answers={questions["scale"].pk: 1}),
        )
    assert feedback.answers.get(question=questions["scale"]).scale == 5


def test_deleting_the_feedback_deletes_its_answers(held, participant, questions):
    feedback = services.feedback_create(
        participant=participant,
        session=held,
        details=_details(answers={questions["scale"].pk: 2, questions["one"].pk: 1}),
    )
    services.feedback_delete(feedback=feedback, participant=participant)
    assert not QuestionAnswer.objects.exists()
    assert not QuestionAnswerChoice.objects.exists()


def test_the_database_refuses_a_scale_outside_1_to_5_and_a_second_answer(
    held, participant, questions
):
    feedback = services.feedback_create(
        participant=participant, session=held, details=_details(answers={questions["scale"].pk: 2})
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionAnswer.objects.create(feedback=feedback, question=questions["one"], scale=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionAnswer.objects.create(feedback=feedback, question=questions["scale"], scale=3)
