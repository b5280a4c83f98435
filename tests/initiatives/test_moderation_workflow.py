"""What an organiser with a long queue and a participant on a phone run into: stale
decisions, filtered pages, plain-English markers and logs, limits that hold over a rolling
hour, initiative status history, and a withdrawal that asks first."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from harms.models import HarmCategory, SolutionArea
from initiatives import selectors, services
from initiatives.models import Comment, Idea, IdeaStatus, Initiative, ModerationLog, Report
from initiatives.services import IdeaConflict, IdeaError, IdeaFields
from tests.factories import (
    IdeaFactory,
    InitiativeFactory,
    InitiativeUpdateFactory,
    ReportFactory,
    UserFactory,
)

S = IdeaStatus


def _fields() -> IdeaFields:
    return IdeaFields(
        title="Parents' guide to privacy settings",
        body="A short guide in four languages.",
        harm_category=HarmCategory.objects.get(slug="doxxing"),
        solution_area=SolutionArea.objects.get(name="Public education"),
        session=None,
        is_anonymous=False,
        has_content_warning=False,
        content_warning_note="",
    )


def _create(author):
    return services.idea_create(
        author=author, fields=_fields(), submit=True, submission_token=uuid.uuid4()
    )


# --- Rate limits over a rolling hour -------------------------------------------------


@pytest.mark.django_db
def test_idea_limit_counts_the_last_sixty_minutes_not_the_clock_hour(participant, settings):
    settings.IDEAS_PER_HOUR = 2
    _create(participant)
    _create(participant)
    # 59 minutes on (past a clock hour's boundary, say) the two still count.
    Idea.objects.update(created_at=timezone.now() - timedelta(minutes=59))
    with pytest.raises(IdeaError, match="in the last hour"):
        _create(participant)
    # Once they are more than an hour old, the author may send again.
    Idea.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    idea, created = _create(participant)
    assert created and Idea.objects.filter(author=participant).count() == 3


@pytest.mark.django_db
def test_comment_limit_counts_the_last_sixty_minutes(participant, settings):
    settings.COMMENTS_PER_HOUR = 1
    idea = IdeaFactory(status=S.APPROVED)
    services.comment_create(idea=idea, author=participant, body="First", is_anonymous=False)
    with pytest.raises(IdeaError, match="in the last hour"):
        services.comment_create(idea=idea, author=participant, body="Again", is_anonymous=False)
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    services.comment_create(idea=idea, author=participant, body="Later", is_anonymous=False)
    assert Comment.objects.filter(author=participant).count() == 2


# --- Decisions made on a stale page -------------------------------------------------


@pytest.mark.django_db
def test_decision_from_a_page_shown_before_another_organisers_decision_says_who(client, organiser):
    farah = UserFactory(display_name="Farah", roles=[Role.ORGANISER])
    idea = IdeaFactory(status=S.SUBMITTED)
    url = reverse("initiatives:moderation_idea", kwargs={"pk": idea.pk})
    client.force_login(organiser)
    page = client.get(url)
    assert page.context["decision_form"].initial["seen_status"] == S.SUBMITTED
    services.idea_approve(idea=idea, moderator=farah)  # meanwhile
    response = client.post(
        url,
        {"decision": "reject", "reason": "Off topic", "seen_status": S.SUBMITTED},
        follow=True,
    )
    assert "already decided by Farah" in response.content.decode()
    idea.refresh_from_db()
    assert (idea.status, idea.decided_by) == (S.APPROVED, farah)
    assert ModerationLog.objects.filter(idea_id=idea.pk).count() == 1


@pytest.mark.django_db
def test_decision_form_offers_only_what_the_status_allows(client, organiser):
    client.force_login(organiser)

    def offered(status):
        idea = IdeaFactory(
            status=status,
            merged_into=InitiativeFactory() if status == S.MERGED else None,
        )
        response = client.get(reverse("initiatives:moderation_idea", kwargs={"pk": idea.pk}))
        choices = response.context["decision_form"].fields["decision"].choices
        return [value for value, _label in choices], response.content.decode()

    assert offered(S.SUBMITTED)[0] == ["approve", "changes", "reject"]
    assert offered(S.APPROVED)[0] == ["hide"]
    assert offered(S.HIDDEN)[0] == ["reject", "restore"]
    choices, page = offered(S.MERGED)
    assert choices == [] and "no decision left to make" in page


@pytest.mark.django_db
def test_bulk_decision_skips_ideas_decided_meanwhile_and_names_who(client, organiser):
    farah = UserFactory(display_name="Farah", roles=[Role.ORGANISER])
    waiting = IdeaFactory.create_batch(3, status=S.SUBMITTED)
    services.idea_reject(idea=waiting[0], moderator=farah, reason="Duplicate")
    client.force_login(organiser)
    response = client.post(
        reverse("initiatives:moderation_bulk"),
        {"decision": "approve", "ideas": [idea.pk for idea in waiting]},
        follow=True,
    )
    page = response.content.decode()
    assert "2 ideas decided." in page and "already decided by Farah" in page
    statuses = [Idea.objects.get(pk=idea.pk).status for idea in waiting]
    assert statuses == [S.REJECTED, S.APPROVED, S.APPROVED]


@pytest.mark.django_db
def test_bulk_reject_without_a_reason_is_refused_once_and_decides_nothing(client, organiser):
    waiting = IdeaFactory.create_batch(3, status=S.SUBMITTED)
    client.force_login(organiser)
    response = client.post(
        reverse("initiatives:moderation_bulk"),
        {"decision": "reject", "ideas": [idea.pk for idea in waiting]},
    )
    assert response.status_code == 400
    refusal = "Give the authors a reason: choose a preset reason or write one."
    assert response.context["bulk_form"].non_field_errors() == [refusal]
    assert not list(response.context["messages"])
    page = response.content.decode()
    assert page.count(refusal) == 2  # in the error summary, and above the table
    # The boxes stay ticked and the action chosen, to add a reason and send again.
    assert len(re.findall(r'id="bulk-ideas_\d+" checked>', page)) == 3
    assert '<option value="reject" selected>' in page
    assert Idea.objects.filter(status=S.SUBMITTED).count() == 3
    assert not ModerationLog.objects.exists()


@pytest.mark.django_db
def test_bulk_decision_with_nothing_selected_shows_the_queue_again_with_the_error(
    client, organiser
):
    IdeaFactory(status=S.SUBMITTED)
    client.force_login(organiser)
    response = client.post(
        reverse("initiatives:moderation_bulk"), {"decision": "approve", "reason": "Fine"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Moderation queue" in page
    assert '<a href="#bulk-ideas_0">Select at least one idea.</a>' in page
    assert 'id="bulk-ideas-error"' in page and 'aria-describedby="bulk-ideas-error"' in page
    assert 'value="Fine"' in page
    assert not list(response.context["messages"])
    assert Idea.objects.get().status == S.SUBMITTED


@pytest.mark.django_db
def test_resolving_reports_without_an_outcome_shows_the_queue_again_at_that_item(client, organiser):
    first = ReportFactory(idea=IdeaFactory(status=S.APPROVED, title="First reported"))
    second = ReportFactory(idea=IdeaFactory(status=S.APPROVED, title="Second reported"))
    client.force_login(organiser)
    response = client.post(
        reverse("initiatives:moderation_resolve", args=["idea", second.idea_id]),
        {"note": "Checked the thread"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    target = f"outcome-idea-{second.idea_id}_0"
    assert f'<a href="#{target}">Choose whether to uphold or dismiss the reports.</a>' in page
    assert f'id="{target}"' in page
    # The error and what was typed are at the item that failed, not at the other one.
    assert f'id="outcome-idea-{second.idea_id}-error"' in page
    assert f'id="outcome-idea-{first.idea_id}-error"' not in page
    assert 'value="Checked the thread"' in page
    assert page.count('value="Checked the thread"') == 1
    assert not list(response.context["messages"])
    assert set(Report.objects.values_list("status", flat=True)) == {"open"}


# --- An organiser with a long queue --------------------------------------------------


@pytest.mark.django_db
def test_next_page_of_a_filtered_queue_stays_filtered(client, organiser):
    doxxing = HarmCategory.objects.get(slug="doxxing")
    IdeaFactory.create_batch(26, status=S.SUBMITTED, harm_category=doxxing)
    client.force_login(organiser)
    url = reverse("initiatives:moderation_queue")
    page = client.get(url, {"category": doxxing.pk}).content.decode()
    assert f"?category={doxxing.pk}&amp;page=2" in page
    second = client.get(url, {"category": doxxing.pk, "page": 2})
    assert len(second.context["page"].object_list) == 1


@pytest.mark.django_db
def test_personal_data_marker_and_log_read_in_plain_english(client, organiser):
    idea = IdeaFactory(status=S.SUBMITTED, personal_data_kinds=["name", "phone"])
    services.idea_request_changes(idea=idea, moderator=organiser, note="Take out the number.")
    client.force_login(organiser)
    page = client.get(
        reverse("initiatives:moderation_idea", kwargs={"pk": idea.pk})
    ).content.decode()
    assert "a name of another person, a phone number" in page
    assert "Waiting for review → Changes requested" in page
    assert "name,phone" not in page and "submitted → changes_requested" not in page
    idea2 = IdeaFactory(status=S.SUBMITTED, personal_data_kinds=["nric"])
    queue = client.get(reverse("initiatives:moderation_queue")).content.decode()
    assert idea2.title in queue and "an NRIC or FIN number" in queue


@pytest.mark.django_db
def test_search_text_with_a_nul_character_is_not_a_server_error(client):
    IdeaFactory(status=S.APPROVED, title="Helplines in gaming chats")
    response = client.get(reverse("initiatives:idea_board"), {"q": "help\x00lines"})
    assert response.status_code == 200


# --- Initiative status history -------------------------------------------------------


@pytest.mark.django_db
def test_initiative_status_changes_are_logged_with_who_from_and_to(client, organiser):
    initiative = InitiativeFactory(leads=[organiser])
    url = reverse("initiatives:initiative_status", kwargs={"slug": initiative.slug})
    client.force_login(organiser)
    client.post(url, {"status": "in_progress"})
    client.post(url, {"status": "in_progress"})  # no change, no second row
    (entry,) = ModerationLog.objects.filter(target_kind="initiative")
    assert (entry.actor, entry.target_id) == (organiser, initiative.pk)
    assert (entry.from_label, entry.to_label) == ("Forming", "In progress")
    response = client.post(url, {"status": "closed"}, follow=True)
    assert "Choose forming, in progress or launched." in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.status == "in_progress"


@pytest.mark.django_db
def test_initiative_status_change_on_a_stale_copy_is_refused(organiser):
    initiative = InitiativeFactory(leads=[organiser])
    stale = Initiative.objects.get(pk=initiative.pk)
    services.initiative_set_status(initiative=initiative, actor=organiser, status="launched")
    with pytest.raises(IdeaConflict):
        services.initiative_set_status(initiative=stale, actor=organiser, status="in_progress")
    assert Initiative.objects.get(pk=initiative.pk).status == "launched"
    assert ModerationLog.objects.filter(target_kind="initiative").count() == 1


# --- A participant on a phone --------------------------------------------------------


@pytest.mark.django_db
def test_withdraw_asks_first_and_only_a_post_withdraws(client, participant):
    idea = IdeaFactory(author=participant, status=S.SUBMITTED, title="Buddy scheme")
    client.force_login(participant)
    mine = client.get(reverse("initiatives:my_ideas")).content.decode()
    url = reverse("initiatives:idea_withdraw", kwargs={"pk": idea.pk})
    assert f'href="{url}"' in mine
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Yes, withdraw it" in confirm.content.decode()
    idea.refresh_from_db()
    assert idea.status == S.SUBMITTED
    client.post(url)
    idea.refresh_from_db()
    assert idea.status == S.WITHDRAWN
    again = client.get(url, follow=True)
    assert "can no longer be withdrawn" in again.content.decode()


@pytest.mark.django_db
def test_nobody_else_sees_the_withdraw_page(client, other_participant, organiser):
    idea = IdeaFactory(status=S.SUBMITTED)
    url = reverse("initiatives:idea_withdraw", kwargs={"pk": idea.pk})
    for user in (other_participant, organiser):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


# --- Demo data -----------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_has_ideas_in_every_status_comments_a_report_and_two_initiatives(settings):
    from django.core.management import call_command

    from initiatives.models import CoCreator, Report

    settings.DEBUG = True
    call_command("seed_demo")
    assert set(Idea.objects.values_list("status", flat=True)) == set(S.values)
    assert Comment.objects.filter(idea__status=S.APPROVED).count() >= 3
    assert Report.objects.filter(status="open").exists()
    initiatives = list(Initiative.objects.all())
    assert len(initiatives) == 2
    for initiative in initiatives:
        assert CoCreator.objects.filter(initiative=initiative).exists()
        assert initiative.ideas.filter(status=S.MERGED).exists()
    # Every status change in the demo went through the services, so each is in the log.
    assert ModerationLog.objects.filter(to_status=S.MERGED).count() == 3


XSS = '<script>alert(1)</script><a href="javascript:alert(2)">x</a>'


@pytest.mark.django_db
def test_html_in_the_queue_and_on_initiative_pages_renders_as_text(client, participant, organiser):
    from initiatives.models import CommentStatus
    from tests.factories import CommentFactory

    CommentFactory(status=CommentStatus.PENDING, body=f"C {XSS}")
    reported = IdeaFactory(status=S.APPROVED, title=f"T {XSS}")
    services.report_create(reporter=participant, idea=reported, reason="spam", note=f"N {XSS}")
    initiative = InitiativeFactory(leads=[organiser], description=f"D {XSS}")
    InitiativeUpdateFactory(initiative=initiative, title=f"U {XSS}", body=f"B {XSS}")
    services.cocreator_join(initiative=initiative, user=participant, role="volunteer", pledge=XSS)
    client.force_login(organiser)
    for url in (reverse("initiatives:moderation_queue"), initiative.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page and 'href="javascript:' not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_comment_author_is_told_when_an_urgent_report_hides_it(
    participant, other_participant, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tests.factories import CommentFactory

    comment = CommentFactory(author=participant)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_create(reporter=other_participant, comment=comment, reason="minor")
    subjects = {tuple(m.to): m.subject for m in mail.outbox}
    assert subjects[(participant.email,)] == "An update on your comment"
    assert subjects[(other_participant.email,)] == "We have received your report"


@pytest.mark.django_db
def test_organiser_redacts_a_comment_and_the_passage_is_kept_nowhere(
    client, organiser, other_participant
):
    from tests.factories import CommentFactory

    comment = CommentFactory(body="Her handle is @victim_sg, please help her.")
    idea_url = comment.idea.get_absolute_url()
    client.force_login(organiser)
    assert "Redact a passage" in client.get(idea_url).content.decode()
    url = reverse("initiatives:moderation_comment_redact", kwargs={"pk": comment.pk})
    missing = client.post(url, {"passage": "not in it", "reason": ""})
    assert missing.status_code == 200 and "not in the comment" in missing.content.decode()
    client.post(url, {"passage": "@victim_sg", "reason": "Personal details"})
    comment.refresh_from_db()
    assert comment.body == f"Her handle is {services.REDACTED}, please help her."
    entry = ModerationLog.objects.get(action="redact", target_kind="comment")
    assert entry.idea_id == comment.idea_id
    assert not any(
        "@victim_sg" in str(getattr(entry, field.attname))
        for field in ModerationLog._meta.concrete_fields
    )
    moderation_page = client.get(
        reverse("initiatives:moderation_idea", kwargs={"pk": comment.idea_id})
    ).content.decode()
    assert "@victim_sg" not in moderation_page and "Passage redacted" in moderation_page
    client.force_login(other_participant)
    public = client.get(idea_url).content.decode()
    assert "@victim_sg" not in public and "Redact a passage" not in public


@pytest.mark.django_db
def test_ids_too_big_for_the_database_are_404_or_ignored(client, participant, organiser):
    huge = "99999999999999999999"
    client.force_login(participant)
    assert client.get(f"/ideas/{huge}/").status_code == 404
    assert client.get(f"/ideas/{huge}/withdraw/").status_code == 404
    assert client.get(f"/ideas/?category={huge}&area=²&session={huge}").status_code == 200
    client.force_login(organiser)
    assert client.get(f"/moderation/?category={huge}").status_code == 200
    response = client.post("/moderation/bulk/", {"decision": "approve", "ideas": [huge]})
    assert response.status_code == 400  # the queue again: no idea chosen is valid
    assert client.get(f"/initiatives/new/?idea={huge}&idea={'9' * 5000}").status_code == 200


@pytest.mark.django_db
def test_initiative_page_shows_its_progress_without_naming_who_changed_it(
    client, organiser, django_assert_num_queries
):
    initiative = InitiativeFactory(leads=[organiser], status="forming")
    services.initiative_set_status(initiative=initiative, actor=organiser, status="in_progress")
    services.initiative_set_status(initiative=initiative, actor=organiser, status="launched")
    steps = selectors.initiative_progress(initiative)
    assert [label for label, _ in steps] == ["Forming", "In progress", "Launched"]
    assert steps[0][1] == initiative.created_at
    with django_assert_num_queries(1):
        selectors.initiative_progress(initiative)
    page = client.get(initiative.get_absolute_url()).content.decode()
    progress = page.split('id="progress-heading"', 1)[1].split("</ol>", 1)[0]
    assert progress.count("<li>") == 3
    assert ": Forming (started)" in progress and ": Launched" in progress
    assert organiser.display_name not in progress


@pytest.mark.django_db
def test_a_new_initiative_shows_where_it_started():
    initiative = InitiativeFactory(status="in_progress")
    assert [label for label, _ in selectors.initiative_progress(initiative)] == ["In progress"]


# --- Personal data at approval ---------------------------------------------------------

WITH_PHONE = "Call the hotline my neighbour runs on 9123 4567 any time."


@pytest.mark.django_db
def test_an_idea_made_through_the_service_is_marked_with_the_personal_data_it_holds(participant):
    """The marker comes from the service, not the form: an idea written any way (the demo, a
    shell, a future API) carries it, and an edit that removes the data clears it."""
    fields = _fields()
    fields.body = WITH_PHONE + " Or write to lee.mei@example.com."
    idea, _created = services.idea_create(
        author=participant, fields=fields, submit=False, submission_token=uuid.uuid4()
    )
    assert Idea.objects.get(pk=idea.pk).personal_data_kinds == ["phone", "email"]
    services.idea_update(
        idea=Idea.objects.get(pk=idea.pk), author=participant, fields=_fields(), submit=False
    )
    assert Idea.objects.get(pk=idea.pk).personal_data_kinds == []


@pytest.mark.django_db
def test_a_comment_made_through_the_service_is_marked_with_the_personal_data_it_holds(
    participant,
):
    idea = IdeaFactory(status=S.APPROVED)
    flagged = services.comment_create(
        idea=idea, author=participant, body=WITH_PHONE, is_anonymous=False
    )
    plain = services.comment_create(
        idea=idea, author=participant, body="Agreed.", is_anonymous=False
    )
    assert Comment.objects.get(pk=flagged.pk).personal_data_kinds == ["phone"]
    assert Comment.objects.get(pk=plain.pk).personal_data_kinds == []


@pytest.mark.django_db
def test_approving_an_idea_that_still_holds_personal_data_needs_the_check(organiser):
    idea = IdeaFactory(status=S.SUBMITTED, body=WITH_PHONE, personal_data_kinds=["phone"])
    with pytest.raises(IdeaError, match="It still contains a phone number"):
        services.idea_approve(idea=idea, moderator=organiser)
    assert Idea.objects.get(pk=idea.pk).status == S.SUBMITTED
    services.idea_approve(idea=idea, moderator=organiser, personal_data_checked=True)
    assert Idea.objects.get(pk=idea.pk).status == S.APPROVED


@pytest.mark.django_db
def test_a_redacted_idea_is_approved_without_the_check(organiser):
    idea = IdeaFactory(status=S.SUBMITTED, body=WITH_PHONE, personal_data_kinds=["phone"])
    services.idea_redact(idea=idea, moderator=organiser, passage="9123 4567", reason="Phone")
    services.idea_approve(idea=idea, moderator=organiser)
    assert Idea.objects.get(pk=idea.pk).status == S.APPROVED


@pytest.mark.django_db
def test_bulk_approve_leaves_an_idea_with_personal_data_for_its_own_page(organiser):
    plain = IdeaFactory(status=S.SUBMITTED, body="More school talks.")
    flagged = IdeaFactory(status=S.SUBMITTED, body=WITH_PHONE, personal_data_kinds=["phone"])
    done, problems = services.ideas_bulk_decide(
        ideas=[plain, flagged], moderator=organiser, decision="approve", reason=""
    )
    assert done == 1
    assert len(problems) == 1 and flagged.title in problems[0]
    assert Idea.objects.get(pk=flagged.pk).status == S.SUBMITTED


@pytest.mark.django_db
def test_moderation_page_asks_for_the_check_only_when_personal_data_was_flagged(client, organiser):
    plain = IdeaFactory(status=S.SUBMITTED, body="More school talks.")
    flagged = IdeaFactory(status=S.SUBMITTED, body=WITH_PHONE, personal_data_kinds=["phone"])
    client.force_login(organiser)

    def page(idea):
        url = reverse("initiatives:moderation_idea", kwargs={"pk": idea.pk})
        return url, client.get(url).content.decode()

    assert 'name="personal_data_checked"' not in page(plain)[1]
    url, html = page(flagged)
    assert 'name="personal_data_checked"' in html
    refused = client.post(url, {"decision": "approve", "seen_status": S.SUBMITTED}, follow=True)
    assert "It still contains a phone number" in refused.content.decode()
    assert Idea.objects.get(pk=flagged.pk).status == S.SUBMITTED
    client.post(
        url, {"decision": "approve", "seen_status": S.SUBMITTED, "personal_data_checked": "on"}
    )
    assert Idea.objects.get(pk=flagged.pk).status == S.APPROVED
