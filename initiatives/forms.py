import uuid
from dataclasses import dataclass

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from engagement.models import EngagementSession, SessionAccess
from harms.fields import TranslatedCheckboxesField, TranslatedModelChoiceField
from harms.forms import PrivacyCheckMixin
from harms.languages import WrittenLanguageFormMixin, written_language_field
from harms.models import HarmCategory, SolutionArea

from .models import (
    BODY_MAX,
    COMMENT_MAX,
    DRAFT_COMMENT_MAX,
    DRAFT_NOTE_MAX,
    DRAFT_SECTIONS,
    IDEA_TRANSITIONS,
    INITIATIVE_TRANSITIONS,
    TITLE_MAX,
    CoCreatorRole,
    Comment,
    DraftSection,
    Idea,
    IdeaStatus,
    InitiativeStatus,
    PersonReportReason,
    ReportReason,
)
from .services import IdeaFields


def _interpolated(message, values: dict):
    """`message % values`, but only when shown, in the language of that page: a lazy string
    interpolated in a class body would be fixed in English once, at import."""
    return lazy(lambda: str(message) % values, str)()


class IdeaForm(WrittenLanguageFormMixin, PrivacyCheckMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        help_text=_interpolated(
            _("A short name for your idea, up to %(max)d characters."), {"max": TITLE_MAX}
        ),
        error_messages={"required": _("Give your idea a title.")},
    )
    body = forms.CharField(
        label=_("Your idea"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_interpolated(
            _(
                "What should be done, by whom, and how it would help. Up to %(max)d characters. "
                "Plain text: line breaks are kept, links and formatting are not."
            ),
            {"max": BODY_MAX},
        ),
        error_messages={"required": _("Describe your idea.")},
    )
    language = written_language_field()
    harm_category = TranslatedModelChoiceField(
        label=_("Which harm does it address?"),
        queryset=HarmCategory.objects.all(),
        empty_label=_("Choose one"),
        error_messages={"required": _("Choose the harm your idea addresses.")},
    )
    solution_area = TranslatedModelChoiceField(
        label=_("Solution area"),
        queryset=SolutionArea.objects.all(),
        empty_label=_("Choose one"),
        error_messages={"required": _("Choose a solution area.")},
    )
    session = forms.ModelChoiceField(
        label=_("Related engagement session (optional)"),
        # Listed sessions only: an unlisted one's title is for its invitees.
        queryset=EngagementSession.objects.filter(status="published").exclude(
            access=SessionAccess.UNLISTED
        ),
        required=False,
        empty_label=_("None"),
    )
    is_anonymous = forms.BooleanField(
        label=_("Show me as anonymous"),
        required=False,
        help_text=_(
            "Others will see “Anonymous participant”. Facilitators who review ideas can still "
            "see who you are."
        ),
    )
    has_content_warning = forms.BooleanField(
        label=_("My idea describes abuse and should carry a content warning"),
        required=False,
    )
    content_warning_note = forms.CharField(
        label=_("Content warning (what readers should know first)"),
        max_length=200,
        required=False,
        # Asked only once the box above is ticked (static/js/forms.js; shown without script).
        widget=forms.TextInput(attrs={"data-reveal-when": "has_content_warning"}),
    )
    confirm_personal_data = forms.BooleanField(
        label=_(
            "I have checked: the details flagged above are needed and are not about someone "
            "who has not agreed"
        ),
        required=False,
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, idea: Idea | None = None, **kwargs):
        if idea is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": idea.title,
                "body": idea.body,
                "harm_category": idea.harm_category_id,
                "solution_area": idea.solution_area_id,
                "session": idea.session_id,
                "is_anonymous": idea.is_anonymous,
                "has_content_warning": idea.has_content_warning,
                "content_warning_note": idea.content_warning_note,
                "language": idea.language,
            }
        kwargs.setdefault("initial", {}).setdefault("submission_token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.propose_page_language()
        self.privacy_findings = {}

    def privacy_subjects(self) -> dict[str, str]:
        return {"title": _("The title"), "body": _("Your idea")}

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("has_content_warning")
            and not (cleaned.get("content_warning_note") or "").strip()
        ):
            self.add_error("content_warning_note", _("Say briefly what the warning is about."))
        for name in ("title", "body"):
            if name in cleaned and not cleaned[name].strip():
                self.add_error(name, _("This field cannot be blank."))
        self.check_privacy(cleaned)
        return cleaned

    def idea_fields(self) -> IdeaFields:
        data = self.cleaned_data
        return IdeaFields(
            title=data["title"].strip(),
            body=data["body"].strip(),
            harm_category=data["harm_category"],
            solution_area=data["solution_area"],
            session=data.get("session"),
            is_anonymous=data["is_anonymous"],
            has_content_warning=data["has_content_warning"],
            content_warning_note=data["content_warning_note"].strip()
            if data["has_content_warning"]
            else "",
            language=data["language"],
        )


