from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DigestRequestForm(forms.Form):
    """An on-demand digest for any range of whole days, Singapore time."""

    first_day = forms.DateField(
        label=_("From"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the first day."),
            "invalid": _("Enter the first day as a date."),
        },
    )
    last_day = forms.DateField(
        label=_("To (inclusive)"),
        widget=DateInput(),
        help_text=_("Whole days, Singapore time. Up to a year."),
        error_messages={
            "required": _("Enter the last day."),
            "invalid": _("Enter the last day as a date."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["first_day"].initial = today - timedelta(days=6)
        self.fields["last_day"].initial = today

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day must not be before the first."))
        return cleaned
