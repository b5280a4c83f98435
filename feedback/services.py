"""Writes to feedback and its quote review. Nothing else saves what these own.

Participants give feedback about a session they were confirmed for (one each, once the session
has started) or in general (as often as they like, within a rate limit). They may change it
until the weekly digest period it was given in closes; withdrawing quote consent and deleting
it stay possible at any time. Only an excerpt an organiser approved is ever quoted; withdrawing
consent (or deleting the feedback) removes the quote from every stored digest, through a task.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.restrictions import restriction_refusal
from audit.periods import weekly_period_containing
from audit.ratelimit import rate_limit_reached
from audit.services import audit_record
from engagement.models import (
    EngagementSession,
    Registration,
    RegistrationStatus,
    SessionStatus,
)
from engagement.services import EngagementError
from harms.languages import known_language
from harms.models import HarmCategory, SolutionArea
from harms.pii import detect_personal_data

from .models import (
    ANSWER_TEXT_MAX_LENGTH,
    CHOICE_MAX_LENGTH,
    CHOICES_MAX,
    CHOICES_MIN,
    QUESTION_HELP_MAX_LENGTH,
    QUESTION_TEXT_MAX_LENGTH,
    QUESTIONS_PER_SESSION,
    SCALE_MAX,
    SCALE_MIN,
    Feedback,
    FeedbackSuggestion,
    QuestionAnswer,
    QuestionAnswerChoice,
    QuestionKind,
    QuoteStatus,
    SessionQuestion,
)
from .signals import quote_withdrawn

EXCERPT_MAX_LENGTH = 400
# Where an excerpt may leave the participant's words: "…" (or "...") where text was cut, and a
# bracketed placeholder such as [name], [place] or […] where something identifying was.
_EXCERPT_GAP = re.compile(r"\[[^\[\]]{0,40}\]|…|\.\.\.")
_TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_FRAGMENT_EDGES = " .,;:!?\"'()-\u2013\u2014"
# Punctuation at a cut that need not be theirs: spaces, quotes, brackets and sentence marks,
# and a dash standing apart. A dash against a word ("-1", "un-") is part of what is quoted.
_LEADING_CUT = re.compile(r"^(?:[\s\"'(),.;:!?]|[-\u2013\u2014](?!\w))+")
_TRAILING_CUT = re.compile(r"(?:[\s\"'(),.;:!?]|(?<!\w)[-\u2013\u2014])+$")
# A quoted fragment starts and ends where a word does: not inside "unsafe", "don't" or "3.5".
_WORD_STARTS = r"(?<!\w)(?<!\w')(?<!\d[.,])"
_WORD_ENDS = r"(?!\w)(?!'\w)(?![.,]\d)"


def _comparable(text: str) -> str:
    return " ".join(text.translate(_TYPOGRAPHIC).casefold().split())


def _fragments(excerpt: str):
    """The excerpt's pieces between gaps, each with whether it touches a [placeholder] on its
    left and on its right (no space between: "[name]'s" stands for the rest of a word)."""
    position, left = 0, ""
    pieces = []
    for gap in _EXCERPT_GAP.finditer(excerpt):
        pieces.append((excerpt[position : gap.start()], left, gap.group()))
        left, position = gap.group(), gap.end()
    pieces.append((excerpt[position:], left, ""))
    for text, left_gap, right_gap in pieces:
        glued_left = left_gap.startswith("[") and not text[:1].isspace()
        glued_right = right_gap.startswith("[") and not text[-1:].isspace()
        yield text, glued_left, glued_right


def _fragment_pattern(fragment: str, *, glued_left: bool, glued_right: bool) -> re.Pattern | None:
    words = _comparable(fragment)
    if not glued_left:
        words = _LEADING_CUT.sub("", words)
    if not glued_right:
        words = _TRAILING_CUT.sub("", words)
    if not words.strip(_FRAGMENT_EDGES):
        return None
    starts = _WORD_STARTS if not glued_left and re.match(r"\w", words) else ""
    ends = _WORD_ENDS if not glued_right and re.search(r"\w$", words) else ""
    return re.compile(starts + re.escape(words) + ends)


def excerpt_not_in(excerpt: str, sources: Iterable[str]) -> list[str]:
    """The parts of `excerpt` that are not in any of `sources`, the participant's own texts.
    Case, spacing, curly quotes and punctuation at a cut are forgiven; a changed or added
    word is not, and neither is part of a word: a fragment starts and ends on a word's
    boundary in their text ("… safe" is not in "unsafe"), except against a [placeholder]
    that replaced the rest of the word ("[name]'s"). An excerpt of placeholders alone gives
    [""]."""
    texts = [_comparable(source) for source in sources]
    missing, quoted = [], False
    for fragment, glued_left, glued_right in _fragments(excerpt):
        pattern = _fragment_pattern(fragment, glued_left=glued_left, glued_right=glued_right)
        if pattern is None:
            continue
        quoted = True
        if not any(pattern.search(text) for text in texts):
            missing.append(_TRAILING_CUT.sub("", _LEADING_CUT.sub("", fragment)))
    return missing if quoted else [""]


TEXT_MAX_LENGTH = 4000
# How audit rows name feedback. Kept from before feedback had its own app, so that the admin's
# "object type" filter finds old and new decisions under one name.
AUDIT_OBJECT_TYPE = "engagement.feedback"


class FeedbackError(EngagementError):
    """A refusal whose message is safe to show the participant or the organiser."""


class FeedbackGone(FeedbackError):
    """The feedback was deleted (in another tab, say) after the page was read."""


@dataclass(frozen=True, kw_only=True)
class FeedbackDetails:
    """What a participant says. `suggestions` maps a solution area to its text; an area
    without text is one they did not choose."""

    harm_categories: Iterable[HarmCategory]
    experience: str = ""
    suggestions: Mapping[SolutionArea, str] = field(default_factory=dict)
    rating: int | None = None
    share_anonymously: bool = True
    quote_consent: bool = False
    # The language it is written in (issue 14), one of settings.LANGUAGES.
    language: str = settings.LANGUAGE_CODE
    # Answers to the session's own questions, by question id (issue 17, item 4): an int for
    # a scale, an option number for one choice, a list of them for several, a str for text.
    # A question left out (or None, "", []) is unanswered.
    answers: Mapping[int, object] = field(default_factory=dict)

    def free_text(self) -> str:
        """Experience then suggestions in the solution areas' order, as stored."""
        ordered = sorted(self.suggestions.items(), key=lambda item: (item[0].order, item[0].pk))
        texts = [text.strip() for _area, text in ordered if text.strip()]
        return "\n".join([self.experience.strip(), *texts]).strip()


