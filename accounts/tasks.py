from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from afa_platform.mail import send_templated_email

from . import services


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


# tasks and services import each other as modules and name each other only at call time.
@shared_task
def build_personal_data_archive(*, archive_id: int) -> bool:
    """Build one person's "Download my data" ZIP (claimed with a lease: safe to run twice)."""
    return services.personal_data_archive_build(archive_id=archive_id)


@shared_task
def resume_personal_data_archives() -> list[int]:
    """Beat, every JOB_SWEEP_SECONDS: take over archives whose worker died."""
    return services.personal_data_archives_resume()


@shared_task
def delete_expired_personal_data_archives() -> list[int]:
    """Beat, hourly: delete archive files past their expiry."""
    return services.personal_data_archives_expire()


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def send_account_erased_email(
    *, to: str, kept_contributions: bool, language: str, after_inactivity: bool = False
) -> None:
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
                "after_inactivity": after_inactivity,
                "inactive_months": settings.RETENTION_INACTIVE_ACCOUNT_MONTHS,
                "support_email": settings.SUPPORT_EMAIL,
            },
        )
