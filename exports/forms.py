from django import forms
from django.utils.translation import gettext_lazy as _

from reports.filters import ReportFilterForm

from .datasets import DATASETS, FORMATS

PURPOSE_MIN_LENGTH = 10


class PersonalExportForm(ReportFilterForm):
    """An export with names and emails: only with the permission, and only with a purpose,
    which goes into the audit log."""

    dataset = forms.ChoiceField(
        label=_("Dataset"),
        choices=[
            (slug, dataset.title) for slug, dataset in DATASETS.items() if not dataset.aggregate
        ],
    )
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[(name, name.upper()) for name in FORMATS]
    )
    purpose = forms.CharField(
        label=_("Why do you need names and emails?"),
        help_text=_(
            "Recorded in the audit log with your name. Names and emails of people who chose "
            "to stay anonymous are never exported."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )

    def clean_purpose(self) -> str:
        purpose = self.cleaned_data["purpose"].strip()
        if len(purpose) < PURPOSE_MIN_LENGTH:
            raise forms.ValidationError(_("Say in a sentence what the names and emails are for."))
        return purpose