def feedback_edit_deadline(given_at) -> timezone.datetime:
    """Feedback can be changed until the weekly digest period it was given in closes."""
    return weekly_period_containing(given_at)[1]


def personal_data_kinds_in(details: FeedbackDetails) -> list[str]:
    """What harms.pii finds in the free text (the kinds only), for the form's warning."""
    findings = detect_personal_data(details.free_text())
    return sorted({finding.kind for finding in findings})


def _validate(details: FeedbackDetails, *, for_session: bool) -> list[HarmCategory]:
    categories = list(details.harm_categories)
    if not categories:
        raise FeedbackError(_("Choose at least one harm your feedback is about."))
    suggestions = {area: text.strip() for area, text in details.suggestions.items()}
    if not details.experience.strip() and not any(suggestions.values()):
        raise FeedbackError(
            _("Tell us what you have seen or experienced, or make at least one suggestion.")
        )
    if any(len(text) > TEXT_MAX_LENGTH for text in [details.experience, *suggestions.values()]):
        raise FeedbackError(
            _("Please keep each answer under %(n)s characters.") % {"n": TEXT_MAX_LENGTH}
        )
    if not known_language(details.language):
        raise FeedbackError(_("Choose one of the languages listed."))
    if details.rating is not None:
        if not for_session:
            raise FeedbackError(_("Only feedback about a session can rate it."))
        if not 1 <= details.rating <= 5:
            raise FeedbackError(_("Rate the session from 1 to 5."))
    return categories


def _write_suggestions(feedback: Feedback, details: FeedbackDetails) -> None:
    FeedbackSuggestion.objects.filter(feedback=feedback).delete()
    FeedbackSuggestion.objects.bulk_create(
        FeedbackSuggestion(feedback=feedback, solution_area=area, text=text.strip())
        for area, text in details.suggestions.items()
        if text.strip()
    )


def _check_may_take_part(participant) -> None:
    """A suspended or blocked person gives no feedback, whatever the entry point."""
    refusal = restriction_refusal(participant)
    if refusal:
        raise FeedbackError(refusal)


