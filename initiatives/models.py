"""Ideas, their moderation, and the initiatives they grow into.

Status fields, counters and the moderation log are owned by initiatives.services: nothing
else writes them.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from afa_platform.states import Transitions
from audit.models import AppendOnlyQuerySet
from harms.languages import LANGUAGE_MAX_LENGTH, language_codes, language_tag
from harms.pii import kind_labels

ANONYMOUS_LABEL = _("Anonymous participant")

TITLE_MAX = 120
BODY_MAX = 4000
COMMENT_MAX = 2000

# --- The language people write in (issue 14, item 5) -------------------------------
# Search reads each idea with the text search configuration of its language
# (selectors.search_ideas): PostgreSQL stems English and Malay (its "indonesian" dictionary
# fits Malay); Chinese has no spaces between words and Tamil no stemmer there, so those
# are matched as substrings, with a pg_trgm index.
SUBSTRING_SEARCH_LANGUAGES = ("zh-hans", "ta")
STEMMED_SEARCH_CONFIGS = {"en": "english", "ms": "indonesian"}


def written_language_field():
    return models.CharField(
        _("language written in"),
        max_length=LANGUAGE_MAX_LENGTH,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the author wrote this in."),
    )


def written_language_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(language__in=language_codes()), name=name)


class IdeaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Published")
    REJECTED = "rejected", _("Not published")
    HIDDEN = "hidden", _("Hidden while we review reports")
    MERGED = "merged", _("Merged into an initiative")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The idea state machine: what may follow what (README.md, "State machines").
# initiatives.services._transition moves an idea only along it.
IDEA_TRANSITIONS = Transitions(
    "Idea.status",
    {
        IdeaStatus.DRAFT: {IdeaStatus.SUBMITTED, IdeaStatus.WITHDRAWN},
        IdeaStatus.SUBMITTED: {
            IdeaStatus.APPROVED,
            IdeaStatus.CHANGES_REQUESTED,
            IdeaStatus.REJECTED,
            IdeaStatus.WITHDRAWN,
        },
        IdeaStatus.CHANGES_REQUESTED: {IdeaStatus.SUBMITTED, IdeaStatus.WITHDRAWN},
        IdeaStatus.APPROVED: {IdeaStatus.HIDDEN, IdeaStatus.MERGED, IdeaStatus.WITHDRAWN},
        IdeaStatus.REJECTED: set(),
        IdeaStatus.HIDDEN: {IdeaStatus.APPROVED, IdeaStatus.REJECTED},
        IdeaStatus.MERGED: set(),
        IdeaStatus.WITHDRAWN: set(),
    },
    initial={IdeaStatus.DRAFT},
)


class Idea(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="ideas",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("your idea"), validators=[MaxLengthValidator(BODY_MAX)])
    harm_category = models.ForeignKey(
        "harms.HarmCategory",
        verbose_name=_("harm it addresses"),
        on_delete=models.PROTECT,
        related_name="ideas",
    )
    solution_area = models.ForeignKey(
        "harms.SolutionArea",
        verbose_name=_("solution area"),
        on_delete=models.PROTECT,
        related_name="ideas",
    )
    session = models.ForeignKey(
        "engagement.EngagementSession",
        verbose_name=_("related session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
    )
    is_anonymous = models.BooleanField(_("show me as anonymous"), default=False)
    has_content_warning = models.BooleanField(_("needs a content warning"), default=False)
    content_warning_note = models.CharField(_("content warning"), max_length=200, blank=True)
    personal_data_kinds = models.JSONField(
        _("personal data detected"),
        default=list,
        blank=True,
        help_text=_("Kinds of personal data the privacy check found when the author submitted."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=IdeaStatus.choices,
        default=IdeaStatus.DRAFT,
        db_index=True,
    )
    moderator_note = models.TextField(
        _("note from the moderator"),
        blank=True,
        help_text=_("The reason for the last decision, shown to the author."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "Initiative",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
    )
    support_count = models.PositiveIntegerField(_("supporters"), default=0)
    submission_token = models.UUIDField(_("submission token"), null=True, blank=True)
    language = written_language_field()
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        constraints = [
            # A double-clicked submit carries the same token twice: one idea, not two.
            models.UniqueConstraint(
                fields=["author", "submission_token"], name="idea_one_per_submission_token"
            ),
            models.CheckConstraint(
                condition=Q(support_count__gte=0), name="idea_support_count_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="idea_merged_has_initiative",
            ),
            written_language_constraint("idea_language_known"),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            # The board's two sorts and the home page (selectors.SORTS): the first page is an
            # index range, not a sort of every approved idea (bench/pages.py).
            models.Index(fields=["status", "decided_at", "id"], name="idea_board_newest"),
            models.Index(
                fields=["status", "support_count", "decided_at", "id"], name="idea_board_supported"
            ),
            # Full-text search on PostgreSQL; its migration skips it on SQLite. The
            # expression must stay identical to the one selectors.search_vector() queries.
            GinIndex(SearchVector("title", "body", config="english"), name="idea_search_gin"),
            # The other languages' search (issue 14), also PostgreSQL only, each limited to
            # the rows of its languages; selectors.search_ideas queries the same expressions.
            GinIndex(
                SearchVector("title", "body", config="indonesian"),
                condition=Q(language="ms"),
                name="idea_search_ms_gin",
            ),
            GinIndex(
                SearchVector("title", "body", config="simple"),
                condition=Q(language__in=SUBSTRING_SEARCH_LANGUAGES),
                name="idea_search_simple_gin",
            ),
            GinIndex(
                OpClass("title", name="gin_trgm_ops"),
                condition=Q(language__in=SUBSTRING_SEARCH_LANGUAGES),
                name="idea_title_trgm",
            ),
            GinIndex(
                OpClass("body", name="gin_trgm_ops"),
                condition=Q(language__in=SUBSTRING_SEARCH_LANGUAGES),
                name="idea_body_trgm",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("initiatives:idea_detail", kwargs={"pk": self.pk})

    # What templates, forms and views ask instead of comparing status strings.
    @property
    def is_public(self) -> bool:
        return self.status in (IdeaStatus.APPROVED, IdeaStatus.MERGED)

    @property
    def is_draft(self) -> bool:
        return self.status == IdeaStatus.DRAFT

    @property
    def is_hidden(self) -> bool:
        return self.status == IdeaStatus.HIDDEN

    @property
    def has_changes_requested(self) -> bool:
        return self.status == IdeaStatus.CHANGES_REQUESTED

    @property
    def is_editable(self) -> bool:
        return self.status in (IdeaStatus.DRAFT, IdeaStatus.CHANGES_REQUESTED)

    @property
    def is_withdrawable(self) -> bool:
        return IDEA_TRANSITIONS.allowed(self.status, IdeaStatus.WITHDRAWN)

    @property
    def can_be_supported(self) -> bool:
        """initiatives.services.idea_support_set adds support only to a published idea."""
        return self.status == IdeaStatus.APPROVED

    @property
    def is_open_for_comments(self) -> bool:
        """initiatives.services.comment_create posts only on a published idea."""
        return self.status == IdeaStatus.APPROVED

    @property
    def can_be_merged(self) -> bool:
        """May start (or join) an initiative."""
        return IDEA_TRANSITIONS.allowed(self.status, IdeaStatus.MERGED)

    @property
    def can_be_reported(self) -> bool:
        return self.status in (IdeaStatus.APPROVED, IdeaStatus.HIDDEN)

    @property
    def shown_session(self):
        """The session it came from, where anyone may see that session: never an unlisted
        (by invitation, not listed) or draft one, whose page is a 404 to strangers."""
        session = self.session
        if session is None or not session.is_listed or session.is_draft:
            return None
        return session

    @property
    def public_author_name(self) -> str:
        """The name shown to the public, other participants and in exports."""
        return str(ANONYMOUS_LABEL) if self.is_anonymous else self.author.display_name

    @property
    def personal_data_labels(self) -> list[str]:
        """What the privacy check found, in words a moderator reads at a glance."""
        return kind_labels(self.personal_data_kinds)

    @property
    def language_tag(self) -> str:
        """The language it was written in, for a lang attribute ("zh-Hans")."""
        return language_tag(self.language)


class Support(models.Model):
    """One participant backing one idea."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_supports"
    )
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["user", "idea"], name="support_one_per_user_per_idea")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} supports {self.idea_id}"


class CommentStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    PENDING = "pending", _("Waiting for review")
    HIDDEN = "hidden", _("Removed by a moderator")
    DELETED = "deleted", _("Deleted by its author")


# A comment starts published (or waiting, when comments are premoderated); deleted is final.
COMMENT_TRANSITIONS = Transitions(
    "Comment.status",
    {
        CommentStatus.PUBLISHED: {CommentStatus.HIDDEN, CommentStatus.DELETED},
        CommentStatus.PENDING: {
            CommentStatus.PUBLISHED,
            CommentStatus.HIDDEN,
            CommentStatus.DELETED,
        },
        CommentStatus.HIDDEN: {CommentStatus.PUBLISHED, CommentStatus.DELETED},
        CommentStatus.DELETED: set(),
    },
    initial={CommentStatus.PUBLISHED, CommentStatus.PENDING},
)


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_comments"
    )
    body = models.TextField(_("comment"), validators=[MaxLengthValidator(COMMENT_MAX)])
    is_anonymous = models.BooleanField(_("show me as anonymous"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CommentStatus.choices,
        default=CommentStatus.PUBLISHED,
        db_index=True,
    )
    personal_data_kinds = models.JSONField(_("personal data detected"), default=list, blank=True)
    language = written_language_field()
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["idea", "created_at"])]
        constraints = [written_language_constraint("comment_language_known")]

    def __str__(self) -> str:
        return f"{self.author} on {self.idea_id}"

    @property
    def public_author_name(self) -> str:
        return str(ANONYMOUS_LABEL) if self.is_anonymous else self.author.display_name

    @property
    def language_tag(self) -> str:
        """The language it was written in, for a lang attribute ("zh-Hans")."""
        return language_tag(self.language)

    @property
    def is_published(self) -> bool:
        return self.status == CommentStatus.PUBLISHED

    @property
    def is_pending(self) -> bool:
        return self.status == CommentStatus.PENDING

    @property
    def is_hidden(self) -> bool:
        return self.status == CommentStatus.HIDDEN

    @property
    def is_deleted(self) -> bool:
        return self.status == CommentStatus.DELETED

    @property
    def can_be_hidden(self) -> bool:
        return COMMENT_TRANSITIONS.allowed(self.status, CommentStatus.HIDDEN)

    @property
    def can_be_deleted(self) -> bool:
        return COMMENT_TRANSITIONS.allowed(self.status, CommentStatus.DELETED)

    @property
    def can_be_reported(self) -> bool:
        return self.status in (CommentStatus.PUBLISHED, CommentStatus.PENDING, CommentStatus.HIDDEN)


