from datetime import date, time, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from afa_platform.leases import LeasedJob
from afa_platform.states import Transitions

# --- Digests ----------------------------------------------------------------------------


class DigestKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    ON_DEMAND = "on_demand", _("On demand")


class DigestStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    COMPILING = "compiling", _("Compiling")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


# A leased job (afa_platform.leases). Queued stays queued when the sweep enqueues a digest
# whose message was lost; compiling stays compiling when a run takes over an expired lease;
# compiling goes back to queued on a transient error or when the sweep finds its worker dead.
DIGEST_TRANSITIONS = Transitions(
    "Digest.status",
    {
        DigestStatus.QUEUED: {DigestStatus.QUEUED, DigestStatus.COMPILING, DigestStatus.FAILED},
        DigestStatus.COMPILING: {
            DigestStatus.QUEUED,
            DigestStatus.COMPILING,
            DigestStatus.READY,
            DigestStatus.FAILED,
        },
        DigestStatus.READY: {DigestStatus.QUEUED},
        DigestStatus.FAILED: {DigestStatus.QUEUED},
    },
    initial={DigestStatus.QUEUED},
)


class Digest(LeasedJob):
    """A feedback digest for one period. reports.services owns every change of status.

    One row per kind and period: asking again re-queues this row and replaces its figures.
    Workers claim it with a lease (afa_platform.leases: queued, or compiling with an expired
    lease -> compiling), so two never compile it at once; a row whose worker died stops being
    renewed and the beat sweep re-queues it within a couple of minutes.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=DigestKind.choices)
    period_start = models.DateTimeField(_("period starts"))
    period_end = models.DateTimeField(_("period ends (exclusive)"))
    status = models.CharField(
        _("status"), max_length=10, choices=DigestStatus.choices, default=DigestStatus.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    html = models.TextField(_("rendered digest"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"))
    started_at = models.DateTimeField(_("compiling since"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    revised_at = models.DateTimeField(
        _("revised at"),
        null=True,
        blank=True,
        help_text=_("When quotes were removed after someone withdrew their consent."),
    )

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "period_end"],
                name="digest_one_per_kind_and_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="digest_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "lease_expires_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} digest from {self.first_day:%Y-%m-%d}"

    @property
    def is_ready(self) -> bool:
        return self.status == DigestStatus.READY

    @property
    def has_failed(self) -> bool:
        return self.status == DigestStatus.FAILED

    def get_absolute_url(self) -> str:
        return reverse("reports:digest_detail", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status in (DigestStatus.QUEUED, DigestStatus.COMPILING)

    # period_end is exclusive: a digest asked for 1 to 29 November ends at midnight starting
    # 30 November. Pages and emails show the days it covers, Singapore time.

    @property
    def first_day(self) -> date:
        """The day the period starts on, Singapore time."""
        return timezone.localtime(self.period_start).date()

    @property
    def last_day(self) -> date:
        """The last day the period includes, Singapore time: the day of its last moment, so
        1 Nov 00:00 to 30 Nov 00:00 gives 29 Nov, and a weekly period that closes on Monday
        at 08:00 gives that Monday."""
        return timezone.localtime(self.period_end - timedelta(microseconds=1)).date()

    @property
    def is_whole_days(self) -> bool:
        """True when the period runs from midnight to midnight, Singapore time (on-demand
        digests); weekly ones close at DIGEST_HOUR, so their pages give the times too."""
        return all(
            timezone.localtime(moment).time() == time.min
            for moment in (self.period_start, self.period_end)
        )


class DigestQuote(models.Model):
    """Which feedback a digest quotes, so withdrawing consent finds every digest to revise.
    A bare id, not a foreign key: the link must outlive the feedback's deletion."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="quoted")
    feedback_id = models.PositiveBigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["digest", "feedback_id"], name="digestquote_once_per_digest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.digest_id}: feedback {self.feedback_id}"


class DigestSubscription(models.Model):
    """An MCI staff member's choice to receive each ready digest by email."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="digest_subscription",
    )
    created_at = models.DateTimeField(_("subscribed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("digest subscription")
        verbose_name_plural = _("digest subscriptions")

    def __str__(self) -> str:
        return str(self.user)


class LaunchSettings(models.Model):
    """The one row that holds the AfA's official launch date (overrides AFA_LAUNCH_DATE)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    launch_date = models.DateField(_("official launch date"))

    class Meta:
        verbose_name = _("launch settings")
        verbose_name_plural = _("launch settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="launchsettings_singleton")
        ]

    def __str__(self) -> str:
        return str(_("Launch on %(date)s") % {"date": self.launch_date})
