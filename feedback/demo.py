"""Demo feedback: what attendees of the two 2021 sessions said (some quoted, after review),
and recent general feedback. History is written as it stood then, not through the live
services (their edit windows and rate limits are about now). Idempotent."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from engagement.models import EngagementSession, Registration
from harms.models import HarmCategory, SolutionArea

from .models import (
    Feedback,
    FeedbackSuggestion,
    QuestionAnswer,
    QuestionAnswerChoice,
    QuestionKind,
    QuoteStatus,
    SessionQuestion,
)
from .services import feedback_edit_deadline

# (harms, experience, {solution area: suggestion}, rating, quote excerpt or "")
SESSION_FEEDBACK = [
    (
        ["image-based-sexual-abuse"],
        "A friend's photos were passed around a chat group and she did not know who to ask "
        "for help to have them taken down.",
        {
            "regulation": "Platforms should have to remove intimate images shared without "
            "consent within hours, not days.",
            "public-education": "Teach students what to do in the first hour.",
        },
        5,
        "She did not know who to ask for help to have them taken down.",
    ),
    (
        ["sexual-harassment", "online-grooming"],
        "Parents often do not know which apps their children use to talk to strangers.",
        {
            "public-education": "Short guides for parents, in all four languages.",
            "partnerships": "Schools and app makers could run sessions together.",
        },
        4,
        "Parents often do not know which apps their children use to talk to strangers.",
    ),
    (
        ["harmful-platforms"],
        "",
        {
            "regulation": "Sites that host stolen images should be blocked quickly.",
            "partnerships": "Payment providers could refuse to serve such sites.",
        },
        4,
        "",
    ),
    (
        ["doxxing"],
        "When my address was posted, the reports I made went nowhere.",
        {"partnerships": "One place to report, that passes it on to the platform."},
        3,
        "",
    ),
    (
        ["cyberstalking"],
        "Blocking someone does not stop them creating a new account.",
        {"regulation": "Make repeat offenders traceable by the platform."},
        5,
        "Blocking someone does not stop them creating a new account.",
    ),
    (
        ["non-consensual-publication"],
        "",
        {"public-education": "Bystanders should know that sharing makes it worse."},
        4,
        "",
    ),
]

GENERAL_FEEDBACK = [
    (
        ["unwelcome-interactions"],
        "Students told us harassment in games chats is treated as a joke.",
        {"public-education": "Campaigns that show it is not a joke."},
        "Harassment in game chats is treated as a joke.",
    ),
    (
        ["harmful-platforms", "sites-promoting-vice"],
        "",
        {"regulation": "Advertising networks should not fund such sites."},
        "",
    ),
    (
        ["image-based-sexual-abuse"],
        "",
        {"partnerships": "A takedown helpline run with the platforms."},
        "",
    ),
]


# General feedback written in Chinese, Malay and Tamil (issue 14), by the demo participants
# who wrote ideas in those languages: (author, language, harms, experience, suggestions).
WRITTEN_IN_OTHER_LANGUAGES = [
    (
        "siew.community@example.com",
        "zh-hans",
        ["sexual-harassment"],
        "我们社区有些年轻女性在社交媒体上收到陌生人的骚扰信息，却不好意思告诉家人。",
        {"public-education": "在学校和社区中心用华语讲解怎样保存证据、向谁求助。"},
    ),
    (
        "nur.student@example.com",
        "ms",
        ["image-based-sexual-abuse"],
        "Kawan saya tidak tahu ke mana hendak mengadu apabila gambarnya dikongsi dalam "
        "kumpulan sembang.",
        {"partnerships": "Platform dan pertubuhan masyarakat boleh bersama membantu mangsa."},
    ),
    (
        "priya.lawyer@example.com",
        "ta",
        ["cyberstalking"],
        "இணையத்தில் பின்தொடரப்படும் பெண்கள் காவல்துறையிடம் புகார் செய்யத் தயங்குகிறார்கள்.",
        {"regulation": "மீண்டும் மீண்டும் துன்புறுத்துபவர்களைத் தளங்கள் கண்டறிய வேண்டும்."},
    ),
]


def _create(
    *, participant, session, created_at, spec, rating, reviewer, language: str = "en"
) -> bool:
    harms, experience, suggestions, excerpt = spec
    if session is not None:
        if Feedback.objects.filter(participant=participant, session=session).exists():
            return False
    elif Feedback.objects.filter(
        participant=participant, session=None, suggestions__text=next(iter(suggestions.values()))
    ).exists():
        return False
    feedback = Feedback.objects.create(
        participant=participant,
        session=session,
        experience=experience,
        rating=rating,
        share_anonymously=True,
        quote_consent=bool(excerpt),
        quote_status=QuoteStatus.APPROVED if excerpt else QuoteStatus.NOT_OFFERED,
        quote_excerpt=excerpt,
        quote_reviewed_by=reviewer if excerpt else None,
        quote_reviewed_at=created_at + timedelta(days=1) if excerpt else None,
        editable_until=feedback_edit_deadline(created_at),
        language=language,
    )
    Feedback.objects.filter(pk=feedback.pk).update(created_at=created_at)
    feedback.harm_categories.set(HarmCategory.objects.filter(slug__in=harms))
    areas = {area.slug: area for area in SolutionArea.objects.all()}
    FeedbackSuggestion.objects.bulk_create(
        FeedbackSuggestion(feedback=feedback, solution_area=areas[slug], text=text)
        for slug, text in suggestions.items()
    )
    return True


# Questions of a session's own (issue 17, item 4): the 8 March 2021 session asked three,
# written as history (its feedback opened long ago); an upcoming one has two still editable.
# (kind, text, options, required)
HELD_QUESTIONS = [
    (QuestionKind.SCALE, "How confident do you feel about reporting online harm now?", [], True),
    (
        QuestionKind.SEVERAL_CHOICES,
        "Which parts of the session helped you most?",
        ["Stories from survivors", "The legal briefing", "Small-group discussion"],
        False,
    ),
    (QuestionKind.SHORT_TEXT, "What should the next session cover?", [], False),
]
UPCOMING_QUESTIONS = [
    (
        QuestionKind.ONE_CHOICE,
        "Had you used a platform's reporting tool before this session?",
        ["Yes", "No", "Not sure"],
        True,
    ),
    (QuestionKind.SCALE, "How useful was the messaging-safety walkthrough?", [], False),
]
# Each attendee's answers to HELD_QUESTIONS, in turn: (scale, options chosen, text).
HELD_ANSWERS = [
    (4, [1, 3], "How to help a friend keep evidence."),
    (5, [2], ""),
    (3, [1, 2, 3], "More about what schools can do."),
    (4, [3], ""),
    (5, [1], "Talk to the platforms directly."),
    (2, [], ""),
]


def _questions(session, specs, organiser) -> list[SessionQuestion]:
    if session is None:
        return []
    if not SessionQuestion.objects.filter(session=session).exists():
        SessionQuestion.objects.bulk_create(
            SessionQuestion(
                session=session,
                kind=kind,
                text=text,
                choices=choices,
                required=required,
                position=position,
                created_by=organiser,
            )
            for position, (kind, text, choices, required) in enumerate(specs, start=1)
        )
    return list(SessionQuestion.objects.filter(session=session).order_by("position"))


def _answers(session, questions) -> int:
    if len(questions) != len(HELD_QUESTIONS):
        return 0
    scale, several, text = questions
    written = 0
    feedback_rows = Feedback.objects.filter(session=session).exclude(answers__isnull=False)
    for feedback, (point, options, words) in zip(
        feedback_rows.order_by("participant__email"), HELD_ANSWERS, strict=False
    ):
        QuestionAnswer.objects.create(feedback=feedback, question=scale, scale=point)
        if options:
            chosen = QuestionAnswer.objects.create(feedback=feedback, question=several)
            QuestionAnswerChoice.objects.bulk_create(
                QuestionAnswerChoice(answer=chosen, option=option) for option in options
            )
        if words:
            QuestionAnswer.objects.create(feedback=feedback, question=text, text=words)
        written += 1
    return written


def seed_questions(stdout, organiser) -> None:
    held = EngagementSession.objects.filter(slug="afa-engagement-session-2021-03-08").first()
    upcoming = EngagementSession.objects.filter(slug="demo-session-safer-messaging").first()
    answered = _answers(held, _questions(held, HELD_QUESTIONS, organiser))
    _questions(upcoming, UPCOMING_QUESTIONS, organiser)
    stdout.write(
        f"Feedback questions: {SessionQuestion.objects.count()} in all, "
        f"{answered} feedback answered them now"
    )


def seed(stdout) -> None:
    reviewer = User.objects.filter(email="organiser@example.com").first()
    created = 0
    sessions = EngagementSession.objects.filter(
        slug__in=["afa-engagement-session-2021-02-22", "afa-engagement-session-2021-03-08"]
    ).order_by("starts_at")
    if not sessions:
        stdout.write("Feedback: the 2021 sessions are not there; session feedback skipped.")
    for offset, session in enumerate(sessions):
        attendees = [
            r.participant
            for r in Registration.objects.filter(session=session, attended=True)
            .select_related("participant")
            .order_by("participant__email")
        ]
        # The sessions heard similar things; each excerpt is quoted from one session only.
        for index, (person, spec) in enumerate(zip(attendees, SESSION_FEEDBACK, strict=False)):
            harms, experience, suggestions, rating, excerpt = spec
            if index % 2 != offset:
                excerpt = ""
            created += _create(
                participant=person,
                session=session,
                created_at=session.ends_at + timedelta(hours=20),
                spec=(harms, experience, suggestions, excerpt),
                rating=rating,
                reviewer=reviewer,
            )
    authors = list(User.objects.filter(email__in=["participant@example.com"]).order_by("email"))
    authors += list(User.objects.filter(email__startswith="attendee").order_by("email")[:2])
    now = timezone.now()
    for days, (person, spec) in enumerate(zip(authors, GENERAL_FEEDBACK, strict=False), start=2):
        created += _create(
            participant=person,
            session=None,
            created_at=now - timedelta(days=days),
            spec=spec,
            rating=None,
            reviewer=reviewer,
        )
    people = {user.email: user for user in User.objects.filter(email__endswith="@example.com")}
    for days, (email, language, harms, experience, suggestions) in enumerate(
        WRITTEN_IN_OTHER_LANGUAGES, start=5
    ):
        if email not in people:
            continue
        created += _create(
            participant=people[email],
            session=None,
            created_at=now - timedelta(days=days),
            spec=(harms, experience, suggestions, ""),
            rating=None,
            reviewer=reviewer,
            language=language,
        )
    stdout.write(f"Feedback: {created} created, {Feedback.objects.count()} in all")
    seed_questions(stdout, reviewer)
