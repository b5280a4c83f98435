"""Feedback a participant gives, about a session or in general, and its quote review."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagement.models import EngagementSession
from harms.languages import LANGUAGE_MAX_LENGTH, language_codes, language_tag


class QuoteStatus(models.TextChoices):
    NOT_OFFERED = "none", _("Not offered for quoting")
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Excerpt approved")
    REJECTED = "rejected", _("Not quoted")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


class Feedback(models.Model):
    """What a participant tells the Alliance, about one session they registered for or in
    general. feedback.services owns every write, including the quote review.

    A participant may be quoted only while `quote_consent` holds, and only through the short
    `quote_excerpt` an organiser approved; the database refuses an excerpt in any other state.
    """

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    session = models.ForeignKey(
        EngagementSession,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        help_text=_("Empty for general feedback."),
    )
    harm_categories = models.ManyToManyField(
        "harms.HarmCategory",
        verbose_name=_("harms it concerns"),
        related_name="feedback",
        db_table="engagement_feedback_harm_categories",
    )
    experience = models.TextField(
        _("what you have seen or experienced"),
        blank=True,
        help_text=_("Optional. Only you and MCI staff can read this."),
    )
    rating = models.PositiveSmallIntegerField(_("rating of the session"), null=True, blank=True)
    share_anonymously = models.BooleanField(_("share anonymously"), default=True)
    quote_consent = models.BooleanField(_("may be quoted anonymously in reports"), default=False)
    quote_status = models.CharField(
        _("quote"),
        max_length=10,
        choices=QuoteStatus.choices,
        default=QuoteStatus.NOT_OFFERED,
    )
    quote_excerpt = models.TextField(_("approved excerpt"), blank=True)
    quote_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("quote reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    quote_reviewed_at = models.DateTimeField(_("quote reviewed at"), null=True, blank=True)
    quote_reason = models.CharField(_("reason for the quote decision"), max_length=300, blank=True)
    # The kinds harms.pii found in the free text when it was sent (never the text found):
    # a marker telling the quote reviewer what to redact.
    personal_data_kinds = models.JSONField(_("personal data found"), default=list, blank=True)
    # The language the participant wrote in (issue 14): pages mark the text with it.
    language = models.CharField(
        _("language written in"),
        max_length=LANGUAGE_MAX_LENGTH,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the participant wrote this in."),
    )
    editable_until = models.DateTimeField(_("can be changed until"))
    created_at = models.DateTimeField(_("given at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        # Tables keep the names they were created with in engagement (issue 11 moved the
        # models, not the rows): feedback/migrations/0001 only takes them over in state.
        db_table = "engagement_feedback"
        ordering = ["-created_at", "-id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "session"],
                condition=Q(session__isnull=False),
                name="feedback_one_per_participant_per_session",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | (Q(session__isnull=False) & Q(rating__gte=1) & Q(rating__lte=5)),
                name="feedback_rating_1_to_5_for_sessions_only",
            ),
            models.CheckConstraint(
                condition=Q(quote_consent=True) | Q(quote_status__in=["none", "withdrawn"]),
                name="feedback_quote_needs_consent",
            ),
            models.CheckConstraint(
                condition=(Q(quote_status="approved") & ~Q(quote_excerpt=""))
                | (~Q(quote_status="approved") & Q(quote_excerpt="")),
                name="feedback_excerpt_only_when_approved",
            ),
            models.CheckConstraint(
                condition=Q(language__in=language_codes()), name="feedback_language_known"
            ),
        ]
        indexes = [
            models.Index(fields=["quote_status", "created_at"]),
            models.Index(fields=["quote_status", "quote_reviewed_at"]),
            models.Index(fields=["participant", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{_('Feedback')} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:detail", kwargs={"pk": self.pk})

    @property
    def is_general(self) -> bool:
        return self.session_id is None

    @property
    def language_tag(self) -> str:
        """The language it was written in, for a lang attribute ("zh-Hans")."""
        return language_tag(self.language)

    @property
    def has_approved_quote(self) -> bool:
        return self.quote_status == QuoteStatus.APPROVED

    def is_editable(self, now=None) -> bool:
        return (now or timezone.now()) < self.editable_until


class FeedbackSuggestion(models.Model):
    """A suggestion for one solution area (public education, partnerships, regulation)."""

    feedback = models.ForeignKey(
        Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE, related_name="suggestions"
    )
    solution_area = models.ForeignKey(
        "harms.SolutionArea",
        verbose_name=_("solution area"),
        on_delete=models.PROTECT,
        related_name="feedback_suggestions",
    )
    text = models.TextField(_("suggestion"))

    class Meta:
        db_table = "engagement_feedbacksuggestion"
        ordering = ["solution_area__order", "id"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "solution_area"], name="feedbacksuggestion_one_per_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.solution_area}: {self.text[:40]}"


# --- Questions of a session's own (issue 17, item 4) ------------------------------------------

QUESTIONS_PER_SESSION = 10
QUESTION_TEXT_MAX_LENGTH = 200
QUESTION_HELP_MAX_LENGTH = 300
CHOICE_MAX_LENGTH = 80
CHOICES_MIN, CHOICES_MAX = 2, 10
ANSWER_TEXT_MAX_LENGTH = 500
SCALE_MIN, SCALE_MAX = 1, 5


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("A scale from 1 to 5")
    ONE_CHOICE = "one", _("One choice")
    SEVERAL_CHOICES = "several", _("Several choices")
    SHORT_TEXT = "text", _("Short text")


class SessionQuestion(models.Model):
    """A question an organiser adds to one session's feedback form, after the standard ones.
    feedback.services owns every write: questions change only before feedback opens for the
    session (when it starts); from then on the set is frozen, so answers always refer to the
    question as it was asked. `choices` is a list of option labels for the choice kinds; an
    answer names an option by its place in that list (1-based), which cannot change once
    answers can exist."""

    session = models.ForeignKey(
        EngagementSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="feedback_questions",
    )
    kind = models.CharField(_("kind of answer"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=QUESTION_TEXT_MAX_LENGTH)
    help_text = models.CharField(_("help text"), max_length=QUESTION_HELP_MAX_LENGTH, blank=True)
    choices = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"))
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
        ordering = ["session", "position"]
        verbose_name = _("session question")
        verbose_name_plural = _("session questions")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"], name="sessionquestion_one_per_position"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="sessionquestion_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in (QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES)

    @property
    def is_scale(self) -> bool:
        return self.kind == QuestionKind.SCALE

    @property
    def is_text(self) -> bool:
        return self.kind == QuestionKind.SHORT_TEXT

    @property
    def is_several(self) -> bool:
        return self.kind == QuestionKind.SEVERAL_CHOICES

    def options(self) -> list[tuple[int, str]]:
        """(number, label) of each option, numbered from 1 as answers store them."""
        return list(enumerate(self.choices, start=1))

    def option_label(self, number: int) -> str:
        return self.choices[number - 1] if 1 <= number <= len(self.choices) else ""


class QuestionAnswer(models.Model):
    """One participant's answer to one session question, part of their feedback (deleted
    with it). A scale answer is `scale` (1 to 5), a text answer `text`; a choice answer has
    one `QuestionAnswerChoice` row per option chosen, so counting is a GROUP BY."""

    feedback = models.ForeignKey(
        Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        SessionQuestion,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    scale = models.PositiveSmallIntegerField(_("point on the scale"), null=True, blank=True)
    text = models.CharField(_("answer"), max_length=ANSWER_TEXT_MAX_LENGTH, blank=True)
    # The kinds harms.pii found in a text answer (never the text found), as on Feedback.
    personal_data_kinds = models.JSONField(_("personal data found"), default=list, blank=True)

    class Meta:
        ordering = ["feedback", "question__position"]
        verbose_name = _("answer to a session question")
        verbose_name_plural = _("answers to session questions")
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "question"], name="questionanswer_one_per_feedback"
            ),
            models.CheckConstraint(
                condition=Q(scale__isnull=True) | Q(scale__gte=SCALE_MIN, scale__lte=SCALE_MAX),
                name="questionanswer_scale_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.feedback_id}"

    def chosen_labels(self) -> list[str]:
        """The words of the options chosen (reads `chosen`: prefetch it for a list)."""
        return [self.question.option_label(chosen.option) for chosen in self.chosen.all()]


class QuestionAnswerChoice(models.Model):
    """One option chosen in a choice answer: its number in the question's `choices`."""

    answer = models.ForeignKey(
        QuestionAnswer,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        related_name="chosen",
    )
    option = models.PositiveSmallIntegerField(_("option"))

    class Meta:
        ordering = ["answer", "option"]
        verbose_name = _("option chosen")
        verbose_name_plural = _("options chosen")
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "option"], name="questionanswerchoice_once_per_answer"
            ),
            models.CheckConstraint(
                condition=Q(option__gte=1, option__lte=CHOICES_MAX),
                name="questionanswerchoice_option_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.answer_id}: {self.option}"
