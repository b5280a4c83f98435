"""Error reporting through sentry-sdk, when SENTRY_DSN is set: no personal data, no email
address anywhere in an event."""

from unittest import mock

import sentry_sdk

from afa_platform import sentry
from tests.settings_env import settings_with_env


def test_before_send_scrubs_email_addresses_everywhere_in_an_event():
    event = {
        "message": "Could not send to someone@example.com",
        "exception": {
            "values": [{"type": "SMTPRecipientsRefused", "value": "{'a.b@example.org': (550,)}"}]
        },
        "breadcrumbs": {"values": [{"message": "user other@example.net signed in"}]},
        "extra": {"count": 3, "nested": ("third@example.sg", None)},
    }
    scrubbed = sentry.before_send(event, {})
    text = repr(scrubbed)
    assert "@example" not in text
    assert scrubbed["message"] == "Could not send to [email]"
    assert scrubbed["exception"]["values"][0]["type"] == "SMTPRecipientsRefused"
    assert scrubbed["extra"]["count"] == 3


def test_sentry_starts_only_with_a_dsn_and_without_personal_data():
    with mock.patch.object(sentry_sdk, "init") as init:
        settings_with_env(SENTRY_DSN="")
        assert not init.called
        settings_with_env(SENTRY_DSN="https://key@sentry.example.sg/4")
    options = init.call_args.kwargs
    assert options["dsn"] == "https://key@sentry.example.sg/4"
    assert options["send_default_pii"] is False
    assert options["before_send"] is sentry.before_send
    assert options["environment"] == "production"


def test_an_event_sent_through_the_sdk_reaches_the_transport_scrubbed():
    sent: list = []

    class Transport(sentry_sdk.transport.Transport):
        def capture_envelope(self, envelope):
            sent.append(envelope)

    with mock.patch.object(sentry_sdk, "init") as init:
        sentry.init(dsn="https://key@sentry.example.sg/4", environment="test", traces_sample_rate=0)
    # The same options, without the Django and Celery integrations (they would patch Django
    # for the rest of the test run).
    options = {**init.call_args.kwargs, "integrations": [], "default_integrations": False}
    client = sentry_sdk.Client(**options, transport=Transport)
    with sentry_sdk.new_scope() as scope:
        scope.set_client(client)
        sentry_sdk.capture_message("Refused: someone@example.com")
        client.flush()
    [envelope] = sent
    body = b"".join(item.get_bytes() for item in envelope.items).decode()
    assert "Refused: [email]" in body
    assert "someone@example.com" not in body
