"""Markup that phones, screen readers and keyboards depend on: wide tables scroll in their
own focusable box, no page repeats an id, a failed join keeps what was typed and says which
field is wrong, and the copy does not point at a side of the screen."""

import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from initiatives.models import CoCreator, IdeaStatus, ModerationLog
from tests.factories import CoCreatorFactory, CommentFactory, IdeaFactory, InitiativeFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "initiatives"
ID = re.compile(r"\sid=\"([^\"]+)\"")
SCROLL_REGION = re.compile(
    r"<div class=\"table-responsive\" tabindex=\"0\" role=\"region\" "
    r"aria-label=\"[^\"]+\">\s*<table\b"
)


def _duplicate_ids(html: str) -> dict[str, int]:
    return {name: n for name, n in Counter(ID.findall(html)).items() if n > 1}


# --- Wide tables ------------------------------------------------------------------------


@pytest.mark.django_db
def test_queue_table_scrolls_inside_a_focusable_labelled_region(client, organiser):
    IdeaFactory(status=IdeaStatus.SUBMITTED, title="Helplines in gaming chats")
    client.force_login(organiser)
    page = client.get(reverse("initiatives:moderation_queue")).content.decode()
    region = re.search(
        r"<div class=\"table-responsive\" tabindex=\"0\" role=\"region\" "
        r"aria-label=\"Ideas waiting for review\">\s*<table\b(.*?)</table>\s*</div>",
        page,
        re.S,
    )
    assert region, "the queue table is not wrapped in a focusable scroll region"
    assert "Helplines in gaming chats" in region.group(1)


@pytest.mark.django_db
def test_moderation_log_table_scrolls_inside_a_focusable_labelled_region(client, organiser):
    idea = IdeaFactory(status=IdeaStatus.SUBMITTED)
    client.force_login(organiser)
    url = reverse("initiatives:moderation_idea", kwargs={"pk": idea.pk})
    page = client.get(url).content.decode()
    assert re.search(
        r"<div class=\"table-responsive\" tabindex=\"0\" role=\"region\" "
        r"aria-label=\"Moderation log\">\s*<table\b",
        page,
    )


def test_every_table_in_the_initiatives_templates_sits_in_a_focusable_scroll_region():
    checked = 0
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text()
        tables = len(re.findall(r"<table\b", text))
        wrapped = len(SCROLL_REGION.findall(text))
        assert tables == wrapped, f"{template.name}: {tables - wrapped} table(s) not wrapped"
        labels = re.findall(
            r"class=\"table-responsive\"[^>]*aria-label=\"(\{% translate '[^']+' %\})\"", text
        )
        assert len(labels) == wrapped, f"{template.name}: a region label is not translatable"
        checked += tables
    assert checked >= 2  # the queue and the moderation log


# --- Ids ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_idea_moderation_page_has_no_duplicate_ids_and_the_redact_reason_has_its_label(
    client, organiser
):
    idea = IdeaFactory(status=IdeaStatus.SUBMITTED)
    client.force_login(organiser)
    page = client.get(reverse("initiatives:moderation_idea", kwargs={"pk": idea.pk}))
    html = page.content.decode()
    assert _duplicate_ids(html) == {}
    # Each "reason" field has its own label: the decision's and the redaction's.
    assert re.search(r"<label\s+for=\"id_reason\"[^>]*>\s*Reason or note to the author", html)
    assert re.search(r"<label\s+for=\"id_redact-reason\"[^>]*>\s*Why \(kept in the log\)", html)
    assert re.search(r"<input[^>]*name=\"redact-reason\"[^>]*id=\"id_redact-reason\"", html)


