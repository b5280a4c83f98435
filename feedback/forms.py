from django import forms
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from harms.fields import TranslatedCheckboxesField
from harms.forms import PrivacyCheckMixin
from harms.languages import WrittenLanguageFormMixin, written_language_field
from harms.models import HarmCategory, SolutionArea

from .models import Feedback
from .services import EXCERPT_MAX_LENGTH, TEXT_MAX_LENGTH, FeedbackDetails

RATING_CHOICES = [
    (1, _("1 – poor")),
    (2, _("2")),
    (3, _("3")),
    (4, _("4")),
    (5, _("5 – excellent")),
]


class HarmChoiceField(TranslatedCheckboxesField):
    """Harms as checkboxes, each sub-category indented under its harm."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, indent_children=True, **kwargs)


def harm_choices():
    """Each top-level harm followed by its sub-categories."""
    return HarmCategory.objects.order_by(
        Coalesce("parent__order", "order"),
        Coalesce("parent_id", "id"),
        F("parent_id").asc(nulls_first=True),
        "order",
        "name",
    )


class FeedbackForm(WrittenLanguageFormMixin, PrivacyCheckMixin, forms.Form):
    """The participant's feedback. The rules live in feedback.services; the form warns, field
    by field, about personal details in the four free-text answers (PrivacyCheckMixin)."""

    harm_categories = HarmChoiceField(
        label=_("Which harms is your feedback about?"),
        queryset=HarmCategory.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one harm your feedback is about.")},
    )
    experience = forms.CharField(
        label=_("What have you seen or experienced? (optional)"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Share only what you are comfortable sharing. Please leave out names, phone "
            "numbers and other details that identify anyone. Only you and MCI staff read this."
        ),
    )
    language = written_language_field()
    rating = forms.TypedChoiceField(
        label=_("How useful was the session?"),
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    share_anonymously = forms.BooleanField(
        label=_("Share anonymously"),
        required=False,
        initial=True,
        help_text=_("Your name is then never shown beside this feedback, even to MCI staff."),
    )
    quote_consent = forms.BooleanField(
        label=_("You may quote me anonymously in reports"),
        required=False,
        help_text=_(
            "An organiser picks a short excerpt, without anything that identifies you. You can "
            "withdraw this consent at any time, and the quote is taken out of every digest."
        ),
    )
    confirm_personal_data = forms.BooleanField(
        label=_("I have checked the details marked above: send them as they are"),
        required=False,
    )

    def __init__(self, *args, for_session: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_session = for_session
        self.fields["harm_categories"].queryset = harm_choices()
        self.areas = list(SolutionArea.objects.order_by("order", "name"))
        for area in self.areas:
            self.fields[f"suggestion_{area.slug}"] = forms.CharField(
                label=_("Your suggestion on %(area)s (optional)") % {"area": area.name.lower()},
                required=False,
                max_length=TEXT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=area.description,
            )
        if not for_session:
            del self.fields["rating"]
        self.propose_page_language()
        self.privacy_findings = {}

    def privacy_subjects(self) -> dict[str, str]:
        subjects = {"experience": _("What you have seen or experienced")}
        for area in self.areas:
            subjects[f"suggestion_{area.slug}"] = _("Your suggestion on %(area)s") % {
                "area": area.name.lower()
            }
        return subjects

    def clean(self):
        cleaned = super().clean()
        self.check_privacy(cleaned)
        return cleaned

    def suggestion_fields(self):
        return [self[f"suggestion_{area.slug}"] for area in self.areas]

    def details(self) -> FeedbackDetails:
        data = self.cleaned_data
        return FeedbackDetails(
            harm_categories=list(data["harm_categories"]),
            experience=data["experience"],
            suggestions={area: data[f"suggestion_{area.slug}"] for area in self.areas},
            rating=data.get("rating"),
            share_anonymously=data["share_anonymously"],
            quote_consent=data["quote_consent"],
            language=data["language"],
        )

    @classmethod
    def initial_for(cls, feedback: Feedback) -> dict:
        initial = {
            "harm_categories": list(feedback.harm_categories.all()),
            "experience": feedback.experience,
            "rating": feedback.rating,
            "share_anonymously": feedback.share_anonymously,
            "quote_consent": feedback.quote_consent,
            "language": feedback.language,
        }
        for suggestion in feedback.suggestions.select_related("solution_area"):
            initial[f"suggestion_{suggestion.solution_area.slug}"] = suggestion.text
        return initial


class QuoteApproveForm(forms.Form):
    excerpt = forms.CharField(
        label=_("Excerpt to quote"),
        max_length=EXCERPT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Their own words, trimmed to the point that matters: cut with … and replace "
            "anything identifying with [name], [place] or […], but do not reword. Up to "
            "%(n)s characters."
        )
        % {"n": EXCERPT_MAX_LENGTH},
        error_messages={"required": _("Enter the excerpt to quote.")},
    )
    note = forms.CharField(
        label=_("Note for the audit log (optional)"), required=False, max_length=300
    )


class QuoteRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why not quote it?"),
        max_length=300,
        help_text=_("Kept in the audit log; the participant is not told."),
        error_messages={"required": _("Say why not to quote it.")},
    )
