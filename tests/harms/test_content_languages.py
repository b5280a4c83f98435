"""Issue 14, item 3: the harm categories, solution areas and support services in the four
official languages, from a column per language (django-modeltranslation), falling back to
English, which the page then marks lang="en"."""

import importlib
import re
from io import StringIO

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from harms import demo
from harms.models import HarmCategory, SolutionArea, SupportResource
from harms.seed_translations import (
    HARM_CATEGORIES,
    HARM_CATEGORY_FIELDS,
    SOLUTION_AREA_FIELDS,
    SOLUTION_AREAS,
    SUPPORT_RESOURCE_FIELDS,
    SUPPORT_RESOURCES,
)
from initiatives.models import IdeaStatus
from tests.factories import (
    EngagementSessionFactory,
    IdeaFactory,
    InitiativeFactory,
    SupportResourceFactory,
)

TRANSLATED = ["zh-hans", "ms", "ta"]
COLUMN = {"en": "en", "zh-hans": "zh_hans", "ms": "ms", "ta": "ta"}
SEED = importlib.import_module("harms.migrations.0004_content_languages_seed")
TAXONOMY = importlib.import_module("harms.migrations.0002_seed_taxonomy")


@pytest.fixture(autouse=True)
def _english_to_start_with():
    """Each test starts in English, as a request does: a test client's request leaves its
    language active in the thread, and a row made in Malay fills the Malay column."""
    with translation.override("en"):
        yield


def text(slug: str, field: str, language: str) -> str:
    return HARM_CATEGORIES[slug][field][COLUMN[language]]


