import pytest
from django.urls import reverse
from django.utils.html import escape

from harms.models import HarmCategory, SolutionArea, SupportResource
from tests.factories import SupportResourceFactory


@pytest.mark.django_db
def test_migrations_seed_the_press_release_taxonomy():
    top = list(HarmCategory.objects.filter(parent__isnull=True).values_list("slug", flat=True))
    assert top == ["non-consensual-publication", "unwelcome-interactions", "harmful-platforms"]
    children = set(HarmCategory.objects.filter(parent__isnull=False).values_list("slug", flat=True))
    assert children == {
        "image-based-sexual-abuse",
        "doxxing",
        "sexual-harassment",
        "online-grooming",
        "cyberstalking",
        "sites-promoting-vice",
    }
    assert list(SolutionArea.objects.values_list("name", flat=True)) == [
        "Public education",
        "Partnerships",
        "Regulation",
    ]


@pytest.mark.django_db
def test_category_page_shows_the_warning_before_the_description_and_its_help(client):
    category = HarmCategory.objects.get(slug="doxxing")
    resource = SupportResourceFactory(
        name="Test helpline", description="Help", phone="1800 000 0000"
    )
    resource.categories.add(category.parent)
    page = client.get(category.get_absolute_url()).content.decode()
    warning_at = page.index(escape(category.content_warning))
    assert warning_at < page.index(escape(category.description))
    # The description sits inside a closed <details>: the reader chooses to open it.
    assert page.rfind("<details", 0, warning_at) > page.rfind("</details>", 0, warning_at)
    # Help for the parent category is shown on its sub-categories too.
    assert "Test helpline" in page


@pytest.mark.django_db
def test_category_list_shows_top_level_categories_with_their_children(client):
    page = client.get(reverse("harms:category_list")).content.decode()
    for category in HarmCategory.objects.all():
        assert category.name in page


@pytest.mark.django_db
def test_category_pages_use_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get(reverse("harms:category_list"))


@pytest.mark.django_db
def test_support_resource_needs_a_phone_or_a_website():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        SupportResource.objects.create(name="Nothing", description="No contact")
