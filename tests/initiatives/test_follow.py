"""Following an initiative: the services and the daily digest (issue 17, item 3)."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Restriction
from accounts.personal_data import SECTIONS
from accounts.services import account_erase
from initiatives import services, tasks
from initiatives.emails import FOLLOW_DIGEST
from initiatives.models import Follow, FollowNotice, FollowNoticeKind
from outbox.models import OutboundEmail, OutboundEmailStatus
from outbox.services import outbox_drain
from tests.factories import FollowFactory, InitiativeFactory, UserFactory, sgt

pytestmark = pytest.mark.django_db

DAY_ONE = sgt(2026, 12, 3, 18)
DAY_TWO = sgt(2026, 12, 4, 18)


def _post(initiative, lead, title="Workshop dates set", body="Three schools signed up."):
    return services.initiative_update_post(
        initiative=initiative, author=lead, title=title, body=body
    )


def _digests():
    return OutboundEmail.objects.filter(kind=FOLLOW_DIGEST)


def _run(now):
    return services.follow_digests_queue(now=now)


def _sent_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_follow_start_is_idempotent_and_stop_too(participant):
    initiative = InitiativeFactory()
    first = services.follow_start(initiative=initiative, by=participant)
    again = services.follow_start(initiative=initiative, by=participant)
    assert first.pk == again.pk
    assert Follow.objects.filter(user=participant).count() == 1
    assert services.follow_stop(initiative=initiative, by=participant) == 1
    assert services.follow_stop(initiative=initiative, by=participant) == 0
    assert not Follow.objects.exists()


def test_blocked_and_suspended_people_cannot_follow():
    initiative = InitiativeFactory()
    blocked = UserFactory(restriction=Restriction.BLOCKED)
    with pytest.raises(services.IdeaError):
        services.follow_start(initiative=initiative, by=blocked)
    assert not Follow.objects.exists()


def test_posting_an_update_queues_one_notice_for_followers(organiser):
    initiative = InitiativeFactory()
    update = _post(initiative, organiser)
    notice = FollowNotice.objects.get()
    assert (notice.kind, notice.object_id, notice.initiative_id) == (
        FollowNoticeKind.UPDATE,
        update.pk,
        initiative.pk,
    )
    services.follower_notice_queue(
        initiative=initiative, kind=FollowNoticeKind.UPDATE, object_id=update.pk
    )
    assert FollowNotice.objects.count() == 1


def test_an_unknown_notice_kind_is_refused():
    with pytest.raises(ValueError):
        services.follower_notice_queue(initiative=InitiativeFactory(), kind="gossip", object_id=1)


def test_a_follower_hears_only_of_what_happens_after_they_follow(participant, organiser):
    initiative = InitiativeFactory()
    _post(initiative, organiser, title="Before")
    services.follow_start(initiative=initiative, by=participant)
    assert _run(DAY_ONE) == 0
    _post(initiative, organiser, title="After")
    assert _run(DAY_ONE) == 1
    outbox_drain()
    (message,) = _sent_to(participant)
    assert "After" in message.body
    assert "Before" not in message.body


def test_daily_digest_is_one_email_per_follower_with_every_item(
    participant, other_participant, organiser
):
    schools, helplines = (
        InitiativeFactory(title="Safer schools"),
        InitiativeFactory(title="Helplines"),
    )
    for person in (participant, other_participant):
        services.follow_start(initiative=schools, by=person)
    services.follow_start(initiative=helplines, by=participant)
    _post(schools, organiser, title="Schools update one")
    _post(schools, organiser, title="Schools update two")
    _post(helplines, organiser, title="Helplines update")
    services.follower_notice_queue(
        initiative=helplines, kind=FollowNoticeKind.PUBLISHED_VERSION, object_id=987654
    )

    assert _run(DAY_ONE) == 2
    outbox_drain()
    (mine,) = _sent_to(participant)
    (theirs,) = _sent_to(other_participant)
    for title in ("Schools update one", "Schools update two", "Helplines update"):
        assert title in mine.body
    assert "A new version of the initiative's text was published." in mine.body
    assert "Helplines" not in theirs.body
    assert "Schools update two" in theirs.body
    # Discreet: no initiative title, no harm in the subject.
    assert mine.subject == "News from initiatives you follow"


def test_no_email_on_a_day_with_nothing_new(participant, organiser):
    initiative = InitiativeFactory()
    services.follow_start(initiative=initiative, by=participant)
    assert _run(DAY_ONE) == 0
    _post(initiative, organiser)
    assert _run(DAY_ONE) == 1
    assert _run(DAY_TWO) == 0
    assert _digests().count() == 1


def test_running_twice_the_same_day_sends_once_and_later_news_waits_for_tomorrow(
    participant, organiser
):
    initiative = InitiativeFactory()
    services.follow_start(initiative=initiative, by=participant)
    _post(initiative, organiser, title="Morning news")
    assert _run(DAY_ONE) == 1
    assert _run(DAY_ONE) == 0
    _post(initiative, organiser, title="Evening news")
    assert _run(DAY_ONE) == 0  # today's email is written: the evening's waits
    assert _run(DAY_TWO) == 1
    outbox_drain()
    first, second = _sent_to(participant)
    assert "Morning news" in first.body and "Evening news" not in first.body
    assert "Evening news" in second.body and "Morning news" not in second.body


def test_an_item_is_never_in_two_emails(participant, organiser):
    initiative = InitiativeFactory()
    services.follow_start(initiative=initiative, by=participant)
    for day in range(3, 8):
        _post(initiative, organiser, title=f"News of day {day}")
        _run(sgt(2026, 12, day, 18))
    outbox_drain()
    bodies = [m.body for m in _sent_to(participant)]
    assert len(bodies) == 5
    for day in range(3, 8):
        assert sum(f"News of day {day}" in body for body in bodies) == 1


def test_a_digest_key_taken_by_a_concurrent_run_leaves_the_items_for_tomorrow(
    participant, organiser
):
    """The control for the key: a run that lost the race queues nothing and moves no
    watermark, so the items go in the next email rather than nowhere."""
    initiative = InitiativeFactory()
    follow = services.follow_start(initiative=initiative, by=participant)
    _post(initiative, organiser)
    key = services.follow_digest_key(user_id=participant.pk, day=DAY_ONE.date())
    OutboundEmail.objects.create(kind=FOLLOW_DIGEST, recipient=participant, params={}, key=key)
    assert services.follow_digest_queue(user_id=participant.pk, day=DAY_ONE.date()) is False
    follow.refresh_from_db()
    assert follow.notified_through == 0
    assert services.follow_digest_queue(user_id=participant.pk, day=DAY_TWO.date()) is True


def test_erased_inactive_and_restricted_followers_get_nothing(organiser):
    initiative = InitiativeFactory()
    people = [
        UserFactory(is_active=False),
        UserFactory(restriction=Restriction.BLOCKED),
        UserFactory(restriction=Restriction.SUSPENDED, restricted_until=sgt(2027, 1, 1)),
    ]
    for person in people:
        FollowFactory(initiative=initiative, user=person)
    _post(initiative, organiser)
    assert _run(DAY_ONE) == 0


def test_a_deleted_update_and_an_unfollowed_initiative_are_left_out_at_send_time(
    participant, organiser
):
    kept, dropped = InitiativeFactory(title="Kept"), InitiativeFactory(title="Dropped")
    for initiative in (kept, dropped):
        services.follow_start(initiative=initiative, by=participant)
    withdrawn = _post(kept, organiser, title="Withdrawn news")
    _post(kept, organiser, title="Standing news")
    _post(dropped, organiser, title="Unfollowed news")
    _run(DAY_ONE)
    withdrawn.delete()
    services.follow_stop(initiative=dropped, by=participant)
    outbox_drain()
    (message,) = _sent_to(participant)
    assert "Standing news" in message.body
    assert "Withdrawn news" not in message.body
    assert "Unfollowed news" not in message.body


def test_a_digest_with_nothing_left_to_tell_is_dropped(participant, organiser):
    initiative = InitiativeFactory()
    services.follow_start(initiative=initiative, by=participant)
    _post(initiative, organiser)
    _run(DAY_ONE)
    services.follow_stop(initiative=initiative, by=participant)
    outbox_drain()
    assert not mail.outbox
    assert _digests().get().status == OutboundEmailStatus.DROPPED


def test_the_digest_carries_one_click_unsubscribe_headers_and_links(participant, organiser):
    initiative = InitiativeFactory()
    services.follow_start(initiative=initiative, by=participant)
    _post(initiative, organiser)
    _run(DAY_ONE)
    outbox_drain()
    (message,) = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and "/following/unsubscribe/" in header
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header.strip("<>") in message.body
    assert "Stop following this initiative:" in message.body
    raw = message.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_the_digest_is_in_the_recipients_language(organiser):
    follower = UserFactory(preferred_language="ms")
    initiative = InitiativeFactory()
    services.follow_start(initiative=initiative, by=follower)
    _post(initiative, organiser)
    _run(DAY_ONE)
    outbox_drain()
    (message,) = mail.outbox
    assert message.subject == "Berita daripada inisiatif yang anda ikuti"


def test_the_beat_task_queues_the_digests(participant, organiser):
    initiative = InitiativeFactory()
    services.follow_start(initiative=initiative, by=participant)
    _post(initiative, organiser)
    assert tasks.queue_follow_digests() == 1
    assert tasks.queue_follow_digests() == 0


def test_the_batch_costs_a_fixed_number_of_queries_per_follower(organiser):
    initiative = InitiativeFactory()
    _post(initiative, organiser)

    def queries_for(followers: int) -> int:
        FollowNotice.objects.all().delete()
        Follow.objects.all().delete()
        OutboundEmail.objects.all().delete()
        for _ in range(followers):
            FollowFactory(initiative=initiative)
        _post(initiative, organiser, title=f"For {followers}")
        with CaptureQueriesContext(connection) as context:
            assert _run(DAY_ONE) == followers
        return len(context)

    one, three = queries_for(1), queries_for(3)
    per_follower = (three - one) / 2
    # Lock the follows, read the notices, write the email and the watermarks (and savepoints).
    assert per_follower <= 10


def test_erasing_an_account_ends_its_follows_and_its_digests(participant, organiser):
    initiative = InitiativeFactory()
    services.follow_start(initiative=initiative, by=participant)
    _post(initiative, organiser)
    account_erase(user=participant, keep_contributions=True, requested_by=None)
    assert not Follow.objects.exists()
    assert _run(DAY_ONE) == 0


def test_download_my_data_lists_what_the_person_follows(participant, other_participant):
    FollowFactory(user=participant, initiative=InitiativeFactory(title="Helplines together"))
    FollowFactory(user=other_participant, initiative=InitiativeFactory(title="Not theirs"))
    rows = SECTIONS["initiatives_followed"].rows(participant)
    assert [row["initiative"] for row in rows] == ["Helplines together"]
    assert rows[0]["followed_at"]
