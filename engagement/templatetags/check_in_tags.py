"""Check-in codes on the page (issue 16, item 4): the code in groups of four, and its QR code
drawn here as inline SVG (segno), so no image is fetched and no third party sees it.

The QR code holds the code only, nothing about the person or the session: the organiser's
check-in page reads it into its code field, exactly as if it had been typed."""

import segno
from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

GROUP = 4


@register.filter
def check_in_code_display(code: str) -> str:
    """ "ABCD2345" as "ABCD 2345": easier to read out and to type (the space is ignored)."""
    return " ".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


@register.simple_tag
def check_in_qr(code: str) -> SafeString:
    """The code's QR code as an inline <svg role="img"> with a text alternative, its size in
    its own attributes (145 px: an 8-character code fits QR version 1, 21 modules). Dark on
    a white square with the quiet zone, so it scans in a dark theme too."""
    qr = segno.make(code, error="m", micro=False)
    label = _("QR code of your check-in code %(code)s") % {"code": check_in_code_display(code)}
    svg = qr.svg_inline(scale=5, border=4, dark="#000", light="#fff", svgclass="check-in-qr")
    # segno writes `<svg viewBox=... class=...>`: name it for assistive technology.
    return mark_safe(  # noqa: S308 - segno's SVG of our own code, label escaped.
        svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" focusable="false" ', 1)
    )
