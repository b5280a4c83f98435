import datetime

from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from django import forms
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AgeGroup, Background, User

format_html_lazy = lazy(format_html, str)


class SignupDetailsForm(forms.Form):
    """The fields allauth's sign-up form adds to email and password (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=60,
        help_text=_("Shown beside what you post. It need not be your real name."),
        error_messages={"required": _("Enter a display name.")},
    )
    background = forms.ChoiceField(
        label=_("Which best describes you?"),
        choices=[("", _("Choose one"))] + list(Background.choices),
        help_text=_("Used only to see which communities the Alliance is hearing from."),
        error_messages={"required": _("Choose which best describes you.")},
    )
    organisation = forms.CharField(
        label=_("Organisation (optional)"), max_length=120, required=False
    )
    age_group = forms.ChoiceField(
        label=_("Your age"),
        choices=AgeGroup.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you are 18 or older.")},
    )
    guardian_consent = forms.BooleanField(
        label=_("My parent or guardian has agreed to my taking part"),
        required=False,
        help_text=_("Needed only if you are under 18."),
        # Asked only once "under 18" is chosen (static/js/forms.js); without script it is
        # shown with its hint. clean() checks it either way.
        widget=forms.CheckboxInput(
            attrs={"data-reveal-when": f"age_group={AgeGroup.MINOR_WITH_CONSENT.value}"}
        ),
    )
    pdpa_consent = forms.BooleanField(
        label=format_html_lazy(
            _('I have read the <a href="{}">privacy notice</a> and consent to its terms'),
            reverse_lazy("privacy"),
        ),
        error_messages={"required": _("You need to agree to the privacy notice to sign up.")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("age_group") == AgeGroup.MINOR_WITH_CONSENT and not cleaned.get(
            "guardian_consent"
        ):
            self.add_error(
                "guardian_consent",
                _("If you are under 18, your parent or guardian must agree to your taking part."),
            )
        return cleaned

    def signup(self, request, user: User) -> None:
        data = self.cleaned_data
        services.user_complete_signup(
            user=user,
            display_name=data["display_name"],
            background=data["background"],
            organisation=data["organisation"],
            age_group=data["age_group"],
            guardian_consent=data["guardian_consent"],
            pdpa_consent=data["pdpa_consent"],
            # The language the person read the sign-up page in.
            preferred_language=translation.get_language(),
        )


class LanguageSelect(forms.Select):
    """Each language named in itself, marked with its own lang (WCAG 3.1.2)."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "display_name",
            "background",
            "organisation",
            "content_warning_display",
            "preferred_language",
        ]
        labels = {
            "preferred_language": _("Language"),
            "display_name": _("Display name"),
            "background": _("Which best describes you?"),
            "organisation": _("Organisation (optional)"),
            "content_warning_display": _("Content that carries a content warning"),
        }
        widgets = {
            "content_warning_display": forms.RadioSelect,
            "preferred_language": LanguageSelect,
        }
        error_messages = {
            "preferred_language": {"invalid_choice": _("Choose one of the languages listed.")}
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Optional in the post: an older form without them keeps the current choice.
        self.fields["content_warning_display"].required = False
        self.fields["preferred_language"].required = False

    def save(self, commit: bool = True) -> User:  # noqa: ARG002 - the service saves
        return services.user_update_profile(
            user=self.instance,
            display_name=self.cleaned_data["display_name"],
            background=self.cleaned_data["background"],
            organisation=self.cleaned_data["organisation"],
            content_warning_display=self.cleaned_data.get("content_warning_display") or None,
            preferred_language=self.cleaned_data.get("preferred_language") or None,
        )


class AccountEraseForm(forms.Form):
    """Delete my account: the one choice, then the password again, and a code from the
    authenticator where the person has one (a recovery code works too). Failed attempts
    count against allauth's "login_failed" limit, as failed sign-ins do."""

    keep_contributions = forms.TypedChoiceField(
        label=_("Your ideas and comments"),
        choices=[
            ("keep", _("Keep them, shown as “Anonymous participant”, without my name")),
            ("delete", _("Delete them")),
        ],
        coerce=lambda value: value == "keep",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happens to your ideas and comments.")},
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Type your password to confirm it is you.")},
    )
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("Or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Type the code your authenticator app shows.")},
    )

    def __init__(self, *args, user: User, request, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.authenticators = list(
            Authenticator.objects.filter(
                user=user,
                type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES],
            )
        )
        if not self.authenticators:
            del self.fields["code"]

    def _rate_limit(self, *, dry_run: bool) -> bool:
        return ratelimit.consume(
            self.request,
            action="login_failed",
            key=f"account-erase-{self.user.pk}",
            dry_run=dry_run,
        )

    def _check(self, correct: bool, message: str) -> None:
        """Refuse while too many attempts failed lately; count this one if it failed."""
        if not self._rate_limit(dry_run=True):
            raise forms.ValidationError(
                _("Too many failed attempts. Wait a few minutes, then try again.")
            )
        if not correct:
            self._rate_limit(dry_run=False)
            raise forms.ValidationError(message)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        self._check(self.user.check_password(password), _("That password is not right."))
        return password

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().replace(" ", "")
        if "password" not in self.cleaned_data:
            return code  # checked only once the password is right
        self._check(
            any(authenticator.wrap().validate_code(code) for authenticator in self.authenticators),
            _("That code is not right. Try the one your app shows now."),
        )
        return code


