from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from harms.fields import TranslatedCheckboxesField
from harms.models import HarmCategory
from harms.pii import detect_personal_data

from .models import SESSION_MESSAGE_BODY_MAX, MessageAudience, SessionAccess, SessionMode
from .services import (
    INVITE_CSV_MAX_BYTES,
    SESSION_MESSAGE_SUBJECT_MAX,
    SessionDetails,
    check_in_code_normalise,
    check_in_code_problem,
    invite_csv_too_large_message,
    session_message_clean_body,
    session_message_clean_subject,
)


class RegistrationForm(forms.Form):
    access_needs = forms.CharField(
        label=_("Access needs (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Anything that would help you take part, e.g. captions, a ramp or a quiet space. "
            "Only the organisers see this."
        ),
        error_messages={"max_length": _("Please keep your access needs under 1,000 characters.")},
    )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# Sessions are planned within these years. The bounds also keep a typed year such as 0001 or
# 9999 from overflowing when Singapore time is converted to UTC.
FIRST_YEAR, LAST_YEAR = 2020, 2100


class SessionDateTimeField(forms.DateTimeField):
    widget = DateTimeLocalInput

    def validate(self, value):
        super().validate(value)
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(
                _("Enter a date between %(first)s and %(last)s."),
                code="out_of_range",
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )


