from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.utils.translation import gettext as _

from .tasks import send_email


@dataclass(frozen=True)
class PlatformSite:
    """What allauth's email templates read as `current_site` (we don't use django.contrib
    .sites): the platform's name and the host of SITE_URL, not whatever Host a request had."""

    name: str
    domain: str


def platform_site() -> PlatformSite:
    return PlatformSite(name=_("AfA Platform"), domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render in the request, deliver through Celery once the transaction commits.
        The context is allauth's own (request, email, the site) before the caller's."""
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": allauth_context.request,
                "email": email,
                "current_site": platform_site(),
                **context,
            },
        )
        html = next(
            (content for content, mimetype in message.alternatives if mimetype == "text/html"),
            "",
        )
        send_email.delay_on_commit(
            subject=message.subject,
            body=message.body,
            to=list(message.to),
            html=html,
            from_email=message.from_email,
        )
