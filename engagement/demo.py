"""Demo sessions: the two 2021 engagement sessions from the press release, with attendance,
and a few upcoming ones (one nearly full). Idempotent: sessions are keyed by slug."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.demo import ensure_demo_user
from accounts.models import Background, User
from harms.models import HarmCategory

from . import services
from .models import (
    EngagementSession,
    Registration,
    RegistrationStatus,
    SessionAccess,
    SessionMode,
    SessionStatus,
)

SGT = ZoneInfo("Asia/Singapore")
FACILITATOR = "Senior Minister of State Ms Sim Ann"
ALL_HARMS = ["non-consensual-publication", "unwelcome-interactions", "harmful-platforms"]

ATTENDEES = [
    ("attendee01@example.com", "Aisha (demo)", Background.COMMUNITY),
    ("attendee02@example.com", "Ben (demo)", Background.TECH_COMPANY),
    ("attendee03@example.com", "Chloe (demo)", Background.LEGAL),
    ("attendee04@example.com", "Daniel (demo)", Background.ACADEMIC),
    ("attendee05@example.com", "Elena (demo)", Background.PARENT),
    ("attendee06@example.com", "Farid (demo)", Background.IHL_STUDENT),
    ("attendee07@example.com", "Grace (demo)", Background.CORPORATE),
    ("attendee08@example.com", "Hui Min (demo)", Background.ACTIVIST),
    ("attendee09@example.com", "Imran (demo)", Background.GOVERNMENT),
    ("attendee10@example.com", "Jia Hui (demo)", Background.COMMUNITY),
    ("attendee11@example.com", "Kavitha (demo)", Background.PARENT),
    ("attendee12@example.com", "Lucas (demo)", Background.IHL_STUDENT),
]

PAST = [
    {
        "slug": "afa-engagement-session-2021-02-22",
        "title": "AfA engagement session on online harms",
        "summary": "The first conversation on online harms, especially those targeted at women "
        "and girls, with corporates, community groups, legal professionals and students.",
        "starts_at": datetime(2021, 2, 22, 15, 0, tzinfo=SGT),
        "hours": 2,
        "attended": 10,
    },
    {
        "slug": "afa-engagement-session-2021-03-08",
        "title": "AfA engagement session on International Women's Day",
        "summary": "The second conversation, on International Women's Day: what participants "
        "have seen, and what the Alliance could do about it.",
        "starts_at": datetime(2021, 3, 8, 15, 0, tzinfo=SGT),
        "hours": 2,
        "attended": 11,
        # The demo participant was there, and has not given feedback yet: the feedback
        # journey in README.md starts from this session.
        "also": ["participant@example.com"],
    },
]


def _attendees() -> list[User]:
    return [
        ensure_demo_user(
            email=email, display_name=name, background=background, role=None, superuser=False
        )[0]
        for email, name, background in ATTENDEES
    ]


def _seed_past(spec: dict, people: list[User], organiser: User | None) -> bool:
    if EngagementSession.objects.filter(slug=spec["slug"]).exists():
        return False
    starts = spec["starts_at"]
    attended = [*people[: spec["attended"]], *User.objects.filter(email__in=spec.get("also", []))]
    people = [*attended, *people[spec["attended"] :]]
    # History, not a registration flow: the window and seats are written as they stood then.
    session = EngagementSession.objects.create(
        slug=spec["slug"],
        title=spec["title"],
        summary=spec["summary"],
        description="Facilitated by the Ministry of Communications and Information. "
        "Participants shared their experiences of online harms and their ideas for public "
        "education, partnerships and regulation.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=spec["hours"]),
        mode=SessionMode.HYBRID,
        venue="Ministry of Communications and Information, Singapore",
        facilitators=FACILITATOR,
        capacity=len(people),
        seats_taken=len(people),
        registration_opens_at=starts - timedelta(days=21),
        registration_closes_at=starts - timedelta(days=1),
        status=SessionStatus.PUBLISHED,
        created_by=organiser,
    )
    EngagementSession.objects.filter(pk=session.pk).update(created_at=starts - timedelta(days=28))
    session.harm_categories.set(HarmCategory.objects.filter(slug__in=ALL_HARMS))
    # Each person registered in the week before the session (inside the demo digest's
    # period), two hours apart; someone who first registered then had just joined.
    registered_at = [
        starts - timedelta(days=6) + timedelta(hours=2 * i) for i in range(len(people))
    ]
    registrations = Registration.objects.bulk_create(
        Registration(
            session=session,
            participant=person,
            status=RegistrationStatus.CONFIRMED,
            confirmed_at=registered_at[index],
            attended=person in attended,
            reminder_sent_at=starts - timedelta(days=1),
        )
        for index, person in enumerate(people)
    )
    for registration, when in zip(registrations, registered_at, strict=True):
        Registration.objects.filter(pk=registration.pk).update(created_at=when)
        User.objects.filter(pk=registration.participant_id, date_joined__gt=when).update(
            date_joined=when - timedelta(hours=1)
        )
    return True


def _upcoming_specs() -> list[dict]:
    return [
        {
            "slug": "demo-session-image-based-abuse",
            "title": "When images are shared without consent",
            "summary": "How should platforms, schools and the law respond when intimate images "
            "or personal details are published without consent?",
            "days": 10,
            "mode": SessionMode.IN_PERSON,
            "venue": "Central Public Library, 100 Victoria Street",
            "venue_details": "Programme Zone, basement 1. Step-free access from the lift lobby.",
            "online_link": "",
            "capacity": 12,
            "harms": ["non-consensual-publication", "image-based-sexual-abuse", "doxxing"],
            "registrants": 11,  # nearly full: one seat left
        },
        {
            "slug": "demo-session-safer-messaging",
            "title": "Safer one-to-one messaging for young people",
            "summary": "Parents, students and youth workers on harassment and grooming in "
            "private messages, and what would help.",
            "days": 17,
            "mode": SessionMode.ONLINE,
            "venue": "",
            "venue_details": "",
            "online_link": "https://meet.example.sg/afa-safer-messaging",
            "capacity": 40,
            "harms": ["unwelcome-interactions", "online-grooming", "sexual-harassment"],
            "registrants": 3,
        },
        {
            "slug": "demo-session-platform-responsibility",
            "title": "What platforms owe their users",
            "summary": "Tech companies, lawyers and community groups on sites that encourage "
            "harm, and the place of partnerships and regulation.",
            "days": 24,
            "mode": SessionMode.HYBRID,
            "venue": "Ministry of Communications and Information, 140 Hill Street",
            "venue_details": "Level 2 seminar room. Bring photo identification for the front desk.",
            "online_link": "https://meet.example.sg/afa-platforms",
            "capacity": 30,
            "harms": ["harmful-platforms", "sites-promoting-vice"],
            "registrants": 0,
        },
        # Issue 16: a session by invitation, listed with that label. The demo participant is
        # invited (and can register from the session page); one attendee registered already.
        {
            "slug": "demo-session-by-invitation-survivors-circle",
            "title": "A closed circle for survivors' advocates",
            "summary": "Advocates who support survivors of image-based abuse, on what would "
            "make reporting easier. By invitation.",
            "days": 20,
            "mode": SessionMode.ONLINE,
            "venue": "",
            "venue_details": "",
            "online_link": "https://meet.example.sg/afa-advocates-circle",
            "capacity": 15,
            "harms": ["image-based-sexual-abuse"],
            "registrants": 0,
            "access": SessionAccess.INVITATION,
            "invitees": [
                ("participant@example.com", "Demo participant", ""),
                ("attendee03@example.com", "Chloe", "Legal clinic"),
                ("advocate.one@example.org", "Advocate One", "Survivors' network"),
                ("advocate.two@example.org", "Advocate Two", "Women's shelter"),
            ],
            "registered_invitees": ["attendee03@example.com"],
        },
    ]


def _seed_upcoming(spec: dict, people: list[User], organiser: User | None, now) -> bool:
    if EngagementSession.objects.filter(slug=spec["slug"]).exists():
        return False
    starts = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0)
    starts += timedelta(days=spec["days"])
    session = services.session_create(
        created_by=organiser,
        details=services.SessionDetails(
            title=spec["title"],
            summary=spec["summary"],
            description="A facilitated conversation. You do not need to share anything "
            "personal; you may listen, and you may leave at any time.",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            mode=spec["mode"],
            venue=spec["venue"],
            venue_details=spec["venue_details"],
            online_link=spec["online_link"],
            facilitators="AfA facilitators",
            harm_categories=list(HarmCategory.objects.filter(slug__in=spec["harms"])),
            capacity=spec["capacity"],
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=starts - timedelta(hours=12),
            access=spec.get("access"),
        ),
    )
    # The slug is derived from the title; demo sessions keep a fixed one so re-runs find them.
    EngagementSession.objects.filter(pk=session.pk).update(slug=spec["slug"])
    session.refresh_from_db()
    services.session_publish(session=session, organiser=organiser)
    for person in people[: spec["registrants"]]:
        services.registration_create(session=session, participant=person, registered_by=person)
    if spec.get("invitees"):
        services.invitations_add(
            session=session,
            organiser=organiser,
            invitees=[
                services.Invitee(row=row, email=email, name=name, organisation=organisation)
                for row, (email, name, organisation) in enumerate(spec["invitees"], start=1)
            ],
            language="en",
        )
        for person in User.objects.filter(email__in=spec.get("registered_invitees", [])):
            services.registration_create(session=session, participant=person, registered_by=person)
    return True


def seed(stdout) -> None:
    organiser = User.objects.filter(email="organiser@example.com").first()
    people = _attendees()
    created = sum(_seed_past(spec, people, organiser) for spec in PAST)
    now = timezone.now()
    created += sum(_seed_upcoming(spec, people, organiser, now) for spec in _upcoming_specs())
    stdout.write(
        f"Engagement sessions: {created} created, {EngagementSession.objects.count()} in all"
    )
