"""Every word a template shows is marked for translation (issue 14, item 2)."""

from pathlib import Path

import pytest

from .template_text import untranslated_text

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Rendered when everything else has failed, with no context processor, no database and no
# translation machinery (afa_platform.views.error_500): it stays in plain English on purpose.
NOT_TRANSLATED = {"500.html": "the last-resort error page renders without i18n"}


def template_files() -> list[Path]:
    html = sorted(TEMPLATES.rglob("*.html"))
    text = sorted(TEMPLATES.rglob("*.txt"))
    return [path for path in html + text if str(path.relative_to(TEMPLATES)) not in NOT_TRANSLATED]


def test_every_template_string_is_marked_for_translation():
    unmarked = {}
    for path in template_files():
        found = untranslated_text(path.read_text(encoding="utf-8"), html=path.suffix == ".html")
        if found:
            unmarked[str(path.relative_to(TEMPLATES))] = found
    assert unmarked == {}, "Mark these with {% translate %} or {% blocktranslate trimmed %}"


def test_the_scan_covers_pages_and_emails():
    files = template_files()
    assert any(path.suffix == ".txt" and "email" in path.parts for path in files)
    assert (TEMPLATES / "base.html") in files
    assert all((TEMPLATES / name).exists() for name in NOT_TRANSLATED)


@pytest.mark.parametrize(
    "source",
    [
        "<p>Hello</p>",
        "<th scope='col'>Name</th>",
        '<img src="x.png" alt="A crest">',
        '<input type="submit" value="Send">',
        '<button aria-label="Close menu">×</button>',
        "{% if x %}Sessions{% endif %}",
        "{{ idea.title|default:'Untitled' }}",
        "<p>{{ flag|yesno:'yes,no' }}</p>",
        "{% translate 'Marked' %} but not this",
    ],
)
def test_scan_finds_unmarked_text(source):
    assert untranslated_text(source)


def test_scan_finds_unmarked_text_in_an_email():
    assert untranslated_text("{% load i18n %}Dear {{ name }},\n", html=False) == ["Dear"]


@pytest.mark.parametrize(
    "source",
    [
        "{% load i18n %}<p>{% translate 'Hello' %}</p>",
        "{% blocktranslate trimmed with n=count %}\n  {{ n }} seats left\n{% endblocktranslate %}",
        "{% blocktranslate count n=c %}one{% plural %}many{% endblocktranslate %}",
        "{% comment %}Notes for developers{% endcomment %}{# another note #}",
        "<script>var label = 'text';</script><style>p::after{content:'x'}</style>",
        "<!-- an HTML comment -->",
        '<a class="btn btn-primary" href="{% url \'home\' %}">{{ label }}</a>',
        "<p>&nbsp;&middot; — 1, 2: (3) {{ x }}</p>",
        "<p>AfA · SGT</p>",
        '<img alt="" src="a.svg"><a href="https://www.gov.sg/trusted-sites">{{ x }}</a>',
        '<{% if href %}a href="{{ href }}"{% else %}button{% endif %} class="btn">',
        "<p class=\"{{ ok|yesno:'on,off' }}\" lang=\"{{ code|default:'en' }}\"></p>",
        "<span title=\"{% translate 'Marked' %}\">{{ x }}</span>",
    ],
)
def test_scan_passes_marked_text_and_markup(source):
    assert untranslated_text(source) == []
