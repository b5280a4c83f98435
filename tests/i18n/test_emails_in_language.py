"""Emails, calendar files and digests in the recipient's language (issue 14, item 4).

The Tamil and Chinese words come from the translated catalogues: these pass once
locale/{zh_Hans,ms,ta} are there (they compare with what the catalogue says, and check that
it is not the English)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar

from accounts.roles import Role
from engagement import services as engagement_services
from outbox.services import recipient_language
from reports import services as report_services
from reports.models import DigestKind
from tests.factories import DigestSubscriptionFactory, EngagementSessionFactory, UserFactory, sgt

pytestmark = pytest.mark.django_db
SGT = ZoneInfo("Asia/Singapore")
TAMIL = re.compile(r"[\u0b80-\u0bff]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _starts():
    return datetime(timezone.localtime().year + 1, 3, 8, 15, 0, tzinfo=SGT)


def _register(participant, captured):
    starts = _starts()
    session = EngagementSessionFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))
    with captured(execute=True):
        engagement_services.registration_create(
            session=session, participant=participant, registered_by=participant
        )
    return session


def test_email_to_a_tamil_preferring_participant_is_in_tamil(
    mailoutbox, django_capture_on_commit_callbacks
):
    participant = UserFactory(preferred_language="ta")
    _register(participant, django_capture_on_commit_callbacks)
    (message,) = mailoutbox
    with translation.override("ta"):
        subject = _("Your AfA session on %(date)s: your seat is confirmed")
        summary = _("AfA engagement session")
    english = "Your AfA session on 8 March: your seat is confirmed"
    assert subject != "Your AfA session on %(date)s: your seat is confirmed", "no Tamil catalogue"
    assert message.subject != english
    assert TAMIL.search(message.subject)
    assert TAMIL.search(message.body)
    assert "your seat is confirmed" not in message.body.lower()
    # The calendar file's text in Tamil too; its time is the session's, Singapore time.
    (_filename, content, _mimetype) = message.attachments[0]
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["summary"]) == summary
    assert event.decoded("dtstart") == _starts()
    # Subjects stay discreet in every language: the same sentence as in English, a date only.
    assert message.subject.startswith(subject.split("%(date)s")[0])


def test_email_subject_in_chinese_uses_chinese_dates_and_singapore_time(
    mailoutbox, django_capture_on_commit_callbacks
):
    participant = UserFactory(preferred_language="zh-hans")
    _register(participant, django_capture_on_commit_callbacks)
    (message,) = mailoutbox
    assert HAN.search(message.subject)
    # 8 March at 3 pm in Singapore, whatever the language: the month in Chinese.
    assert "3月" in message.subject or "三月" in message.subject
    assert "March" not in message.subject
    assert "Your AfA session" not in message.subject


def test_an_english_recipient_still_gets_english(mailoutbox, django_capture_on_commit_callbacks):
    participant = UserFactory()
    _register(participant, django_capture_on_commit_callbacks)
    (message,) = mailoutbox
    assert message.subject == "Your AfA session on 8 March: your seat is confirmed"


def test_sending_leaves_the_active_language_alone(mailoutbox, django_capture_on_commit_callbacks):
    participant = UserFactory(preferred_language="ta")
    with translation.override("ms"):
        _register(participant, django_capture_on_commit_callbacks)
        assert translation.get_language() == "ms"
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("stored", ["", "xx", None])
def test_an_unknown_recipient_language_is_english(stored):
    user = UserFactory.build(preferred_language=stored)
    assert recipient_language(user) == "en"


def test_staff_digest_email_is_in_each_staff_members_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    readers = {
        language: UserFactory(roles=[Role.STAFF], mfa=True, preferred_language=language)
        for language in ("en", "zh-hans", "ta")
    }
    for user in readers.values():
        DigestSubscriptionFactory(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        report_services.digest_request(
            kind=DigestKind.ON_DEMAND,
            period_start=sgt(2026, 11, 2, 8),
            period_end=sgt(2026, 11, 9, 8),
        )
    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert subjects[readers["en"].email].startswith("AfA feedback digest: ")
    for language in ("zh-hans", "ta"):
        assert not subjects[readers[language].email].startswith("AfA feedback digest")
    assert HAN.search(subjects[readers["zh-hans"].email])
    assert TAMIL.search(subjects[readers["ta"].email])
    bodies = {message.to[0]: message.body for message in mailoutbox}
    assert TAMIL.search(bodies[readers["ta"].email])
    assert HAN.search(bodies[readers["zh-hans"].email])
