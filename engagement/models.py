import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from afa_platform.states import Transitions


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid (in person and online)")


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class SessionAccess(models.TextChoices):
    OPEN = "open", _("Open to everyone")
    INVITATION = "invitation", _("By invitation, listed")
    UNLISTED = "unlisted", _("By invitation, not listed")


# What a session's status may become (README.md, "State machines"). engagement.services
# checks every status write against it.
SESSION_TRANSITIONS = Transitions(
    "EngagementSession.status",
    {
        SessionStatus.DRAFT: {SessionStatus.PUBLISHED, SessionStatus.CANCELLED},
        SessionStatus.PUBLISHED: {SessionStatus.CANCELLED},
        SessionStatus.CANCELLED: set(),
    },
    initial={SessionStatus.DRAFT},
)


class EngagementSession(models.Model):
    """A facilitated conversation on named harms, in person or online, with limited seats.

    `seats_taken` and `waitlist_length` are counters owned by engagement.services: they are
    changed only under a row lock on this session, and the database keeps them in range.
    """

    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("web address"), max_length=180, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    mode = models.CharField(
        _("format"), max_length=10, choices=SessionMode.choices, default=SessionMode.IN_PERSON
    )
    venue = models.CharField(
        _("venue"),
        max_length=200,
        blank=True,
        help_text=_("Shown to everyone, e.g. the building and area. Leave empty for online."),
    )
    venue_details = models.TextField(
        _("venue details for attendees"),
        blank=True,
        help_text=_("Room, access and arrival instructions. Shown only to confirmed registrants."),
    )
    online_link = models.URLField(
        _("online joining link"),
        blank=True,
        help_text=_("Shown only to confirmed registrants."),
    )
    facilitators = models.CharField(_("facilitators"), max_length=300, blank=True)
    harm_categories = models.ManyToManyField(
        "harms.HarmCategory",
        verbose_name=_("harm categories discussed"),
        related_name="engagement_sessions",
        blank=True,
    )
    capacity = models.PositiveIntegerField(_("seats"))
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    waitlist_length = models.PositiveIntegerField(
        _("people on the waiting list"), default=0, editable=False
    )
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SessionStatus.choices,
        default=SessionStatus.DRAFT,
        db_index=True,
    )
    access = models.CharField(
        _("who can register"),
        max_length=12,
        choices=SessionAccess.choices,
        default=SessionAccess.OPEN,
        help_text=_(
            "By invitation: only the people you invite (or add by hand) can register. A "
            "listed session appears in the list with that label; an unlisted one does not."
        ),
    )
    # Set once, when the waiting list has been told that promotion has closed
    # (PROMOTION_CUTOFF_HOURS before the start); the claim is a conditional update.
    promotion_closed_notified_at = models.DateTimeField(
        _("waiting list told promotion closed at"), null=True, blank=True, editable=False
    )
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("engagement session")
        verbose_name_plural = _("engagement sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__gte=0) & Q(seats_taken__lte=F("capacity")),
                name="engagementsession_seats_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(waitlist_length__gte=0),
                name="engagementsession_waitlist_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="engagementsession_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="engagementsession_window_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engagement:session_detail", kwargs={"slug": self.slug})

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def lacks_joining_link(self) -> bool:
        """Held online (or hybrid) with no joining link yet: confirmed people would see none."""
        return self.mode in (SessionMode.ONLINE, SessionMode.HYBRID) and not self.online_link

    @property
    def is_full(self) -> bool:
        """Every seat is taken (whether or not people are queueing)."""
        return self.seats_taken >= self.capacity

    @property
    def has_free_seat(self) -> bool:
        """Seats freed while people queue (a raised capacity) go to the queue, not to newcomers."""
        return self.seats_taken < self.capacity and not self.waitlist_length

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def is_invitation_only(self) -> bool:
        return self.access != SessionAccess.OPEN

    @property
    def is_listed(self) -> bool:
        return self.access != SessionAccess.UNLISTED

    @property
    def is_online(self) -> bool:
        return self.mode == SessionMode.ONLINE

    # What templates and views ask instead of comparing status strings.
    @property
    def is_draft(self) -> bool:
        return self.status == SessionStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == SessionStatus.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def can_be_published(self) -> bool:
        return SESSION_TRANSITIONS.allowed(self.status, SessionStatus.PUBLISHED)

    @property
    def can_be_edited(self) -> bool:
        """engagement.services.session_update refuses a cancelled session."""
        return not self.is_cancelled

    @property
    def can_be_cancelled(self) -> bool:
        allowed = SESSION_TRANSITIONS.allowed(self.status, SessionStatus.CANCELLED)
        return allowed and not self.is_past

    @property
    def can_be_messaged(self) -> bool:
        """engagement.services.session_message_send refuses a cancelled session (its people
        were emailed the reason when it was cancelled)."""
        return not self.is_cancelled

    @property
    def is_open_for_registration(self) -> bool:
        return self.registration_is_open()

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == SessionStatus.PUBLISHED
            and self.registration_opens_at <= now < self.registration_closes_at
            and now < self.starts_at
        )

    # --- Waiting-list cut-off (issue 16, item 3) ---
    @property
    def promotion_closes_at(self):
        """From then on a freed seat is not given to the waiting list automatically."""
        return self.starts_at - timedelta(hours=settings.PROMOTION_CUTOFF_HOURS)

    def promotion_is_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.promotion_closes_at

    @property
    def promotion_has_closed(self) -> bool:
        return self.promotion_is_closed()


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


