"""Every form of the site answers a failed submit the GOV.UK way: "Error: " before the page
title and, at the top, "There is a problem" with one link per error to the control it is about
(templates/_error_summary.html). Personal details found in what someone wrote are named beside
the field that holds them; every content warning has "Need to talk to someone?" beside it."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse

from engagement.models import RegistrationStatus
from feedback.models import QuoteStatus
from harms.models import HarmCategory, SolutionArea
from initiatives.models import IdeaStatus
from tests.factories import (
    CommentFactory,
    EngagementSessionFactory,
    FeedbackFactory,
    IdeaFactory,
    InitiativeFactory,
    RegistrationFactory,
    ReportFactory,
)

TEMPLATES = Path(settings.BASE_DIR) / "templates"
SUMMARY_INCLUDE = re.compile(r"""{%\s*include\s+["']_error_summary\.html["']""")
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.DOTALL)
# What a person fills in: a form rendered by crispy or allauth, a bound field, or a control
# written by hand (anything but a hidden input and the buttons).
USER_FIELDS = re.compile(
    r"crispy|{%\s*element fields|{{\s*\w*form\.(?!as_hidden)\w+\s*}}|<textarea|<select"
    r"|<input(?![^>]*type=\"hidden\")"
)
# Forms that do not show the site's error summary, and why.
WITHOUT_SUMMARY = {
    # The Django admin's own page (its base, its styles, its way of showing errors).
    "admin/accounts/user/erase_confirmation.html",
}


# --- A small reading of the HTML --------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Node:
    tag: str
    attrs: dict
    parent: "Node | None" = None
    children: list = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def find_all(self, predicate) -> list["Node"]:
        return [node for node in self.walk() if predicate(node)]

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def closest(self, tags: set[str]) -> "Node | None":
        node = self.parent
        while node is not None and node.tag not in tags:
            node = node.parent
        return node


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    return builder.root


def page_title(tree: Node) -> str:
    (title,) = tree.find_all(lambda n: n.tag == "title")
    return " ".join(title.text().split())


def summaries(tree: Node) -> list[Node]:
    return tree.find_all(lambda n: "data-error-summary" in n.attrs)


# --- The forms, each failed on purpose ----------------------------------------------------


@pytest.fixture
def world(db, participant, organiser):
    session = EngagementSessionFactory()
    waiting = RegistrationFactory(session=session, status=RegistrationStatus.WAITLISTED)
    approved = IdeaFactory(status=IdeaStatus.APPROVED)
    comment = CommentFactory(idea=approved)
    return {
        "session": session,
        "waiting": waiting,
        "approved": approved,
        "draft": IdeaFactory(author=participant, status=IdeaStatus.DRAFT),
        "comment": comment,
        "submitted": IdeaFactory(status=IdeaStatus.SUBMITTED),
        "report": ReportFactory(idea=None, comment=comment),
        "feedback": FeedbackFactory(participant=participant, harm_categories=["doxxing"]),
        "quote": FeedbackFactory(quote_status=QuoteStatus.PENDING, quote_consent=True),
        "initiative": InitiativeFactory(leads=[organiser]),
    }


@dataclass(frozen=True)
class FormCase:
    """A form: who posts it, where, what (wrong) they send, and the form's context name."""

    url: object  # world -> str
    role: str
    data: dict
    form: str = "form"


FORMS = {
    "sign up": FormCase(lambda w: reverse("account_signup"), "anonymous", {}),
    "sign in": FormCase(lambda w: reverse("account_login"), "anonymous", {}),
    "password reset": FormCase(
        lambda w: reverse("account_reset_password"), "anonymous", {"email": "not an email"}
    ),
    "password change": FormCase(lambda w: reverse("account_change_password"), "participant", {}),
    "email address": FormCase(
        lambda w: reverse("account_email"), "participant", {"action_add": "", "email": "x"}
    ),
    "profile": FormCase(lambda w: reverse("accounts:profile"), "participant", {"display_name": ""}),
    "session registration": FormCase(
        lambda w: reverse("engagement:session_register", args=[w["session"].slug]),
        "participant",
        {"access_needs": "x" * 1001},
    ),
    "new session": FormCase(
        lambda w: reverse("engagement:console_session_create"), "organiser", {}
    ),
    "session edit": FormCase(
        lambda w: reverse("engagement:console_session_edit", args=[w["session"].pk]),
        "organiser",
        {},
    ),
    "session cancel": FormCase(
        lambda w: reverse("engagement:console_session_cancel", args=[w["session"].pk]),
        "organiser",
        {},
    ),
    "move from the waiting list": FormCase(
        lambda w: reverse("engagement:console_registration_move", args=[w["waiting"].pk]),
        "organiser",
        {},
    ),
    # Issue 16, item 1.
    "message a session": FormCase(
        lambda w: reverse("engagement:console_session_message", args=[w["session"].pk]),
        "organiser",
        {"step": "preview", "subject": "   ", "body": "   "},
    ),
    "new idea": FormCase(lambda w: reverse("initiatives:idea_create"), "participant", {}),
    "idea edit": FormCase(
        lambda w: reverse("initiatives:idea_edit", args=[w["draft"].pk]),
        "participant",
        {"title": "", "has_content_warning": "on"},
    ),
    "comment": FormCase(
        lambda w: reverse("initiatives:idea_comment", args=[w["approved"].pk]),
        "participant",
        {"body": " "},
        "comment_form",
    ),
    "report an idea": FormCase(
        lambda w: reverse("initiatives:idea_report", args=[w["approved"].pk]), "participant", {}
    ),
    "report a comment": FormCase(
        lambda w: reverse("initiatives:comment_report", args=[w["comment"].pk]),
        "participant",
        {},
    ),
    "moderation decision": FormCase(
        lambda w: reverse("initiatives:moderation_idea", args=[w["approved"].pk]),
        "organiser",
        {},
        "decision_form",
    ),
    "content warning": FormCase(
        lambda w: reverse("initiatives:moderation_idea_warning", args=[w["approved"].pk]),
        "organiser",
        {"has_content_warning": "on"},
        "warning_form",
    ),
    "redact an idea": FormCase(
        lambda w: reverse("initiatives:moderation_idea_redact", args=[w["approved"].pk]),
        "organiser",
        {},
        "redact_form",
    ),
    "redact a comment": FormCase(
        lambda w: reverse("initiatives:moderation_comment_redact", args=[w["comment"].pk]),
        "organiser",
        {},
    ),
    "resolve reports in the queue": FormCase(
        lambda w: reverse("initiatives:moderation_resolve", args=["comment", w["comment"].pk]),
        "organiser",
        {"note": "x" * 1001},
        "resolve_form",
    ),
    "bulk decision in the queue": FormCase(
        lambda w: reverse("initiatives:moderation_bulk"),
        "organiser",
        {"decision": "approve", "reason": "x" * 2001},
        "bulk_form",
    ),
    "new initiative": FormCase(lambda w: reverse("initiatives:initiative_create"), "organiser", {}),
    "join an initiative": FormCase(
        lambda w: reverse("initiatives:initiative_join", args=[w["initiative"].slug]),
        "participant",
        {},
        "join_form",
    ),
    "initiative update": FormCase(
        lambda w: reverse("initiatives:initiative_post_update", args=[w["initiative"].slug]),
        "organiser",
        {},
        "update_form",
    ),
    "initiative status": FormCase(
        lambda w: reverse("initiatives:initiative_status", args=[w["initiative"].slug]),
        "organiser",
        {"status": "closed"},
        "status_form",
    ),
    "general feedback": FormCase(lambda w: reverse("feedback:new"), "participant", {}),
    "feedback edit": FormCase(
        lambda w: reverse("feedback:edit", args=[w["feedback"].pk]), "participant", {}
    ),
    "approve a quote": FormCase(
        lambda w: reverse("feedback:quote_review", args=[w["quote"].pk]),
        "organiser",
        {"decision": "approve"},
        "approve_form",
    ),
    "decline a quote": FormCase(
        lambda w: reverse("feedback:quote_review", args=[w["quote"].pk]),
        "organiser",
        {"decision": "reject"},
        "reject_form",
    ),
    "digest request": FormCase(lambda w: reverse("reports:digest_request"), "staff", {}),
    "personal export": FormCase(
        lambda w: reverse("exports:export_personal"), "staff", {}, "personal_form"
    ),
}


@pytest.fixture
def sign_in_as(client, participant, organiser, staff):
    staff.user_permissions.add(Permission.objects.get(codename="export_personal_data"))
    people = {"participant": participant, "organiser": organiser, "staff": staff}

    def sign_in(role: str) -> None:
        if role != "anonymous":
            client.force_login(people[role])

    return sign_in


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(FORMS))
def test_failed_submit_shows_error_summary_linking_each_field(client, world, sign_in_as, name):
    case = FORMS[name]
    sign_in_as(case.role)
    url = case.url(world)
    # As a browser sends it: never an empty body (views bind `request.POST or None`).
    response = client.post(url, {"csrfmiddlewaretoken": "sent", **case.data})
    assert response.status_code in (200, 400), response.status_code
    form = response.context[case.form]
    assert form.errors, "the case must fail the form"
    tree = parse(response.content.decode())

    assert page_title(tree).startswith("Error: ")
    (summary,) = summaries(tree)
    assert summary.attrs["tabindex"] == "-1"
    # A named group (valid HTML for a div with aria-labelledby), not an alert: moving focus
    # to it is what announces it.
    assert summary.attrs["role"] == "group"
    (heading,) = summary.find_all(lambda n: n.tag == "h2")
    assert heading.text().strip() == "There is a problem"
    assert summary.attrs["aria-labelledby"] == heading.attrs["id"]

    # One line per error, in the page's words; each field's linked to its own control.
    controls = {
        node.attrs["id"]: node
        for node in tree.find_all(lambda n: n.tag in {"input", "select", "textarea"})
        if node.attrs.get("id")
    }
    links = summary.find_all(lambda n: n.tag == "a")
    items = summary.find_all(lambda n: n.tag == "li")
    assert len(items) == sum(len(errors) for errors in form.errors.values())
    errored = {
        form[name].html_name for name in form.errors if name != "__all__" and name in form.fields
    }
    linked = set()
    for link in links:
        target = controls.get(link.attrs["href"].removeprefix("#"))
        assert target is not None, f"{link.attrs['href']} names no control on the page"
        linked.add(target.attrs.get("name"))
    visible = {form[name].html_name for name in form.fields if not form[name].is_hidden}
    assert linked == errored & visible
    for error in form.non_field_errors():
        assert error in summary.text()

    # Nothing to say before the form is sent (where the form has a page of its own).
    page = client.get(url)
    if page.status_code == 200:
        assert not summaries(parse(page.content.decode()))
        assert not page_title(parse(page.content.decode())).startswith("Error")


