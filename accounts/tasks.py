from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def send_email(
    *, subject: str, body: str, to: list[str], html: str = "", from_email: str = ""
) -> None:
    """Send one already-rendered message.

    Account emails (verification, password reset) are rendered in the request, where
    allauth builds their one-time links, and only delivery happens here. A retry after
    a lost connection may deliver twice; those links stay valid, so that is harmless.
    """
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email or settings.DEFAULT_FROM_EMAIL, to=to
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
