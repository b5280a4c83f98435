"""People's Markdown comes out as sanitised HTML: no script, style, iframe, image, event
handler or javascript: link survives, whatever the writer typed."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.template import Context, Template

from afa_platform.markdown import ALLOWED_TAGS, render_markdown


class _Elements(HTMLParser):
    """Every element and attribute the browser would build from the HTML."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html):
    parser = _Elements()
    parser.feed(html)
    return parser.elements


HOSTILE = [
    "<script>alert(1)</script>",
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example"></iframe>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](https://evil.example/x.png)",
    '<img src=x onerror="alert(1)">',
    '<a href="#" onclick="alert(1)">x</a>',
    "<svg onload=alert(1)>",
    '<form action="https://evil.example"><input></form>',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_renders_nothing_active(text):
    for tag, attrs in elements(render_markdown(text)):
        assert tag in ALLOWED_TAGS
        assert not [name for name in attrs if name.startswith("on") or name == "style"]
        if "href" in attrs:
            assert urlsplit(attrs["href"]).scheme in {"http", "https", "mailto", ""}
            assert not attrs["href"].lower().lstrip().startswith(("javascript", "data", "vb"))


def test_raw_html_is_shown_as_text_not_dropped_silently():
    assert "&lt;script&gt;" in render_markdown("<script>alert(1)</script>")


def test_ordinary_markdown_keeps_its_structure():
    html = render_markdown(
        "# Plan\n\nWe **will** do *this*:\n\n1. Train\n2. Report\n\n"
        "> a quote\n\n[MCI](https://www.mci.gov.sg) and `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h3>Plan</h3>" in html  # headings sit under the page's h1 and h2
    assert "<strong>will</strong>" in html and "<em>this</em>" in html
    assert "<ol>" in html and "<li>Train</li>" in html
    assert "<blockquote>" in html and "<code>code</code>" in html and "<table>" in html
    assert 'href="https://www.mci.gov.sg"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_mailto_links_are_kept():
    assert 'href="mailto:help@example.org"' in render_markdown("[mail](mailto:help@example.org)")


def test_empty_text_is_empty():
    assert render_markdown("") == "" and render_markdown(None) == ""


def test_the_template_filter_renders_safely():
    out = Template("{% load markdown %}{{ text|markdown }}").render(
        Context({"text": "**bold** <script>x</script>"})
    )
    assert "<strong>bold</strong>" in out and "<script>" not in out
