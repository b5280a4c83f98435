"""The page chrome (banner, menu, footer) of a rendered page, as the words a person reads."""

import re
from html.parser import HTMLParser

# Every English string of the chrome: the banner (quick exit, skip link, masthead, language
# switcher), the menu of each role and the footer. A page in another language shows none of
# them. tests/i18n/test_pages_in_each_language.py holds this list to what English pages show.
ENGLISH_CHROME = {
    # banner
    "Leave this site quickly",
    "Or press the Shift key three times to leave at once.",
    "Skip to main content",
    "A Singapore Government Agency Website",
    "How to identify",
    "Official website links end with .gov.sg",
    "Trusted websites",
    "Secure websites use HTTPS",
    "Look for a lock or https:// as an added precaution. Share sensitive information only on "
    "official, secure websites.",
    "Language:",
    # menu
    "Main",
    "AfA on Online Harms",
    "Show or hide the menu",
    "Sessions",
    "Ideas",
    "Initiatives",
    "Harms we work on",
    "Get support",
    "Organise",
    "Organise sessions",
    "Moderation",
    "Reports",
    "Dashboard",
    "Digests",
    "All feedback",
    "Exports",
    "My account",
    "My sessions",
    "My ideas",
    "My feedback",
    "My profile",
    "Sign out",
    "Sign in",
    "Sign up",
    # footer
    "If you need help now",
    "In an emergency, call the Police on 999.",
    "All support services",
    "About this platform",
    "Run for the Singapore Together Alliance for Action on online harms, especially those "
    "targeted at women and girls.",
    "Privacy notice",
    "Accessibility statement",
    "Times on this site are Singapore time (SGT, UTC+8).",
}

CHROME_ELEMENTS = {"header", "nav", "footer"}
SHOWN_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder"}
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "path", "circle", "rect", "use",
}  # fmt: skip


class _ChromeText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, in chrome, in another language)
        self.texts: list[str] = []

    def _state(self) -> tuple[bool, bool]:
        return (self.stack[-1][1], self.stack[-1][2]) if self.stack else (False, False)

    def handle_starttag(self, tag, attrs):
        chrome, foreign = self._state()
        attributes = dict(attrs)
        chrome = chrome or tag in CHROME_ELEMENTS
        # Text in its own language (the switcher's names) is not the page's language.
        foreign = foreign or (tag != "html" and "lang" in attributes)
        if chrome and not foreign:
            for name in SHOWN_ATTRIBUTES & attributes.keys():
                self._add(attributes[name] or "")
        if tag not in VOID and not tag.endswith("/"):
            self.stack.append((tag, chrome, foreign))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        chrome, foreign = self._state()
        if chrome and not foreign and self.stack and self.stack[-1][0] not in {"script", "style"}:
            self._add(data)

    def _add(self, text: str) -> None:
        text = re.sub(r"\s+", " ", text).strip()
        if text:
            self.texts.append(text)


def chrome_texts(html: str) -> list[str]:
    parser = _ChromeText()
    parser.feed(html)
    return parser.texts


def english_left(html: str) -> set[str]:
    return set(chrome_texts(html)) & ENGLISH_CHROME


def html_lang(html: str) -> str | None:
    match = re.search(r"<html[^>]*\slang=\"([^\"]*)\"", html)
    return match.group(1) if match else None
