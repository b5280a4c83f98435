"""The axe-core crawl (issue 12, "Tests that must exist"): in Chromium, for every role
(anonymous, participant, organiser with TOTP, MCI staff with TOTP), every page reachable from
the menu is checked at 390 and 1280 px against the WCAG 2.0, 2.1 and 2.2 A and AA rules, and
must have no violation of any impact.

"Reachable from the menu": the links in the header, navigation and footer of the home page
(the role's menus included), and, from each of those pages, one link per kind of page in its
main content (one session, one idea, one initiative, one digest, one harm category, a form...).
The data is made once; one browser, one context per role. The Django admin is walked by its
own test (branch w3-sig), not here.
"""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, resolve
from django.utils import timezone

from accounts.roles import Role
from engagement.models import RegistrationStatus
from feedback.models import QuestionKind
from initiatives.models import CommentStatus, IdeaStatus
from reports.models import DigestKind, DigestStatus
from tests.browser_support import sign_in
from tests.factories import (
    CommentFactory,
    DigestFactory,
    EngagementSessionFactory,
    ExportJobFactory,
    FeedbackFactory,
    IdeaFactory,
    InitiativeFactory,
    InitiativeUpdateFactory,
    PhaseFactory,
    RegistrationFactory,
    ReportFactory,
    SessionQuestionFactory,
    SupportFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORTS = {"390px": {"width": 390, "height": 844}, "1280px": {"width": 1280, "height": 800}}
# Not pages: files, the admin (its own test), signing out.
SKIPPED_PREFIXES = ("/admin/", "/accounts/logout/", "/static/", "/media/")
SKIPPED_SUFFIXES = (".csv", ".xlsx", ".ics", "/download", ".zip", ".json")
# Menu pages are depth 1; the detail pages they list, depth 2; the forms those offer, depth 3.
MAX_DEPTH = 3
# The detail pages the crawl must reach, one per list.
DETAIL_PAGES = {
    "engagement:session_detail",
    "initiatives:idea_detail",
    "initiatives:initiative_detail",
    "reports:digest_detail",
    "harms:category_detail",
}

MENU_LINKS = """() => [...document.querySelectorAll('header a[href], nav a[href], footer a[href]')]
  .map((a) => a.href)"""
# axe-core is loaded into every page by the context (an init script, so it is not sent over
# the wire twice a page); only the violations come back.
AXE_RUN = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
  resultTypes: ['violations']}).then((results) => results.violations)"""
MAIN_LINKS = "() => [...document.querySelectorAll('main a[href]')].map((a) => a.href)"


def _seed() -> dict:
    participant = UserFactory(display_name="Pat Participant")
    organiser = UserFactory(display_name="Oscar Organiser", roles=[Role.ORGANISER], mfa=True)
    staff = UserFactory(display_name="Sam Staff", roles=[Role.STAFF], mfa=True)
    others = [UserFactory(display_name=f"Person {n}") for n in range(3)]

    upcoming = EngagementSessionFactory(
        title="Safer one-to-one messaging", harm_categories=["non-consensual-publication"]
    )
    past_start = timezone.now() - timedelta(days=3)
    past = EngagementSessionFactory(
        title="Image-based abuse: what helps",
        starts_at=past_start,
        registration_opens_at=past_start - timedelta(days=20),
        registration_closes_at=past_start - timedelta(hours=1),
    )
    RegistrationFactory(session=upcoming, participant=participant)
    # Questions of the session's own (issue 17): its questions page shows them and a preview.
    SessionQuestionFactory(session=upcoming, kind=QuestionKind.SEVERAL_CHOICES, required=True)
    SessionQuestionFactory(session=upcoming, kind=QuestionKind.SCALE)
    RegistrationFactory(session=upcoming, participant=others[0], access_needs="Step-free access")
    RegistrationFactory(
        session=upcoming, participant=others[1], status=RegistrationStatus.WAITLISTED
    )
    RegistrationFactory(session=past, participant=participant, attended=True)
    FeedbackFactory(
        participant=participant,
        session=past,
        experience="Someone shared my photo in a group chat.",
        editable_until=timezone.now() + timedelta(days=7),
        harm_categories=["non-consensual-publication"],
    )
    FeedbackFactory(participant=others[2], experience="Strangers kept messaging me.")

    approved = IdeaFactory(
        author=participant,
        status=IdeaStatus.APPROVED,
        title="Helplines in every gaming chat",
    )
    SupportFactory(idea=approved, user=others[0])
    comment = CommentFactory(idea=approved, author=others[1])
    CommentFactory(idea=approved, author=others[2], status=CommentStatus.PENDING)
    ReportFactory(idea=None, comment=comment, reporter=participant)
    IdeaFactory(author=others[0], status=IdeaStatus.SUBMITTED, title="A buddy scheme")
    IdeaFactory(author=participant, status=IdeaStatus.DRAFT, title="Draft: school talks")

    initiative = InitiativeFactory(title="Safer schools")
    # The timeline: a phase behind us, the current one (ideas and co-creation open), the launch.
    today = timezone.localdate()
    PhaseFactory(start_date=today - timedelta(days=20), end_date=today - timedelta(days=1))
    PhaseFactory(
        title="Ideas",
        title_en="Ideas",
        start_date=today,
        end_date=today + timedelta(days=9),
        allows_ideas=True,
        allows_co_creation=True,
    )
    PhaseFactory(
        start_date=today + timedelta(days=10), end_date=today + timedelta(days=20), is_launch=True
    )
    InitiativeUpdateFactory(initiative=initiative)
    DigestFactory(
        kind=DigestKind.ON_DEMAND,
        requested_by=staff,
        status=DigestStatus.READY,
        finished_at=timezone.now(),
        html="<h2>Highlights</h2><p>Two sessions ran this week.</p>",
    )
    ExportJobFactory(requested_by=staff)
    return {
        "anonymous": None,
        "participant": participant,
        "organiser with TOTP": organiser,
        "MCI staff with TOTP": staff,
    }


def _page_path(url: str, origin: str) -> str | None:
    """The site path of a link worth visiting, or None."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    path = parts.path
    if path.startswith(SKIPPED_PREFIXES) or path.endswith(SKIPPED_SUFFIXES):
        return None
    return path


