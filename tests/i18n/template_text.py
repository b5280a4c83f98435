"""Finds text in a Django template that is not marked for translation.

What a person reads is whatever is left once the template's own syntax is taken away: text
between tags, and the attributes a browser shows or reads aloud (alt, title, placeholder,
aria-label...). Marked text ({% translate %}, {% blocktranslate %} ... {% endblocktranslate %})
is taken away first; then comments, script and style, tags, variables, entities, URLs, digits
and punctuation. Anything with a letter still in it is a string someone forgot to mark.
"""

import re

# Names and marks that read the same in every language.
ALLOWED_WORDS = {
    "AfA",  # the Alliance for Action's short name, as in "AfA Platform"
    "SGDS",
    "SGT",
    "UTC",
    "NRIC",
    "FIN",
    "PDPA",
    "TOTP",
    "QR",
    "CSV",
    "XLSX",
    "ZIP",
    "HTTPS",
    "gov",
    "sg",
}

_COMMENT_BLOCK = re.compile(r"{%-?\s*comment\b.*?%}.*?{%-?\s*endcomment\s*-?%}", re.S)
_COMMENT_LINE = re.compile(r"{#.*?#}", re.S)
_BLOCKTRANSLATE = re.compile(
    r"{%-?\s*blocktrans(?:late)?\b.*?%}.*?{%-?\s*endblocktrans(?:late)?\s*-?%}", re.S
)
_TRANSLATE = re.compile(r"{%-?\s*trans(?:late)?\s.*?%}", re.S)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"{%.*?%}", re.S)
_VARIABLE = re.compile(r"{{.*?}}", re.S)
# An element, template syntax inside it included (<{% if href %}a href="{{ href }}"{% endif %}>).
_ELEMENT = re.compile(r"<[!/]?(?=[a-zA-Z{])(?:{%.*?%}|{{.*?}}|[^<>])*>", re.S)
# CSS classes the admin's templates build in a block.
_CLASS_BLOCK = re.compile(r"{%-?\s*block\s+(?:bodyclass|coltype)\s*%}.*?{%-?\s*endblock", re.S)
_SHOWN_ATTRIBUTE = re.compile(
    r"""\s(alt|title|placeholder|aria-label|aria-description|aria-roledescription|label)\s*=\s*(?:"([^"]*)"|'([^']*)')""",
    re.I,
)
_VALUE_OF_BUTTON = re.compile(
    r"""<input\b[^>]*\stype\s*=\s*["']?(?:submit|button|reset)["']?[^>]*\svalue\s*=\s*(?:"([^"]*)"|'([^']*)')""",
    re.I,
)
# A literal given to a filter that shows it: {{ x|default:"None" }}, {{ b|yesno:"yes,no" }}.
_SHOWING_FILTER = re.compile(r"""\|\s*(?:default|default_if_none|yesno)\s*:\s*(["'])(.*?)\1""")
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
_URL = re.compile(r"(?:https?://|mailto:|tel:)\S+|\b[\w.-]+@[\w.-]+\b|\b\w+(?:\.\w+)+/\S*")
_WORD = re.compile(r"[^\W\d_][^\s]*")
_LETTER = re.compile(r"[^\W\d_]")


def _leftover_words(text: str) -> list[str]:
    text = _ENTITY.sub(" ", text)
    text = _URL.sub(" ", text)
    words = []
    for word in text.split():
        bare = re.sub(r"[^\w]", "", word)
        if not _LETTER.search(bare) or bare in ALLOWED_WORDS:
            continue
        words.append(word)
    return words


def _unmarked(text: str) -> str | None:
    words = _leftover_words(text)
    return " ".join(words) if words else None


def _shown_literals(text: str) -> list[str]:
    """Literals a filter shows ({{ x|default:"None" }}) in this text's variables."""
    found = []
    for variable in _VARIABLE.findall(text):
        for _quote, literal in _SHOWING_FILTER.findall(variable):
            if (piece := _unmarked(literal.replace(",", " "))) is not None:
                found.append(piece)
    return found


def _without_syntax(text: str) -> str:
    return _VARIABLE.sub(" ", _TAG.sub(" ", text))


def untranslated_text(source: str, *, html: bool = True) -> list[str]:
    """The pieces of unmarked text in one template's source, in order."""
    found: list[str] = []
    text = _COMMENT_BLOCK.sub(" ", source)
    text = _COMMENT_LINE.sub(" ", text)
    text = _BLOCKTRANSLATE.sub(" ", text)
    text = _TRANSLATE.sub(" ", text)
    text = _CLASS_BLOCK.sub(" ", text)
    if html:
        text = _SCRIPT_STYLE.sub(" ", text)
        text = _HTML_COMMENT.sub(" ", text)
        for element in _ELEMENT.findall(text):
            for match in _SHOWN_ATTRIBUTE.finditer(element):
                value = match.group(2) if match.group(2) is not None else match.group(3)
                found += _shown_literals(value)
                if (piece := _unmarked(_without_syntax(value))) is not None:
                    found.append(piece)
            for match in _VALUE_OF_BUTTON.finditer(element):
                value = match.group(1) if match.group(1) is not None else match.group(2)
                if (piece := _unmarked(_without_syntax(value))) is not None:
                    found.append(piece)
        text = _ELEMENT.sub("\n", text)
    found += _shown_literals(text)
    for line in _without_syntax(text).splitlines():
        if (piece := _unmarked(line)) is not None:
            found.append(piece)
    return found
