import re

from django import forms
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from harms.fields import TranslatedCheckboxesField
from harms.forms import PrivacyCheckMixin
from harms.languages import WrittenLanguageFormMixin, written_language_field
from harms.models import HarmCategory, SolutionArea

from .models import ANSWER_TEXT_MAX_LENGTH, Feedback, QuestionKind, SessionQuestion
from .services import EXCERPT_MAX_LENGTH, TEXT_MAX_LENGTH, FeedbackDetails, QuestionDetails

QUESTION_FIELD = "question_%s"
_QUESTION_FIELD_RE = re.compile(r"^question_(.+)$")
SCALE_CHOICES = [
    (1, _("1 – not at all")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 – very much")),
]

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

    def __init__(self, *args, for_session: bool, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.for_session = for_session
        # The session's own questions (issue 17, item 4), after the standard ones.
        self.questions = list(questions)
        for question in self.questions:
            self.fields[QUESTION_FIELD % question.pk] = question_field(question)
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
        for question in self.questions:
            if question.is_text:
                subjects[QUESTION_FIELD % question.pk] = _("Your answer to “%(question)s”") % {
                    "question": question.text
                }
        for area in self.areas:
            subjects[f"suggestion_{area.slug}"] = _("Your suggestion on %(area)s") % {
                "area": area.name.lower()
            }
        return subjects

    def clean(self):
        cleaned = super().clean()
        self.check_privacy(cleaned)
        if self.is_bound:
            ours = {QUESTION_FIELD % question.pk for question in self.questions}
            strangers = [
                key for key in self.data if _QUESTION_FIELD_RE.match(key) and key not in ours
            ]
            if strangers:
                raise forms.ValidationError(
                    _(
                        "An answer was sent for a question that is not on this session's form "
                        "(it may belong to another session, or no longer exist). Your other "
                        "answers are kept below: check them and send again."
                    ),
                    code="unknown_question",
                )
        return cleaned

    def suggestion_fields(self):
        return [self[f"suggestion_{area.slug}"] for area in self.areas]

    def question_fields(self):
        return [self[QUESTION_FIELD % question.pk] for question in self.questions]

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
            answers={
                question.pk: data.get(QUESTION_FIELD % question.pk) for question in self.questions
            },
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
        for answer in feedback.answers.select_related("question").prefetch_related("chosen"):
            initial[QUESTION_FIELD % answer.question_id] = answer_initial(answer)
        return initial


def answer_initial(answer) -> object:
    question = answer.question
    options = [str(chosen.option) for chosen in answer.chosen.all()]
    if question.kind == QuestionKind.SCALE:
        return answer.scale
    if question.kind == QuestionKind.SHORT_TEXT:
        return answer.text
    if question.kind == QuestionKind.ONE_CHOICE:
        return options[0] if options else None
    return options


def question_field(question: SessionQuestion) -> forms.Field:
    """The form field for one session question: radio buttons for a scale or one choice,
    checkboxes for several (each group a fieldset with the question as its legend), a short
    text box for text."""
    common = {
        "label": question.text
        if question.required
        else _("%(question)s (optional)") % {"question": question.text},
        "required": question.required,
        "help_text": question.help_text,
        "error_messages": {
            "required": _("Answer “%(question)s”: it is required.") % {"question": question.text},
            "invalid_choice": _("Choose from the options listed for “%(question)s”.")
            % {"question": question.text},
        },
    }
    if question.kind == QuestionKind.SCALE:
        return forms.TypedChoiceField(
            choices=SCALE_CHOICES,
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            **common,
        )
    options = [(str(number), label) for number, label in question.options()]
    if question.kind == QuestionKind.ONE_CHOICE:
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if question.kind == QuestionKind.SEVERAL_CHOICES:
        return forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    return forms.CharField(
        max_length=ANSWER_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        **common,
    )


class SessionQuestionForm(forms.Form):
    """An organiser's question. The rules live in feedback.services (session_question_add)."""

    text = forms.CharField(
        label=_("Question"),
        max_length=200,
        error_messages={"required": _("Write the question.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of answer"),
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of answer the question takes.")},
    )
    choices = forms.CharField(
        label=_("Options (for one choice or several choices)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One option per line, 2 to 10 options, each under 80 characters."),
    )
    help_text = forms.CharField(
        label=_("Help text (optional)"),
        required=False,
        max_length=300,
        help_text=_("Shown under the question, e.g. what you mean by it."),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)

    def details(self) -> QuestionDetails:
        data = self.cleaned_data
        return QuestionDetails(
            kind=data["kind"],
            text=data["text"],
            help_text=data["help_text"],
            choices=data["choices"].splitlines(),
            required=data["required"],
        )

    @classmethod
    def initial_for(cls, question: SessionQuestion) -> dict:
        return {
            "text": question.text,
            "kind": question.kind,
            "choices": "\n".join(question.choices),
            "help_text": question.help_text,
            "required": question.required,
        }


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
