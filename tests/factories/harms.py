"""The harm taxonomy is reference data made by migrations: tests look rows up by slug."""

import factory

from harms.models import HarmCategory, SolutionArea, SupportResource


def category(slug_or_row) -> HarmCategory:
    if isinstance(slug_or_row, HarmCategory):
        return slug_or_row
    return HarmCategory.objects.get(slug=slug_or_row)


def area(slug_or_row) -> SolutionArea:
    if isinstance(slug_or_row, SolutionArea):
        return slug_or_row
    return SolutionArea.objects.get(slug=slug_or_row)


def set_harm_categories(obj, create, extracted) -> None:
    """post_generation body shared by the factories: `harm_categories=[slug or row, ...]`."""
    if create and extracted:
        obj.harm_categories.set([category(item) for item in extracted])


class SupportResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportResource
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Helpline {n}")
    description = "Listens, any hour."
    phone = "1800 000 0000"

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.categories.set([category(item) for item in extracted])
