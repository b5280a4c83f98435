"""The public text of the taxonomy and the support services, in each of the four languages.

django-modeltranslation adds a column per language to each field named here (`name_en`,
`name_zh_hans`, `name_ms`, `name_ta`) and makes `obj.name` read the active language's column,
falling back to English (settings.MODELTRANSLATION_FALLBACK_LANGUAGES). Slugs, order and
contact details are the same in every language. A support service's name stays as it is in
every language (locale/GLOSSARY.md); its description and opening hours are translated.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import HarmCategory, SolutionArea, SupportResource


@register(HarmCategory)
class HarmCategoryTranslation(TranslationOptions):
    fields = ("name", "summary", "description", "content_warning")


@register(SolutionArea)
class SolutionAreaTranslation(TranslationOptions):
    fields = ("name", "description")


@register(SupportResource)
class SupportResourceTranslation(TranslationOptions):
    fields = ("description", "hours")
