from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from . import selectors
from .models import SupportResource


@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "harms/harmcategory_list.html",
        {"categories": selectors.top_level_categories()},
    )


@require_GET
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(selectors.category_with_resources(slug))
    # A sub-category also shows the help services of the category it belongs to.
    category_ids = [category.pk] + ([category.parent_id] if category.parent_id else [])
    resources = SupportResource.objects.filter(categories__in=category_ids).distinct()
    return render(
        request,
        "harms/harmcategory_detail.html",
        {"category": category, "resources": resources},
    )


@require_GET
def support(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "harms/supportresource_list.html",
        {"resources": SupportResource.objects.prefetch_related("categories")},
    )
