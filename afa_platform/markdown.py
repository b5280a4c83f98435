"""Markdown written by people (initiative drafts, "what we heard"), rendered safely.

Two steps, each enough on its own for the common attacks, together for the rest:

1. markdown-it-py's CommonMark parser with raw HTML switched off: `<script>` typed in a draft
   is shown as text, never passed through. Its link validator already refuses
   `javascript:`, `vbscript:`, `file:` and `data:` (but images) URLs.
2. nh3 (the Rust ammonia sanitiser) over the result, with an allow-list of tags, attributes
   and URL schemes: no script, style, iframe, image, form or event handler can come out, and
   links are limited to http, https and mailto and get rel="nofollow noopener noreferrer".

Headings are shifted down two levels (a "# Heading" in a section renders as <h3>), so a
draft's headings sit under the page's own <h1> and section <h2> (WCAG 1.3.1).

    from afa_platform.markdown import render_markdown
    html = render_markdown(text)      # SafeString

    {% load markdown %}
    {{ draft.problem|markdown }}
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# What a draft may use: paragraphs, emphasis, lists, quotes, code, links, tables and headings.
ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# Text longer than this is not rendered (the services cap what they store well below it).
MAX_MARKDOWN_CHARS = 200_000

_parser = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
    .disable("image")
)


def _shift_headings(tokens) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 2, 6)
            token.tag = f"h{level}"


def render_markdown(text: str | None) -> SafeString:
    """The text as sanitised HTML; empty text is an empty string."""
    if not text:
        return mark_safe("")
    tokens = _parser.parse(text[:MAX_MARKDOWN_CHARS])
    _shift_headings(tokens)
    html = _parser.renderer.render(tokens, _parser.options, {})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 with the allow-list above