def page(client, path: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def element_with(html: str, content: str) -> str:
    """The opening tag of the innermost element whose text starts with `content`."""
    at = html.index(escape(content))
    start = html.rindex("<", 0, at)
    return html[start : html.index(">", start) + 1]


# --- The data migration ---------------------------------------------------------------------


@pytest.mark.django_db
def test_migration_fills_every_language_of_the_taxonomy():
    for category in HarmCategory.objects.all():
        for field in HARM_CATEGORY_FIELDS:
            for language in COLUMN.values():
                value = getattr(category, f"{field}_{language}")
                assert value, (category.slug, field, language)
                assert value == HARM_CATEGORIES[category.slug][field][language]
    for area in SolutionArea.objects.all():
        for field in SOLUTION_AREA_FIELDS:
            for language in COLUMN.values():
                assert (
                    getattr(area, f"{field}_{language}")
                    == SOLUTION_AREAS[area.slug][field][language]
                )
    assert set(HARM_CATEGORIES) == set(HarmCategory.objects.values_list("slug", flat=True))
    assert set(SOLUTION_AREAS) == set(SolutionArea.objects.values_list("slug", flat=True))


def test_the_seeded_english_is_the_text_the_taxonomy_migration_wrote():
    """A translation is written only beside the English it translates: the two lists must not
    drift apart, or a fresh database would get no translations."""
    for category in TAXONOMY.CATEGORIES:
        for row in [category, *category["children"]]:
            for field in HARM_CATEGORY_FIELDS:
                assert HARM_CATEGORIES[row["slug"]][field]["en"] == row[field]
    for slug, name, description, _order in TAXONOMY.SOLUTION_AREAS:
        assert SOLUTION_AREAS[slug]["name"]["en"] == name
        assert SOLUTION_AREAS[slug]["description"]["en"] == description


def test_every_seeded_text_has_all_four_languages_and_no_empty_heading():
    for table in (HARM_CATEGORIES, SOLUTION_AREAS, SUPPORT_RESOURCES):
        for texts in table.values():
            for field, by_language in texts.items():
                assert set(by_language) == set(COLUMN.values())
                if field != "hours":
                    assert all(value.strip() for value in by_language.values()), field
    # Names of support services stay as they are: only their descriptions are translated.
    assert set(SUPPORT_RESOURCES) == {spec["name"] for spec in demo.RESOURCES}


def historical_apps():
    return MigrationLoader(connection).project_state(("harms", "0004_content_languages_seed")).apps


@pytest.mark.django_db
def test_running_the_data_migration_again_changes_nothing_and_keeps_admin_edits():
    doxxing = HarmCategory.objects.get(slug="doxxing")
    doxxing.name_ms = "Doxxing (disunting)"
    doxxing.save(update_fields=["name_ms"])
    # An administrator reworded the English: its old translation must not come back.
    grooming = HarmCategory.objects.get(slug="online-grooming")
    grooming.summary_en = "A new English summary."
    grooming.summary_ta = None
    grooming.save(update_fields=["summary_en", "summary_ta"])
    before = list(HarmCategory.objects.order_by("pk").values())

    SEED.fill(historical_apps(), None)
    SEED.fill(historical_apps(), None)

    assert list(HarmCategory.objects.order_by("pk").values()) == before
    doxxing.refresh_from_db()
    assert doxxing.name_ms == "Doxxing (disunting)"
    grooming.refresh_from_db()
    assert grooming.summary_ta is None


@pytest.mark.django_db
def test_data_migration_moves_an_existing_rows_text_into_its_english_column():
    """Rows made before the columns per language (an administrator's own support service)
    keep their text, now as English, and show it in every language."""
    resource = SupportResourceFactory(name="Local helpline", description="Call us.")
    SupportResource.objects.filter(pk=resource.pk).update(description_en=None, hours_en=None)

    SEED.fill(historical_apps(), None)

    resource.refresh_from_db()
    assert resource.description_en == "Call us."
    assert resource.description_ms is None
    with translation.override("ms"):
        assert resource.description == "Call us."


@pytest.mark.django_db(transaction=True)
def test_migrations_go_back_before_the_languages_and_forward_again():
    executor = MigrationExecutor(connection)
    executor.migrate([("harms", "0002_seed_taxonomy")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    category = HarmCategory.objects.get(slug="cyberstalking")
    assert category.name_en == "Cyberstalking"
    assert category.name_ta == text("cyberstalking", "name", "ta")


@pytest.mark.django_db
def test_seed_demo_makes_the_support_services_in_four_languages():
    demo.seed(StringIO())
    demo.seed(StringIO())  # and again, changing nothing
    assert SupportResource.objects.count() == len(demo.RESOURCES)
    for resource in SupportResource.objects.all():
        for field in SUPPORT_RESOURCE_FIELDS:
            for language in COLUMN.values():
                assert (
                    getattr(resource, f"{field}_{language}")
                    == (SUPPORT_RESOURCES[resource.name][field][language])
                )


@pytest.mark.django_db
def test_seed_demo_adds_translations_to_services_made_before_the_languages():
    demo.seed(StringIO())
    SupportResource.objects.filter(name="Tinkle Friend").update(description_zh_hans=None)
    demo.seed(StringIO())
    resource = SupportResource.objects.get(name="Tinkle Friend")
    assert (
        resource.description_zh_hans == SUPPORT_RESOURCES["Tinkle Friend"]["description"]["zh_hans"]
    )


# --- Public pages in each language ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_category_page_is_in_the_language_from_its_columns(client, language):
    html = page(client, "/harms/doxxing/", language)
    assert f'<h1 class="h2">{escape(text("doxxing", "name", language))}</h1>' in html
    for field in ("summary", "description", "content_warning"):
        assert escape(text("doxxing", field, language)) in html
    # The parent in the breadcrumb, too.
    assert escape(text("non-consensual-publication", "name", language)) in html
    assert 'lang="en"' not in html.split("<main", 1)[1].split("</main>")[0]


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_category_list_and_home_page_are_in_the_language(client, language):
    listing = page(client, "/harms/", language)
    home = page(client, "/", language)
    for slug in ("non-consensual-publication", "unwelcome-interactions", "harmful-platforms"):
        for html in (listing, home):
            assert escape(text(slug, "name", language)) in html
            assert escape(text(slug, "summary", language)) in html
    assert escape(text("online-grooming", "name", language)) in listing


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_support_page_and_footer_are_in_the_language(client, language):
    demo.seed(StringIO())
    html = page(client, "/support/", language)
    for name, texts in SUPPORT_RESOURCES.items():
        assert escape(name) in html  # the name, as it is
        assert escape(texts["description"][COLUMN[language]]) in html
    footer = html.split("<footer", 1)[1]
    assert escape(
        SUPPORT_RESOURCES["Samaritans of Singapore (SOS)"]["hours"][COLUMN[language]]
    ) in (footer)
    assert "24 hours" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_session_idea_and_initiative_pages_name_their_harms_in_the_language(client, language):
    from engagement.models import SessionStatus

    session = EngagementSessionFactory(
        status=SessionStatus.PUBLISHED, harm_categories=["sexual-harassment"]
    )
    idea = IdeaFactory(
        status=IdeaStatus.APPROVED, harm_category=HarmCategory.objects.get(slug="doxxing")
    )
    initiative = InitiativeFactory()
    initiative.harm_categories.set(HarmCategory.objects.filter(slug="cyberstalking"))
    area = SOLUTION_AREAS["public-education"]["name"][COLUMN[language]]

    session_page = page(client, session.get_absolute_url(), language)
    assert escape(text("sexual-harassment", "name", language)) in session_page
    assert escape(text("sexual-harassment", "content_warning", language)) in session_page
    idea_page = page(client, idea.get_absolute_url(), language)
    assert escape(text("doxxing", "name", language)) in idea_page
    assert escape(area) in idea_page
    initiative_page = page(client, initiative.get_absolute_url(), language)
    assert escape(text("cyberstalking", "name", language)) in initiative_page
    assert escape(area) in initiative_page
    ideas = page(client, reverse("initiatives:idea_board"), language)
    assert escape(text("online-grooming", "name", language)) in ideas  # the harm filter
    assert escape(text("doxxing", "name", language)) in ideas  # the idea's card
    sessions = page(client, "/sessions/", language)
    assert escape(text("sexual-harassment", "name", language)) in sessions
    initiatives = page(client, "/initiatives/", language)
    assert escape(text("cyberstalking", "name", language)) in initiatives
    assert escape(area) in initiatives


# --- Fallback to English, marked lang="en" --------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_missing_translation_falls_back_to_english_marked_lang_en(client, language):
    column = COLUMN[language]
    HarmCategory.objects.filter(slug="doxxing").update(
        **{f"name_{column}": None, f"summary_{column}": "", f"content_warning_{column}": None}
    )
    html = page(client, "/harms/doxxing/", language)
    main = html.split("<main", 1)[1]
    assert re.search(r'<h1 class="h2" lang="en">Doxxing</h1>', main)
    assert element_with(main, text("doxxing", "summary", "en")) == '<p class="lead" lang="en">'
    assert f'<span lang="en">{escape(text("doxxing", "content_warning", "en"))}</span>' in main
    # What is translated stays unmarked.
    description_tag = element_with(main, text("doxxing", "description", language))
    assert "lang=" not in description_tag
    assert f'<html lang="{language}"' in html

    # On the parent's page, the sub-category is listed in English, marked.
    parent = page(client, "/harms/non-consensual-publication/", language)
    assert '<a href="/harms/doxxing/" lang="en">Doxxing</a>' in parent
    listing = page(client, "/harms/", language)
    assert '<a href="/harms/doxxing/" lang="en">Doxxing</a>' in listing


@pytest.mark.django_db
def test_fallback_is_marked_wherever_a_harm_is_named(client):
    HarmCategory.objects.filter(slug="doxxing").update(name_ms=None)
    SolutionArea.objects.filter(slug="public-education").update(name_ms="")
    idea = IdeaFactory(
        status=IdeaStatus.APPROVED, harm_category=HarmCategory.objects.get(slug="doxxing")
    )
    html = page(client, idea.get_absolute_url(), "ms")
    assert '<span lang="en">Doxxing</span>' in html
    assert '<span lang="en">Public education</span>' in html
    ideas = page(client, reverse("initiatives:idea_board"), "ms")
    assert re.search(r'<option value="\d+" lang="en">— Doxxing</option>', ideas)
    assert re.search(r'<option value="\d+" lang="en">Public education</option>', ideas)


@pytest.mark.django_db
def test_support_service_without_a_translation_shows_its_english_marked(client):
    SupportResourceFactory(
        name="Own helpline", description="Listens, any hour.", hours="Evenings", show_in_footer=True
    )
    html = page(client, "/support/", "ta")
    assert '<span class="small" lang="en">Listens, any hour.</span>' in html
    assert '<span lang="en">Evenings</span>' in html.split("<footer", 1)[1]


@pytest.mark.django_db
def test_text_only_in_another_language_still_shows_in_english_marked_with_its_language(client):
    """Bad input: a category saved with no English at all (outside the admin, which requires
    it) still has a heading on the English page, never an empty one."""
    category = HarmCategory.objects.get(slug="doxxing")
    HarmCategory.objects.filter(pk=category.pk).update(name_en="", summary_en=None)
    html = page(client, "/harms/doxxing/", "en")
    name = text("doxxing", "name", "zh-hans")
    assert f'<h1 class="h2" lang="zh-hans">{escape(name)}</h1>' in html
    assert 'class="lead" lang="zh-hans"' in html


@pytest.mark.django_db
def test_content_language_filter_names_the_language_the_text_came_from():
    category = HarmCategory.objects.get(slug="doxxing")
    category.name_ta = None
    template = Template(
        '{% load content_language %}{{ c|content_language:"name" }}|'
        '{% lang_if_fallback c "name" %}|{{ c|translated:"name" }}|'
        '{{ c|content_language:"slug" }}|{{ missing|translated:"name" }}'
    )
    with translation.override("ms"):
        assert template.render(Context({"c": category})) == (
            f"ms||{escape(text('doxxing', 'name', 'ms'))}|ms|"
        )
    with translation.override("ta"):
        assert template.render(Context({"c": category})) == (
            'en| lang="en"|<span lang="en">Doxxing</span>|ta|'
        )
    with translation.override("en"):
        assert template.render(Context({"c": category})) == "en||Doxxing|en|"


@pytest.mark.django_db
def test_category_pages_keep_their_query_count_in_every_language(client, django_assert_num_queries):
    client.get("/harms/doxxing/")  # warm the session and caches
    counts = []
    for language in ["en", *TRANSLATED]:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            client.get("/harms/doxxing/")
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


# --- The admin: a tab per language ----------------------------------------------------------


def language_fieldset(html: str, code: str):
    """The admin's fieldset for one language, its inside as group 1."""
    pattern = (
        rf'<fieldset class="module aligned language-panel language-{code}"[^>]*>(.*?)</fieldset>'
    )
    return re.search(pattern, html, re.S)


def admin_change_url(obj) -> str:
    return reverse(f"admin:harms_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model, fields",
    [
        (HarmCategory, HARM_CATEGORY_FIELDS),
        (SolutionArea, SOLUTION_AREA_FIELDS),
        (SupportResource, SUPPORT_RESOURCE_FIELDS),
    ],
)
def test_admin_change_page_has_a_part_per_language(client, admin_user, model, fields):
    if model is SupportResource:
        SupportResourceFactory()
    client.force_login(admin_user)
    html = client.get(admin_change_url(model.objects.first())).content.decode()
    for code, language_name in settings.LANGUAGES:
        column = COLUMN[code]
        fieldset = language_fieldset(html, code)
        assert fieldset, code
        assert language_name in fieldset.group(1)
        for field in fields:
            assert re.search(
                rf'name="{field}_{column}"[^>]*lang="{code}"|lang="{code}"[^>]*name="{field}_{column}"',
                fieldset.group(1),
            ), (code, field)
    assert "js/admin_language_tabs.js" in html
    assert "css/admin_language_tabs.css" in html
    assert 'data-tablist-label="Languages"' in html


def harm_category_form(category, **overrides) -> dict:
    data = {"slug": category.slug, "parent": category.parent_id or "", "order": category.order}
    for field in HARM_CATEGORY_FIELDS:
        for column in COLUMN.values():
            data[f"{field}_{column}"] = getattr(category, f"{field}_{column}") or ""
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_saves_each_language(client, admin_user):
    category = HarmCategory.objects.get(slug="cyberstalking")
    client.force_login(admin_user)
    response = client.post(
        admin_change_url(category),
        harm_category_form(
            category,
            name_en="Cyberstalking (edited)",
            name_zh_hans="网络跟踪（修改）",
            name_ms="Penghendapan siber (disunting)",
            name_ta="இணையவழிப் பின்தொடர்தல் (திருத்தம்)",
            summary_ta="",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    category.refresh_from_db()
    assert category.name_en == "Cyberstalking (edited)"
    assert category.name_zh_hans == "网络跟踪（修改）"
    assert category.name_ms == "Penghendapan siber (disunting)"
    assert category.name_ta == "இணையவழிப் பின்தொடர்தல் (திருத்தம்)"
    assert not category.summary_ta
    with translation.override("ta"):
        assert category.summary == text("cyberstalking", "summary", "en")


@pytest.mark.django_db
def test_admin_in_another_language_keeps_the_original_column_english(client, admin_user):
    """Other apps read the original column through related lookups (exports, Download my
    data): it stays the English, whatever the administrator's own language."""
    category = HarmCategory.objects.get(slug="cyberstalking")
    admin_user.preferred_language = "zh-hans"
    admin_user.save(update_fields=["preferred_language"])
    client.force_login(admin_user)
    response = client.post(
        admin_change_url(category), harm_category_form(category, name_zh_hans="网络跟踪骚扰")
    )
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, name_zh_hans FROM harms_harmcategory WHERE id = %s", [category.pk]
        )
        assert cursor.fetchone() == ("Cyberstalking", "网络跟踪骚扰")


@pytest.mark.django_db
def test_admin_requires_the_english_and_says_where(client, admin_user):
    category = HarmCategory.objects.get(slug="cyberstalking")
    client.force_login(admin_user)
    response = client.post(admin_change_url(category), harm_category_form(category, name_en=""))
    assert response.status_code == 200
    html = response.content.decode()
    english = language_fieldset(html, "en").group(1)
    assert "This field is required." in english
    category.refresh_from_db()
    assert category.name_en == "Cyberstalking"


@pytest.mark.django_db
def test_admin_adds_a_support_service_with_its_name_once_and_text_per_language(client, admin_user):
    client.force_login(admin_user)
    data = {
        "name": "New helpline",
        "phone": "1800 123 4567",
        "url": "",
        "order": 9,
        "description_en": "Help for anyone.",
        "description_zh_hans": "为任何人提供帮助。",
        "description_ms": "",
        "description_ta": "",
        "hours_en": "Weekdays",
        "hours_zh_hans": "",
        "hours_ms": "",
        "hours_ta": "",
    }
    response = client.post(reverse("admin:harms_supportresource_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    resource = SupportResource.objects.get(name="New helpline")
    assert resource.description_zh_hans == "为任何人提供帮助。"
    assert not resource.description_ms
    with translation.override("ms"):
        assert resource.description == "Help for anyone."


@pytest.mark.django_db
def test_form_choices_whose_name_fell_back_are_marked_lang_en():
    """Selects mark the <option>; checkbox lists wrap the label's text (an <option> holds text
    only). Names that are translated stay unmarked."""
    from engagement.forms import SessionForm
    from feedback.forms import FeedbackForm
    from initiatives.forms import IdeaForm, InitiativeForm

    HarmCategory.objects.filter(slug="doxxing").update(name_ms=None)
    SolutionArea.objects.filter(slug="public-education").update(name_ms="")
    translated_area = SolutionArea.objects.exclude(slug="public-education").first()
    with translation.override("ms"):
        idea_form = str(IdeaForm()["harm_category"]) + str(IdeaForm()["solution_area"])
        assert re.search(r'<option value="\d+" lang="en">Doxxing</option>', idea_form)
        assert re.search(r'<option value="\d+" lang="en">Public education</option>', idea_form)
        assert re.search(rf'<option value="{translated_area.pk}">[^<]+</option>', idea_form)
        feedback_form = str(FeedbackForm(for_session=False)["harm_categories"])
        assert '– <span lang="en">Doxxing</span>' in feedback_form
        session_form = str(SessionForm()["harm_categories"])
        assert '<span lang="en">Doxxing</span>' in session_form
        initiative = InitiativeForm(
            ideas=HarmCategory.objects.none(), leads=HarmCategory.objects.none()
        )
        initiative_form = str(initiative["solution_area"]) + str(initiative["harm_categories"])
        assert re.search(
            r'<option value="\d+" lang="en">Public education</option>', initiative_form
        )
