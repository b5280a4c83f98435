from datetime import timedelta

import factory
from django.db.models import Max
from django.utils import timezone

from feedback.models import (
    Feedback,
    FeedbackSuggestion,
    QuestionAnswer,
    QuestionAnswerChoice,
    QuestionKind,
    QuoteStatus,
    SessionQuestion,
)

from .accounts import UserFactory
from .base import DatedFactory
from .harms import area, set_harm_categories


class FeedbackFactory(DatedFactory):
    """Feedback as the service stores it, written straight to the table. `quote_excerpt=` makes
    an approved quote; `harm_categories=` takes slugs or rows; `suggestions=` takes a list of
    solution-area slugs (text "Do more.") or a dict {area or slug: text}."""

    class Meta:
        model = Feedback
        skip_postgeneration_save = True

    participant = factory.SubFactory(UserFactory)
    session = None
    experience = "I saw it."
    rating = None
    quote_excerpt = ""
    quote_status = factory.LazyAttribute(
        lambda o: QuoteStatus.APPROVED if o.quote_excerpt else QuoteStatus.NOT_OFFERED
    )
    quote_consent = factory.LazyAttribute(lambda o: o.quote_status != QuoteStatus.NOT_OFFERED)
    editable_until = factory.LazyAttribute(
        lambda o: (o.created_at or timezone.now()) + timedelta(days=7)
    )

    @factory.post_generation
    def harm_categories(obj, create, extracted, **kwargs):
        set_harm_categories(obj, create, extracted)

    @factory.post_generation
    def suggestions(obj, create, extracted, **kwargs):
        if not (create and extracted):
            return
        pairs = (
            extracted.items()
            if isinstance(extracted, dict)
            else ((s, "Do more.") for s in extracted)
        )
        for solution_area, text in pairs:
            FeedbackSuggestionFactory(feedback=obj, solution_area=area(solution_area), text=text)


class FeedbackSuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackSuggestion

    feedback = factory.SubFactory(FeedbackFactory)
    solution_area = factory.LazyFunction(lambda: area("public-education"))
    text = "Do more."


class SessionQuestionFactory(factory.django.DjangoModelFactory):
    """A session's own question as the service stores it; `position` follows on."""

    class Meta:
        model = SessionQuestion

    session = factory.SubFactory("tests.factories.engagement.EngagementSessionFactory")
    kind = QuestionKind.SCALE
    text = factory.Sequence(lambda n: f"Question {n}?")
    choices = factory.LazyAttribute(
        lambda o: (
            ["Yes", "No", "Not sure"]
            if o.kind in (QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES)
            else []
        )
    )
    required = False
    position = factory.LazyAttribute(
        lambda o: (
            (
                SessionQuestion.objects.filter(session=o.session).aggregate(m=Max("position"))["m"]
                or 0
            )
            + 1
        )
    )


def answer(feedback, question, value):
    """An answer written straight to the tables: an int (scale, or one option), a list of
    option numbers, or a str."""
    row = QuestionAnswer.objects.create(
        feedback=feedback,
        question=question,
        scale=value if question.kind == QuestionKind.SCALE else None,
        text=value if isinstance(value, str) else "",
    )
    if question.kind in (QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES):
        options = value if isinstance(value, list) else [value]
        QuestionAnswerChoice.objects.bulk_create(
            QuestionAnswerChoice(answer=row, option=option) for option in options
        )
    return row
