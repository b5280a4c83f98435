"""A phase's public text in each of the four languages (as harms/translation.py does for the
taxonomy): `title_en`, `title_zh_hans`... with `phase.title` reading the active language's,
falling back to English."""

from modeltranslation.translator import TranslationOptions, register

from .models import Phase


@register(Phase)
class PhaseTranslation(TranslationOptions):
    fields = ("title", "what_happens", "what_you_can_do")