class ReportReason(models.TextChoices):
    PERSONAL_DETAILS = "personal_details", _("Shares someone's personal details or images")
    HARASSMENT = "harassment", _("Harassment or threats")
    MINOR = "minor", _("Grooming or sexual content involving a minor")
    SPAM = "spam", _("Spam")
    OTHER = "other", _("Something else")


# These hide the content at once and go to the top of the queue.
URGENT_REASONS = frozenset({ReportReason.PERSONAL_DETAILS, ReportReason.MINOR})


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld: content stays removed")
    DISMISSED = "dismissed", _("Dismissed: content restored")


class Report(models.Model):
    """A flag on an idea or a comment, from one person."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="content_reports"
    )
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    note = models.TextField(_("anything else we should know"), blank=True, max_length=1000)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.OPEN,
        db_index=True,
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    # The response clock of an urgent report (initiatives.alerts): when the organisers on duty
    # were emailed, and when an untouched report was escalated. Each set once, by a
    # conditional update, so an alert goes out exactly once however often its task runs.
    alerted_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-urgent", "created_at", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=(Q(idea__isnull=False) & Q(comment__isnull=True))
                | (Q(idea__isnull=True) & Q(comment__isnull=False)),
                name="report_targets_exactly_one",
            ),
            # "Three reports from different people": one open report per person per item.
            models.UniqueConstraint(
                fields=["reporter", "idea"],
                condition=Q(status="open", idea__isnull=False),
                name="report_one_open_per_reporter_idea",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(status="open", comment__isnull=False),
                name="report_one_open_per_reporter_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.status})"

    @property
    def target(self):
        return self.idea if self.idea_id else self.comment


class ModerationAction(models.TextChoices):
    TRANSITION = "transition", _("Status change")
    CONTENT_WARNING = "content_warning", _("Content warning changed")
    REDACT = "redact", _("Passage redacted")
    COMMENT_HIDE = "comment_hide", _("Comment removed")
    COMMENT_APPROVE = "comment_approve", _("Comment approved")
    COMMENT_RESTORE = "comment_restore", _("Comment restored")
    COMMENT_DELETE = "comment_delete", _("Comment deleted by its author")
    REPORT = "report", _("Report received")
    REPORT_UPHOLD = "report_uphold", _("Reports upheld")
    REPORT_DISMISS = "report_dismiss", _("Reports dismissed")
    MERGE = "merge", _("Merged into an initiative")
    INITIATIVE_STATUS = "initiative_status", _("Initiative status changed")
    DRAFT_PUBLISH = "draft_publish", _("Draft version published")
    DRAFT_RESTORE = "draft_restore", _("Draft version restored")
    DRAFT_COMMENT_REMOVE = "draft_comment_remove", _("Draft comment removed")


class TargetKind(models.TextChoices):
    IDEA = "idea", _("Idea")
    COMMENT = "comment", _("Comment")
    REPORT = "report", _("Report")
    INITIATIVE = "initiative", _("Initiative")


class ModerationLog(models.Model):
    """Who did what to which content, from what to what, and why. Append-only, so it holds
    ids and statuses, never a participant's text: a redaction logs that it happened, not the
    passage it removed (which would outlive the author's erasure here)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the platform acted on its own, e.g. after reports."),
    )
    action = models.CharField(_("action"), max_length=20, choices=ModerationAction.choices)
    target_kind = models.CharField(_("content"), max_length=10, choices=TargetKind.choices)
    target_id = models.PositiveBigIntegerField(_("content id"))
    # The idea concerned (the target itself, or the idea a comment or report is about), so an
    # idea's moderation page lists everything that happened around it. SET_NULL is done by
    # the database collector, never through this model's append-only manager.
    idea = models.ForeignKey(
        Idea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_log",
        db_constraint=False,
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        indexes = [models.Index(fields=["target_kind", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_kind} {self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Moderation log entries cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Moderation log entries cannot be deleted.")

    def _status_label(self, value: str) -> str:
        choices = {
            TargetKind.IDEA: IdeaStatus,
            TargetKind.COMMENT: CommentStatus,
            TargetKind.INITIATIVE: InitiativeStatus,
        }.get(self.target_kind)
        if not value or choices is None or value not in choices.values:
            return value
        return str(choices(value).label)

    @property
    def from_label(self) -> str:
        return self._status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._status_label(self.to_status)


class InitiativeStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    IN_PROGRESS = "in_progress", _("In progress")
    LAUNCHED = "launched", _("Launched")


# An initiative moves on to any later status, or back one step to correct a mistake; a
# launched one is never "forming" again.
INITIATIVE_TRANSITIONS = Transitions(
    "Initiative.status",
    {
        InitiativeStatus.FORMING: {InitiativeStatus.IN_PROGRESS, InitiativeStatus.LAUNCHED},
        InitiativeStatus.IN_PROGRESS: {InitiativeStatus.FORMING, InitiativeStatus.LAUNCHED},
        InitiativeStatus.LAUNCHED: {InitiativeStatus.IN_PROGRESS},
    },
    initial={InitiativeStatus.FORMING},
)


class Initiative(models.Model):
    slug = models.SlugField(_("web address"), max_length=140, unique=True)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), validators=[MaxLengthValidator(8000)])
    harm_categories = models.ManyToManyField(
        "harms.HarmCategory", verbose_name=_("harms addressed"), related_name="initiatives"
    )
    solution_area = models.ForeignKey(
        "harms.SolutionArea",
        verbose_name=_("solution area"),
        on_delete=models.PROTECT,
        related_name="initiatives",
    )
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("leads"), related_name="led_initiatives"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InitiativeStatus.choices,
        default=InitiativeStatus.FORMING,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The version of the working draft shown as the initiative's public text (draft_publish).
    published_version = models.ForeignKey(
        "DraftVersion",
        verbose_name=_("published version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("initiatives:initiative_detail", kwargs={"slug": self.slug})


class CoCreatorRole(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer")
    PARTNER = "partner", _("Partner organisation")
    EXPERT = "expert", _("Subject expert")


class CoCreator(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="cocreators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cocreations"
    )
    role = models.CharField(_("how you will help"), max_length=12, choices=CoCreatorRole.choices)
    pledge = models.CharField(
        _("your pledge (optional)"),
        max_length=300,
        blank=True,
        help_text=_("What you will bring, e.g. 'two hours a month to review school materials'."),
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    # The author of an anonymous idea merged into the initiative is listed as "Anonymous
    # participant" unless they choose to be named (cocreator_join sets the default).
    show_name = models.BooleanField(_("show my name in the list of co-creators"), default=True)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("co-creator")
        verbose_name_plural = _("co-creators")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "user"], name="cocreator_one_per_user_per_initiative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class InitiativeUpdate(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("update"), validators=[MaxLengthValidator(BODY_MAX)])
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("initiative update")
        verbose_name_plural = _("initiative updates")

    def __str__(self) -> str:
        return self.title


# --- The working draft of an initiative ----------------------------------------------------


class DraftSection(models.TextChoices):
    PROBLEM = "problem", _("The problem")
    PROPOSAL = "proposal", _("What we propose")
    ROLES = "roles", _("Who does what")
    MILESTONES = "milestones", _("Milestones")


DRAFT_SECTIONS = tuple(DraftSection.values)
# One section, and the four together: a pasted book is refused with a message, never stored.
DRAFT_SECTION_MAX = 20_000
DRAFT_TOTAL_MAX = 60_000
DRAFT_NOTE_MAX = 300
DRAFT_COMMENT_MAX = 2_000
FORMER_PARTICIPANT_LABEL = _("Former participant")


class DraftVersion(models.Model):
    """One saved state of an initiative's working draft. Every save is a new row numbered
    1, 2, 3... within its initiative (draft_save); rows are never changed afterwards, except
    that erasing the author's account takes the author away."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="draft_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    problem = models.TextField(
        DraftSection.PROBLEM.label, blank=True, validators=[MaxLengthValidator(DRAFT_SECTION_MAX)]
    )
    proposal = models.TextField(
        DraftSection.PROPOSAL.label, blank=True, validators=[MaxLengthValidator(DRAFT_SECTION_MAX)]
    )
    roles = models.TextField(
        DraftSection.ROLES.label, blank=True, validators=[MaxLengthValidator(DRAFT_SECTION_MAX)]
    )
    milestones = models.TextField(
        DraftSection.MILESTONES.label,
        blank=True,
        validators=[MaxLengthValidator(DRAFT_SECTION_MAX)],
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A co-creator listed as "Anonymous participant" (CoCreator.show_name False) is shown so
    # beside their versions too; decided when the version is saved.
    author_anonymous = models.BooleanField(_("shown as anonymous"), default=False)
    note = models.CharField(_("what changed"), max_length=DRAFT_NOTE_MAX, blank=True)
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "number"], name="draftversion_one_number_per_initiative"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="draftversion_number_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id} v{self.number}"

    def text(self, section: str) -> str:
        return getattr(self, section)

    @property
    def texts(self) -> dict[str, str]:
        return {section: getattr(self, section) for section in DRAFT_SECTIONS}

    @property
    def sections(self) -> list[tuple[str, str, str]]:
        """(key, label, text) for each section, in order."""
        return [(key, label, getattr(self, key)) for key, label in DraftSection.choices]

    @property
    def public_author_name(self) -> str:
        if self.author_anonymous:
            return str(ANONYMOUS_LABEL)
        if self.author is None:
            return str(FORMER_PARTICIPANT_LABEL)
        return self.author.display_name


class DraftComment(models.Model):
    """A co-creator's comment on one section of an initiative's working draft."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="draft_comments"
    )
    section = models.CharField(_("section"), max_length=12, choices=DraftSection.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="draft_comments"
    )
    author_anonymous = models.BooleanField(_("shown as anonymous"), default=False)
    body = models.TextField(_("comment"), validators=[MaxLengthValidator(DRAFT_COMMENT_MAX)])
    # The version the author was reading when commenting (None: before the first version).
    version_number = models.PositiveIntegerField(_("on version"), null=True, blank=True)
    personal_data_kinds = models.JSONField(_("personal data detected"), default=list, blank=True)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("draft comment")
        verbose_name_plural = _("draft comments")
        indexes = [models.Index(fields=["initiative", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author} on {self.initiative_id}/{self.section}"

    @property
    def public_author_name(self) -> str:
        return str(ANONYMOUS_LABEL) if self.author_anonymous else self.author.display_name


# --- Reports about people, and muting ------------------------------------------------------


class PersonReportReason(models.TextChoices):
    HARASSMENT = "harassment", _("Harassing me or others")
    IMPERSONATION = "impersonation", _("Pretending to be someone else")
    MINOR = "minor", _("Contacting a minor")
    PERSONAL_DETAILS = "personal_details", _("Sharing someone's personal details or images")
    OTHER = "other", _("Something else")


URGENT_PERSON_REASONS = frozenset({PersonReportReason.MINOR, PersonReportReason.PERSONAL_DETAILS})


class PersonReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTED = "acted", _("Acted on")
    CLOSED = "closed", _("Closed without action")


class ReportedVia(models.TextChoices):
    """Where the reporter met the person: the name beside an idea, a comment or a co-creator
    entry. The report keeps the item, so an anonymous author is reported without the
    reporter (or anyone but organisers) ever learning who they are."""

    IDEA = "idea", _("an idea")
    COMMENT = "comment", _("a comment")
    COCREATOR = "cocreator", _("a co-creator entry")


class PersonReport(models.Model):
    """A report about a person (not one post), from one person. Never shown to the person
    reported; organisers read it on the person's page in the People tab."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person_reports_made"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person reported"),
        on_delete=models.CASCADE,
        related_name="person_reports",
    )
    via = models.CharField(_("reported from"), max_length=10, choices=ReportedVia.choices)
    via_id = models.PositiveIntegerField(_("number of the item"))
    reason = models.CharField(_("reason"), max_length=20, choices=PersonReportReason.choices)
    note = models.TextField(_("what happened"), blank=True, max_length=1000)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PersonReportStatus.choices,
        default=PersonReportStatus.OPEN,
        db_index=True,
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(_("organiser's note"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    alerted_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-urgent", "created_at", "id"]
        verbose_name = _("report about a person")
        verbose_name_plural = _("reports about people")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reporter=models.F("person")), name="person_report_not_oneself"
            ),
            models.UniqueConstraint(
                fields=["reporter", "person"],
                condition=Q(status="open"),
                name="person_report_one_open_per_reporter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == PersonReportStatus.OPEN


class Mute(models.Model):
    """ "Hide this person's comments from me": `user` no longer sees `muted`'s comments. The
    muted person is never told. `via_comment` is the comment it was chosen from, so the
    profile can name it without naming an anonymous author."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes"
    )
    muted = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_by"
    )
    via_comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "muted"], name="mute_once_per_person"),
            models.CheckConstraint(condition=~Q(user=models.F("muted")), name="mute_not_oneself"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.muted_id}"


# --- Following an initiative -----------------------------------------------------------------


class Follow(models.Model):
    """A person follows an initiative: the daily follow digest tells them of each new update
    and published version. `notified_through` is the last FollowNotice id they have been
    told of (or that existed when they started to follow): each notice reaches a follower in
    exactly one digest."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="initiative_follows"
    )
    created_at = models.DateTimeField(_("following since"), auto_now_add=True)
    notified_through = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "user"], name="follow_one_per_user_per_initiative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.initiative_id}"


class FollowNoticeKind(models.TextChoices):
    UPDATE = "update", _("An update")
    PUBLISHED_VERSION = "published_version", _("A published version of the text")


class FollowNotice(models.Model):
    """Something followers are told of in their next daily digest: written once per event
    (not per follower), in the transaction of the event, by services.follower_notice_queue.
    The email is rendered from `kind` and `object_id` at send time, so a notice whose object
    went away meanwhile is left out."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="follow_notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FollowNoticeKind.choices)
    object_id = models.PositiveBigIntegerField(_("number of the item"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("follower notice")
        verbose_name_plural = _("follower notices")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="follownotice_once_per_object"
            )
        ]
        indexes = [models.Index(fields=["initiative", "id"], name="follownotice_initiative_id")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