class CommentForm(WrittenLanguageFormMixin, PrivacyCheckMixin, forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Up to %(max)d characters. Be kind; no personal details.")
        % {"max": COMMENT_MAX},
        error_messages={"required": _("Write something before posting.")},
    )
    language = written_language_field()
    is_anonymous = forms.BooleanField(label=_("Show me as anonymous"), required=False)
    confirm_personal_data = forms.BooleanField(
        label=_("I have checked the details flagged above and they should stay"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.propose_page_language()
        self.privacy_findings = {}

    def privacy_subjects(self) -> dict[str, str]:
        return {"body": _("Your comment")}

    def clean(self):
        cleaned = super().clean()
        if "body" in cleaned and not cleaned["body"].strip():
            self.add_error("body", _("Write something before posting."))
        self.check_privacy(cleaned)
        return cleaned


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with it?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what is wrong with it.")},
    )
    note = forms.CharField(
        label=_("Anything else we should know (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Please do not repeat personal details here."),
    )


PRESET_REASONS = [
    ("", _("Write my own reason below")),
    ("personal_data", _("It includes personal details of someone. Please remove them.")),
    ("off_topic", _("It is not about online harms to women and girls.")),
    ("duplicate", _("A very similar idea is already on the board; please support it instead.")),
    ("unclear", _("It is not clear what should be done. Please add more detail.")),
    ("harmful", _("It could cause harm or distress as written.")),
]


# Each decision and the status it moves an idea to.
DECISION_TARGETS = {
    "approve": IdeaStatus.APPROVED,
    "changes": IdeaStatus.CHANGES_REQUESTED,
    "reject": IdeaStatus.REJECTED,
    "hide": IdeaStatus.HIDDEN,
    "restore": IdeaStatus.APPROVED,
}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve and publish")),
            ("changes", _("Request changes")),
            ("reject", _("Reject")),
            ("hide", _("Hide from the board")),
            ("restore", _("Restore to the board")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    preset = forms.ChoiceField(label=_("Preset reason"), choices=PRESET_REASONS, required=False)
    reason = forms.CharField(
        label=_("Reason or note to the author"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to request changes or reject. The author sees it."),
    )
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    personal_data_checked = forms.BooleanField(
        label=_(
            "I have checked the personal details it contains: they may be public (for "
            "example an organisation's helpline)"
        ),
        required=False,
    )

    def __init__(self, *args, status: str | None = None, personal_data: bool = True, **kwargs):
        """With `status`, offer only the decisions that status allows (for display). A posted
        form is validated against every decision, so one made stale by another organiser
        reaches the service and gets its "already decided by" answer."""
        if status is not None:
            kwargs.setdefault("initial", {})["seen_status"] = status
        super().__init__(*args, **kwargs)
        if not personal_data:  # nothing was flagged: nothing to confirm
            del self.fields["personal_data_checked"]
        if status is not None:
            self.fields["decision"].choices = [
                (value, label)
                for value, label in self.fields["decision"].choices
                if IDEA_TRANSITIONS.allowed(status, DECISION_TARGETS[value])
                and not (value == "approve" and status == IdeaStatus.HIDDEN)
                and not (value == "restore" and status != IdeaStatus.HIDDEN)
            ]

    def reason_text(self) -> str:
        preset = dict(PRESET_REASONS).get(self.cleaned_data.get("preset") or "")
        parts = [str(preset)] if self.cleaned_data.get("preset") else []
        if self.cleaned_data.get("reason", "").strip():
            parts.append(self.cleaned_data["reason"].strip())
        return "\n".join(parts)


class BulkDecisionForm(forms.Form):
    """Approve or reject the ideas ticked in the queue's table (the page draws the controls:
    with auto_id "bulk-%s", the boxes are bulk-ideas_0, bulk-ideas_1...)."""

    decision = forms.ChoiceField(
        label=_("Action"),
        choices=[("approve", _("Approve selected")), ("reject", _("Reject selected"))],
        error_messages={
            "required": _("Choose an action."),
            "invalid_choice": _("Choose an action."),
        },
    )
    preset = forms.ChoiceField(
        label=_("Preset reason"),
        choices=PRESET_REASONS,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    ideas = forms.TypedMultipleChoiceField(
        label=_("Select"),
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one idea."),
            "invalid_choice": _("Select only ideas in the list."),
        },
    )

    def __init__(self, *args, pending_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].choices = [(pk, pk) for pk in pending_ids]

    reason_text = DecisionForm.reason_text


class ContentWarningForm(forms.Form):
    has_content_warning = forms.BooleanField(label=_("Show a content warning"), required=False)
    content_warning_note = forms.CharField(
        label=_("Content warning"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"data-reveal-when": "has_content_warning"}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("has_content_warning")
            and not (cleaned.get("content_warning_note") or "").strip()
        ):
            self.add_error("content_warning_note", _("Say briefly what the warning is about."))
        return cleaned


class RedactForm(forms.Form):
    passage = forms.CharField(
        label=_("Passage to remove (copy it exactly)"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Paste the passage to remove.")},
    )
    reason = forms.CharField(label=_("Why (kept in the log)"), max_length=500, required=False)


class ReportResolveForm(forms.Form):
    """Uphold or dismiss every open report on one item. The page words each choice for the
    state the content is in (`resolve_wording`); the values are the same for all."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("uphold", _("Uphold the reports")), ("dismiss", _("Dismiss the reports"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to uphold or dismiss the reports.")},
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


@dataclass(frozen=True)
class ResolveWording:
    """What upholding and dismissing the reports on one item will do, and who reads the note,
    in the words the moderator is offered. It follows initiatives.services.reports_resolve:
    an idea's author hears of any change to its status, with the note as the reason; a
    comment's author is told when it is removed, and of nothing else."""

    uphold: str
    dismiss: str
    note: str


def resolve_wording(target: Idea | Comment) -> ResolveWording:
    if isinstance(target, Idea):
        if target.status == IdeaStatus.APPROVED:
            return ResolveWording(
                uphold=_("Uphold: take it off the site"),
                dismiss=_("Dismiss: leave it published"),
                note=_("Note to the idea's author (sent if you take it off the site)"),
            )
        if target.is_hidden:
            return ResolveWording(
                uphold=_("Uphold: keep it off the site"),
                dismiss=_("Dismiss: publish it again"),
                note=_("Note to the idea's author (sent with either choice)"),
            )
        return ResolveWording(
            uphold=_("Uphold: the report was right (the idea is no longer on the site)"),
            dismiss=_("Dismiss: the report was mistaken"),
            note=_("Note for the moderation log (the idea's author is not told)"),
        )
    if target.can_be_hidden:
        return ResolveWording(
            uphold=_("Uphold: remove the comment"),
            dismiss=(
                _("Dismiss: leave it waiting for review")
                if target.is_pending
                else _("Dismiss: leave it published")
            ),
            note=_("Note to the comment's author (sent if you remove it)"),
        )
    if target.is_hidden:
        return ResolveWording(
            uphold=_("Uphold: keep it removed"),
            dismiss=_("Dismiss: restore the comment"),
            note=_("Note for the moderation log (the comment's author is not told)"),
        )
    return ResolveWording(
        uphold=_("Uphold: the report was right (the comment is no longer on the site)"),
        dismiss=_("Dismiss: the report was mistaken"),
        note=_("Note for the moderation log (the comment's author is not told)"),
    )


class InitiativeForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        error_messages={"required": _("Give the initiative a title.")},
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        error_messages={"required": _("Write a one-line summary.")},
    )
    description = forms.CharField(
        label=_("Description"), max_length=8000, widget=forms.Textarea(attrs={"rows": 8})
    )
    solution_area = TranslatedModelChoiceField(
        label=_("Solution area"), queryset=SolutionArea.objects.all(), empty_label=_("Choose one")
    )
    harm_categories = TranslatedCheckboxesField(
        label=_("Harms addressed"),
        queryset=HarmCategory.objects.all(),
    )
    ideas = forms.ModelMultipleChoiceField(
        label=_("Published ideas to merge into it"),
        queryset=Idea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    leads = forms.ModelMultipleChoiceField(
        label=_("Leads"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Organisers who will lead it and post updates."),
    )

    def __init__(self, *args, ideas, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].queryset = ideas
        self.fields["ideas"].label_from_instance = lambda idea: f"{idea.title} (#{idea.pk})"
        self.fields["leads"].queryset = leads
        self.fields["leads"].label_from_instance = lambda user: user.display_name


class JoinForm(forms.Form):
    role = forms.ChoiceField(
        label=_("How will you help?"),
        choices=CoCreatorRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you will help.")},
    )
    pledge = forms.CharField(
        label=_("Your pledge (optional)"),
        max_length=300,
        required=False,
        help_text=_("What you will bring, e.g. “two hours a month to review school materials”."),
    )

    def __init__(self, *args, anonymous_author: bool = False, **kwargs):
        """For the author of an anonymous idea merged into the initiative, a choice to be
        named in the list of co-creators (off: they are listed as "Anonymous participant")."""
        super().__init__(*args, **kwargs)
        if anonymous_author:
            self.fields["show_name"] = forms.BooleanField(
                label=_("Show my name in the list of co-creators"),
                required=False,
                help_text=_(
                    "You shared an idea in this initiative anonymously. Unless you tick this, "
                    "the list of co-creators shows you as “Anonymous participant”."
                ),
            )


class InitiativeUpdateForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        error_messages={"required": _("Give the update a title.")},
    )
    body = forms.CharField(
        label=_("Update"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the update.")},
    )


class InitiativeStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=InitiativeStatus.choices,
        error_messages={
            "required": _("Choose forming, in progress or launched."),
            "invalid_choice": _("Choose forming, in progress or launched."),
        },
    )

    def __init__(self, *args, current: str | None = None, **kwargs):
        """With `current`, offer it and the statuses INITIATIVE_TRANSITIONS lets it become
        (for display). A posted form is validated against every status, so a move the table
        refuses reaches the service and gets its answer."""
        super().__init__(*args, **kwargs)
        if current is not None:
            self.initial.setdefault("status", current)
            self.fields["status"].choices = [
                (value, label)
                for value, label in InitiativeStatus.choices
                if value == current or INITIATIVE_TRANSITIONS.allowed(current, value)
            ]


class PersonReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is this person doing?"),
        choices=PersonReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what this person is doing.")},
    )
    note = forms.CharField(
        label=_("What happened (needed for “Something else”)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Please do not repeat anyone's personal details here."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("reason") == PersonReportReason.OTHER
            and not cleaned.get("note", "").strip()
        ):
            self.add_error("note", _("Tell us briefly what happened."))
        return cleaned


# --- The working draft ------------------------------------------------------------------


class DraftForm(forms.Form):
    """The working draft, or some of its sections: a section left out of the POST keeps the
    latest version's text (DraftForm.sections_sent). The lengths are checked by draft_save,
    which words the refusal; the text typed is kept in the form whatever happens."""

    problem = forms.CharField(
        label=DraftSection.PROBLEM.label,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    proposal = forms.CharField(
        label=DraftSection.PROPOSAL.label,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    roles = forms.CharField(
        label=DraftSection.ROLES.label,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    milestones = forms.CharField(
        label=DraftSection.MILESTONES.label,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    note = forms.CharField(
        label=_("What changed (optional)"),
        required=False,
        max_length=DRAFT_NOTE_MAX,
        help_text=_("A few words for the version history, e.g. 'added the school milestones'."),
    )
    base_number = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def sections_sent(self) -> dict[str, str]:
        """The sections this POST carried, with their text."""
        return {
            section: self.cleaned_data[section]
            for section in DRAFT_SECTIONS
            if section in self.data
        }


class DraftCommentForm(forms.Form):
    section = forms.ChoiceField(choices=DraftSection.choices, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Comment on this section"),
        max_length=DRAFT_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Up to %(max)d characters. Co-creators and organisers can read it.")
        % {"max": DRAFT_COMMENT_MAX},
        error_messages={"required": _("Write something before posting.")},
    )
    version_number = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