def _with_summary(sources: dict[str, str]) -> set[str]:
    """The templates that include the summary, and the partials (`_name.html`) that only
    those templates include: a partial's form is covered by the page's summary."""
    covered = {name for name, source in sources.items() if SUMMARY_INCLUDE.search(source)}
    for name in sources:
        if not name.rpartition("/")[2].startswith("_"):
            continue
        include = re.compile(r"""{%\s*include\s+["']""" + re.escape(name) + "[\"']")
        includers = {other for other, source in sources.items() if include.search(source)}
        if includers and includers <= covered:
            covered.add(name)
    return covered


def test_every_form_that_posts_what_people_write_includes_the_error_summary():
    sources = {
        path.relative_to(TEMPLATES).as_posix(): path.read_text()
        for path in sorted(TEMPLATES.rglob("*.html"))
    }
    covered = _with_summary(sources)
    missing = []
    for name, source in sources.items():
        forms = [body for body in POST_FORM.findall(source) if USER_FIELDS.search(body)]
        if forms and name not in WITHOUT_SUMMARY and name not in covered:
            missing.append(name)
    # allauth's pages draw their forms through this one element.
    element = (TEMPLATES / "allauth/elements/form.html").read_text()
    assert SUMMARY_INCLUDE.search(element)
    assert not missing, f"include _error_summary.html in: {missing}"