def _check_general_feedback_rate(participant) -> None:
    """At most FEEDBACK_RATE_LIMIT general feedback per participant in its window."""
    limit, window = settings.FEEDBACK_RATE_LIMIT
    if rate_limit_reached(
        person=participant,
        recent=Feedback.objects.filter(participant=participant, session__isnull=True),
        limit=limit,
        window=timedelta(seconds=window),
    ):
        raise FeedbackError(
            _(
                "You have sent a lot of feedback in the last hour. Thank you! Please wait a "
                "while before sending more."
            )
        )


def _quote_withdrawn(feedback_id: int) -> None:
    # Stored digests (reports, above this app) drop the quote: reports connects a receiver.
    quote_withdrawn.send(sender=Feedback, feedback_id=feedback_id)


def may_give_session_feedback(*, session: EngagementSession, participant) -> bool:
    """Confirmed registrants of a session that has started and was not cancelled."""
    return (
        session.status == SessionStatus.PUBLISHED
        and session.starts_at <= timezone.now()
        and Registration.objects.filter(
            session=session, participant=participant, status=RegistrationStatus.CONFIRMED
        ).exists()
    )


@transaction.atomic
def feedback_create(
    *, participant, details: FeedbackDetails, session: EngagementSession | None = None
) -> Feedback:
    """Record feedback, with its answers to the session's own questions (validated against
    that session's questions: another session's question is refused). Side effects: general
    feedback counts towards the participant's rate limit (audit.ratelimit, which locks their
    row while it counts); feedback offered for quoting joins the organisers' quote queue."""
    _check_may_take_part(participant)
    categories = _validate(details, for_session=session is not None)
    if session is not None:
        if not may_give_session_feedback(session=session, participant=participant):
            raise FeedbackError(
                _(
                    "You can give feedback on a session you had a confirmed place at, once it has "
                    "started."
                )
            )
        if Feedback.objects.filter(session=session, participant=participant).exists():
            raise FeedbackError(
                _("You have already given feedback on this session; edit it instead.")
            )
    else:
        _check_general_feedback_rate(participant)
    answers = _validated_answers(session, details.answers)
    now = timezone.now()
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                participant=participant,
                session=session,
                experience=details.experience.strip(),
                rating=details.rating if session is not None else None,
                share_anonymously=details.share_anonymously,
                quote_consent=details.quote_consent,
                quote_status=QuoteStatus.PENDING
                if details.quote_consent
                else QuoteStatus.NOT_OFFERED,
                personal_data_kinds=personal_data_kinds_in(details),
                language=details.language,
                editable_until=feedback_edit_deadline(now),
            )
    except IntegrityError:
        raise FeedbackError(
            _("You have already given feedback on this session; edit it instead.")
        ) from None
    feedback.harm_categories.set(categories)
    _write_suggestions(feedback, details)
    _write_answers(feedback, answers)
    return feedback


def _lock(feedback: Feedback) -> Feedback:
    """The feedback's row lock and fresh values, or FeedbackGone if it was deleted since."""
    current = Feedback.objects.select_for_update(of=("self",)).filter(pk=feedback.pk).first()
    if current is None:
        raise FeedbackGone(_("This feedback was deleted."))
    return current


@transaction.atomic
def feedback_update(*, feedback: Feedback, participant, details: FeedbackDetails) -> Feedback:
    """Change one's own feedback within its edit window (answers to the session's questions
    included, replaced as a whole). A changed text sends an offered quote
    back for review (the approved excerpt may no longer fit); turning consent off withdraws
    the quote, and a task then removes it from stored digests."""
    _check_may_take_part(participant)
    feedback = _lock(feedback)
    if feedback.participant_id != participant.pk:
        raise FeedbackError(_("This is not your feedback."))
    if not feedback.is_editable():
        raise FeedbackError(
            _(
                "This feedback can no longer be changed: it has gone into a digest. You can "
                "still withdraw your consent to be quoted, or delete it."
            )
        )
    categories = _validate(details, for_session=not feedback.is_general)
    answers = _validated_answers(feedback.session, details.answers)
    old_text = _current_free_text(feedback)
    was_approved = feedback.quote_status == QuoteStatus.APPROVED
    feedback.experience = details.experience.strip()
    feedback.rating = details.rating if not feedback.is_general else None
    feedback.share_anonymously = details.share_anonymously
    feedback.personal_data_kinds = personal_data_kinds_in(details)
    feedback.language = details.language
    if not details.quote_consent:
        _withdraw(feedback)
    elif not feedback.quote_consent or old_text != details.free_text():
        feedback.quote_consent = True
        feedback.quote_status = QuoteStatus.PENDING
        feedback.quote_excerpt = ""
        feedback.quote_reviewed_by = None
        feedback.quote_reviewed_at = None
        feedback.quote_reason = ""
    feedback.save()
    feedback.harm_categories.set(categories)
    _write_suggestions(feedback, details)
    _write_answers(feedback, answers)
    if was_approved and feedback.quote_status != QuoteStatus.APPROVED:
        _quote_withdrawn(feedback.pk)
    return feedback


