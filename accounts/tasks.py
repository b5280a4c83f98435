from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from afa_platform.mail import send_templated_email


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


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def send_account_erased_email(*, to: str, kept_contributions: bool, language: str) -> None:
    """Tell the old address that its account is erased. The address travels only in this
    message: no table keeps it after erasure, so this email cannot go through the outbox."""
    with translation.override(language):
        send_templated_email(
            to=[to],
            # Discreet: someone else may see the inbox.
            subject=_("AfA Platform: your account has been deleted"),
            template="accounts/email/account_erased",
            context={
                "kept_contributions": kept_contributions,
                "support_email": settings.SUPPORT_EMAIL,
            },
        )
