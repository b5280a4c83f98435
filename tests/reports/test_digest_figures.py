"""A digest's figures on a known data set, checked number by number against values worked out
by hand (in the comments)."""

from datetime import date
from unittest import mock

import pytest

from accounts.models import Background
from engagement.models import RegistrationStatus, SessionStatus
from feedback.models import QuoteStatus
from initiatives.models import (
    IdeaStatus,
    ModerationAction,
    ModerationLog,
    TargetKind,
)
from reports import selectors, services
from reports.models import DigestKind, DigestStatus, LaunchSettings
from tests.factories import (
    CoCreatorFactory,
    DigestFactory,
    EngagementSessionFactory,
    FeedbackFactory,
    IdeaFactory,
    InitiativeFactory,
    InitiativeUpdateFactory,
    RegistrationFactory,
    SupportFactory,
    UserFactory,
    area,
    category,
    sgt,
)

pytestmark = pytest.mark.django_db

START = sgt(2026, 11, 2, 8)  # a Monday, 08:00 Singapore time
END = sgt(2026, 11, 9, 8)
BEFORE = sgt(2026, 10, 30, 12)  # in the previous period
IN = sgt(2026, 11, 4, 12)
AFTER = sgt(2026, 11, 10, 12)


def at(moment):
    """auto_now_add fields take `moment` (ModerationLog rows cannot be updated afterwards)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def known_data(settings):
    settings.AFA_LAUNCH_DATE = "2027-03-08"
    people = {
        "p1": UserFactory(background=Background.PARENT, date_joined=sgt(2026, 11, 2, 9)),
        "p2": UserFactory(background=Background.PARENT, date_joined=IN),
        "p3": UserFactory(background=Background.ACADEMIC, date_joined=sgt(2026, 11, 9, 7, 59)),
        "p4": UserFactory(background=Background.LEGAL, date_joined=BEFORE),
        "p5": UserFactory(background=Background.LEGAL, date_joined=END),  # end is exclusive
        "p6": UserFactory(background=Background.PARENT, date_joined=sgt(2026, 1, 1)),
    }
    p = people
    # Sessions: S0 held before, S1 held in the period, S2 cancelled in it, S3 upcoming,
    # S4 a draft after it.
    EngagementSessionFactory(starts_at=sgt(2026, 10, 28, 15))
    s1 = EngagementSessionFactory(starts_at=sgt(2026, 11, 4, 15), title="Session one")
    EngagementSessionFactory(starts_at=sgt(2026, 11, 5, 15), status=SessionStatus.CANCELLED)
    s3 = EngagementSessionFactory(starts_at=sgt(2026, 11, 20, 15))
    EngagementSessionFactory(starts_at=sgt(2026, 11, 21, 15), status=SessionStatus.DRAFT)
    reg = RegistrationFactory
    reg(session=s1, participant=p["p1"], attended=True, created_at=sgt(2026, 10, 20))
    reg(session=s1, participant=p["p2"], attended=True, created_at=sgt(2026, 11, 2, 9))
    reg(session=s1, participant=p["p3"], attended=True, created_at=IN)
    reg(session=s1, participant=p["p4"], attended=False, created_at=IN)
    reg(
        session=s1,
        participant=p["p5"],
        status=RegistrationStatus.WAITLISTED,
        waitlist_position=1,
        created_at=IN,
    )
    reg(
        session=s1,
        participant=p["p6"],
        status=RegistrationStatus.CANCELLED,
        created_at=sgt(2026, 10, 21),
    )
    reg(session=s3, participant=p["p1"], created_at=IN)
    reg(session=s3, participant=p["p2"], created_at=END)
    # Feedback. F1..F4 in the period, F5 in the one before, F6 after.
    f1 = FeedbackFactory(
        participant=p["p1"],
        session=s1,
        rating=4,
        created_at=IN,
        harm_categories=["doxxing"],
        suggestions=["public-education", "regulation"],
        quote_status=QuoteStatus.PENDING,
    )
    f2 = FeedbackFactory(
        participant=p["p2"],
        session=s1,
        rating=5,
        created_at=IN,
        harm_categories=["unwelcome-interactions", "non-consensual-publication"],
        suggestions=["partnerships"],
        quote_excerpt="It changed how I see it.",
        quote_reviewed_at=sgt(2026, 11, 6, 10),
    )
    FeedbackFactory(
        participant=p["p3"], created_at=sgt(2026, 11, 3, 9), harm_categories=["harmful-platforms"]
    )
    FeedbackFactory(
        participant=p["p1"],
        created_at=sgt(2026, 11, 8, 20),
        harm_categories=["image-based-sexual-abuse", "doxxing"],
        suggestions=["regulation"],
        quote_excerpt="Approved too late for this digest.",
        quote_reviewed_at=AFTER,
    )
    FeedbackFactory(
        participant=p["p2"],
        created_at=BEFORE,
        harm_categories=["unwelcome-interactions"],
        suggestions=["public-education"],
    )
    FeedbackFactory(
        participant=p["p3"],
        created_at=sgt(2026, 11, 9, 9),
        harm_categories=["harmful-platforms"],
        suggestions=["partnerships"],
    )

    # Ideas: I1 submitted and approved in the period (3 supporters before its end, 1 after),
    # I2 approved before it (1 supporter), I3 waiting, I4 rejected.
    def idea(title, status, submitted_at):
        return IdeaFactory(
            author=p["p1"],
            title=title,
            body="Body",
            status=status,
            submitted_at=submitted_at,
            decided_at=None,
            harm_category=category("doxxing"),
            solution_area=area("regulation"),
        )

    i1 = idea("Idea one", IdeaStatus.APPROVED, IN)
    i2 = idea("Idea two", IdeaStatus.APPROVED, BEFORE)
    idea("Idea three", IdeaStatus.SUBMITTED, IN)
    idea("Idea four", IdeaStatus.REJECTED, IN)
    idea("Idea five", IdeaStatus.SUBMITTED, AFTER)
    for moment, target in [(IN, i1), (BEFORE, i2)]:
        with at(moment):
            ModerationLog.objects.create(
                action=ModerationAction.TRANSITION,
                target_kind=TargetKind.IDEA,
                target_id=target.pk,
                idea=target,
                from_status="submitted",
                to_status="approved",
            )
    for moment, user, target in [
        (IN, p["p2"], i1),
        (IN, p["p3"], i1),
        (BEFORE, p["p4"], i1),
        (AFTER, p["p5"], i1),
        (IN, p["p2"], i2),
    ]:
        with at(moment):
            SupportFactory(user=user, idea=target)
    # Initiatives: N0 before, with two updates in the period; N1 new in it.
    with at(BEFORE):
        n0 = InitiativeFactory(
            slug="n0", title="N0", summary="S", description="D", solution_area=area("partnerships")
        )
        CoCreatorFactory(initiative=n0, user=p["p1"], role="volunteer")
        CoCreatorFactory(initiative=n0, user=p["p2"], role="volunteer")
    with at(IN):
        n1 = InitiativeFactory(
            slug="n1", title="N1", summary="S", description="D", solution_area=area("regulation")
        )
        InitiativeUpdateFactory(initiative=n0, title="U1", body="B")
        InitiativeUpdateFactory(initiative=n0, title="U2", body="B")
        CoCreatorFactory(initiative=n1, user=p["p3"], role="expert")
    with at(AFTER):
        CoCreatorFactory(initiative=n1, user=p["p4"], role="expert")
    return {"f1": f1, "f2": f2}


def test_digest_figures_match_hand_computed_values(known_data, settings):
    # Four confirmed, three new participants: counts of people a digest may not show, so it
    # stores them hidden (None) ...
    hidden = selectors.digest_figures(start=START, end=END)
    assert hidden["sessions"]["attendance_hidden"] is True
    assert hidden["sessions"]["confirmed_at_held"] is hidden["sessions"]["attended"] is None
    assert hidden["participants"]["new_total"] is None
    assert {item["count"] for item in hidden["participants"]["by_background"]} == {None, 0}
    # ... and with suppression off, every number is checked against the hand-worked values.
    settings.DISCLOSURE_THRESHOLD = 1
    figures = selectors.digest_figures(start=START, end=END)

    # Launch 8 Mar 2027; the period's end is 9 Nov 2026 in Singapore: 119 days apart.
    assert figures["launch"] == {"date": "2027-03-08", "days_to_launch": 119}
    # Held: S1 only (S0 ended before, S2 was cancelled). Upcoming: S3 (S4 is a draft).
    # Registrations created in the period: p2, p3, p4, p5 at S1, p1 at S3 (p2 at S3 is at
    # the exclusive end). At S1, confirmed: p1-p4, attended: p1-p3, so 3/4 = 75%.
    assert figures["sessions"] == {
        "held": 1,
        "upcoming": 1,
        "registrations": 5,
        "confirmed_at_held": 4,
        "attended": 3,
        "attendance_rate": 75.0,
        "attendance_hidden": False,
    }
    # Joined in the period: p1, p2 (parents), p3 (academic); p5 joined at the exclusive end.
    participants = figures["participants"]
    assert participants["new_total"] == 3
    counts = {item["code"]: item["count"] for item in participants["by_background"]}
    assert counts["parent"] == 2
    assert counts["academic"] == 1
    assert sum(counts.values()) == 3

    feedback = figures["feedback"]
    # F1-F4 in the period (two about S1, rated 4 and 5), F5 in the one before.
    assert feedback["total"] == 4
    assert feedback["previous_total"] == 1
    assert feedback["change"] == 3
    assert feedback["session_feedback"] == 2
    assert feedback["general_feedback"] == 2
    assert feedback["rated"] == 2
    assert feedback["average_rating"] == 4.5
    assert [a["slug"] for a in feedback["areas"]] == [
        "public-education",
        "partnerships",
        "regulation",
        "none",
    ]
    rows = {row["slug"]: row for row in feedback["matrix"]}
    assert list(rows) == [
        "non-consensual-publication",
        "unwelcome-interactions",
        "harmful-platforms",
    ]

    def cells(slug):
        return [(c["count"], c["previous"]) for c in rows[slug]["cells"]]

    # Non-consensual publication (doxxing and image-based abuse roll up to it): F1 (public
    # education, regulation), F2 (partnerships), F4 (regulation, counted once though it names
    # two sub-categories). Nothing the period before.
    assert cells("non-consensual-publication") == [(1, 0), (1, 0), (2, 0), (0, 0)]
    assert (
        rows["non-consensual-publication"]["count"],
        rows["non-consensual-publication"]["change"],
    ) == (3, 3)
    # Unwelcome interactions: F2 (partnerships); before, F5 (public education).
    assert cells("unwelcome-interactions") == [(0, 1), (1, 0), (0, 0), (0, 0)]
    assert rows["unwelcome-interactions"]["cells"][0]["change"] == -1
    assert (rows["unwelcome-interactions"]["count"], rows["unwelcome-interactions"]["change"]) == (
        1,
        0,
    )
    # Harmful platforms: F3, no suggestion (F6 is after the period).
    assert cells("harmful-platforms") == [(0, 0), (0, 0), (0, 0), (1, 0)]
    assert [(c["count"], c["previous"]) for c in feedback["column_totals"]] == [
        (1, 1),
        (1, 0),
        (2, 0),
        (1, 0),
    ]
    # Only F2's excerpt was approved in the period (F1 is pending, F4 approved after).
    assert figures["quotes"] == [
        {
            "feedback_id": known_data["f2"].pk,
            "excerpt": "It changed how I see it.",
            "session": "Session one",
        }
    ]
    # Submitted in the period: I1, I3, I4. Approved in it: I1. Supporters before the end:
    # I1 3 (p2, p3, p4; p5 came after), I2 1.
    assert figures["ideas"]["submitted"] == 3
    assert figures["ideas"]["approved"] == 1
    assert [(i["title"], i["supporters"]) for i in figures["ideas"]["top"]] == [
        ("Idea one", 3),
        ("Idea two", 1),
    ]
    # N1 new; N0 updated (twice, counted once); co-creators by the end: 3, 1 of them new.
    assert figures["initiatives"] == {
        "new": 1,
        "updated": 1,
        "cocreators_total": 3,
        "cocreators_new": 1,
    }


def test_figures_cost_the_same_queries_for_an_empty_and_a_full_period(known_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as empty:
        selectors.digest_figures(start=sgt(2020, 1, 6, 8), end=sgt(2020, 1, 13, 8))
    with CaptureQueriesContext(connection) as full:
        selectors.digest_figures(start=START, end=END)
    # 21: the session questions' figure (issue 17) and the launch date asking the process
    # phases for a launch phase first (issue 17).
    assert len(full) == len(empty) == 21


def test_launch_date_from_the_admin_overrides_the_setting(settings, db):
    settings.AFA_LAUNCH_DATE = "2027-03-08"
    assert selectors.launch_date() == date(2027, 3, 8)
    LaunchSettings.objects.create(launch_date=date(2027, 1, 1))
    assert selectors.launch_date() == date(2027, 1, 1)


def test_compiled_digest_stores_figures_and_renders_them(known_data):
    digest = DigestFactory(
        kind=DigestKind.WEEKLY, period_start=START, period_end=END, queued_at=START
    )
    assert services.digest_compile(digest_id=digest.pk) is True
    digest.refresh_from_db()
    assert digest.status == DigestStatus.READY
    assert digest.figures["feedback"]["total"] == 4
    assert "119 days to the official launch" in digest.html
    assert "It changed how I see it." in digest.html
    assert "Approved too late" not in digest.html
    # 3 of 4 confirmed came: the counts of people are hidden, and the rate with them.
    marker = '<span class="figure-hidden" data-hidden-count>hidden</span>'
    assert f'data-figure="attendance">{marker} of {marker} confirmed' in digest.html
    assert "75.0%" not in digest.html
    assert "<svg" in digest.html and "style=" not in digest.html
    assert list(digest.quoted.values_list("feedback_id", flat=True)) == [known_data["f2"].pk]
