"""Demo ideas, comments, a report and two initiatives, in the voices of the people the
press release names: parents, students, legal professionals, tech companies, community
groups. Everything goes through the services, so the moderation log is real. Idempotent:
each idea has a fixed submission token, and nothing is moved twice."""

import uuid

from accounts.demo import ensure_demo_user
from accounts.models import Background, User
from accounts.roles import Role
from harms.models import HarmCategory, SolutionArea

from . import services
from .models import Comment, DraftVersion, Idea, IdeaStatus, Initiative, Report
from .services import IdeaFields

NAMESPACE = uuid.UUID("5b0f7a52-6c1e-4c77-9a53-2f2f5f0f3a10")

EXTRA_PARTICIPANTS = [
    ("nur.student@example.com", "Nur (NUS student)", Background.IHL_STUDENT),
    ("priya.lawyer@example.com", "Priya (family lawyer)", Background.LEGAL),
    ("jason.tech@example.com", "Jason (trust & safety, tech company)", Background.TECH_COMPANY),
    ("siew.community@example.com", "Siew Lan (community volunteer)", Background.COMMUNITY),
]

S = IdeaStatus
# (author, title, body, harm category, solution area, final status, anonymous, warning)
IDEAS = [
    (
        "participant@example.com",
        "A parents' guide to privacy settings, in four languages",
        "Most parents I know cannot find the privacy settings on the apps their children use.\n"
        "A one-page guide per app, in English, Chinese, Malay and Tamil, handed out at "
        "parent-teacher meetings, would help us protect our daughters.",
        "doxxing",
        "public-education",
        S.APPROVED,
        False,
        "",
    ),
    (
        "nur.student@example.com",
        "Consent workshops in every IHL orientation week",
        "Orientation is when friend groups form and group chats start. A short workshop on "
        "consent and on never forwarding intimate images, run by seniors, would set the norm "
        "early.\nStudent unions could run it with a ready-made kit.",
        "image-based-sexual-abuse",
        "public-education",
        S.MERGED,
        False,
        "",
    ),
    (
        "siew.community@example.com",
        "Secondary school lessons on what to do if your photo is shared",
        "Girls in our youth programme did not know they could get help to take images down. "
        "Lessons should say, step by step, who to tell and which services help.",
        "image-based-sexual-abuse",
        "public-education",
        S.MERGED,
        True,
        "",
    ),
    (
        "priya.lawyer@example.com",
        "Faster takedown orders for non-consensual intimate images",
        "Victims I represent wait weeks while images spread. A fast-track order, decided in days "
        "and binding on platforms operating here, would limit the harm.",
        "image-based-sexual-abuse",
        "regulation",
        S.MERGED,
        False,
        "Mentions the sharing of intimate images without consent",
    ),
    (
        "jason.tech@example.com",
        "One reporting channel shared by the major platforms",
        "Each platform has its own reporting flow. A shared channel, with a single case number, "
        "would spare victims from telling their story five times.",
        "non-consensual-publication",
        "partnerships",
        S.APPROVED,
        False,
        "",
    ),
    (
        "participant@example.com",
        "Helpline numbers shown in every gaming chat in Singapore",
        "My son's games have chat rooms where strangers talk to children. The helplines should "
        "be one tap away in those chats.",
        "online-grooming",
        "partnerships",
        S.APPROVED,
        True,
        "Refers to adults contacting children online",
    ),
    (
        "nur.student@example.com",
        "A campus buddy scheme for people being harassed online",
        "Trained student buddies who can sit with you while you report, save evidence and "
        "decide what to do next.",
        "sexual-harassment",
        "partnerships",
        S.SUBMITTED,
        False,
        "",
    ),
    (
        "siew.community@example.com",
        "Training for grassroots leaders on spotting online grooming",
        "Grassroots leaders meet many families. A short course would help them notice the signs "
        "and point parents to help.",
        "online-grooming",
        "public-education",
        S.SUBMITTED,
        False,
        "",
    ),
    (
        "jason.tech@example.com",
        "Age assurance for sites that promote vice",
        "Sites that encourage vice should have to check age properly. Platforms could share "
        "what works.",
        "sites-promoting-vice",
        "regulation",
        S.CHANGES_REQUESTED,
        False,
        "",
    ),
    (
        "priya.lawyer@example.com",
        "Free legal clinic evenings for victims of doxxing",
        "A monthly evening where lawyers volunteer to explain protection orders and the "
        "Protection from Harassment Act.",
        "doxxing",
        "partnerships",
        S.DRAFT,
        False,
        "",
    ),
    (
        "participant@example.com",
        "Ban all phones in schools",
        "Just ban them.",
        "harmful-platforms",
        "regulation",
        S.REJECTED,
        False,
        "",
    ),
    (
        "siew.community@example.com",
        "Name and shame the group chat admins",
        "Post the names of the admins of these chats so everyone knows.",
        "non-consensual-publication",
        "public-education",
        S.HIDDEN,
        False,
        "",
    ),
    (
        "jason.tech@example.com",
        "A hackathon on detecting deepfake images",
        "Withdrawn: we will bring this to the partnerships session instead.",
        "image-based-sexual-abuse",
        "partnerships",
        S.WITHDRAWN,
        False,
        "",
    ),
]

