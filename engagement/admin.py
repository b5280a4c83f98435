"""The admin writes to sessions through engagement.services, or not at all.

A raw admin save of a session would skip what the services do: the emails to people holding
a place, the audit row, the promotion from the waiting list, and the friendly refusal of a
capacity below the seats taken (the database's CheckConstraint would answer with a 500).
"""

from dataclasses import fields as dataclass_fields

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from afa_platform.admin import SINGLE_DATETIME_BOX

from .models import EngagementSession, Registration, SessionAccess
from .services import (
    EngagementError,
    SessionDetails,
    session_create,
    session_publish,
    session_update,
)

SESSION_DETAIL_FIELDS = [field.name for field in dataclass_fields(SessionDetails)]


class _OptionalChoiceField(forms.ChoiceField):
    """Left out of the post, it changes nothing (and does not count as a change)."""

    def has_changed(self, initial, data) -> bool:
        return bool(data) and super().has_changed(initial, data)


class EngagementSessionAdminForm(forms.ModelForm):
    """Only the details an organiser may set; validating the form runs the service.

    The service is the only place that knows, under the session's row lock, whether the
    change is allowed (a capacity below the seats taken, a cancelled session), so it runs as
    the last step of validation and its refusal becomes a form error. Django's admin runs
    validation and saving in one transaction, so the service's write commits with the rest of
    the page or not at all; `save_model` and `save_related` then have nothing left to save.
    """

    fill_from_waiting_list = forms.BooleanField(
        label=_("Give new seats to the waiting list, first come first served"),
        required=False,
        initial=True,
        help_text=_("When you raise the number of seats. Untick to keep them free."),
    )

    online_link = forms.URLField(
        label=EngagementSession._meta.get_field("online_link").verbose_name,
        help_text=EngagementSession._meta.get_field("online_link").help_text,
        required=False,
        assume_scheme="https",  # as on the organiser's form
    )

    # Optional here (issue 16): a form posted without it leaves it as it is (open when new).
    access = _OptionalChoiceField(
        label=EngagementSession._meta.get_field("access").verbose_name,
        help_text=EngagementSession._meta.get_field("access").help_text,
        choices=[("", "---------"), *SessionAccess.choices],
        required=False,
    )

    # Set by EngagementSessionAdmin.get_form: who the audit row names.
    editor = None

    class Meta:
        model = EngagementSession
        fields = SESSION_DETAIL_FIELDS

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        if self.instance.pk is not None and not self.has_changed():
            return  # "Save" on an untouched form: nothing to change, nothing to audit
        values = {name: self.cleaned_data[name] for name in SESSION_DETAIL_FIELDS}
        values["access"] = values["access"] or None
        details = SessionDetails(**values)
        try:
            if self.instance.pk is None:
                self.instance = session_create(created_by=self.editor, details=details)
            else:
                self.instance = session_update(
                    session=self.instance,
                    editor=self.editor,
                    details=details,
                    fill_from_waiting_list=self.cleaned_data["fill_from_waiting_list"],
                )
        except EngagementError as error:
            self.add_error(None, str(error))


@admin.register(EngagementSession)
class EngagementSessionAdmin(admin.ModelAdmin):
    """Details change through session_create and session_update; publishing through the
    list's action (session_publish). Cancelling needs a reason that is emailed to everyone
    registered, so it stays on the organiser's session page. No delete: it would drop the
    registrations without telling anyone."""

    form = EngagementSessionAdminForm
    formfield_overrides = SINGLE_DATETIME_BOX
    list_display = ["title", "starts_at", "mode", "status", "capacity", "seats_taken"]
    list_filter = ["status", "mode", "harm_categories", "starts_at"]
    search_fields = ["title", "summary", "facilitators", "venue", "slug"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["harm_categories"]
    actions = ["publish_drafts"]
    # Status, seats and the queue change only through engagement.services, under the
    # session's lock; the slug is made by session_create and is the session's address.
    readonly_fields = [
        "slug",
        "status",
        "seats_taken",
        "waitlist_length",
        "cancellation_reason",
        "cancelled_at",
        "created_by",
        "created_at",
        "updated_at",
    ]

    # No inlines: their formsets are validated after the form, when the service has already
    # written; an invalid inline would then show errors over a change that was saved.
    inlines = []

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*SESSION_DETAIL_FIELDS]
        return [*SESSION_DETAIL_FIELDS, "fill_from_waiting_list", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.editor = request.user
        return form

    def save_model(self, request, obj, form, change) -> None:
        """The form's validation saved it through the service."""

    def save_related(self, request, form, formsets, change) -> None:
        """The service set the harm categories."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Publish the selected draft sessions"), permissions=["change"])
    def publish_drafts(self, request, queryset) -> None:
        published = 0
        for session in queryset:
            try:
                session_publish(session=session, organiser=request.user)
            except EngagementError as error:
                self.message_user(request, f"{session}: {error}", messages.WARNING)
            else:
                published += 1
        if published:
            self.message_user(
                request,
                ngettext("Published %(n)d session.", "Published %(n)d sessions.", published)
                % {"n": published},
                messages.SUCCESS,
            )


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Places change through engagement.services: the participant registers and cancels,
    the organiser moves people from the waiting list and marks attendance on the roster.
    Only the participant's access needs, which no service owns, can be edited here. No add
    or delete: either would leave the session's seat counters wrong."""

    list_display = ["participant", "session", "status", "waitlist_position", "attended"]
    list_filter = ["status", "attended", "session"]
    search_fields = ["participant__email", "participant__display_name", "session__title"]
    list_select_related = ["participant", "session"]
    readonly_fields = [
        "session",
        "participant",
        "status",
        "waitlist_position",
        "attended",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "reminder_sent_at",
        "promotion_note",
        "notice_due",
        "check_in_code",
        "checked_in_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
