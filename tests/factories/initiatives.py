import factory
from django.utils import timezone

from harms.models import HarmCategory, SolutionArea
from initiatives.models import (
    CoCreator,
    CoCreatorRole,
    Comment,
    CommentStatus,
    DraftComment,
    DraftSection,
    DraftVersion,
    Follow,
    Idea,
    IdeaStatus,
    Initiative,
    InitiativeUpdate,
    Report,
    ReportReason,
    Support,
)

from .accounts import UserFactory
from .base import DatedFactory
from .harms import set_harm_categories


class IdeaFactory(factory.django.DjangoModelFactory):
    """An idea in any status, written straight to the table (tests set up state; the
    services under test move it)."""

    class Meta:
        model = Idea

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"School workshops on image consent, take {n}")
    body = "Run short workshops in every secondary school.\nInvite parents too."
    harm_category = factory.LazyFunction(
        lambda: HarmCategory.objects.get(slug="non-consensual-publication")
    )
    solution_area = factory.LazyFunction(lambda: SolutionArea.objects.order_by("order").first())
    status = IdeaStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    decided_at = factory.LazyAttribute(
        lambda idea: timezone.now() if idea.status in ("approved", "rejected") else None
    )


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    idea = factory.SubFactory(IdeaFactory, status=IdeaStatus.APPROVED)
    author = factory.SubFactory(UserFactory)
    body = "My daughter's school did something like this and it helped."
    status = CommentStatus.PUBLISHED


class InitiativeFactory(DatedFactory):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"safer-schools-{n}")
    title = factory.Sequence(lambda n: f"Safer schools {n}")
    summary = "Workshops on consent and image sharing."
    description = "A programme for secondary schools."
    solution_area = factory.LazyFunction(lambda: SolutionArea.objects.order_by("order").first())

    @factory.post_generation
    def leads(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.leads.set(extracted)

    @factory.post_generation
    def harm_categories(obj, create, extracted, **kwargs):
        set_harm_categories(obj, create, extracted)


class CoCreatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoCreator

    initiative = factory.SubFactory(InitiativeFactory)
    user = factory.SubFactory(UserFactory)
    role = CoCreatorRole.VOLUNTEER


class InitiativeUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InitiativeUpdate

    initiative = factory.SubFactory(InitiativeFactory)
    title = "Started"
    body = "First steps"


class FollowFactory(factory.django.DjangoModelFactory):
    """A follow row only; `notified_through` 0 means every notice of the initiative is news
    to them (follow_start sets it to the newest notice instead)."""

    class Meta:
        model = Follow

    initiative = factory.SubFactory(InitiativeFactory)
    user = factory.SubFactory(UserFactory)


class DraftVersionFactory(DatedFactory):
    """A version as draft_save would have numbered it: the next number in its initiative."""

    class Meta:
        model = DraftVersion

    initiative = factory.SubFactory(InitiativeFactory)
    number = factory.LazyAttribute(
        lambda o: (
            (
                DraftVersion.objects.filter(initiative=o.initiative).order_by("-number").first()
                or DraftVersion(number=0)
            ).number
            + 1
        )
    )
    problem = "Image-based abuse goes unreported in schools."
    proposal = "Workshops on consent."
    roles = ""
    milestones = ""
    author = factory.SubFactory(UserFactory)


class DraftCommentFactory(DatedFactory):
    class Meta:
        model = DraftComment

    initiative = factory.SubFactory(InitiativeFactory)
    section = DraftSection.PROBLEM
    author = factory.SubFactory(UserFactory)
    body = "Could we add figures from the sessions?"


class SupportFactory(factory.django.DjangoModelFactory):
    """A support row only: the idea's counter is the service's to move."""

    class Meta:
        model = Support

    user = factory.SubFactory(UserFactory)
    idea = factory.SubFactory(IdeaFactory, status=IdeaStatus.APPROVED)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    idea = factory.SubFactory(IdeaFactory, status=IdeaStatus.APPROVED)
    reason = ReportReason.SPAM
