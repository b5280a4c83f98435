from datetime import date, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


# --- "What we heard" (issue 17, item 2) ----------------------------------------------------

# The longest summary an organiser may write (the form says so; the database holds it).
SESSION_SUMMARY_BODY_MAX = 20_000


class SessionSummaryStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("session summary status", "Draft")
    PUBLISHED = "published", pgettext_lazy("session summary status", "Published")


# Written as a draft; published once the session is over; saving a change to a published
# summary takes it back to a draft until it is published again (no second email).
SESSION_SUMMARY_TRANSITIONS = Transitions(
    "SessionSummary.status",
    {
        SessionSummaryStatus.DRAFT: {SessionSummaryStatus.PUBLISHED},
        SessionSummaryStatus.PUBLISHED: {SessionSummaryStatus.DRAFT},
    },
    initial={SessionSummaryStatus.DRAFT},
)


class SessionSummary(models.Model):
    """ "What we heard" at one held session: the organisers' public summary. reports.services
    owns every change (summary_save, summary_publish).

    The figures are the figures engine's (reports.figures.session_figures), stored when the
    summary is published, so the page shows what was published. Quotes link feedback whose
    quote was approved through the quote review; a quote withdrawn later leaves every summary
    (reports.receivers), and the page shows only links that still pass the rule.
    """

    session = models.OneToOneField(
        "engagement.EngagementSession",
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="what_we_heard",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SessionSummaryStatus.choices,
        default=SessionSummaryStatus.DRAFT,
    )
    body = models.TextField(
        _("what we heard"),
        help_text=_("Markdown: paragraphs, headings, lists, links and quotes."),
    )
    harm_categories = models.ManyToManyField(
        "harms.HarmCategory",
        verbose_name=_("harm categories among the themes"),
        related_name="session_summaries",
        blank=True,
    )
    solution_areas = models.ManyToManyField(
        "harms.SolutionArea",
        verbose_name=_("solution areas among the themes"),
        related_name="session_summaries",
        blank=True,
    )
    ideas = models.ManyToManyField(
        "initiatives.Idea",
        verbose_name=_("ideas put forward"),
        related_name="session_summaries",
        blank=True,
    )
    quotes = models.ManyToManyField(
        "feedback.Feedback",
        verbose_name=_("quotes"),
        related_name="session_summaries",
        blank=True,
    )
    figures = models.JSONField(_("figures when published"), default=dict, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Set once, when the attendees' emails are queued on the first publication.
    attendees_emailed_at = models.DateTimeField(
        _("attendees emailed at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("session summary")
        verbose_name_plural = _("session summaries")
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), SESSION_SUMMARY_BODY_MAX),
                name="sessionsummary_body_within_limit",
            ),
            models.CheckConstraint(
                condition=models.Q(status=SessionSummaryStatus.DRAFT)
                | models.Q(published_at__isnull=False),
                name="sessionsummary_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"What we heard · session #{self.session_id}"

    @property
    def is_published(self) -> bool:
        return self.status == SessionSummaryStatus.PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.status == SessionSummaryStatus.DRAFT

    @property
    def can_be_published(self) -> bool:
        return SESSION_SUMMARY_TRANSITIONS.allowed(self.status, SessionSummaryStatus.PUBLISHED)
