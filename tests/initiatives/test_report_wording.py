"""Reporting, worded exactly (issue 12, item 11): the report page shows what is reported,
the reporter sees that they reported it, the moderator's choices say what each does to the
content in the state it is in, the note says whose author it goes to, and plurals agree."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from initiatives import services
from initiatives.models import CommentStatus, IdeaStatus, ReportReason
from tests.factories import CommentFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

COMMENT = "Her number is on the poster, call her and tell her what you think."


@pytest.fixture
def idea(db):
    return IdeaFactory(
        title="Consent lessons in every school",
        body="Short lessons on image consent, taught by trained teachers.",
        status=IdeaStatus.APPROVED,
    )


@pytest.fixture
def comment(idea):
    return CommentFactory(idea=idea, body=COMMENT)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


# --- The report page ------------------------------------------------------------------------


def test_the_report_page_for_a_comment_shows_the_comment_being_reported(
    client, participant, comment
):
    client.force_login(participant)
    page = client.get(reverse("initiatives:comment_report", args=[comment.pk])).content.decode()
    assert escape(COMMENT) in page
    text = _text(page)
    assert "You are reporting this comment on the idea" in text
    assert f"You are reporting {escape(comment.idea.title)}." not in text


def test_the_report_page_for_an_idea_shows_the_idea_being_reported(client, participant, idea):
    client.force_login(participant)
    page = client.get(reverse("initiatives:idea_report", args=[idea.pk])).content.decode()
    text = _text(page)
    assert "You are reporting this idea:" in text
    assert escape(idea.title) in page
    assert escape(idea.body) in page


def test_the_report_page_says_when_you_have_reported_it_already(client, participant, comment):
    services.report_create(reporter=participant, comment=comment, reason=ReportReason.SPAM)
    client.force_login(participant)
    page = client.get(reverse("initiatives:comment_report", args=[comment.pk])).content.decode()
    assert "You reported this comment. Our moderators will look at it." in _text(page)
    assert "Send report" not in page


# --- The reporter's state -------------------------------------------------------------------


def test_after_reporting_a_comment_it_says_you_reported_it_instead_of_report(
    client, participant, comment
):
    other = CommentFactory(idea=comment.idea, body="Another comment")
    client.force_login(participant)
    response = client.post(
        reverse("initiatives:comment_report", args=[comment.pk]), {"reason": "spam"}, follow=True
    )
    assert response.redirect_chain[-1][0].endswith(f"#comment-{comment.pk}")
    page = response.content.decode()
    reported = page.split(f'id="comment-{comment.pk}"')[1].split("</li>")[0]
    assert "You reported this" in _text(reported)
    assert reverse("initiatives:comment_report", args=[comment.pk]) not in page
    # Only the comment they reported: the others still offer "Report".
    assert reverse("initiatives:comment_report", args=[other.pk]) in page


def test_after_reporting_an_idea_it_says_you_reported_it(client, participant, idea):
    client.force_login(participant)
    client.post(reverse("initiatives:idea_report", args=[idea.pk]), {"reason": "spam"})
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "You reported this idea" in _text(page)
    assert reverse("initiatives:idea_report", args=[idea.pk]) not in page
    # Someone else still may.
    client.force_login(UserFactory())
    page = client.get(idea.get_absolute_url()).content.decode()
    assert reverse("initiatives:idea_report", args=[idea.pk]) in page


def test_a_resolved_report_no_longer_counts_as_yours(client, participant, organiser, comment):
    services.report_create(reporter=participant, comment=comment, reason=ReportReason.SPAM)
    services.reports_resolve(moderator=organiser, uphold=False, note="", comment=comment)
    client.force_login(participant)
    page = client.get(comment.idea.get_absolute_url()).content.decode()
    assert reverse("initiatives:comment_report", args=[comment.pk]) in page


def test_the_idea_page_costs_the_same_queries_however_many_comments_were_reported(
    client, participant, idea
):
    client.force_login(participant)
    url = idea.get_absolute_url()

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    first = CommentFactory(idea=idea)
    services.report_create(reporter=participant, comment=first, reason=ReportReason.SPAM)
    before = queries()
    for _ in range(5):
        more = CommentFactory(idea=idea)
        services.report_create(reporter=participant, comment=more, reason=ReportReason.SPAM)
    assert queries() == before


# --- The moderator's choices ----------------------------------------------------------------


def _queue_card(client, target_text: str) -> str:
    page = client.get(reverse("initiatives:moderation_queue")).content.decode()
    cards = page.split('<div class="card mb-3')
    (card,) = [card for card in cards[1:] if target_text in card]
    return _text(card)


def test_content_still_published_is_offered_take_it_off_not_keep_it_off(client, organiser, idea):
    services.report_create(reporter=UserFactory(), idea=idea, reason=ReportReason.SPAM)
    client.force_login(organiser)
    card = _queue_card(client, escape(idea.title))
    assert "Uphold: take it off the site" in card
    assert "Dismiss: leave it published" in card
    assert "keep it off the site" not in card
    assert "restore it" not in card
    assert "Note to the idea's author (sent if you take it off the site)" in card


def test_hidden_content_is_offered_keep_it_off_or_restore_it(client, organiser, idea):
    services.report_create(reporter=UserFactory(), idea=idea, reason=ReportReason.MINOR)
    client.force_login(organiser)
    card = _queue_card(client, escape(idea.title))
    assert "Uphold: keep it off the site" in card
    assert "Dismiss: publish it again" in card
    assert "Note to the idea's author (sent with either choice)" in card


def test_a_published_comment_is_offered_remove_or_leave_it(client, organiser, comment):
    services.report_create(reporter=UserFactory(), comment=comment, reason=ReportReason.SPAM)
    client.force_login(organiser)
    card = _queue_card(client, escape(COMMENT))
    assert "Uphold: remove the comment" in card
    assert "Dismiss: leave it published" in card
    assert "Note to the comment's author (sent if you remove it)" in card
    assert "idea's author" not in card


def test_a_hidden_comment_is_offered_keep_it_removed_or_restore_it(client, organiser, comment):
    services.report_create(
        reporter=UserFactory(), comment=comment, reason=ReportReason.PERSONAL_DETAILS
    )
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN
    client.force_login(organiser)
    card = _queue_card(client, escape(COMMENT))
    assert "Uphold: keep it removed" in card
    assert "Dismiss: restore the comment" in card
    # Neither choice writes to the comment's author: the note stays in the moderation log.
    assert "Note for the moderation log (the comment's author is not told)" in card


def test_an_idea_no_longer_on_the_site_says_nothing_will_change(client, organiser, idea):
    services.report_create(reporter=UserFactory(), idea=idea, reason=ReportReason.SPAM)
    services.idea_withdraw(idea=idea, author=idea.author)
    client.force_login(organiser)
    card = _queue_card(client, escape(idea.title))
    assert "Uphold: the report was right (the idea is no longer on the site)" in card
    assert "Dismiss: the report was mistaken" in card
    assert "Note for the moderation log (the idea's author is not told)" in card


def test_the_note_field_has_a_visible_label_tied_to_it(client, organiser, idea):
    services.report_create(reporter=UserFactory(), idea=idea, reason=ReportReason.SPAM)
    client.force_login(organiser)
    page = client.get(reverse("initiatives:moderation_queue")).content.decode()
    note_id = f"note-idea-{idea.pk}"
    label = re.search(rf'<label[^>]*for="{note_id}"[^>]*>(.*?)</label>', page, re.S)
    assert label and "visually-hidden" not in label.group(0)
    assert "Note to the idea's author" in html.unescape(label.group(1))


# --- Plurals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reporters", "message"), [(1, "1 report resolved."), (2, "2 reports resolved.")]
)
def test_resolving_says_how_many_reports_in_the_right_number(
    client, organiser, idea, reporters, message
):
    for _ in range(reporters):
        services.report_create(reporter=UserFactory(), idea=idea, reason=ReportReason.SPAM)
    client.force_login(organiser)
    response = client.post(
        reverse("initiatives:moderation_resolve", args=["idea", idea.pk]),
        {"outcome": "dismiss", "note": ""},
        follow=True,
    )
    text = _text(response.content.decode())
    assert message in text
    assert "1 reports" not in text
