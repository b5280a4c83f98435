"""The harm taxonomy is reference data made by migrations: tests look rows up by slug."""

from harms.models import HarmCategory, SolutionArea


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
