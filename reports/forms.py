from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harms.fields import TranslatedCheckboxesField
from harms.models import HarmCategory, SolutionArea

from . import selectors
from .models import SESSION_SUMMARY_BODY_MAX


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


class SessionSummaryForm(forms.Form):
    """ "What we heard": the text, its themes' tags, the ideas and the quotes it links. The
    choices are the ones the service accepts (reports.selectors), so a hidden idea or an
    unapproved quote is refused here with a message, and again by the service."""

    body = forms.CharField(
        label=_("What we heard"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=SESSION_SUMMARY_BODY_MAX,
        help_text=_(
            "An introduction and the themes people raised, in Markdown (# for a heading, - for "
            "a list item, [words](https://…) for a link). Up to %(limit)s characters. Do not "
            "name or describe anyone who took part."
        )
        % {"limit": f"{SESSION_SUMMARY_BODY_MAX:,}"},
        error_messages={
            "required": _("Write what you heard before saving."),
            "max_length": _(
                "The summary can be at most %(limit_value)d characters long; this one has "
                "%(show_value)d. Shorten it: nothing you typed has been lost."
            ),
        },
        strip=True,
    )
    harm_categories = TranslatedCheckboxesField(
        label=_("Harm categories the themes are about"),
        queryset=HarmCategory.objects.all(),
        required=False,
        indent_children=True,
    )
    solution_areas = TranslatedCheckboxesField(
        label=_("Solution areas the themes are about"),
        queryset=SolutionArea.objects.all(),
        required=False,
    )
    ideas = forms.TypedMultipleChoiceField(
        label=_("Ideas put forward at or after the session"),
        help_text=_("Published ideas linked to this session or submitted since it started."),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "One of the ideas chosen is not a published idea put forward at or after this "
                "session (it may have been hidden or withdrawn meanwhile)."
            )
        },
    )
    quotes = forms.TypedMultipleChoiceField(
        label=_("Quotes"),
        help_text=_(
            "Only excerpts of this session's feedback approved in the quote review, shown "
            "without names."
        ),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "One of the quotes chosen is not feedback about this session approved in the "
                "quote review (its consent may have been withdrawn meanwhile)."
            )
        },
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].choices = [
            (idea.pk, idea.title) for idea in selectors.summary_idea_choices(session)
        ]
        self.fields["quotes"].choices = [
            (feedback.pk, f"“{feedback.quote_excerpt}”")
            for feedback in selectors.summary_quote_choices(session)
        ]

    @classmethod
    def initial_for(cls, summary) -> dict:
        if summary is None:
            return {}
        return {
            "body": summary.body,
            "harm_categories": [c.pk for c in summary.harm_categories.all()],
            "solution_areas": [a.pk for a in summary.solution_areas.all()],
            "ideas": [idea.pk for idea in summary.ideas.all()],
            "quotes": [feedback.pk for feedback in summary.quotes.all()],
        }