def test_the_template_scan_would_catch_a_form_without_the_summary():
    written = '<form method="post">{% csrf_token %}{{ form|crispy }}</form>'
    buttons = '<form method="post">{% csrf_token %}<button type="submit">Go</button></form>'
    assert USER_FIELDS.search(POST_FORM.findall(written)[0])
    assert not USER_FIELDS.search(POST_FORM.findall(buttons)[0])


@pytest.mark.django_db
def test_summary_links_radio_buttons_and_checkbox_lists_to_their_first_option(client, participant):
    client.force_login(participant)
    response = client.post(reverse("feedback:new"), {"csrfmiddlewaretoken": "sent"})
    links = [
        a.attrs["href"]
        for a in summaries(parse(response.content.decode()))[0].walk()
        if a.tag == "a"
    ]
    assert "#id_harm_categories_0" in links
    client.logout()
    response = client.post(reverse("account_signup"), {"csrfmiddlewaretoken": "sent"})
    links = [
        a.attrs["href"]
        for a in summaries(parse(response.content.decode()))[0].walk()
        if a.tag == "a"
    ]
    assert "#id_age_group_0" in links


# --- The guardian's consent on sign-up -------------------------------------------------------


@pytest.mark.django_db
def test_guardian_consent_is_on_the_page_without_script_with_its_hint(client):
    tree = parse(client.get(reverse("account_signup")).content.decode())
    (box,) = tree.find_all(lambda n: n.attrs.get("id") == "id_guardian_consent")
    assert box.attrs["data-reveal-when"] == "age_group=minor"
    wrapper = box.closest({"div"})
    assert "hidden" not in wrapper.attrs
    assert (
        "Needed only if you are under 18." in client.get(reverse("account_signup")).content.decode()
    )


