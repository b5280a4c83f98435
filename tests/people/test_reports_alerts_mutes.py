"""Report a person, mute a person, and the response clock of urgent reports (issue 15,
items 1, 3 and 4)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from initiatives import services
from initiatives.models import (
    CommentStatus,
    IdeaStatus,
    Mute,
    PersonReport,
    PersonReportStatus,
    Report,
)
from initiatives.services import URGENT_CONTENT, IdeaError
from outbox.models import OutboundEmail
from tests.factories import (
    CoCreatorFactory,
    CommentFactory,
    IdeaFactory,
    InitiativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ALERT = "initiatives.urgent_report_alert"
ESCALATION = "initiatives.urgent_report_escalation"


def _emails(kind):
    return list(OutboundEmail.objects.filter(kind=kind).values_list("recipient_id", flat=True))


# --- Report a person --------------------------------------------------------------------


def test_reporting_the_author_of_an_idea_keeps_the_item_and_acknowledges(
    participant, other_participant, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.person_report_create(
            reporter=other_participant, reason="harassment", idea=idea
        )
    assert (report.person, report.via, report.via_id) == (participant, "idea", idea.pk)
    assert not report.urgent
    ack = [m for m in mail.outbox if m.to == [other_participant.email]]
    assert len(ack) == 1 and ack[0].subject == "We have received your report"
    assert participant.display_name not in ack[0].body
    assert not [m for m in mail.outbox if m.to == [participant.email]]


def test_reporting_an_anonymous_author_never_shows_the_reporter_who_it_is(
    client, participant, other_participant
):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED, is_anonymous=True)
    comment = CommentFactory(idea=idea, author=participant, is_anonymous=True)
    client.force_login(other_participant)
    for url in (
        reverse("initiatives:idea_report_author", args=[idea.pk]),
        reverse("initiatives:comment_report_author", args=[comment.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Anonymous participant" in page
        assert participant.display_name not in page
    response = client.post(
        reverse("initiatives:comment_report_author", args=[comment.pk]),
        {"reason": "personal_details"},
        follow=True,
    )
    assert participant.display_name not in response.content.decode()
    assert PersonReport.objects.get().person == participant


def test_reporting_a_cocreator(client, participant, other_participant):
    initiative = InitiativeFactory()
    entry = CoCreatorFactory(initiative=initiative, user=participant)
    client.force_login(other_participant)
    page = client.get(initiative.get_absolute_url()).content.decode()
    url = reverse("initiatives:cocreator_report", args=[initiative.slug, entry.pk])
    assert url in page
    response = client.post(url, {"reason": "impersonation"})
    assert response.status_code == 302
    assert PersonReport.objects.get().via == "cocreator"


def test_reporting_the_same_person_twice_is_refused_and_changes_nothing(
    client, participant, other_participant
):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    comment = CommentFactory(idea=idea, author=participant)
    services.person_report_create(reporter=other_participant, reason="harassment", idea=idea)
    with pytest.raises(IdeaError, match="already reported this person"):
        services.person_report_create(
            reporter=other_participant, reason="harassment", comment=comment
        )
    client.force_login(other_participant)
    again = client.post(
        reverse("initiatives:comment_report_author", args=[comment.pk]), {"reason": "harassment"}
    )
    assert again.status_code == 400 and "already reported this person" in again.content.decode()
    assert PersonReport.objects.count() == 1


@pytest.mark.parametrize(
    "data,message",
    [
        ({"reason": "other"}, "Tell us briefly what happened"),
        ({"reason": "other", "note": "x" * 100_000}, "at most 1000 characters"),
        ({"reason": "nonsense"}, "Select a valid choice"),
        ({}, "Choose what this person is doing"),
    ],
)
def test_bad_report_input_gets_a_clear_message_and_changes_nothing(
    client, participant, other_participant, data, message
):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    client.force_login(other_participant)
    response = client.post(reverse("initiatives:idea_report_author", args=[idea.pk]), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not PersonReport.objects.exists()


def test_a_note_with_nul_characters_is_kept_without_them(participant, other_participant):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    report = services.person_report_create(
        reporter=other_participant, reason="other", note="sent me\x00 threats", idea=idea
    )
    assert report.note == "sent me threats"


def test_a_forged_or_own_item_is_a_404(client, participant):
    own = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    draft = IdeaFactory(status=IdeaStatus.DRAFT)
    client.force_login(participant)
    for url in (
        reverse("initiatives:idea_report_author", args=[own.pk]),
        reverse("initiatives:idea_report_author", args=[draft.pk]),
        reverse("initiatives:idea_report_author", args=[987654]),
        reverse("initiatives:comment_report_author", args=[987654]),
        reverse("initiatives:cocreator_report", args=["no-such", 1]),
    ):
        assert client.get(url).status_code == 404, url
    with pytest.raises(IdeaError, match="cannot report yourself"):
        services.person_report_create(reporter=participant, reason="harassment", idea=own)


def test_reporting_a_person_needs_sign_in(client):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    response = client.get(reverse("initiatives:idea_report_author", args=[idea.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_person_page_shows_reports_about_them_and_a_decision_closes_them(
    client, organiser, participant, other_participant
):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    services.person_report_create(
        reporter=other_participant, reason="minor", note="Asked a girl for photos", idea=idea
    )
    client.force_login(organiser)
    people = client.get(reverse("initiatives:people")).content.decode()
    assert participant.display_name in people and "1 urgent" in people
    url = reverse("initiatives:person", args=[participant.pk])
    page = client.get(url).content.decode()
    assert "Contacting a minor" in page and "Asked a girl for photos" in page
    client.post(url, {"action": "block", "reason": "Contacting a minor."})
    report = PersonReport.objects.get()
    assert report.status == PersonReportStatus.ACTED and report.resolved_by == organiser


def test_closing_reports_without_action(client, organiser, participant, other_participant):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    services.person_report_create(reporter=other_participant, reason="harassment", idea=idea)
    client.force_login(organiser)
    url = reverse("initiatives:person", args=[participant.pk])
    response = client.post(url, {"action": "close", "reason": "A disagreement."}, follow=True)
    assert "closed without action" in response.content.decode()
    assert PersonReport.objects.get().status == PersonReportStatus.CLOSED
    participant.refresh_from_db()
    assert participant.restriction == ""
    nothing = client.post(url, {"action": "close", "reason": "Again"})
    assert nothing.status_code == 400 and "no open reports" in nothing.content.decode()


# --- Alerts and the response clock --------------------------------------------------------


@pytest.fixture
def on_duty(organiser):
    return organiser


def test_an_urgent_content_report_alerts_the_organisers_on_duty_once(
    on_duty, participant, staff, django_capture_on_commit_callbacks
):
    off_duty = UserFactory(roles=["Organiser"], urgent_report_alerts=False)
    comment = CommentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_create(reporter=participant, comment=comment, reason="minor")
    assert _emails(ALERT) == [on_duty.pk]
    assert off_duty.pk not in _emails(ALERT) and staff.pk not in _emails(ALERT)
    # The task run again (a retry, a redelivery): nothing more.
    assert services.urgent_report_alert(kind=URGENT_CONTENT, report_id=report.pk) == 0
    assert _emails(ALERT) == [on_duty.pk]
    alert = [m for m in mail.outbox if m.to == [on_duty.email]][-1]
    assert alert.subject == "An urgent report is waiting for an organiser"
    assert comment.body not in alert.body and participant.display_name not in alert.body


def test_a_report_that_is_not_urgent_alerts_nobody(
    on_duty, participant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_create(reporter=participant, comment=CommentFactory(), reason="spam")
    assert _emails(ALERT) == []


def test_an_urgent_report_about_a_person_alerts_too(
    on_duty, participant, other_participant, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        services.person_report_create(
            reporter=other_participant, reason="personal_details", idea=idea
        )
    assert _emails(ALERT) == [on_duty.pk]


def test_the_sweep_sends_an_alert_whose_task_was_lost(on_duty, participant):
    # No on-commit callbacks run: as if the broker lost the task.
    report = services.report_create(reporter=participant, comment=CommentFactory(), reason="minor")
    assert _emails(ALERT) == []
    services.urgent_reports_sweep(now=timezone.now() + timedelta(minutes=3))
    assert _emails(ALERT) == [on_duty.pk]
    report.refresh_from_db()
    assert report.alerted_at is not None


def test_an_untouched_urgent_report_escalates_once_to_organisers_and_staff(
    on_duty, participant, staff, settings
):
    settings.URGENT_RESPONSE_MINUTES = 60
    off_duty = UserFactory(roles=["Organiser"], urgent_report_alerts=False)
    services.report_create(reporter=participant, comment=CommentFactory(), reason="minor")
    services.urgent_reports_sweep(now=timezone.now() + timedelta(minutes=59))
    assert _emails(ESCALATION) == []
    later = timezone.now() + timedelta(minutes=61)
    services.urgent_reports_sweep(now=later)
    services.urgent_reports_sweep(now=later + timedelta(minutes=5))
    assert sorted(_emails(ESCALATION)) == sorted([on_duty.pk, off_duty.pk, staff.pk])


def test_a_report_resolved_in_time_is_never_escalated(on_duty, participant, staff):
    comment = CommentFactory()
    services.report_create(reporter=participant, comment=comment, reason="minor")
    services.reports_resolve(moderator=on_duty, uphold=True, note="", comment=comment)
    services.urgent_reports_sweep(now=timezone.now() + timedelta(hours=3))
    assert _emails(ESCALATION) == []


def test_earlier_reports_that_rise_to_urgent_carry_no_second_clock(
    on_duty, participant, other_participant
):
    comment = CommentFactory()
    services.report_create(reporter=participant, comment=comment, reason="spam")
    services.report_create(reporter=other_participant, comment=comment, reason="minor")
    assert Report.objects.filter(urgent=True).count() == 2
    services.urgent_reports_sweep(now=timezone.now() + timedelta(hours=2))
    assert _emails(ALERT) == [on_duty.pk]
    assert _emails(ESCALATION) == [on_duty.pk]


def test_the_morning_summary_goes_once_a_day_to_organisers_who_chose_it(organiser, participant):
    keen = UserFactory(roles=["Organiser"], moderation_summary=True)
    assert services.moderation_summaries_queue() == 1
    assert services.moderation_summaries_queue() == 0
    assert _emails("initiatives.moderation_summary") == [keen.pk]
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert services.moderation_summaries_queue(today=tomorrow) == 1


def test_the_badge_and_the_queue_count_urgent_reports_first_with_their_wait(
    client, organiser, participant
):
    services.report_create(reporter=participant, comment=CommentFactory(), reason="minor")
    client.force_login(organiser)
    page = client.get(reverse("initiatives:moderation_queue")).content.decode()
    assert "urgent reports</span>" in page
    assert "waiting 0" in page or "waiting" in page


def test_an_organiser_chooses_their_moderation_emails_on_the_profile(
    client, organiser, participant
):
    client.force_login(organiser)
    assert "Moderation emails" in client.get(reverse("accounts:profile")).content.decode()
    client.post(reverse("accounts:moderation_alerts"), {"moderation_summary": "on"})
    organiser.refresh_from_db()
    assert (organiser.urgent_report_alerts, organiser.moderation_summary) == (False, True)
    client.force_login(participant)
    assert "Moderation emails" not in client.get(reverse("accounts:profile")).content.decode()
    client.post(reverse("accounts:moderation_alerts"), {"moderation_summary": "on"})
    participant.refresh_from_db()
    assert participant.moderation_summary is False


# --- Mute ---------------------------------------------------------------------------------


def test_hiding_a_persons_comments_hides_them_for_me_only(client, participant, other_participant):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    noisy = CommentFactory(idea=idea, author=other_participant, body="Rude words here")
    CommentFactory(idea=idea, author=other_participant, body="More rude words")
    client.force_login(participant)
    client.post(reverse("initiatives:comment_mute", args=[noisy.pk]))
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Rude words here" not in page and "More rude words" not in page
    assert "2 comments are not shown" in page
    client.force_login(UserFactory())
    assert "Rude words here" in client.get(idea.get_absolute_url()).content.decode()
    assert not [m for m in mail.outbox if m.to == [other_participant.email]]


def test_showing_their_comments_again_from_the_profile(client, participant, other_participant):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    comment = CommentFactory(idea=idea, author=other_participant, body="Visible again")
    mute = services.mute_set(user=participant, comment=comment)
    client.force_login(participant)
    listing = client.get(reverse("initiatives:muted_people")).content.decode()
    assert other_participant.display_name in listing
    client.post(reverse("initiatives:muted_people"), {"mute": mute.pk})
    assert not Mute.objects.exists()
    assert "Visible again" in client.get(idea.get_absolute_url()).content.decode()


def test_the_mute_list_never_names_an_anonymous_author(client, participant, other_participant):
    comment = CommentFactory(author=other_participant, is_anonymous=True)
    services.mute_set(user=participant, comment=comment)
    client.force_login(participant)
    listing = client.get(reverse("initiatives:muted_people")).content.decode()
    assert other_participant.display_name not in listing and "Anonymous participant" in listing


def test_one_cannot_mute_oneself_or_remove_someone_elses_mute(participant, other_participant):
    own = CommentFactory(author=participant)
    with pytest.raises(IdeaError):
        services.mute_set(user=participant, comment=own)
    mute = services.mute_set(user=other_participant, comment=own)
    assert services.mute_remove(user=participant, mute_id=mute.pk) is False
    assert Mute.objects.filter(pk=mute.pk).exists()
    assert (
        services.mute_set(user=other_participant, comment=CommentFactory(author=participant))
        == mute
    )


def test_a_forged_mute_id_changes_nothing(client, participant):
    client.force_login(participant)
    for value in ("abc", "999999", "", "1" * 40):
        response = client.post(reverse("initiatives:muted_people"), {"mute": value})
        assert response.status_code == 302


@pytest.mark.parametrize("role,expected", [("anonymous", 302), ("participant", 200)])
def test_the_new_participant_pages_need_sign_in(client, participant, role, expected):
    if role == "participant":
        client.force_login(participant)
    assert client.get(reverse("initiatives:muted_people")).status_code == expected
    comment = CommentFactory(status=CommentStatus.PUBLISHED)
    assert (
        client.get(reverse("initiatives:comment_report_author", args=[comment.pk])).status_code
        == expected
    )


def test_download_my_data_gives_the_person_reported_the_month_not_the_reporter(
    participant, other_participant
):
    from accounts import personal_data

    idea = IdeaFactory(author=participant, status=IdeaStatus.APPROVED)
    services.person_report_create(
        reporter=other_participant, reason="harassment", note="Kept messaging me", idea=idea
    )
    rows = personal_data.SECTIONS["reports_about_you"].rows(participant)
    assert [set(row) for row in rows] == [{"reason", "status", "reported_at"}]
    assert len(rows[0]["reported_at"]) == 7  # YYYY-MM
    assert "Kept messaging me" not in str(rows)
    made = personal_data.SECTIONS["person_reports_made"].rows(other_participant)
    assert made[0]["note"] == "Kept messaging me"
    assert participant.display_name not in str(made)
