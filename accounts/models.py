from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    # Set by accounts.services.account_erase: the row stays (what was kept of the person's
    # contributions points to it) but holds a pseudonym only and can never sign in again.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

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
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


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