# What a registration's status may become. A new one starts with a seat or a waiting-list
# place; cancelled is final (a person who comes back registers anew).
REGISTRATION_TRANSITIONS = Transitions(
    "Registration.status",
    {
        RegistrationStatus.CONFIRMED: {RegistrationStatus.CANCELLED},
        RegistrationStatus.WAITLISTED: {RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED},
        RegistrationStatus.CANCELLED: set(),
    },
    initial={RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED},
)


# Check-in codes: no 0/O, 1/I/L, so a code read aloud or typed on a phone is not misread.
CHECK_IN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_IN_CODE_LENGTH = 8


def check_in_code_new() -> str:
    """A random check-in code; unique within its session (a database constraint)."""
    return "".join(secrets.choice(CHECK_IN_ALPHABET) for _i in range(CHECK_IN_CODE_LENGTH))


class Registration(models.Model):
    """One participant's place at a session: a seat, a place in the queue, or a cancellation.

    Waiting list positions run 1..N within a session with no gaps; engagement.services
    renumbers them under the session's row lock when someone leaves the list.
    """

    session = models.ForeignKey(
        EngagementSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    waitlist_position = models.PositiveIntegerField(
        _("place on the waiting list"), null=True, blank=True
    )
    access_needs = models.TextField(
        _("access needs"),
        blank=True,
        help_text=_("Optional. Anything that would help you take part, e.g. captions or a ramp."),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), default=False)
    promotion_note = models.CharField(
        _("reason for moving from the waiting list by hand"), max_length=300, blank=True
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # The outbox of first emails ("your seat is confirmed", "you are on the waiting list"):
    # set when the registration is made, cleared when that email is claimed for sending, or
    # when a later email (promoted, cancelled) makes it moot. See engagement.tasks.
    notice_due = models.BooleanField(_("first email not yet sent"), default=False)
    # Typed (or scanned as a QR code) by an organiser at the door to mark attendance.
    check_in_code = models.CharField(
        _("check-in code"), max_length=CHECK_IN_CODE_LENGTH, default=check_in_code_new
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_participant",
            ),
            models.CheckConstraint(
                condition=(Q(status="waitlisted") & Q(waitlist_position__gte=1))
                | (~Q(status="waitlisted") & Q(waitlist_position__isnull=True)),
                name="registration_position_only_when_waitlisted",
            ),
            models.UniqueConstraint(
                fields=["session", "check_in_code"], name="registration_check_in_code_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "waitlist_position"]),
            models.Index(fields=["participant", "status"]),
            # Only the few registrations whose first email is still to go, however many
            # there are in all.
            models.Index(
                fields=["id"], condition=Q(notice_due=True), name="registration_notice_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.session} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED

    @property
    def is_confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == RegistrationStatus.WAITLISTED

    @property
    def is_cancelled(self) -> bool:
        return self.status == RegistrationStatus.CANCELLED


class MessageAudience(models.TextChoices):
    CONFIRMED = "confirmed", _("People with a confirmed seat")
    WAITLISTED = "waitlisted", _("People on the waiting list")
    ATTENDED = "attended", _("People who attended")
    ACTIVE = "active", _("Everyone registered (confirmed and waiting)")


SESSION_MESSAGE_BODY_MAX = 5000


class SessionMessage(models.Model):
    """An organiser's email to a session's registrants, written by
    engagement.services.session_message_send: one outbox row per recipient (sent once), the
    count kept here for the session's organisers."""

    session = models.ForeignKey(
        EngagementSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    audience = models.CharField(_("sent to"), max_length=12, choices=MessageAudience.choices)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"))
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message to a session")
        verbose_name_plural = _("messages to sessions")
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), SESSION_MESSAGE_BODY_MAX),
                name="sessionmessage_body_within_limit",
            ),
        ]
        indexes = [models.Index(fields=["session", "created_at"])]

    def __str__(self) -> str:
        return f"{self.session} · {self.subject}"


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    # In context: "Registered" alone is already a column heading ("registered at").
    REGISTERED = "registered", pgettext_lazy("invitation status", "Registered")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("invitation status", "Withdrawn")


