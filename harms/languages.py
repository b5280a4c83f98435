"""The language a participant writes in (issue 14, item 5).

Ideas, comments and feedback record it: pages mark the text with it (lang, so a screen reader
reads Tamil as Tamil and a browser picks a Chinese font), and search picks the text search
configuration that fits it (initiatives.selectors). It is one of settings.LANGUAGES, the page
language by default, and the writer may change it on the form.
"""

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

LANGUAGE_MAX_LENGTH = 10


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_tag(code: str) -> str:
    """The BCP 47 form of a Django language code, for a lang attribute: "zh-hans" is
    "zh-Hans" (the script subtag is title case), "ms" stays "ms"."""
    language, _sep, rest = (code or settings.LANGUAGE_CODE).partition("-")
    if not rest:
        return language.lower()
    subtags = [
        part.title() if len(part) == 4 else part.upper() if len(part) == 2 else part.lower()
        for part in rest.split("-")
    ]
    return "-".join([language.lower(), *subtags])


def page_language() -> str:
    """The language of the page being answered, as one of settings.LANGUAGES: what a form
    proposes as the language someone writes in."""
    code = translation.get_language() or settings.LANGUAGE_CODE
    return code if code in language_codes() else settings.LANGUAGE_CODE


def known_language(code: str | None) -> str | None:
    """`code` when it is one of settings.LANGUAGES, else None."""
    return code if isinstance(code, str) and code in language_codes() else None


class WrittenLanguageSelect(forms.Select):
    """Each language named in itself, marked with its own lang (WCAG 3.1.2)."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = language_tag(str(value))
        return option


class WrittenLanguageField(forms.ChoiceField):
    """The form field "Language you are writing in". Its choices are settings.LANGUAGES, never
    translated: a person looks for their own language's name. Left out of a post (a form
    from before the field, a client of our own), it is the page's language; a code that is
    not one of ours is refused with a message beside the field."""

    def clean(self, value):
        value = super().clean(value)
        return value or page_language()


class WrittenLanguageFormMixin:
    """For a form with a `language` field: it proposes the page's language."""

    def propose_page_language(self) -> None:
        if not self.is_bound and not self.initial.get("language"):
            self.initial["language"] = page_language()


def written_language_field() -> WrittenLanguageField:
    return WrittenLanguageField(
        label=_("Language you are writing in"),
        choices=settings.LANGUAGES,
        required=False,
        widget=WrittenLanguageSelect,
        help_text=_("So that your words are read out and searched in the right language."),
        error_messages={
            "invalid_choice": _("Choose one of the languages listed."),
        },
    )