INITIATIVES = [
    {
        "title": "Safer Campuses and Schools",
        "summary": "Consent and image-sharing lessons for secondary schools and IHL orientation.",
        "description": "Built from three participants' ideas. A ready-made kit for teachers and "
        "student unions: what image-based abuse is, why never to forward, and exactly where "
        "to get help.\nPilot: two secondary schools and one polytechnic.",
        "area": "public-education",
        "categories": ["image-based-sexual-abuse"],
        "ideas": [
            "Consent workshops in every IHL orientation week",
            "Secondary school lessons on what to do if your photo is shared",
        ],
        "cocreators": [
            ("participant@example.com", "volunteer", "Two evenings a month to review materials"),
            ("siew.community@example.com", "partner", "Our youth programme will pilot it"),
        ],
        "update": ("Pilot schools found", "Two schools have agreed to pilot the kit next term."),
    },
    {
        "title": "Fast Help to Take Images Down",
        "summary": "Faster legal and platform routes to remove non-consensual intimate images.",
        "description": "Lawyers and platforms together: a fast-track order and a shared way "
        "for platforms to act on it.",
        "area": "regulation",
        "categories": ["image-based-sexual-abuse", "non-consensual-publication"],
        "ideas": ["Faster takedown orders for non-consensual intimate images"],
        "cocreators": [
            ("priya.lawyer@example.com", "expert", "Draft the model order with two colleagues"),
            ("jason.tech@example.com", "partner", "Bring our trust & safety team's process"),
        ],
        "update": None,
    },
]

# The working draft of the first initiative (issue 17): versions by its co-creators, the
# second published as its public text. (author, note, sections changed)
DRAFT_INITIATIVE = "Safer Campuses and Schools"
DRAFT_VERSIONS = [
    (
        "participant@example.com",
        "First outline",
        {
            "problem": "Intimate images are forwarded in school and campus group chats, and "
            "students do not know **who to tell** or which services help.",
            "proposal": "- A consent workshop in every IHL orientation week\n"
            "- Secondary school lessons on what to do if your photo is shared",
        },
    ),
    (
        "siew.community@example.com",
        "Added who does what and the first milestones",
        {
            "roles": "- **Student unions** run the orientation workshops with a ready-made kit\n"
            "- **Community volunteers** review the school materials\n"
            "- **Organisers** bring schools and IHLs together",
            "milestones": "1. Kit drafted with students\n"
            "2. Pilot in two secondary schools\n"
            "3. Every IHL orientation week",
        },
    ),
    (
        "participant@example.com",
        "Lessons in all four languages",
        {
            "proposal": "- A consent workshop in every IHL orientation week\n"
            "- Secondary school lessons, in English, Chinese, Malay and Tamil, on what to do "
            "if your photo is shared",
        },
    ),
]
DRAFT_PUBLISHED_NUMBER = 2
DRAFT_COMMENT = ("siew.community@example.com", "milestones", "Can the pilot start next term?")


def _seed_draft(organiser: User) -> None:
    """Once: the versions, the published one and a comment (skipped when a version exists)."""
    initiative = Initiative.objects.filter(title=DRAFT_INITIATIVE).first()
    if initiative is None or DraftVersion.objects.filter(initiative=initiative).exists():
        return
    for number, (email, note, sections) in enumerate(DRAFT_VERSIONS):
        services.draft_save(
            initiative=initiative, by=_user(email), base_number=number, note=note, **sections
        )
    published = DraftVersion.objects.get(initiative=initiative, number=DRAFT_PUBLISHED_NUMBER)
    services.draft_publish(initiative=initiative, version=published, by=organiser)
    email, section, body = DRAFT_COMMENT
    services.draft_comment_create(
        initiative=initiative,
        section=section,
        author=_user(email),
        body=body,
        version_number=len(DRAFT_VERSIONS),
    )