@pytest.mark.django_db
def test_under_18_without_guardian_consent_is_still_refused_by_the_server(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "young@example.com",
            "password1": "teh-tarik-kosong-77",
            "password2": "teh-tarik-kosong-77",
            "display_name": "Young",
            "background": "ihl_student",
            "age_group": "minor",
            "pdpa_consent": "on",
        },
    )
    (summary,) = summaries(parse(response.content.decode()))
    (link,) = summary.find_all(lambda n: n.tag == "a")
    assert link.attrs["href"] == "#id_guardian_consent"
    assert "parent or guardian must agree" in link.text()


# --- Personal details, named beside the field that holds them ----------------------------


def _field_blocks(html: str) -> dict[str, str]:
    """Each crispy field's markup, by field id (from its wrapper to the next one)."""
    parts = re.split(r'(?=<div id="div_id_)', html)
    return {
        re.match(r'<div id="div_(id_[\w-]+)"', part).group(1): part
        for part in parts
        if part.startswith('<div id="div_id_')
    }


@pytest.mark.django_db
def test_feedback_names_the_personal_detail_beside_the_answer_that_holds_it(client, participant):
    client.force_login(participant)
    data = {
        "harm_categories": [str(HarmCategory.objects.first().pk)],
        "experience": "I saw a lot of it in group chats.",
        "suggestion_regulation": "Fine them. Ask Mr Tan Ah Kow at 9123 4567 about it.",
        "share_anonymously": "on",
    }
    response = client.post(reverse("feedback:new"), data)
    html = response.content.decode()
    message = (
        "Your suggestion on regulation seems to include a name of another person "
        "(“Mr Tan Ah Kow”) and a phone number (“9123 4567”). Take them out, or tick the box "
        "below if they must stay."
    )
    blocks = _field_blocks(html)
    assert message in blocks["id_suggestion_regulation"]
    assert "seems to include" not in blocks["id_experience"]
    # Said once beside the field, and once in the summary that links to it: no second box.
    assert html.count("seems to include") == 2
    (summary,) = summaries(parse(html))
    (link,) = summary.find_all(lambda n: n.tag == "a")
    assert link.attrs["href"] == "#id_suggestion_regulation"
    assert 'id="id_confirm_personal_data"' in html
    assert "personal-data-warning" not in html


