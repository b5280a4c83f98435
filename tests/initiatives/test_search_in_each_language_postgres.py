"""Search reads each idea in the language it was written in (issue 14, item 5), on
PostgreSQL: English and Malay stemmed ("english", "indonesian"), Chinese and Tamil as
substrings with pg_trgm indexes, a two-character Chinese word included. SQLite, the embedded
demo, finds substrings in any language (tests/initiatives/test_written_language.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives import selectors
from initiatives.models import Idea, IdeaStatus
from tests.factories import IdeaFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _idea(title, body, language):
    return IdeaFactory(status=IdeaStatus.APPROVED, title=title, body=body, language=language)


@pytest.fixture
def ideas_in_four_languages():
    return {
        "en": _idea("Teach students", "Workshops on reporting abuse", "en"),
        "zh-hans": _idea(
            "为年长的家长开设华语讲座",
            "很多家长不知道孩子在网上被骚扰时可以向谁求助。",
            "zh-hans",
        ),
        "ms": _idea(
            "Panduan dalam bahasa Melayu",
            "Remaja perlu tahu cara melaporkan gambar yang dikongsi tanpa izin.",
            "ms",
        ),
        "ta": _idea(
            "தமிழில் சட்ட உதவி",
            "இணையத் துன்புறுத்தலுக்கு ஆளான பெண்களுக்கு இலவச ஆலோசனை.",
            "ta",
        ),
    }


def _found(query: str) -> list[str]:
    return sorted(idea.language for idea in selectors.board_ideas(query=query))


def test_a_two_character_chinese_word_finds_the_idea_that_contains_it(ideas_in_four_languages):
    assert _found("华语") == ["zh-hans"]  # inside the title
    assert _found("骚扰") == ["zh-hans"]  # inside the body, no spaces around it
    assert _found("讲座 家长") == ["zh-hans"]  # words the writer would type apart


def test_a_single_chinese_character_is_matched_too(ideas_in_four_languages):
    assert _found("孩") == ["zh-hans"]


def test_a_malay_word_is_stemmed_with_the_indonesian_configuration(ideas_in_four_languages):
    # "laporan" (a report) and "melaporkan" (to report) share the stem "lapor".
    assert _found("laporan") == ["ms"]
    assert _found("dikongsikan") == ["ms"]


def test_the_same_malay_text_marked_english_is_not_stemmed_as_malay():
    _idea("Panduan", "Remaja perlu tahu cara melaporkan gambar.", "en")
    assert _found("laporan") == []


def test_a_tamil_word_is_found_inside_a_longer_inflected_word(ideas_in_four_languages):
    # The body has "துன்புறுத்தலுக்கு" ("to harassment"); one searches "துன்புறுத்தல்".
    assert _found("துன்புறுத்தல") == ["ta"]
    assert _found("சட்ட உதவி") == ["ta"]


def test_english_stemming_still_works(ideas_in_four_languages):
    assert _found("workshop reported") == ["en"]
    assert _found("teaching") == ["en"]


def test_chinese_and_tamil_ideas_are_not_read_with_the_english_stemmer():
    _idea("关于 reporting 的讲座", "讲座", "zh-hans")
    # "reported" stems to "report" in English; as a substring it is not in the Chinese idea.
    assert _found("reported") == []
    assert _found("reporting") == ["zh-hans"]


@pytest.mark.parametrize(
    "query",
    [
        "网络 harassment",
        "华语 laporan துன்புறுத்தல",
        "50% _off_ \\",
        '"unclosed quote',
        "-华语",
        "&|!():*",
        "'); DROP TABLE initiatives_idea; --",
    ],
)
def test_a_mixed_or_odd_query_is_searched_without_a_crash(ideas_in_four_languages, query):
    list(selectors.board_ideas(query=query))


def test_like_wildcards_in_a_query_are_taken_literally(ideas_in_four_languages):
    _idea("讲座_x", "100%有用", "zh-hans")
    assert [idea.title for idea in selectors.board_ideas(query="100%")] == ["讲座_x"]
    assert _found("讲_") == []


def test_every_language_has_an_index_the_search_can_use(ideas_in_four_languages):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = selectors.search_ideas(Idea.objects.all(), "workshop").explain()
    for index in (
        "idea_search_gin",
        "idea_search_ms_gin",
        "idea_search_simple_gin",
        "idea_title_trgm",
        "idea_body_trgm",
    ):
        assert index in plan


def test_the_trigram_extension_is_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)


def test_search_is_one_query_whatever_the_mix_of_languages(ideas_in_four_languages):
    with CaptureQueriesContext(connection) as queries:
        list(selectors.board_ideas(query="华语 workshop"))
    assert len(queries) == 1