def _current_free_text(feedback: Feedback) -> str:
    texts = list(
        feedback.suggestions.order_by("solution_area__order", "solution_area_id").values_list(
            "text", flat=True
        )
    )
    return "\n".join([feedback.experience, *texts]).strip()


def _withdraw(feedback: Feedback) -> None:
    feedback.quote_consent = False
    feedback.quote_status = QuoteStatus.WITHDRAWN
    feedback.quote_excerpt = ""


@transaction.atomic
def feedback_withdraw_quote_consent(*, feedback: Feedback, participant) -> Feedback:
    """Withdraw consent to be quoted, at any time. Side effect: if an excerpt was approved,
    a task re-renders every stored digest that quoted it without the quote."""
    feedback = _lock(feedback)
    if feedback.participant_id != participant.pk:
        raise FeedbackError(_("This is not your feedback."))
    if not feedback.quote_consent:
        return feedback
    was_approved = feedback.quote_status == QuoteStatus.APPROVED
    _withdraw(feedback)
    feedback.save(update_fields=["quote_consent", "quote_status", "quote_excerpt", "updated_at"])
    if was_approved:
        _quote_withdrawn(feedback.pk)
    return feedback


@transaction.atomic
def feedback_delete(*, feedback: Feedback, participant) -> None:
    """Delete one's own feedback, at any time. Side effect: a task removes any quote of it
    from stored digests."""
    feedback = _lock(feedback)
    if feedback.participant_id != participant.pk:
        raise FeedbackError(_("This is not your feedback."))
    was_approved = feedback.quote_status == QuoteStatus.APPROVED
    feedback_id = feedback.pk
    feedback.delete()
    if was_approved:
        _quote_withdrawn(feedback_id)


# --- Quote review (organisers) ----------------------------------------------------------


@transaction.atomic
def quote_approve(*, feedback: Feedback, moderator, excerpt: str, note: str = "") -> Feedback:
    """Approve a short, anonymous excerpt of the feedback for digests. The conditional update
    loses to a withdrawal that committed first. Side effect: an audit row."""
    excerpt = excerpt.strip()
    if not excerpt:
        raise FeedbackError(_("Write the excerpt to quote."))
    if len(excerpt) > EXCERPT_MAX_LENGTH:
        raise FeedbackError(
            _("Keep the excerpt under %(n)s characters: trim it.") % {"n": EXCERPT_MAX_LENGTH}
        )
    found = detect_personal_data(excerpt)
    if found:
        raise FeedbackError(
            _(
                "The excerpt still contains %(kinds)s. Redact it, e.g. with [name], before "
                "approving."
            )
            % {"kinds": ", ".join(sorted({finding.label for finding in found}))}
        )
    # A quote is attributed to a participant: it must be their words, only cut or redacted.
    current = Feedback.objects.filter(pk=feedback.pk).first()
    if current is None:
        raise FeedbackError(_("This quote is no longer waiting for review."))
    sources = [current.experience, *current.suggestions.values_list("text", flat=True)]
    missing = excerpt_not_in(excerpt, sources)
    if missing == [""]:
        raise FeedbackError(_("Quote some of their words, not only placeholders."))
    if missing:
        words = missing[0] if len(missing[0]) <= 80 else missing[0][:79] + "…"
        raise FeedbackError(
            _(
                "Quote their own words: cut with … and replace what identifies them with "
                "[brackets], but do not reword. “%(words)s” is not in what they wrote."
            )
            % {"words": words}
        )
    now = timezone.now()
    approved = Feedback.objects.filter(
        pk=feedback.pk, quote_consent=True, quote_status=QuoteStatus.PENDING
    ).update(
        quote_status=QuoteStatus.APPROVED,
        quote_excerpt=excerpt,
        quote_reviewed_by=moderator,
        quote_reviewed_at=now,
        quote_reason=note.strip()[:300],
        updated_at=now,
    )
    if not approved:
        raise FeedbackError(_("This quote is no longer waiting for review."))
    audit_record(
        actor=moderator,
        action="quote.approve",
        object_type=AUDIT_OBJECT_TYPE,
        object_id=feedback.pk,
        details={"note": note.strip()[:300], "excerpt_length": len(excerpt)},
    )
    feedback.refresh_from_db()
    return feedback


