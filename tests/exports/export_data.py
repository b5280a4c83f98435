"""A small, fully known data set for export and dashboard tests, and helpers to read exports.

Timestamps are set after creation (auto_now_add ignores what is passed in).
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl

from accounts.models import Background
from engagement.models import EngagementSession, Registration, RegistrationStatus, SessionStatus
from feedback.models import Feedback, FeedbackSuggestion
from harms.models import HarmCategory, SolutionArea
from initiatives.models import (
    CoCreator,
    Comment,
    CommentStatus,
    Idea,
    IdeaStatus,
    Initiative,
    InitiativeStatus,
    InitiativeUpdate,
)
from tests.factories import UserFactory

SGT = ZoneInfo("Asia/Singapore")

CHINESE = "网络骚扰必须停止"
MALAY = "Saya cadangkan pendidikan awam di sekolah"
TAMIL = "இணைய துன்புறுத்தல் நிறுத்தப்பட வேண்டும்"


def sgt(*args) -> datetime:
    return datetime(*args, tzinfo=SGT)


def make_session(*, title: str, slug: str, starts_at: datetime, categories=()) -> EngagementSession:
    session = EngagementSession.objects.create(
        title=title,
        slug=slug,
        summary="A conversation.",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        venue="National Library",
        capacity=60,
        registration_opens_at=starts_at - timedelta(days=30),
        registration_closes_at=starts_at - timedelta(hours=1),
        status=SessionStatus.PUBLISHED,
    )
    session.harm_categories.set(categories)
    return session


def make_registration(*, session, participant, status, attended=False, created_at, **extra):
    registration = Registration.objects.create(
        session=session,
        participant=participant,
        status=status,
        attended=attended,
        confirmed_at=created_at if status == RegistrationStatus.CONFIRMED else None,
        cancelled_at=created_at + timedelta(days=1)
        if status == RegistrationStatus.CANCELLED
        else None,
        **extra,
    )
    Registration.objects.filter(pk=registration.pk).update(created_at=created_at)
    return registration


def make_feedback(
    *,
    participant,
    session=None,
    created_at,
    categories,
    suggestions=None,
    experience="",
    anonymous=False,
    rating=None,
    kinds=(),
):
    feedback = Feedback.objects.create(
        participant=participant,
        session=session,
        experience=experience,
        rating=rating,
        share_anonymously=anonymous,
        personal_data_kinds=list(kinds),
        editable_until=created_at + timedelta(days=7),
    )
    feedback.harm_categories.set(categories)
    for area, text in (suggestions or {}).items():
        FeedbackSuggestion.objects.create(feedback=feedback, solution_area=area, text=text)
    Feedback.objects.filter(pk=feedback.pk).update(created_at=created_at)
    return feedback


def make_idea(*, author, title, body, category, area, status, submitted_at, **extra):
    idea = Idea.objects.create(
        author=author,
        title=title,
        body=body,
        harm_category=category,
        solution_area=area,
        status=status,
        submitted_at=submitted_at,
        **extra,
    )
    return idea


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

    session = make_session(
        title="Engagement session 1 — 对话",
        slug="engagement-session-1",
        starts_at=sgt(2021, 2, 22, 10, 0),
        categories=[publication, unwelcome],
    )
    later_session = make_session(
        title="Engagement session 2",
        slug="engagement-session-2",
        starts_at=sgt(2021, 3, 8, 14, 0),
        categories=[publication],
    )
    reg_alice = make_registration(
        session=session,
        participant=alice,
        status=RegistrationStatus.CONFIRMED,
        attended=True,
        created_at=sgt(2021, 2, 1, 9, 30),
        access_needs="Wheelchair access",
    )
    reg_bala = make_registration(
        session=session,
        participant=bala,
        status=RegistrationStatus.CONFIRMED,
        attended=False,
        created_at=sgt(2021, 2, 2, 9, 30),
    )
    reg_citra = make_registration(
        session=session,
        participant=citra,
        status=RegistrationStatus.CANCELLED,
        created_at=sgt(2021, 2, 3, 9, 30),
    )
    reg_later = make_registration(
        session=later_session,
        participant=alice,
        status=RegistrationStatus.CONFIRMED,
        attended=True,
        created_at=sgt(2021, 2, 20, 9, 30),
    )

    fb_alice = make_feedback(
        participant=alice,
        session=session,
        created_at=sgt(2021, 2, 22, 13, 0),
        categories=[publication, harassment],
        suggestions={education: "+ teach consent early 教育", regulation: "@platforms must act"},
        experience='=HYPERLINK("http://evil.example","click")',
        rating=5,
    )
    fb_bala = make_feedback(
        participant=bala,
        created_at=sgt(2021, 2, 25, 8, 0),
        categories=[grooming],
        suggestions={partnerships: TAMIL},
        experience="My neighbour's number is 9123 4567",
        anonymous=True,
        kinds=["phone"],
    )
    fb_citra = make_feedback(
        participant=citra,
        created_at=sgt(2021, 3, 9, 20, 0),
        categories=[publication],
        suggestions={education: MALAY},
        experience="-1 for the current reporting tools\tand\rmore",
        rating=None,
    )

    idea_alice = make_idea(
        author=alice,
        title="Consent lessons " + CHINESE,
        body="=1+2 schools should teach",
        category=harassment,
        area=education,
        status=IdeaStatus.APPROVED,
        submitted_at=sgt(2021, 2, 23, 10, 0),
        support_count=2,
        moderator_note="Clear and kind.",
        decided_at=sgt(2021, 2, 24, 10, 0),
    )
    idea_bala = make_idea(
        author=bala,
        title="Helpline for 9123 4567",
        body="Call my friend",
        category=grooming,
        area=partnerships,
        status=IdeaStatus.SUBMITTED,
        submitted_at=sgt(2021, 2, 26, 10, 0),
        is_anonymous=True,
        personal_data_kinds="phone,name",
    )
    initiative = Initiative.objects.create(
        slug="safer-schools",
        title="Safer schools",
        summary="Consent education in schools",
        description="We will write lessons.",
        solution_area=education,
        status=InitiativeStatus.IN_PROGRESS,
    )
    initiative.harm_categories.set([harassment, publication])
    Initiative.objects.filter(pk=initiative.pk).update(created_at=sgt(2021, 3, 1, 12, 0))
    idea_merged = make_idea(
        author=citra,
        title="Workshops",
        body="Run workshops",
        category=harassment,
        area=education,
        status=IdeaStatus.MERGED,
        submitted_at=sgt(2021, 2, 27, 10, 0),
        merged_into=initiative,
        session=session,
    )
    make_idea(
        author=citra,
        title="Draft only",
        body="Not yet",
        category=harassment,
        area=education,
        status=IdeaStatus.DRAFT,
        submitted_at=None,
    )
    for status in (CommentStatus.PUBLISHED, CommentStatus.PUBLISHED, CommentStatus.HIDDEN):
        Comment.objects.create(idea=idea_alice, author=bala, body="Yes", status=status)
    CoCreator.objects.create(initiative=initiative, user=alice, role="volunteer")
    CoCreator.objects.create(initiative=initiative, user=bala, role="expert")
    InitiativeUpdate.objects.create(initiative=initiative, title="Started", body="First steps")

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


def read_csv(content: bytes) -> list[dict]:
    """Parse an export: it must start with a UTF-8 byte order mark."""
    assert content.startswith(b"\xef\xbb\xbf"), "CSV exports start with a UTF-8 BOM"
    text = content[3:].decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def read_csv_header(content: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


def read_xlsx(content: bytes) -> dict[str, list[list]]:
    """Every sheet's rows (header first), values as openpyxl reads them."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheets = {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }
    workbook.close()
    return sheets


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def build_more_rows(known: KnownData, count: int = 20) -> None:
    """More people, registrations, feedback, ideas and initiatives, all of one shape."""
    for number in range(count):
        person = UserFactory()
        make_registration(
            session=known.later_session,
            participant=person,
            status=RegistrationStatus.CONFIRMED,
            created_at=sgt(2021, 3, 1, 9, number),
        )
        make_feedback(
            participant=person,
            created_at=sgt(2021, 3, 2, 9, number),
            categories=[known.publication, known.grooming],
            suggestions={known.education: "More", known.regulation: "Rules"},
        )
        make_idea(
            author=person,
            title=f"Idea {number}",
            body="Body",
            category=known.grooming,
            area=known.regulation,
            status=IdeaStatus.APPROVED,
            submitted_at=sgt(2021, 3, 3, 9, number),
        )
        initiative = Initiative.objects.create(
            slug=f"initiative-{number}",
            title="More",
            summary="More",
            description="More",
            solution_area=known.regulation,
        )
        initiative.harm_categories.set([known.grooming])
        CoCreator.objects.create(initiative=initiative, user=person, role="volunteer")
