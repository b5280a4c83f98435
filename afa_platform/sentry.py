"""Error reporting through sentry-sdk, only when SENTRY_DSN is set (settings call init()).

No personal data is sent: send_default_pii is off (no cookies, user, IP or request bodies),
and before_send replaces every email address anywhere in the event (messages, exception
values, breadcrumbs, local variables) with "[email]"."""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from afa_platform.logs import redact_emails


def scrub(value):
    if isinstance(value, str):
        return redact_emails(value)
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value


def before_send(event, hint):
    return scrub(event)


def init(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        before_send=before_send,
        before_send_transaction=before_send,
        before_breadcrumb=lambda crumb, hint: scrub(crumb),
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
