"""The staff's form for a phase: its dates, its switches, and its text in each language
(English required, the others optional, falling back to English)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from .models import Action, Phase
from .services import TRANSLATED, PhaseFields


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


LABELS = {
    "title": _("Title"),
    "what_happens": _("What happens"),
    "what_you_can_do": _("What you can do now"),
}
REQUIRED = {
    "title": _("Enter a title in English."),
    "what_happens": _("Say in English what happens in this phase."),
}
HELP = {
    "what_happens": _("Markdown: paragraphs, lists, links, bold and italics."),
    "what_you_can_do": _("Markdown. The links to the actions this phase opens are added below it."),
}


class PhaseForm(forms.Form):
    start_date = forms.DateField(
        label=_("First day"),
        widget=DateInput(),
        help_text=_("It starts at 12:00 AM on this day, Singapore time."),
        error_messages={"required": _("Enter the first day."), "invalid": _("Enter a real date.")},
    )
    end_date = forms.DateField(
        label=_("Last day"),
        widget=DateInput(),
        help_text=_("It ends at 11:59 PM on this day, Singapore time."),
        error_messages={"required": _("Enter the last day."), "invalid": _("Enter a real date.")},
    )
    actions = forms.MultipleChoiceField(
        label=_("What people can do in this phase"),
        choices=Action.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    is_launch = forms.BooleanField(
        label=_("This phase is the launch"),
        help_text=_("Its first day becomes the official launch date the site counts down to."),
        required=False,
    )

    def __init__(self, *args, phase: Phase | None = None, **kwargs):
        if phase is not None:
            kwargs.setdefault("initial", self.initial_from(phase))
        super().__init__(*args, **kwargs)
        self.language_groups = []
        for code, language_name in settings.LANGUAGES:
            english = code == settings.MODELTRANSLATION_DEFAULT_LANGUAGE
            names = []
            for name in TRANSLATED:
                key = build_localized_fieldname(name, code)
                required = english and name != "what_you_can_do"
                field_class = forms.CharField
                widget = (
                    forms.TextInput(attrs={"lang": code, "maxlength": 120})
                    if name == "title"
                    else forms.Textarea(attrs={"lang": code, "rows": 4})
                )
                self.fields[key] = field_class(
                    label=LABELS[name],
                    required=required,
                    max_length=120 if name == "title" else 4000,
                    widget=widget,
                    help_text=HELP.get(name, "") if english else "",
                    error_messages={"required": REQUIRED.get(name, "")},
                )
                names.append(key)
            self.language_groups.append(
                (code, language_name, english, [self[key] for key in names])
            )

    @staticmethod
    def initial_from(phase: Phase) -> dict:
        initial = {
            "start_date": phase.start_date,
            "end_date": phase.end_date,
            "actions": [action.value for action in phase.allowed_actions],
            "is_launch": phase.is_launch,
        }
        for name in TRANSLATED:
            for code, _name in settings.LANGUAGES:
                key = build_localized_fieldname(name, code)
                initial[key] = getattr(phase, key) or ""
        return initial

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day must be on or after the first day."))
        return cleaned

    def phase_fields(self) -> PhaseFields:
        data = self.cleaned_data
        texts = {
            name: {
                code: data.get(build_localized_fieldname(name, code)) or ""
                for code, _name in settings.LANGUAGES
            }
            for name in TRANSLATED
        }
        return PhaseFields(
            start_date=data["start_date"],
            end_date=data["end_date"],
            texts=texts,
            actions=frozenset(Action(value) for value in data.get("actions") or []),
            is_launch=bool(data.get("is_launch")),
        )
