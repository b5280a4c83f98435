"""The known export data set: a small, fully known cast and history that the export, dashboard
and browser tests read back. It composes the factories in tests/factories/; it builds no row of
its own."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts.models import Background
from engagement.models import EngagementSession, Registration, RegistrationStatus, SessionMode
from feedback.models import Feedback
from harms.models import HarmCategory, SolutionArea
from initiatives.models import (
    CoCreatorRole,
    CommentStatus,
    Idea,
    IdeaStatus,
    Initiative,
    InitiativeStatus,
)
from tests.factories import (
    CoCreatorFactory,
    CommentFactory,
    EngagementSessionFactory,
    FeedbackFactory,
    IdeaFactory,
    InitiativeFactory,
    InitiativeUpdateFactory,
    RegistrationFactory,
    UserFactory,
    sgt,
)

CHINESE = "网络骚扰必须停止"
MALAY = "Saya cadangkan pendidikan awam di sekolah"
TAMIL = "இணைய துன்புறுத்தல் நிறுத்தப்பட வேண்டும்"

# The data set's sessions: in person at one library, 60 seats, registration open for the
# month before.
EXPORT_SESSION = {
    "summary": "A conversation.",
    "description": "",
    "mode": SessionMode.IN_PERSON,
    "venue": "National Library",
    "venue_details": "",
    "online_link": "",
    "facilitators": "",
    "capacity": 60,
}


def session_times(starts_at: datetime) -> dict:
    return {
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "registration_opens_at": starts_at - timedelta(days=30),
        "registration_closes_at": starts_at - timedelta(hours=1),
    }


@dataclass
class KnownData:
    alice: object
    bala: object
    citra: object
    session: EngagementSession
    later_session: EngagementSession
    reg_alice: Registration
    reg_bala: Registration
    reg_citra: Registration
    reg_later: Registration
    fb_alice: Feedback
    fb_bala: Feedback
    fb_citra: Feedback
    idea_alice: Idea
    idea_bala: Idea
    idea_merged: Idea
    initiative: Initiative
    publication: HarmCategory
    harassment: HarmCategory
    grooming: HarmCategory
    education: SolutionArea
    partnerships: SolutionArea
    regulation: SolutionArea


def build_known_data() -> KnownData:
    publication = HarmCategory.objects.get(slug="non-consensual-publication")
    unwelcome = HarmCategory.objects.get(slug="unwelcome-interactions")
    harassment = HarmCategory.objects.get(slug="sexual-harassment")
    grooming = HarmCategory.objects.get(slug="online-grooming")
    education = SolutionArea.objects.get(slug="public-education")
    partnerships = SolutionArea.objects.get(slug="partnerships")
    regulation = SolutionArea.objects.get(slug="regulation")

    alice = UserFactory(
        email="alice.lim@example.com", display_name="林美玲", background=Background.PARENT
    )
    bala = UserFactory(
        email="bala.k@example.com", display_name="பாலா குமார்", background=Background.ACADEMIC
    )
    citra = UserFactory(
        email="citra@example.com", display_name="Citra Binte Ahmad", background=Background.LEGAL
    )

    session = EngagementSessionFactory(
        title="Engagement session 1 — 对话",
        slug="engagement-session-1",
        **EXPORT_SESSION,
        **session_times(sgt(2021, 2, 22, 10, 0)),
        harm_categories=[publication, unwelcome],
    )
    later_session = EngagementSessionFactory(
        title="Engagement session 2",
        slug="engagement-session-2",
        **EXPORT_SESSION,
        **session_times(sgt(2021, 3, 8, 14, 0)),
        harm_categories=[publication],
    )
    reg_alice = RegistrationFactory(
        session=session,
        participant=alice,
        status=RegistrationStatus.CONFIRMED,
        attended=True,
        created_at=sgt(2021, 2, 1, 9, 30),
        access_needs="Wheelchair access",
    )
    reg_bala = RegistrationFactory(
        session=session,
        participant=bala,
        status=RegistrationStatus.CONFIRMED,
        attended=False,
        created_at=sgt(2021, 2, 2, 9, 30),
    )
    reg_citra = RegistrationFactory(
        session=session,
        participant=citra,
        status=RegistrationStatus.CANCELLED,
        created_at=sgt(2021, 2, 3, 9, 30),
    )
    reg_later = RegistrationFactory(
        session=later_session,
        participant=alice,
        status=RegistrationStatus.CONFIRMED,
        attended=True,
        created_at=sgt(2021, 2, 20, 9, 30),
    )

    fb_alice = FeedbackFactory(
        participant=alice,
        session=session,
        created_at=sgt(2021, 2, 22, 13, 0),
        harm_categories=[publication, harassment],
        suggestions={education: "+ teach consent early 教育", regulation: "@platforms must act"},
        experience='=HYPERLINK("http://evil.example","click")',
        rating=5,
        share_anonymously=False,
    )
    fb_bala = FeedbackFactory(
        participant=bala,
        created_at=sgt(2021, 2, 25, 8, 0),
        harm_categories=[grooming],
        suggestions={partnerships: TAMIL},
        experience="My neighbour's number is 9123 4567",
        share_anonymously=True,
        personal_data_kinds=["phone"],
    )
    fb_citra = FeedbackFactory(
        participant=citra,
        created_at=sgt(2021, 3, 9, 20, 0),
        harm_categories=[publication],
        suggestions={education: MALAY},
        experience="-1 for the current reporting tools\tand\rmore",
        rating=None,
        share_anonymously=False,
    )

    idea_alice = IdeaFactory(
        author=alice,
        title="Consent lessons " + CHINESE,
        body="=1+2 schools should teach",
        harm_category=harassment,
        solution_area=education,
        status=IdeaStatus.APPROVED,
        submitted_at=sgt(2021, 2, 23, 10, 0),
        support_count=2,
        moderator_note="Clear and kind.",
        decided_at=sgt(2021, 2, 24, 10, 0),
    )
    idea_bala = IdeaFactory(
        author=bala,
        title="Helpline for 9123 4567",
        body="Call my friend",
        harm_category=grooming,
        solution_area=partnerships,
        status=IdeaStatus.SUBMITTED,
        submitted_at=sgt(2021, 2, 26, 10, 0),
        is_anonymous=True,
        personal_data_kinds=["phone", "name"],
    )
    initiative = InitiativeFactory(
        slug="safer-schools",
        title="Safer schools",
        summary="Consent education in schools",
        description="We will write lessons.",
        solution_area=education,
        status=InitiativeStatus.IN_PROGRESS,
        harm_categories=[harassment, publication],
        created_at=sgt(2021, 3, 1, 12, 0),
    )
    idea_merged = IdeaFactory(
        author=citra,
        title="Workshops",
        body="Run workshops",
        harm_category=harassment,
        solution_area=education,
        status=IdeaStatus.MERGED,
        submitted_at=sgt(2021, 2, 27, 10, 0),
        merged_into=initiative,
        session=session,
    )
    IdeaFactory(
        author=citra,
        title="Draft only",
        body="Not yet",
        harm_category=harassment,
        solution_area=education,
        status=IdeaStatus.DRAFT,
        submitted_at=None,
    )
    for status in (CommentStatus.PUBLISHED, CommentStatus.PUBLISHED, CommentStatus.HIDDEN):
        CommentFactory(idea=idea_alice, author=bala, body="Yes", status=status)
    CoCreatorFactory(initiative=initiative, user=alice, role=CoCreatorRole.VOLUNTEER)
    CoCreatorFactory(initiative=initiative, user=bala, role=CoCreatorRole.EXPERT)
    InitiativeUpdateFactory(initiative=initiative, title="Started", body="First steps")

    return KnownData(
        alice=alice,
        bala=bala,
        citra=citra,
        session=session,
        later_session=later_session,
        reg_alice=reg_alice,
        reg_bala=reg_bala,
        reg_citra=reg_citra,
        reg_later=reg_later,
        fb_alice=fb_alice,
        fb_bala=fb_bala,
        fb_citra=fb_citra,
        idea_alice=idea_alice,
        idea_bala=idea_bala,
        idea_merged=idea_merged,
        initiative=initiative,
        publication=publication,
        harassment=harassment,
        grooming=grooming,
        education=education,
        partnerships=partnerships,
        regulation=regulation,
    )


def build_more_rows(known: KnownData, count: int = 20) -> None:
    """More people, registrations, feedback, ideas and initiatives, all of one shape."""
    for number in range(count):
        person = UserFactory()
        RegistrationFactory(
            session=known.later_session,
            participant=person,
            status=RegistrationStatus.CONFIRMED,
            created_at=sgt(2021, 3, 1, 9, number),
        )
        FeedbackFactory(
            participant=person,
            created_at=sgt(2021, 3, 2, 9, number),
            harm_categories=[known.publication, known.grooming],
            suggestions={known.education: "More", known.regulation: "Rules"},
            experience="",
            share_anonymously=False,
        )
        IdeaFactory(
            author=person,
            title=f"Idea {number}",
            body="Body",
            harm_category=known.grooming,
            solution_area=known.regulation,
            status=IdeaStatus.APPROVED,
            submitted_at=sgt(2021, 3, 3, 9, number),
            decided_at=None,
        )
        initiative = InitiativeFactory(
            slug=f"initiative-{number}",
            title="More",
            summary="More",
            description="More",
            solution_area=known.regulation,
            harm_categories=[known.grooming],
        )
        CoCreatorFactory(initiative=initiative, user=person, role=CoCreatorRole.VOLUNTEER)
