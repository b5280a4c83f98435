"""Rendering and sending of the platform's own emails (tasks call this; views never send)."""

import contextlib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string


def send_templated_email(
    *,
    to: list[str],
    subject: str,
    template: str,
    context: dict,
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
    reply_to: Iterable[str] = (),
    headers: dict[str, str] | None = None,
) -> None:
    """Render `<template>.txt` (and `<template>.html` when it exists) and send one message.

    Subjects must stay discreet: never name a harm in them; someone else may see the inbox.
    `reply_to` sets a Reply-To header (the support address, never a person's own);
    `headers` adds others (List-Unsubscribe).
    """
    context = {"site_url": settings.SITE_URL, **context}
    body = render_to_string(f"{template}.txt", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=list(reply_to) or None,
        headers=dict(headers) if headers else None,
    )
    with contextlib.suppress(TemplateDoesNotExist):
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