@pytest.mark.django_db
def test_redacting_from_the_idea_moderation_page_uses_the_redact_fields(client, organiser):
    idea = IdeaFactory(status=IdeaStatus.SUBMITTED, body="Call 9123 4567 for the workshop.")
    client.force_login(organiser)
    response = client.post(
        reverse("initiatives:moderation_idea_redact", kwargs={"pk": idea.pk}),
        {"redact-passage": "9123 4567", "redact-reason": "Phone number"},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert "9123 4567" not in idea.body
    entry = ModerationLog.objects.get(idea_id=idea.pk, action="redact")
    assert entry.reason == "Phone number"


@pytest.mark.django_db
def test_pages_with_several_forms_have_no_duplicate_ids(client, organiser, participant):
    approved = IdeaFactory(status=IdeaStatus.APPROVED, author=participant)
    comment = CommentFactory(idea=approved)
    hidden = IdeaFactory(status=IdeaStatus.HIDDEN, author=participant)
    initiative = InitiativeFactory(leads=[organiser])
    CoCreatorFactory(initiative=initiative, user=organiser, role="volunteer")
    client.force_login(organiser)
    urls = [
        reverse("initiatives:idea_board"),
        reverse("initiatives:idea_create"),
        reverse("initiatives:my_ideas"),
        approved.get_absolute_url(),  # comment form, support and moderator links
        reverse("initiatives:idea_report", kwargs={"pk": approved.pk}),
        reverse("initiatives:comment_report", kwargs={"pk": comment.pk}),
        reverse("initiatives:moderation_queue"),  # bulk, filter and resolve forms
        reverse("initiatives:moderation_idea", kwargs={"pk": approved.pk}),
        reverse("initiatives:moderation_idea", kwargs={"pk": hidden.pk}),
        reverse("initiatives:moderation_comment_redact", kwargs={"pk": comment.pk}),
        reverse("initiatives:initiative_list"),
        reverse("initiatives:initiative_create"),
        initiative.get_absolute_url(),  # join, leave, update and status forms
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _duplicate_ids(response.content.decode()) == {}, url


# --- Joining an initiative -------------------------------------------------------------


@pytest.mark.django_db
def test_join_without_a_role_shows_the_page_again_with_the_pledge_and_the_field_error(
    client, participant
):
    initiative = InitiativeFactory()
    client.force_login(participant)
    response = client.post(
        reverse("initiatives:initiative_join", kwargs={"slug": initiative.slug}),
        {"pledge": "Two hours a month to review school materials"},
    )
    assert response.status_code == 400
    assert not CoCreator.objects.exists()
    html = response.content.decode()
    assert re.search(
        r"<input[^>]*name=\"pledge\"[^>]*value=\"Two hours a month to review school materials\"",
        html,
    )
    assert response.context["join_form"].errors["role"] == ["Choose how you will help."]
    # The error sits on the role radios, which are marked invalid.
    assert "Choose how you will help." in html
    radios = re.findall(r"<input[^>]*type=\"radio\"[^>]*name=\"role\"[^>]*>", html)
    assert radios and all("is-invalid" in radio for radio in radios)
    # The rest of the page is the initiative page as usual.
    assert initiative.title in html and response.context["initiative"] == initiative


@pytest.mark.django_db
def test_join_with_a_role_still_redirects_back_to_the_initiative(client, participant):
    initiative = InitiativeFactory()
    client.force_login(participant)
    response = client.post(
        reverse("initiatives:initiative_join", kwargs={"slug": initiative.slug}),
        {"role": "volunteer", "pledge": "Posters"},
    )
    assert response.status_code == 302 and response.url == initiative.get_absolute_url()
    assert CoCreator.objects.get().pledge == "Posters"


# --- Copy --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_idea_form_points_to_the_support_services_without_naming_a_side(client, participant):
    client.force_login(participant)
    html = client.get(reverse("initiatives:idea_create")).content.decode()
    assert "on the right" not in html and "on the left" not in html
    note = re.search(r"Why can't I upload files or images\?.*?</div>", html, re.S).group(0)
    assert f'<a href="{reverse("support")}">support page</a>' in note