class PersonDecisionForm(forms.Form):
    """An organiser's decision about a person (the People tab): warn, suspend until a date,
    block, or lift a suspension or block, always with a reason the person is shown."""

    WARN, SUSPEND, BLOCK, UNBLOCK, CLOSE = "warn", "suspend", "block", "unblock", "close"

    action = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=[
            (WARN, _("Warn them by email")),
            (SUSPEND, _("Suspend their account until a date")),
            (BLOCK, _("Block their account until an organiser lifts it")),
            (UNBLOCK, _("Lift their suspension or block now")),
            (CLOSE, _("Close the open reports about them: no action is needed")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what to do.")},
    )
    until = forms.DateField(
        label=_("Suspended until (for a suspension)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The suspension ends at midnight at the start of this day, Singapore time."),
        error_messages={"invalid": _("Enter the date as day, month and year.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=services.PERSON_DECISION_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The person is shown this reason (except when you only close reports). Never name "
            "who reported them, and do not repeat anyone's personal details."
        ),
        error_messages={"required": _("Give a reason. The person will see it.")},
    )
    hide_content = forms.BooleanField(
        label=_("Also hide all their published ideas and comments"),
        required=False,
        help_text=_("For a suspension or a block. Each item can be restored one by one later."),
    )
    cancel_registrations = forms.BooleanField(
        label=_("Also cancel their places in sessions that have not started"),
        required=False,
        help_text=_("For a suspension or a block. The first person on each waiting list moves up."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.SUSPEND:
            until = cleaned.get("until")
            if until is None and "until" not in self.errors:
                self.add_error("until", _("Choose the date the suspension ends."))
            elif until is not None and until <= timezone.localdate():
                self.add_error("until", _("Choose a date after today."))
        return cleaned

    def until_time(self):
        """The end of a suspension: the chosen day's first moment, Singapore time."""
        until = self.cleaned_data.get("until")
        if until is None or self.cleaned_data.get("action") != self.SUSPEND:
            return None
        return timezone.make_aware(datetime.datetime.combine(until, datetime.time.min))


class ModerationAlertsForm(forms.Form):
    """On an organiser's profile: which moderation emails they get."""

    urgent_report_alerts = forms.BooleanField(
        label=_("Email me at once about urgent reports"),
        required=False,
        help_text=_(
            "Reports that someone is contacting a minor or sharing personal details or images."
        ),
    )
    moderation_summary = forms.BooleanField(
        label=_("Email me each morning a summary of what is waiting for moderation"),
        required=False,
    )