# Ideas written in Chinese, Malay and Tamil (issue 14): shown as written, never translated.
IDEAS += [
    (
        "siew.community@example.com",
        "为年长的家长开设华语讲座：如何帮助被网络骚扰的女儿",
        "社区里很多家长只看华文，不知道孩子在网上被骚扰时可以向谁求助。\n"
        "在居民委员会用华语讲解举报方法和援助服务，会很有帮助。",
        "sexual-harassment",
        "public-education",
        S.APPROVED,
        False,
        "",
    ),
    (
        "nur.student@example.com",
        "Panduan dalam bahasa Melayu untuk melaporkan gambar yang dikongsi tanpa izin",
        "Ramai remaja perempuan tidak tahu langkah untuk meminta platform memadam gambar "
        "mereka.\nPanduan ringkas dalam bahasa Melayu, di sekolah dan masjid, boleh membantu.",
        "image-based-sexual-abuse",
        "public-education",
        S.APPROVED,
        False,
        "",
    ),
    (
        "priya.lawyer@example.com",
        "இணையத் துன்புறுத்தலுக்கு ஆளான பெண்களுக்குத் தமிழில் சட்ட உதவி",
        "பாதிக்கப்பட்ட பலருக்குத் தங்கள் உரிமைகள் என்ன என்று தெரியவில்லை.\n"
        "சமூக நிலையங்களில் தமிழில் இலவச சட்ட ஆலோசனை வழங்கலாம்.",
        "sexual-harassment",
        "partnerships",
        S.APPROVED,
        False,
        "",
    ),
]

# The language each of those ideas is written in; every other idea is in English.
IDEA_LANGUAGES = {
    "为年长的家长开设华语讲座：如何帮助被网络骚扰的女儿": "zh-hans",
    "Panduan dalam bahasa Melayu untuk melaporkan gambar yang dikongsi tanpa izin": "ms",
    "இணையத் துன்புறுத்தலுக்கு ஆளான பெண்களுக்குத் தமிழில் சட்ட உதவி": "ta",
}

COMMENTS = [
    (
        "A parents' guide to privacy settings, in four languages",
        "nur.student@example.com",
        "Students could help translate. Happy to volunteer.",
    ),
    (
        "Panduan dalam bahasa Melayu untuk melaporkan gambar yang dikongsi tanpa izin",
        "siew.community@example.com",
        "Setuju. Pusat kami boleh mengedarkan panduan ini kepada ibu bapa juga.",
    ),
    (
        "为年长的家长开设华语讲座：如何帮助被网络骚扰的女儿",
        "nur.student@example.com",
        "很好的建议。讲座也可以介绍如何保留证据。",
    ),
    (
        "A parents' guide to privacy settings, in four languages",
        "siew.community@example.com",
        "Our centre would hand these out at every family event.",
    ),
    (
        "One reporting channel shared by the major platforms",
        "priya.lawyer@example.com",
        "A single case number would also help courts. Strongly support.",
    ),
]

COMMENT_LANGUAGES = {
    "Setuju. Pusat kami boleh mengedarkan panduan ini kepada ibu bapa juga.": "ms",
    "很好的建议。讲座也可以介绍如何保留证据。": "zh-hans",
}


# How many people support each published idea, so "most supported" has something to sort.
# Support comes before a merge (merged ideas keep theirs).
SUPPORT_COUNTS = {
    "Faster takedown orders for non-consensual intimate images": 11,
    "A parents' guide to privacy settings, in four languages": 9,
    "Consent workshops in every IHL orientation week": 7,
    "One reporting channel shared by the major platforms": 5,
    "Secondary school lessons on what to do if your photo is shared": 4,
    "Helpline numbers shown in every gaming chat in Singapore": 2,
}


def _supporters() -> list[User]:
    """The other demo participants and the 2021 attendees (the demo participant supports
    nothing yet, so supporting is theirs to try)."""
    emails = [email for email, _name, _background in EXTRA_PARTICIPANTS]
    people = {user.email: user for user in User.objects.filter(email__in=emails)}
    attendees = User.objects.filter(email__startswith="attendee").order_by("email")
    return [people[email] for email in emails if email in people] + list(attendees)


