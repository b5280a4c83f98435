"""Form fields that choose a harm category or a solution area, whose labels are the
translated names (harms/translation.py). Where a name fell back to English in a page in
another language, the label says so with `lang`, as the templates do for the same names
(afa_platform/templatetags/content_language.py; WCAG 3.1.2, language of parts):

- in a <select>, each <option> whose label fell back carries lang="en";
- in a list of checkboxes, the label's text is wrapped in <span lang="en">.
"""

from django import forms
from django.utils.html import format_html

from afa_platform.templatetags.content_language import fell_back_to, translated


class TranslatedSelect(forms.Select):
    """A select whose options carry the language their label came from, when it is not the
    page's."""

    label_field = "name"

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        source = fell_back_to(instance, self.label_field) if instance is not None else ""
        if source:
            option["attrs"]["lang"] = source
        return option


class TranslatedModelChoiceField(forms.ModelChoiceField):
    """One harm category or solution area, from a select."""

    widget = TranslatedSelect


class TranslatedCheckboxesField(forms.ModelMultipleChoiceField):
    """Harm categories (or solution areas) as checkboxes; a sub-category is indented with a
    dash when `indent_children`."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, indent_children: bool = False, **kwargs):
        self.indent_children = indent_children
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        label = translated(obj, "name")
        if self.indent_children and getattr(obj, "parent_id", None):
            return format_html("– {}", label)
        return label
