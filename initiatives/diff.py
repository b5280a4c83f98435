"""A readable difference between two texts of a draft section, as HTML.

Lines are compared first (difflib), then the words of each changed block, so a changed word
in a long paragraph is shown as that word. Removed text is in <del>, added text in <ins>,
each starting with a visually hidden "Removed:"/"Added:" so a screen reader (and a person
who cannot tell the colours apart) knows which is which, not by colour alone.
"""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
# Comparing two blocks word by word costs about the product of their lengths: past this, a
# changed block is shown as removed and added whole, so a page never takes seconds.
WORD_DIFF_BUDGET = 250_000


def _marked(tag: str, label: str, text: str) -> str:
    return f'<{tag}><span class="visually-hidden">{escape(label)} </span>{escape(text)}</{tag}>'


def _words(old: str, new: str) -> list[str]:
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    if len(before) * len(after) > WORD_DIFF_BUDGET:
        return [_marked("del", _("Removed:"), old), _marked("ins", _("Added:"), new)]
    parts = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(before[i1:i2])))
            continue
        if i2 > i1:
            parts.append(_marked("del", _("Removed:"), "".join(before[i1:i2])))
        if j2 > j1:
            parts.append(_marked("ins", _("Added:"), "".join(after[j1:j2])))
    return parts


def diff_html(old: str, new: str) -> SafeString:
    """`old` to `new` with what was removed and added marked; whitespace kept (show it in an
    element with `white-space: pre-wrap`)."""
    before, after = old.splitlines(keepends=True), new.splitlines(keepends=True)
    parts = []
    matcher = difflib.SequenceMatcher(None, before, after)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(before[i1:i2])))
        elif op == "replace":
            parts.extend(_words("".join(before[i1:i2]), "".join(after[j1:j2])))
        elif op == "delete":
            parts.append(_marked("del", _("Removed:"), "".join(before[i1:i2])))
        else:
            parts.append(_marked("ins", _("Added:"), "".join(after[j1:j2])))
    return mark_safe("".join(parts))  # every piece of text above is escaped