INVITATION_STATUS_LABELS = dict(InvitationStatus.choices)


class Invitation(models.Model):
    """A personal invitation to a session by invitation. The email is stored lower-cased, once
    per session. The invitation email goes out once per send (send_due claimed by a
    conditional update); its signed link is valid until registration closes."""

    session = models.ForeignKey(
        EngagementSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    # The language of the invitation email when the invitee has no account yet.
    language = models.CharField(_("language"), max_length=10, default="en")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.INVITED,
    )
    # The account that took up the invitation (or whose email it is).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    send_due = models.BooleanField(_("invitation email not yet sent"), default=True)
    sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(_("times sent"), default=0)
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["session", "email"], name="invitation_once_per_email"),
        ]
        indexes = [
            models.Index(fields=["session", "status"]),
            models.Index(fields=["id"], condition=Q(send_due=True), name="invitation_send_due"),
        ]

    def __str__(self) -> str:
        return f"{self.session} · invitation #{self.pk}"

    # What templates ask instead of comparing status strings (issue 16, item 2).
    @property
    def status_label(self) -> str:
        """The status as the invitation pages show it ("Registered" alone is also a column
        heading meaning "registered at", so it has its own context here)."""
        return INVITATION_STATUS_LABELS[self.status]

    @property
    def is_pending(self) -> bool:
        return self.status == InvitationStatus.INVITED

    @property
    def is_registered(self) -> bool:
        return self.status == InvitationStatus.REGISTERED

    @property
    def is_declined(self) -> bool:
        return self.status == InvitationStatus.DECLINED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == InvitationStatus.WITHDRAWN

    @property
    def can_be_resent(self) -> bool:
        """engagement.services.invitation_resend also checks the limits and the session."""
        return not self.is_registered and not self.send_due

    @property
    def can_be_withdrawn(self) -> bool:
        return not self.is_withdrawn


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being processed")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class InvitationImport(models.Model):
    """A CSV of invitees too large to read during the request, processed by
    engagement.tasks.invitation_import_run. `content` is cleared once it has been read; the
    per-row report stays (row number and problem) for the organiser."""

    session = models.ForeignKey(
        EngagementSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="invitation_imports",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    content = models.TextField(_("file content"), blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    added = models.PositiveIntegerField(_("invitations added"), default=0)
    problems = models.JSONField(_("rows not imported"), default=list, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation import")
        verbose_name_plural = _("invitation imports")

    def __str__(self) -> str:
        return f"{self.session} · import #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def has_failed(self) -> bool:
        return self.status == ImportStatus.FAILED


class CalendarFeed(models.Model):
    """A person's own calendar feed of their registrations, behind a secret URL they can
    reset (a new token; the old URL stops working)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("secret"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal calendar feed")
        verbose_name_plural = _("personal calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed #{self.pk}"
