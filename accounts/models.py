from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afa_platform.leases import LeasedJob
from afa_platform.states import Transitions
from audit.models import AppendOnlyQuerySet


class Background(models.TextChoices):
    """The groups the 2021 engagement sessions drew from."""

    CORPORATE = "corporate", _("Corporate firm")
    TECH_COMPANY = "tech_company", _("Tech company")
    COMMUNITY = "community", _("Community organisation")
    LEGAL = "legal", _("Legal professional")
    ACADEMIC = "academic", _("Academic")
    ACTIVIST = "activist", _("Activist")
    PARENT = "parent", _("Parent")
    IHL_STUDENT = "ihl_student", _("Student at an Institute of Higher Learning")
    GOVERNMENT = "government", _("Government agency")
    OTHER = "other", _("Other")


class AgeGroup(models.TextChoices):
    ADULT = "adult", _("I am 18 or older")
    MINOR_WITH_CONSENT = "minor", _("I am under 18 and my parent or guardian consents")


class Restriction(models.TextChoices):
    """What an organiser decided about a person (accounts.services.person_block)."""

    NONE = "", _("None")
    SUSPENDED = "suspended", _("Suspended")
    BLOCKED = "blocked", _("Blocked")


class ContentWarningDisplay(models.TextChoices):
    COLLAPSED = "collapsed", _("Collapsed: I choose when to read")
    EXPANDED = "expanded", _("Expanded: show the text under the warning")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account. Email is the login; nothing else identifying is required."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=60,
        help_text=_("Shown beside what you post, unless you choose to post anonymously."),
    )
    background = models.CharField(
        _("background"), max_length=20, choices=Background.choices, default=Background.OTHER
    )
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    age_group = models.CharField(
        _("age"), max_length=10, choices=AgeGroup.choices, default=AgeGroup.ADULT
    )
    guardian_consent = models.BooleanField(_("guardian consents"), default=False)
    pdpa_consent_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)
    pdpa_consented_at = models.DateTimeField(_("privacy consent given at"), null=True, blank=True)
    content_warning_display = models.CharField(
        _("content under a warning"),
        max_length=10,
        choices=ContentWarningDisplay.choices,
        default=ContentWarningDisplay.COLLAPSED,
    )
    # The site's language for this person (activated on each of their requests by
    # accounts.middleware.PreferredLanguageMiddleware) and the language of every email we send
    # them. Set at sign-up from the page's language; changed by the switcher or the profile.
    preferred_language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of this site and of the emails we send you."),
    )
    # Retention (accounts.services.inactive_accounts_warn): when the person was told that an
    # account unused for RETENTION_INACTIVE_ACCOUNT_MONTHS will be erased. A sign-in after it
    # (last_login later than this) cancels the warning.
    inactivity_warned_at = models.DateTimeField(
        _("warned of erasure for inactivity at"), null=True, blank=True
    )
    # Set by accounts.services.account_erase: the row stays (what was kept of the person's
    # contributions points to it) but holds a pseudonym only and can never sign in again.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)
    # Organisers only (the profile shows them to organisers): an urgent report emails the
    # organisers with urgent_report_alerts at once ("on duty"); moderation_summary opts in
    # to a morning email of what waits (initiatives.alerts).
    urgent_report_alerts = models.BooleanField(
        _("email me at once about urgent reports"), default=True
    )
    moderation_summary = models.BooleanField(
        _("email me each morning a summary of what is waiting for moderation"), default=False
    )
    # Set only by accounts.services.person_block and person_unblock. A suspension ends by
    # itself at restricted_until (restriction_in_force compares; no job clears it).
    restriction = models.CharField(
        _("restriction"), max_length=10, choices=Restriction.choices, blank=True, default=""
    )
    restricted_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    restriction_reason = models.CharField(
        _("reason shown to the person"), max_length=1000, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = ["display_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(age_group="minor") | models.Q(guardian_consent=True),
                name="user_minor_needs_guardian_consent",
            ),
            # A suspension has an end; a block and no restriction have none.
            models.CheckConstraint(
                condition=models.Q(restriction="suspended", restricted_until__isnull=False)
                | (~models.Q(restriction="suspended") & models.Q(restricted_until__isnull=True)),
                name="user_only_a_suspension_has_an_end",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def get_full_name(self) -> str:
        return self.display_name

    def restriction_in_force(self, now=None) -> str:
        """Restriction.BLOCKED, Restriction.SUSPENDED (until restricted_until) or "" (none,
        or a suspension that has ended)."""
        if self.restriction == Restriction.SUSPENDED:
            now = now or timezone.now()
            return Restriction.SUSPENDED if self.restricted_until > now else Restriction.NONE
        return self.restriction

    def get_short_name(self) -> str:
        return self.display_name


class PersonalDataArchiveStatus(models.TextChoices):
    QUEUED = "queued", _("Being prepared")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired and deleted")


# A leased job (afa_platform.leases), as exports.ExportJob: queued stays queued when the sweep
# enqueues a job whose message was lost; running stays running when a run takes over an
# expired lease; running goes back to queued when the sweep finds its worker dead.
PERSONAL_DATA_ARCHIVE_TRANSITIONS = Transitions(
    "PersonalDataArchive.status",
    {
        PersonalDataArchiveStatus.QUEUED: {
            PersonalDataArchiveStatus.QUEUED,
            PersonalDataArchiveStatus.RUNNING,
        },
        PersonalDataArchiveStatus.RUNNING: {
            PersonalDataArchiveStatus.QUEUED,
            PersonalDataArchiveStatus.RUNNING,
            PersonalDataArchiveStatus.READY,
            PersonalDataArchiveStatus.FAILED,
        },
        PersonalDataArchiveStatus.READY: {PersonalDataArchiveStatus.EXPIRED},
        PersonalDataArchiveStatus.FAILED: set(),
        PersonalDataArchiveStatus.EXPIRED: set(),
    },
    initial={PersonalDataArchiveStatus.QUEUED},
)


class PersonalDataArchive(LeasedJob):
    """A copy of everything the platform holds about one person ("Download my data"), built
    by a worker into a private ZIP that only that person can download, until it expires
    (PERSONAL_DATA_FILE_DAYS). accounts.services owns every change of status."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        on_delete=models.CASCADE,
        related_name="personal_data_archives",
    )
    # The language of the page the person asked from: index.html is written in it.
    language = models.CharField(_("language"), max_length=10, default="en")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PersonalDataArchiveStatus.choices,
        default=PersonalDataArchiveStatus.QUEUED,
    )
    error = models.CharField(_("error"), max_length=300, blank=True)
    # Relative to PERSONAL_DATA_ROOT; never served by URL, only through the download view.
    file_path = models.CharField(_("stored file"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size in bytes"), default=0)
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file deleted after"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("personal data archive")
        verbose_name_plural = _("personal data archives")
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["requested_by", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"personal data archive #{self.pk}"

    def get_download_url(self) -> str:
        return reverse("accounts:personal_data_download", kwargs={"pk": self.pk})

    @property
    def file_name(self) -> str:
        day = timezone.localdate(self.finished_at or self.created_at)
        return f"afa-my-data-{day.isoformat()}.zip"

    @property
    def is_pending(self) -> bool:
        return self.status in (PersonalDataArchiveStatus.QUEUED, PersonalDataArchiveStatus.RUNNING)

    @property
    def is_ready(self) -> bool:
        return self.status == PersonalDataArchiveStatus.READY and not self.is_expired

    @property
    def has_failed(self) -> bool:
        return self.status == PersonalDataArchiveStatus.FAILED

    @property
    def is_expired(self) -> bool:
        """Its file is gone, or past its expiry and about to go (the retention job)."""
        if self.status == PersonalDataArchiveStatus.EXPIRED:
            return True
        return (
            self.status == PersonalDataArchiveStatus.READY
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )


class ConsentDecision(models.TextChoices):
    GIVEN = "given", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentMethod(models.TextChoices):
    SIGN_UP = "sign_up", _("At sign-up")
    NOTICE_UPDATE = "notice_update", _("Accepting an updated notice")
    PRIVACY_PAGE = "privacy_page", _("On the privacy page")
    ACCOUNT_DELETED = "account_deleted", _("By deleting the account")


class ConsentRecord(models.Model):
    """One decision about the privacy notice: which version, given or withdrawn, when and
    how. Written only by accounts.services; the latest one given is mirrored on the user
    (pdpa_consent_version, pdpa_consented_at), which the notice check reads."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="consent_records",
    )
    notice_version = models.CharField(_("privacy notice version"), max_length=20)
    decision = models.CharField(_("decision"), max_length=10, choices=ConsentDecision.choices)
    method = models.CharField(_("how"), max_length=20, choices=ConsentMethod.choices)
    recorded_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["user", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.notice_version} {self.decision} ({self.method})"

    @property
    def is_given(self) -> bool:
        return self.decision == ConsentDecision.GIVEN


class PersonAction(models.TextChoices):
    WARN = "warn", _("Warned")
    SUSPEND = "suspend", _("Suspended")
    BLOCK = "block", _("Blocked")
    UNBLOCK = "unblock", _("Unblocked")


class PersonDecision(models.Model):
    """The moderation log of decisions about a person (accounts.services.person_block,
    person_unblock, person_warn). Append-only; the reason is the organiser's, shown to the
    person for a suspension or a block."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="decisions_about",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who decided"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=PersonAction.choices)
    reason = models.TextField(_("reason"))
    until = models.DateTimeField(_("until"), null=True, blank=True)
    hidden_items = models.PositiveIntegerField(_("published items hidden"), default=0)
    cancelled_registrations = models.PositiveIntegerField(_("registrations cancelled"), default=0)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("decision about a person")
        verbose_name_plural = _("decisions about people")
        permissions = [("decide_about_person", _("Can warn, suspend and block people"))]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.person_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Decisions about a person cannot be changed once written.")
        super().save(*args, **kwargs)