@transaction.atomic
def quote_reject(*, feedback: Feedback, moderator, reason: str) -> Feedback:
    """Decide not to quote this feedback. Side effect: an audit row."""
    reason = reason.strip()
    if not reason:
        raise FeedbackError(_("Give a reason: it is kept in the audit log."))
    now = timezone.now()
    rejected = Feedback.objects.filter(
        pk=feedback.pk, quote_consent=True, quote_status=QuoteStatus.PENDING
    ).update(
        quote_status=QuoteStatus.REJECTED,
        quote_reviewed_by=moderator,
        quote_reviewed_at=now,
        quote_reason=reason[:300],
        updated_at=now,
    )
    if not rejected:
        raise FeedbackError(_("This quote is no longer waiting for review."))
    audit_record(
        actor=moderator,
        action="quote.reject",
        object_type=AUDIT_OBJECT_TYPE,
        object_id=feedback.pk,
        details={"reason": reason[:300]},
    )
    feedback.refresh_from_db()
    return feedback


# --- Questions of a session's own (issue 17, item 4) ------------------------------------------

QUESTION_AUDIT_OBJECT_TYPE = "feedback.sessionquestion"


class SessionQuestionError(FeedbackError):
    """A refused change to a session's questions; the message is safe to show organisers."""


class SessionQuestionGone(SessionQuestionError):
    """The question was deleted (in another tab, say) after the page was read."""


@dataclass(frozen=True, kw_only=True)
class QuestionDetails:
    """What an organiser asks. `choices` are the option labels, for the choice kinds."""

    kind: str
    text: str
    help_text: str = ""
    choices: list[str] = field(default_factory=list)
    required: bool = False


def feedback_opens_at(session: EngagementSession):
    """Feedback on a session opens when it starts (may_give_session_feedback)."""
    return session.starts_at


def questions_frozen_reason(session: EngagementSession, now=None) -> str:
    """Why the session's questions can no longer change, or "" while they can: once
    feedback opens, every participant must answer the same questions."""
    if session.is_cancelled:
        return _("This session was cancelled; its feedback questions can no longer be changed.")
    opens = feedback_opens_at(session)
    if opens <= (now or timezone.now()):
        return _("Feedback opened on %(when)s; questions can no longer be changed.") % {
            "when": date_format(timezone.localtime(opens), "j F Y, g:i A")
        }
    return ""


def _cleaned_question(details: QuestionDetails) -> QuestionDetails:
    if details.kind not in QuestionKind.values:
        raise SessionQuestionError(_("Choose what kind of answer the question takes."))
    text = " ".join(details.text.split())
    if not text:
        raise SessionQuestionError(_("Write the question."))
    if len(text) > QUESTION_TEXT_MAX_LENGTH:
        raise SessionQuestionError(
            _("Keep the question under %(n)s characters.") % {"n": QUESTION_TEXT_MAX_LENGTH}
        )
    help_text = " ".join(details.help_text.split())
    if len(help_text) > QUESTION_HELP_MAX_LENGTH:
        raise SessionQuestionError(
            _("Keep the help text under %(n)s characters.") % {"n": QUESTION_HELP_MAX_LENGTH}
        )
    choices: list[str] = []
    if details.kind in (QuestionKind.ONE_CHOICE, QuestionKind.SEVERAL_CHOICES):
        choices = [" ".join(choice.split()) for choice in details.choices]
        choices = [choice for choice in choices if choice]
        if not CHOICES_MIN <= len(choices) <= CHOICES_MAX:
            raise SessionQuestionError(
                _("Give from %(min)s to %(max)s options, one per line.")
                % {"min": CHOICES_MIN, "max": CHOICES_MAX}
            )
        if any(len(choice) > CHOICE_MAX_LENGTH for choice in choices):
            raise SessionQuestionError(
                _("Keep each option under %(n)s characters.") % {"n": CHOICE_MAX_LENGTH}
            )
        seen: set[str] = set()
        for choice in choices:
            if choice.casefold() in seen:
                raise SessionQuestionError(
                    _("The option “%(option)s” is there twice: give each option once.")
                    % {"option": choice}
                )
            seen.add(choice.casefold())
    return QuestionDetails(
        kind=details.kind,
        text=text,
        help_text=help_text,
        choices=choices,
        required=details.required,
    )


