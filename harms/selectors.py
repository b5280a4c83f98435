from django.db.models import Prefetch, QuerySet

from .models import HarmCategory, SupportResource


def top_level_categories() -> QuerySet[HarmCategory]:
    return HarmCategory.objects.filter(parent__isnull=True).prefetch_related(
        Prefetch("children", queryset=HarmCategory.objects.order_by("order", "name"))
    )


def footer_support_resources() -> QuerySet[SupportResource]:
    return SupportResource.objects.filter(show_in_footer=True)


def category_with_resources(slug: str):
    return (
        HarmCategory.objects.select_related("parent").prefetch_related("children").filter(slug=slug)
    )
