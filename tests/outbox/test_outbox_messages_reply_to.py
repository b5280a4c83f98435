"""The outbox's Reply-To (issue 16, item 1): a kind that sets one gets the header; the others
send none, so a reply to an ordinary notice goes nowhere unexpected."""

import pytest
from django.conf import settings

from outbox.registry import RENDERERS, Message
from outbox.services import Email, email_queue, outbox_drain
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _renderer(reply_to):
    def render(email):
        return Message(
            subject="A test email",
            template="engagement/email/_footer",
            context={},
            reply_to=reply_to,
        )

    return render


@pytest.mark.parametrize(
    ("reply_to", "header"),
    [([], []), (["afa-support@afa.example.sg"], ["afa-support@afa.example.sg"])],
)
def test_a_kind_with_a_reply_to_sends_it_and_others_send_none(
    monkeypatch, mailoutbox, reply_to, header
):
    monkeypatch.setitem(RENDERERS, "test.reply_to", _renderer(reply_to))
    person = UserFactory()
    (email_id,) = email_queue(Email(kind="test.reply_to", recipient_id=person.pk, params={}))
    assert outbox_drain(email_ids=[email_id]) == 1
    (sent,) = mailoutbox
    assert sent.reply_to == header
    assert sent.from_email == settings.DEFAULT_FROM_EMAIL
    assert ("Reply-To" in sent.message()) == bool(header)
