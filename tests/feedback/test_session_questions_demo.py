"""The demo's session questions: a held 2021 session asked three, answered by its demo
feedback; an upcoming one has two that organisers can still change. Seeding twice adds
nothing twice."""

import pytest
from django.core.management import call_command

from engagement.models import EngagementSession
from feedback import services
from feedback.models import QuestionAnswer, SessionQuestion
from reports.models import Digest

pytestmark = pytest.mark.django_db


def test_the_demo_asks_and_answers_session_questions_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (SessionQuestion.objects.count(), QuestionAnswer.objects.count())
    call_command("seed_demo")
    assert (SessionQuestion.objects.count(), QuestionAnswer.objects.count()) == counts
    held = EngagementSession.objects.get(slug="afa-engagement-session-2021-03-08")
    assert held.feedback_questions.count() == 3
    assert QuestionAnswer.objects.filter(question__session=held).exists()
    assert services.questions_frozen_reason(held)
    upcoming = EngagementSession.objects.get(slug="demo-session-safer-messaging")
    assert upcoming.feedback_questions.count() == 2
    assert services.questions_frozen_reason(upcoming) == ""
    digest = Digest.objects.get(period_start__year=2021)
    assert digest.figures["session_questions"][0]["session"] == held.title