def _lock_session(session: EngagementSession) -> EngagementSession:
    """The session's row, locked: the guard that serialises changes to its questions."""
    locked = EngagementSession.objects.select_for_update().filter(pk=session.pk).first()
    if locked is None:
        raise SessionQuestionError(_("This session no longer exists."))
    return locked


def _lock_questions(session: EngagementSession) -> list[SessionQuestion]:
    """Lock the session's row (the one lock over its set of questions, which may be empty)
    and its questions; refuse once feedback has opened. The questions in order."""
    locked = _lock_session(session)
    reason = questions_frozen_reason(locked)
    if reason:
        raise SessionQuestionError(reason)
    questions = list(
        SessionQuestion.objects.select_for_update().filter(session=locked).order_by("position")
    )
    # Belt and braces: an answer fixes the question it answers, whatever the clock says.
    if QuestionAnswer.objects.filter(question__session=locked).exists():
        raise SessionQuestionError(
            _("Feedback has been given on this session; questions can no longer be changed.")
        )
    return questions


def _find(questions: list[SessionQuestion], question: SessionQuestion) -> SessionQuestion:
    current = next((q for q in questions if q.pk == question.pk), None)
    if current is None:
        raise SessionQuestionGone(_("This question was deleted."))
    return current


def _audit_question(organiser, action: str, question: SessionQuestion, **details) -> None:
    audit_record(
        actor=organiser,
        action=f"feedback.question_{action}",
        object_type=QUESTION_AUDIT_OBJECT_TYPE,
        object_id=question.pk,
        details={"session": question.session_id, **details},
    )


@transaction.atomic
def session_question_add(
    *, session: EngagementSession, organiser, details: QuestionDetails
) -> SessionQuestion:
    """Add a question at the end of the session's feedback form, before feedback opens (at
    most QUESTIONS_PER_SESSION). Locks the session's row. Side effect: an audit row."""
    cleaned = _cleaned_question(details)
    questions = _lock_questions(session)
    if len(questions) >= QUESTIONS_PER_SESSION:
        raise SessionQuestionError(
            _("A session can have at most %(n)s questions of its own.")
            % {"n": QUESTIONS_PER_SESSION}
        )
    question = SessionQuestion.objects.create(
        session_id=session.pk,
        kind=cleaned.kind,
        text=cleaned.text,
        help_text=cleaned.help_text,
        choices=cleaned.choices,
        required=cleaned.required,
        position=(questions[-1].position + 1) if questions else 1,
        created_by=organiser,
    )
    _audit_question(organiser, "add", question, kind=cleaned.kind)
    return question


@transaction.atomic
def session_question_update(
    *, question: SessionQuestion, organiser, details: QuestionDetails
) -> SessionQuestion:
    """Change a question before feedback opens. Locks the session's row. Side effect: an
    audit row."""
    cleaned = _cleaned_question(details)
    current = _find(_lock_questions(question.session), question)
    current.kind = cleaned.kind
    current.text = cleaned.text
    current.help_text = cleaned.help_text
    current.choices = cleaned.choices
    current.required = cleaned.required
    current.save(update_fields=["kind", "text", "help_text", "choices", "required", "updated_at"])
    _audit_question(organiser, "update", current, kind=cleaned.kind)
    return current


@transaction.atomic
def session_question_delete(*, question: SessionQuestion, organiser) -> None:
    """Delete a question before feedback opens; the ones after it move up. Locks the
    session's row. Side effect: an audit row."""
    questions = _lock_questions(question.session)
    current = _find(questions, question)
    _audit_question(organiser, "delete", current, text=current.text)
    current.delete()
    # One at a time, in order: the unique position never sees two rows at once.
    for later in questions:
        if later.position > current.position:
            later.position -= 1
            later.save(update_fields=["position"])