def _support(idea: Idea) -> None:
    wanted = SUPPORT_COUNTS.get(idea.title, 0)
    supporters = [person for person in _supporters() if person.pk != idea.author_id]
    for person in supporters[:wanted]:
        services.idea_support_set(idea=idea, user=person, supported=True)


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _advance(idea: Idea, target: str, organiser: User, author: User) -> None:
    """Move a freshly submitted idea along the path to `target`."""
    if target in (S.DRAFT, S.SUBMITTED):
        return
    if target == S.WITHDRAWN:
        services.idea_withdraw(idea=idea, author=author)
    elif target == S.CHANGES_REQUESTED:
        services.idea_request_changes(
            idea=idea,
            moderator=organiser,
            note="Please say which sites you mean by type, not by name, and who would check ages.",
        )
    elif target == S.REJECTED:
        services.idea_reject(
            idea=idea,
            moderator=organiser,
            reason="It is not clear how this addresses harms to women and girls online. "
            "Please feel free to submit a more specific idea.",
        )
    else:  # approved, hidden, merged all start with approval
        services.idea_approve(idea=idea, moderator=organiser, note="")
        _support(idea)
        if target == S.HIDDEN:
            services.report_create(
                reporter=_user("priya.lawyer@example.com"),
                idea=idea,
                reason="personal_details",
                note="Asks people to publish names.",
            )


def seed(stdout) -> None:
    for email, name, background in EXTRA_PARTICIPANTS:
        ensure_demo_user(
            email=email, display_name=name, background=background, role=None, superuser=False
        )
    organiser = _user("organiser@example.com")
    if not organiser.groups.filter(name=Role.ORGANISER).exists():
        stdout.write("Initiatives demo: the organiser account is missing its role; skipped.")
        return
    categories = {c.slug: c for c in HarmCategory.objects.all()}
    areas = {a.slug: a for a in SolutionArea.objects.all()}
    created_count = 0
    for email, title, body, category, area, target, anonymous, warning in IDEAS:
        author = _user(email)
        idea, created = services.idea_create(
            author=author,
            fields=IdeaFields(
                title=title,
                body=body,
                harm_category=categories[category],
                solution_area=areas[area],
                session=None,
                is_anonymous=anonymous,
                has_content_warning=bool(warning),
                content_warning_note=warning,
                language=IDEA_LANGUAGES.get(title, "en"),
            ),
            submit=target != S.DRAFT,
            submission_token=uuid.uuid5(NAMESPACE, title),
        )
        if created:
            created_count += 1
            _advance(idea, target, organiser, author)

    for title, email, body in COMMENTS:
        idea = Idea.objects.get(title=title)
        author = _user(email)
        if not Comment.objects.filter(idea=idea, author=author).exists():
            comment = services.comment_create(
                idea=idea,
                author=author,
                body=body,
                is_anonymous=False,
                language=COMMENT_LANGUAGES.get(body, "en"),
            )
            # A newcomer's first comment waits (FIRST_CONTRIBUTIONS_PREMODERATED): the demo's
            # organiser approves it, as one would.
            if comment.is_pending:
                services.comment_approve(comment=comment, moderator=organiser)

    spam_target = Idea.objects.get(title="One reporting channel shared by the major platforms")
    reporter = _user("participant@example.com")
    if not Report.objects.filter(idea=spam_target, reporter=reporter).exists():
        services.report_create(
            reporter=reporter,
            idea=spam_target,
            reason="other",
            note="Not harmful, but it repeats an idea from the first session.",
        )

    for spec in INITIATIVES:
        if Initiative.objects.filter(title=spec["title"]).exists():
            continue
        initiative = services.initiative_create(
            creator=organiser,
            title=spec["title"],
            summary=spec["summary"],
            description=spec["description"],
            solution_area=areas[spec["area"]],
            harm_categories=[categories[slug] for slug in spec["categories"]],
            leads=[organiser],
            ideas=Idea.objects.filter(title__in=spec["ideas"], status=S.APPROVED),
        )
        for email, role, pledge in spec["cocreators"]:
            services.cocreator_join(
                initiative=initiative, user=_user(email), role=role, pledge=pledge
            )
        # The demo participant follows each initiative, so its update waits for their digest.
        services.follow_start(initiative=initiative, by=_user("participant@example.com"))
        if spec["update"]:
            title, body = spec["update"]
            services.initiative_update_post(
                initiative=initiative, author=organiser, title=title, body=body
            )
    _seed_draft(organiser)
    stdout.write(
        f"Ideas: {Idea.objects.count()} ({created_count} new), "
        f"initiatives: {Initiative.objects.count()}"
    )