@pytest.mark.django_db
def test_idea_names_the_personal_detail_beside_the_title_or_the_text(client, participant):
    client.force_login(participant)
    data = {
        "title": "Write to me at mei@example.com",
        "body": "Workshops in every school.",
        "harm_category": HarmCategory.objects.first().pk,
        "solution_area": SolutionArea.objects.first().pk,
        "submission_token": "8b0e7a3e-8a47-4a4b-9f67-1f1d2c3b4a5d",
        "submit_idea": "1",
    }
    html = client.post(reverse("initiatives:idea_create"), data).content.decode()
    blocks = _field_blocks(html)
    assert "The title seems to include an email address (“mei@example.com”)" in blocks["id_title"]
    assert "seems to include" not in blocks["id_body"]
    assert html.count("seems to include") == 2
    assert "privacy-warning" not in html
    # The box to confirm comes straight after the text fields it is about.
    assert html.index('id="id_confirm_personal_data"') < html.index('id="id_harm_category"')


@pytest.mark.django_db
def test_content_warning_note_is_asked_after_its_box_and_revealed_by_it(client, participant):
    client.force_login(participant)
    html = client.get(reverse("initiatives:idea_create")).content.decode()
    (note,) = parse(html).find_all(lambda n: n.attrs.get("id") == "id_content_warning_note")
    assert note.attrs["data-reveal-when"] == "has_content_warning"
    assert html.index('id="id_has_content_warning"') < html.index('id="id_content_warning_note"')


# --- "Need to talk to someone?" beside every content warning ------------------------------

SUPPORT_TEXT = "Need to talk to someone?"


def _warnings_without_support(html: str) -> tuple[int, list[str]]:
    """How many content warnings the page shows, and those with no support link in the
    paragraph or box that holds them."""
    tree = parse(html)
    (main,) = tree.find_all(lambda n: n.tag == "main")
    warnings = [
        node
        for node in main.walk()
        if any(isinstance(c, str) and "content warning:" in c.lower() for c in node.children)
    ]
    lonely = []
    for node in warnings:
        box = node if node.tag in {"p", "div"} else node.closest({"p", "div"})
        links = box.find_all(lambda n: n.tag == "a" and "support-link" in n.classes())
        if not any(link.text().strip() == SUPPORT_TEXT for link in links):
            lonely.append(" ".join(node.text().split())[:60])
        for link in links:
            href = link.attrs["href"]
            assert href == reverse("support") or (
                href.startswith("#") and f'id="{href[1:]}"' in html
            )
    return len(warnings), lonely


@pytest.mark.django_db
def test_every_content_warning_has_support_beside_it(client, participant, organiser, staff):
    idea = IdeaFactory(
        status=IdeaStatus.APPROVED,
        has_content_warning=True,
        content_warning_note="Describes grooming",
    )
    session = EngagementSessionFactory(harm_categories=["online-grooming"])
    own = FeedbackFactory(participant=participant, harm_categories=["doxxing"])
    quote = FeedbackFactory(quote_status=QuoteStatus.PENDING, quote_consent=True)
    pages = {
        participant: [
            reverse("initiatives:idea_detail", args=[idea.pk]),
            reverse("initiatives:idea_board"),
            reverse("harms:category_detail", args=["online-grooming"]),
            session.get_absolute_url(),
            reverse("feedback:new"),
            reverse("feedback:detail", args=[own.pk]),
        ],
        organiser: [
            reverse("initiatives:moderation_idea", args=[idea.pk]),
            reverse("feedback:quote_review", args=[quote.pk]),
        ],
        staff: [reverse("feedback:all")],
    }
    for person, urls in pages.items():
        client.force_login(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            count, lonely = _warnings_without_support(response.content.decode())
            assert count, f"{url} shows no content warning"
            assert not lonely, f"{url}: {lonely}"


@pytest.mark.django_db
def test_feedback_form_support_link_stays_on_the_page(client, participant):
    client.force_login(participant)
    html = client.get(reverse("feedback:new")).content.decode()
    assert f'<a class="support-link" href="#support-heading">{SUPPORT_TEXT}</a>' in html
    assert 'id="support-heading"' in html


@pytest.mark.django_db
def test_a_moderator_keeps_what_was_typed_after_a_failed_content_warning(client, organiser):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    client.force_login(organiser)
    response = client.post(
        reverse("initiatives:moderation_idea_warning", args=[idea.pk]),
        {"has_content_warning": "on", "content_warning_note": "  "},
    )
    assert response.status_code == 400
    idea.refresh_from_db()
    assert not idea.has_content_warning
    (summary,) = summaries(parse(response.content.decode()))
    assert "Say briefly what the warning is about." in summary.text()