@transaction.atomic
def session_question_move(*, question: SessionQuestion, organiser, up: bool) -> SessionQuestion:
    """Swap a question with the one before (up) or after it, before feedback opens. Moving
    the first up or the last down changes nothing. Locks the session's row. Side effect: an
    audit row when it moved."""
    questions = _lock_questions(question.session)
    current = _find(questions, question)
    index = questions.index(current) + (-1 if up else 1)
    if not 0 <= index < len(questions):
        return current
    other = questions[index]
    mine, theirs = current.position, other.position
    # Through a free position: the unique (session, position) holds at every step.
    current.position = 0
    current.save(update_fields=["position"])
    other.position = mine
    other.save(update_fields=["position"])
    current.position = theirs
    current.save(update_fields=["position", "updated_at"])
    _audit_question(organiser, "move", current, position=theirs)
    return current


# --- Answers, validated against the session's questions -----------------------------------


@dataclass(frozen=True)
class _Answer:
    question: SessionQuestion
    scale: int | None = None
    text: str = ""
    options: tuple[int, ...] = ()


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _as_number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _validated_answers(session: EngagementSession | None, raw: Mapping[int, object]):
    """The answers to keep, or FeedbackError naming the first problem. An answer for a
    question that is not this session's (another session's, or deleted) is refused."""
    given = {key: value for key, value in raw.items() if not _is_empty(value)}
    if session is None:
        if given:
            raise FeedbackError(_("General feedback has no questions of a session's own."))
        return []
    questions = list(session.feedback_questions.order_by("position"))
    known = {question.pk for question in questions}
    if any(_as_number(key) not in known for key in raw):
        raise FeedbackError(
            _(
                "An answer was sent for a question that is not on this session's form. "
                "Check your answers and send them again."
            )
        )
    given = {_as_number(key): value for key, value in given.items()}
    answers = []
    for question in questions:
        value = given.get(question.pk)
        named = {"question": question.text}
        if value is None:
            if question.required:
                raise FeedbackError(_("Answer “%(question)s”: it is required.") % named)
            continue
        if question.kind == QuestionKind.SCALE:
            number = _as_number(value)
            if number is None or not SCALE_MIN <= number <= SCALE_MAX:
                raise FeedbackError(_("Answer “%(question)s” from 1 to 5.") % named)
            answers.append(_Answer(question, scale=number))
        elif question.kind == QuestionKind.SHORT_TEXT:
            text = str(value).strip()
            if len(text) > ANSWER_TEXT_MAX_LENGTH:
                raise FeedbackError(
                    _("Keep your answer to “%(question)s” under %(n)s characters.")
                    % {**named, "n": ANSWER_TEXT_MAX_LENGTH}
                )
            if text:
                answers.append(_Answer(question, text=text))
            elif question.required:
                raise FeedbackError(_("Answer “%(question)s”: it is required.") % named)
        else:
            values = value if isinstance(value, (list, tuple)) else [value]
            numbers = [_as_number(item) for item in values]
            allowed = range(1, len(question.choices) + 1)
            if any(number not in allowed for number in numbers) or (
                question.kind == QuestionKind.ONE_CHOICE and len(numbers) != 1
            ):
                raise FeedbackError(_("Choose from the options listed for “%(question)s”.") % named)
            answers.append(_Answer(question, options=tuple(sorted(set(numbers)))))
    return answers


def _write_answers(feedback: Feedback, answers: list[_Answer]) -> None:
    QuestionAnswer.objects.filter(feedback=feedback).delete()
    if not answers:
        return
    rows = QuestionAnswer.objects.bulk_create(
        QuestionAnswer(
            feedback=feedback,
            question=answer.question,
            scale=answer.scale,
            text=answer.text,
            personal_data_kinds=sorted(
                {finding.kind for finding in detect_personal_data(answer.text)}
            )
            if answer.text
            else [],
        )
        for answer in answers
    )
    # PostgreSQL and SQLite (3.35 on) return the new ids from the one INSERT.
    chosen = [
        QuestionAnswerChoice(answer=row, option=option)
        for row, answer in zip(rows, answers, strict=True)
        for option in answer.options
    ]
    QuestionAnswerChoice.objects.bulk_create(chosen)