def _kind(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return path


def _axe_violations(page, where: str) -> list[str]:
    violations = page.evaluate(AXE_RUN, WCAG_TAGS)
    return [
        f"{where}: {v['id']} ({v['impact']}) {v['help']} at "
        f"{[node['target'] for node in v['nodes']][:5]}"
        for v in violations
    ]


def _check(page, origin: str, path: str, who: str, problems: list[str]) -> list[str]:
    """Visit the path and run axe at both widths; the links in its main content."""
    response = page.goto(origin + path)
    if response is None or response.status >= 500:
        problems.append(f"{who}: {path} answered {response and response.status}")
        return []
    if not response.headers.get("content-type", "").startswith("text/html"):
        return []
    for width, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        problems += _axe_violations(page, f"{who} {path} at {width}")
    return page.evaluate(MAIN_LINKS)


def _crawl(browser, origin: str, who: str, user, problems: list[str]) -> set[str]:
    """Every menu page, then breadth first, one page of each kind not met yet."""
    context = browser.new_context(viewport=VIEWPORTS["1280px"])
    context.add_init_script(script=Axe().axe_script)
    page = context.new_page()
    if user is not None:
        sign_in(page, origin, user)
    page.goto(origin + "/")
    queue = []
    for link in page.evaluate(MENU_LINKS):
        path = _page_path(link, origin)
        if path and (path, 1) not in queue:
            queue.append((path, 1))
    seen_paths = {path for path, _depth in queue}
    seen_kinds = {_kind(path) for path in seen_paths}
    while queue:
        path, depth = queue.pop(0)
        links = _check(page, origin, path, who, problems)
        if depth == MAX_DEPTH:
            continue
        for link in links:
            inner = _page_path(link, origin)
            if inner is None or inner in seen_paths or _kind(inner) in seen_kinds:
                continue
            seen_paths.add(inner)
            seen_kinds.add(_kind(inner))
            queue.append((inner, depth + 1))
    context.close()
    return seen_kinds


def test_every_page_from_every_menu_has_no_wcag_a_or_aa_violation(live_server, browser):
    people = _seed()
    problems: list[str] = []
    reached = {}
    for who, user in people.items():
        reached[who] = _crawl(browser, live_server.url, who, user, problems)
    assert not problems, "\n".join(problems)
    # The crawl reached the detail pages and each role's own areas.
    everything = set().union(*reached.values())
    assert everything >= DETAIL_PAGES, DETAIL_PAGES - everything
    assert "account_signup" in reached["anonymous"]
    assert {"initiatives:idea_create", "feedback:home"} <= reached["participant"]
    assert {
        "initiatives:moderation_queue",
        "engagement:console_roster",
        "feedback:session_questions",
    } <= reached["organiser with TOTP"]
    assert {"reports:dashboard", "reports:digest_detail"} <= reached["MCI staff with TOTP"]


def test_the_crawl_check_reports_a_violation_of_any_impact(live_server, browser):
    """The control: the same check, in the same set-up, reports what is put into a page (a
    field with no label, a language that does not exist), so the crawl above can fail."""
    context = browser.new_context(viewport=VIEWPORTS["1280px"])
    context.add_init_script(script=Axe().axe_script)
    page = context.new_page()
    problems: list[str] = []
    _check(page, live_server.url, "/accessibility/", "anonymous", problems)
    assert problems == []
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<input type="text"><p lang="zz-not-a-language-x">x</p>')"""
    )
    found = _axe_violations(page, "control")
    context.close()
    assert {line.split(": ")[1].split(" ")[0] for line in found} >= {"label", "valid-lang"}
