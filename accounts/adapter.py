from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
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


def safe_next(url: str | None) -> str | None:
    """A `next` worth following: a path on this site, never another host or scheme (so no
    `//elsewhere`, `https://elsewhere` or `javascript:`), whatever ALLOWED_HOSTS holds."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return url
    return None


def requested_next(request: HttpRequest | None) -> str | None:
    """The `next` a sign-up, sign-in or resend form carried (allauth passes it through as a
    hidden field), if safe."""
    if request is None:
        return None
    return safe_next(request.POST.get("next") or request.GET.get("next"))


class AccountAdapter(DefaultAccountAdapter):
    def is_safe_url(self, url: str) -> bool:
        """allauth follows `next` after sign-in, sign-up and verification: local paths only."""
        return safe_next(url) is not None

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        """The link in the verification email keeps the thread: someone who signed up on the
        way to a session page confirms, is asked to sign in, and lands back on that page.
        The link's `next` is the sign-in page carrying the original `next`, so the link
        works on any device (a phone opening the email has none of the browser's session).
        The host is SITE_URL's, as in every other email, not the request's Host header."""
        url = settings.SITE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])
        target = requested_next(request)
        if target is None:
            return url
        sign_in = f"{reverse('account_login')}?{urlencode({'next': target}, safe='/')}"
        return f"{url}?{urlencode({'next': sign_in}, safe='/')}"

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
                "expiry_days": account_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS,
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
