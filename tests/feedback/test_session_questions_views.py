"""Questions of a session's own, through the pages: the organisers' questions page (role
matrix, frozen once feedback opens, query counts) and the participants' feedback form that
asks them (validation, nothing lost, an answer to another session's question refused)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from feedback.models import Feedback, QuestionAnswer, QuestionKind, SessionQuestion
from harms.models import HarmCategory
from tests.factories import (
    EngagementSessionFactory,
    RegistrationFactory,
    SessionQuestionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_organiser(db):
    return UserFactory(display_name="Opal Organiser", roles=[Role.ORGANISER], mfa=True)


@pytest.fixture
def upcoming(organiser):
    return EngagementSessionFactory(created_by=organiser)


@pytest.fixture
def held(participant):
    session = EngagementSessionFactory(starts_at=timezone.now() - timedelta(hours=3))
    RegistrationFactory(session=session, participant=participant, status="confirmed")
    return session


def _urls(session, question):
    return [
        ("get", reverse("feedback:session_questions", args=[session.pk]), None),
        (
            "post",
            reverse("feedback:session_questions", args=[session.pk]),
            {"text": "Added?", "kind": "scale"},
        ),
        ("get", reverse("feedback:session_question_edit", args=[session.pk, question.pk]), None),
        (
            "post",
            reverse("feedback:session_question_edit", args=[session.pk, question.pk]),
            {"text": "Edited?", "kind": "scale"},
        ),
        (
            "post",
            reverse("feedback:session_question_move", args=[session.pk, question.pk]),
            {"direction": "up"},
        ),
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 403),
        ("other_participant", 403),
        ("organiser", "ok"),
        # Every organiser runs every session, as on the roster.
        ("other_organiser", "ok"),
        ("staff", 403),
        ("admin_user", "ok"),
        ("organiser_without_mfa", "second_factor"),
    ],
)
def test_the_questions_pages_are_for_organisers_as_the_roster_is(
    client, request, upcoming, role, expected
):
    question = SessionQuestionFactory(session=upcoming)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for method, url, data in _urls(upcoming, question):
        response = getattr(client, method)(url, data)
        if expected == "login":
            assert response.status_code == 302
            assert response.url.startswith(reverse("account_login"))
        elif expected == "second_factor":
            assert response.status_code == 302
            assert response.url == reverse("mfa_activate_totp")
        elif expected == "ok":
            assert response.status_code in (200, 302)
        else:
            assert response.status_code == expected
    delete = client.post(
        reverse("feedback:session_question_delete", args=[upcoming.pk, question.pk])
    )
    changed = not SessionQuestion.objects.filter(pk=question.pk).exists()
    assert changed == (expected == "ok")
    if expected != "ok":
        assert delete.status_code in (302, 403)


def test_a_question_of_another_session_is_a_404(client, organiser, upcoming):
    elsewhere = SessionQuestionFactory(session=EngagementSessionFactory())
    client.force_login(organiser)
    url = reverse("feedback:session_question_edit", args=[upcoming.pk, elsewhere.pk])
    assert client.get(url).status_code == 404
    delete = reverse("feedback:session_question_delete", args=[upcoming.pk, elsewhere.pk])
    assert client.post(delete).status_code == 404
    assert SessionQuestion.objects.filter(pk=elsewhere.pk).exists()


def test_the_roster_links_to_the_questions_page(client, organiser, upcoming):
    client.force_login(organiser)
    roster = client.get(reverse("engagement:console_roster", args=[upcoming.pk]))
    assert reverse("feedback:session_questions", args=[upcoming.pk]) in roster.content.decode()


def test_an_organiser_adds_reorders_and_previews_questions(client, organiser, upcoming):
    client.force_login(organiser)
    url = reverse("feedback:session_questions", args=[upcoming.pk])
    client.post(url, {"text": "How safe did you feel?", "kind": "scale", "required": "on"})
    response = client.post(
        url, {"text": "Which helped?", "kind": "several", "choices": "Talks\nStories\n"}
    )
    assert response.status_code == 302
    first, second = SessionQuestion.objects.filter(session=upcoming)
    assert second.choices == ["Talks", "Stories"]
    client.post(
        reverse("feedback:session_question_move", args=[upcoming.pk, second.pk]),
        {"direction": "up"},
    )
    assert list(SessionQuestion.objects.filter(session=upcoming)) == [second, first]
    html = client.get(url).content.decode()
    assert 'data-testid="questions-preview"' in html
    assert "<legend" in html and "Which helped? (optional)" in html


def test_a_bad_question_keeps_what_was_typed(client, organiser, upcoming):
    client.force_login(organiser)
    response = client.post(
        reverse("feedback:session_questions", args=[upcoming.pk]),
        {"text": "Pick one", "kind": "one", "choices": "Only this"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "from 2 to 10 options" in html
    assert "Only this" in html and 'value="Pick one"' in html


def test_after_feedback_opens_the_page_says_so_and_changes_are_refused(client, organiser, held):
    question = SessionQuestionFactory(session=held)
    client.force_login(organiser)
    page = client.get(reverse("feedback:session_questions", args=[held.pk])).content.decode()
    assert "Feedback opened on" in page and "questions can no longer be changed" in page
    assert "Add the question" not in page
    response = client.post(
        reverse("feedback:session_questions", args=[held.pk]), {"text": "Late?", "kind": "scale"}
    )
    assert response.status_code == 400
    refused = response.content.decode()
    assert "Feedback opened on" in refused
    assert 'value="Late?"' in refused  # nothing typed is lost
    response = client.post(
        reverse("feedback:session_question_edit", args=[held.pk, question.pk]),
        {"text": "Late?", "kind": "scale"},
    )
    assert response.status_code == 400
    for name, data in (("delete", {}), ("move", {"direction": "down"})):
        response = client.post(
            reverse(f"feedback:session_question_{name}", args=[held.pk, question.pk]),
            data,
            follow=True,
        )
        assert "Feedback opened on" in response.content.decode()
    question.refresh_from_db()
    assert question.text != "Late?"
    assert SessionQuestion.objects.filter(session=held).count() == 1


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_questions_page_costs_the_same_queries_for_1_and_10_questions(
    client, organiser, upcoming
):
    client.force_login(organiser)
    url = reverse("feedback:session_questions", args=[upcoming.pk])
    SessionQuestionFactory(session=upcoming, kind=QuestionKind.ONE_CHOICE)
    one = _queries(client, url)
    for kind in [QuestionKind.SCALE, QuestionKind.SEVERAL_CHOICES, QuestionKind.SHORT_TEXT] * 3:
        SessionQuestionFactory(session=upcoming, kind=kind)
    assert _queries(client, url) == one


# --- The participants' form ------------------------------------------------------------------


@pytest.fixture
def asked(held):
    return {
        "scale": SessionQuestionFactory(session=held, kind=QuestionKind.SCALE, required=True),
        "one": SessionQuestionFactory(session=held, kind=QuestionKind.ONE_CHOICE),
        "several": SessionQuestionFactory(
            session=held, kind=QuestionKind.SEVERAL_CHOICES, required=True
        ),
        "text": SessionQuestionFactory(session=held, kind=QuestionKind.SHORT_TEXT),
    }


def _post(asked, **answers) -> dict:
    data = {
        "harm_categories": [HarmCategory.objects.get(slug="doxxing").pk],
        "experience": "What I saw.",
        "language": "en",
        "share_anonymously": "on",
    }
    for key, value in answers.items():
        data[f"question_{asked[key].pk}" if key in asked else key] = value
    return data


def test_the_form_asks_the_sessions_questions_in_fieldsets(client, participant, held, asked):
    client.force_login(participant)
    html = client.get(reverse("feedback:session_new", args=[held.slug])).content.decode()
    assert 'data-testid="session-questions"' in html
    for question in asked.values():
        assert question.text in html
    assert html.count("<fieldset") >= 7  # the page's four, the group and three radio/box groups


def test_answers_sent_with_the_form_are_stored(client, participant, held, asked):
    client.force_login(participant)
    response = client.post(
        reverse("feedback:session_new", args=[held.slug]),
        _post(asked, scale="4", one="2", several=["1", "3"], text="More time to talk."),
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get(participant=participant)
    assert feedback.answers.count() == 4
    edit = client.get(reverse("feedback:edit", args=[feedback.pk])).content.decode()
    assert "More time to talk." in edit


def test_a_required_question_left_empty_keeps_everything_typed(client, participant, held, asked):
    client.force_login(participant)
    response = client.post(
        reverse("feedback:session_new", args=[held.slug]),
        _post(asked, one="2", text="Keep this text."),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "it is required" in html
    assert "Keep this text." in html and "What I saw." in html
    assert not Feedback.objects.exists()


def test_an_answer_to_another_sessions_question_is_a_form_error_not_a_500(
    client, participant, held, asked
):
    elsewhere = SessionQuestionFactory(session=EngagementSessionFactory())
    client.force_login(participant)
    for stranger in (f"question_{elsewhere.pk}", "question_987654", "question_x"):
        response = client.post(
            reverse("feedback:session_new", args=[held.slug]),
            {**_post(asked, scale="3", several=["1"], text="Keep me."), stranger: "1"},
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "not on this session&#x27;s form" in html
        assert "Keep me." in html
    assert not Feedback.objects.exists()
    assert not QuestionAnswer.objects.exists()


def test_an_option_not_offered_is_refused(client, participant, held, asked):
    client.force_login(participant)
    response = client.post(
        reverse("feedback:session_new", args=[held.slug]),
        _post(asked, scale="9", several=["1", "7"]),
    )
    assert response.status_code == 400
    assert "Choose from the options" in response.content.decode()


def test_the_form_costs_the_same_queries_for_1_and_10_questions(client, participant, held):
    client.force_login(participant)
    url = reverse("feedback:session_new", args=[held.slug])
    SessionQuestionFactory(session=held, kind=QuestionKind.ONE_CHOICE)
    one = _queries(client, url)
    for kind in [QuestionKind.SCALE, QuestionKind.SEVERAL_CHOICES, QuestionKind.SHORT_TEXT] * 3:
        SessionQuestionFactory(session=held, kind=kind)
    assert _queries(client, url) == one


def test_the_feedback_page_shows_its_answers_in_words(client, participant, held, asked):
    client.force_login(participant)
    client.post(
        reverse("feedback:session_new", args=[held.slug]),
        _post(asked, scale="4", several=["1", "3"], text="More time to talk."),
    )
    feedback = Feedback.objects.get(participant=participant)
    html = client.get(reverse("feedback:detail", args=[feedback.pk])).content.decode()
    assert "4 out of 5" in html
    assert "Yes; Not sure" in html
    assert "More time to talk." in html