class SessionForm(forms.Form):
    """The organiser's session form. The rules (end after start, capacity not below the seats
    already taken, ...) live in engagement.services, which the view calls."""

    title = forms.CharField(
        label=_("Title"),
        max_length=160,
        error_messages={"required": _("Give the session a title.")},
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        error_messages={"required": _("Write a one-line summary of the session.")},
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    starts_at = SessionDateTimeField(
        label=_("Starts (Singapore time)"),
        error_messages={"required": _("Enter when the session starts.")},
    )
    ends_at = SessionDateTimeField(
        label=_("Ends (Singapore time)"),
        error_messages={"required": _("Enter when the session ends.")},
    )
    mode = forms.ChoiceField(
        label=_("Format"),
        choices=SessionMode.choices,
        error_messages={"required": _("Choose the format.")},
    )
    venue = forms.CharField(
        label=_("Venue"),
        required=False,
        max_length=200,
        help_text=_("Shown to everyone. Leave empty for an online session."),
    )
    venue_details = forms.CharField(
        label=_("Venue details for attendees"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Room, access and arrival instructions. Shown only to confirmed registrants."),
    )
    online_link = forms.URLField(
        label=_("Online joining link"),
        required=False,
        assume_scheme="https",
        help_text=_("Shown only to confirmed registrants."),
    )
    facilitators = forms.CharField(label=_("Facilitators"), required=False, max_length=300)
    harm_categories = TranslatedCheckboxesField(
        label=_("Harm categories discussed"),
        queryset=HarmCategory.objects.order_by("order", "name"),
        required=False,
    )
    capacity = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=10000,
        error_messages={"required": _("Enter the number of seats.")},
    )
    registration_opens_at = SessionDateTimeField(
        label=_("Registration opens (Singapore time)"),
        error_messages={"required": _("Enter when registration opens.")},
    )
    registration_closes_at = SessionDateTimeField(
        label=_("Registration closes (Singapore time)"),
        error_messages={"required": _("Enter when registration closes.")},
    )
    # Not required: a form posted without it (an older page) makes an open session.
    access = forms.ChoiceField(
        label=_("Who can register"),
        choices=SessionAccess.choices,
        required=False,
        initial=SessionAccess.OPEN,
        widget=forms.RadioSelect,
        help_text=_(
            "By invitation: only the people you invite can register. A listed session "
            "appears in the list of sessions with that label; an unlisted one is seen only "
            "by the people you invite. Invite people from the session's roster."
        ),
    )

    def clean_access(self) -> str:
        return self.cleaned_data.get("access") or SessionAccess.OPEN

    def details(self) -> SessionDetails:
        fields = SessionDetails.__dataclass_fields__
        return SessionDetails(**{k: v for k, v in self.cleaned_data.items() if k in fields})

    @classmethod
    def initial_from(cls, session) -> dict:
        initial = {name: getattr(session, name) for name in cls.base_fields}
        initial["harm_categories"] = list(session.harm_categories.all())
        return initial


class SessionEditForm(SessionForm):
    fill_from_waiting_list = forms.BooleanField(
        label=_("Give new seats to the waiting list, first come first served"),
        required=False,
        initial=True,
        help_text=_(
            "When you raise the number of seats. Untick to keep them free, for example to "
            "move someone out of turn from the roster, with a reason."
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason.")},
    )


class AttendanceForm(forms.Form):
    attended = forms.BooleanField(required=False)


SINGAPORE = ZoneInfo("Asia/Singapore")

# What a purpose must not carry: it is kept in the audit log, which never holds a name or
# contact details (an address may be the venue, a web address the joining link).
_PURPOSE_REFUSED_KINDS = {"name", "nric", "phone", "email", "handle"}


class RosterPurposeForm(forms.Form):
    """Why the organiser downloads the roster (names, emails, access needs). The purpose goes
    into the audit log, and each person can later see it."""

    purpose = forms.CharField(
        label=_("What is the roster for?"),
        max_length=300,
        help_text=_(
            "Kept in the audit log with your account. Leave out names and contact details."
        ),
        error_messages={"required": _("Say what the roster is for.")},
    )

    @staticmethod
    def suggested_purpose(session) -> str:
        starts = timezone.localtime(session.starts_at, SINGAPORE)
        return gettext("to run the session on %(date)s") % {
            "date": formats.date_format(starts, "j F Y")
        }

    def clean_purpose(self) -> str:
        purpose = self.cleaned_data["purpose"].strip()
        if not purpose:
            raise ValidationError(self.fields["purpose"].error_messages["required"])
        if any(f.kind in _PURPOSE_REFUSED_KINDS for f in detect_personal_data(purpose)):
            raise ValidationError(
                _("Leave out names and contact details: the purpose is kept in the audit log.")
            )
        return purpose


# --- Check-in codes at the door (issue 16, item 4) ------------------------------------------


class CheckInCodeForm(forms.Form):
    """The code an organiser types (or scans) at the door. Typed in any case, with spaces or
    hyphens; cleaned to the stored form. Whose code it is, is the service's question."""

    code = forms.CharField(
        label=_("Check-in code"),
        # Room for a code typed with spaces and hyphens; what is left must be 8 characters.
        max_length=40,
        help_text=_("8 letters and digits, from the person's email or My sessions."),
        error_messages={
            "required": _("Enter the check-in code."),
            "max_length": _("This is too long for a check-in code."),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "inputmode": "text",
                "enterkeyhint": "go",
                "class": "form-control form-control-lg check-in-code-input",
            }
        ),
    )

    def clean_code(self) -> str:
        code = check_in_code_normalise(self.cleaned_data["code"])
        problem = check_in_code_problem(code)
        if problem:
            raise ValidationError(problem)
        return code


# --- Messages to a session (issue 16, item 1) -------------------------------------------


class SessionMessageForm(forms.Form):
    """Who a message is for, its subject and its plain-text body. Each audience shows how many
    people it reaches. The service checks everything again under the session's lock."""

    audience = forms.ChoiceField(
        label=_("Who is it for?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who the message is for.")},
    )
    subject = forms.CharField(
        label=_("Subject"),
        help_text=_(
            "Seen in the inbox, after the date of the session. Do not name a harm or a person."
        ),
        widget=forms.TextInput(attrs={"maxlength": SESSION_MESSAGE_SUBJECT_MAX}),
        error_messages={"required": _("Write a subject.")},
    )
    body = forms.CharField(
        label=_("Message"),
        help_text=_(
            "Plain text, at most 5,000 characters. Each person gets it exactly as you write it, "
            "with the session's time and place below it."
        ),
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": SESSION_MESSAGE_BODY_MAX}),
        error_messages={"required": _("Write the message.")},
    )

    def __init__(self, *args, counts: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [
            (
                value,
                ngettext(
                    "%(audience)s (%(count)d person)",
                    "%(audience)s (%(count)d people)",
                    counts[value],
                )
                % {"audience": label, "count": counts[value]},
            )
            for value, label in MessageAudience.choices
        ]

    def clean_subject(self) -> str:
        subject = session_message_clean_subject(self.cleaned_data["subject"])
        if len(subject) > SESSION_MESSAGE_SUBJECT_MAX:
            raise ValidationError(
                gettext("Keep the subject to %(max)d characters or fewer (it has %(length)d).")
                % {"max": SESSION_MESSAGE_SUBJECT_MAX, "length": len(subject)}
            )
        return subject

    def clean_body(self) -> str:
        # Counted as the service counts it: a line break is one character, as in the browser.
        body = session_message_clean_body(self.cleaned_data["body"])
        if len(body) > SESSION_MESSAGE_BODY_MAX:
            raise ValidationError(
                gettext("Keep the message to %(max)s characters or fewer (it has %(length)s).")
                % {
                    "max": formats.number_format(SESSION_MESSAGE_BODY_MAX, force_grouping=True),
                    "length": formats.number_format(len(body), force_grouping=True),
                }
            )
        return body


# --- Invitations (issue 16, item 2) -----------------------------------------------------------


class InvitationPasteForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line, or separated by commas. “Name <address>” keeps the name. At most "
            "200 at a time."
        ),
        error_messages={
            "required": _("Paste at least one email address."),
            "max_length": _("That is too much text to paste. Upload a CSV file instead."),
        },
    )


class InvitationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "A first row naming the columns: email, name, organisation (name and organisation "
            "are optional). Saved as CSV UTF-8, at most 2 MB and 20,000 rows."
        ),
        error_messages={
            "required": _("Choose a CSV file to upload."),
            "empty": _("The file is empty."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked from the size the upload declares, before a byte of it is read.
        if upload.size > INVITE_CSV_MAX_BYTES:
            raise ValidationError(invite_csv_too_large_message())
        return upload
