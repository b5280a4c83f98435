"""What the privacy page shows a signed-in person about their consent: the notice version
they have not accepted yet (with what changed), or the way to withdraw. The page itself is
the project's (afa_platform.views.privacy); the accept form posts to accounts.views."""

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import select_template
from django.utils.http import url_has_allowed_host_and_scheme

from .services import consent_is_current


def notice_changes_html(version: str) -> str:
    """The short "what changed" of a notice version: templates/accounts/notice_changes/
    <version>.html, or a general line when that version has none."""
    template = select_template(
        [f"accounts/notice_changes/{version}.html", "accounts/notice_changes/default.html"]
    )
    return template.render({"version": version})


def safe_next(request: HttpRequest, candidate: str, default: str = "") -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def privacy_page_context(request: HttpRequest) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {"consent": None}
    current = settings.PDPA_NOTICE_VERSION
    needs_acceptance = not consent_is_current(user)
    return {
        "consent": {
            "needs_acceptance": needs_acceptance,
            "first_time": not user.pdpa_consent_version,
            "accepted_version": user.pdpa_consent_version,
            "version": current,
            "changes": notice_changes_html(current) if needs_acceptance else "",
            "next": safe_next(request, request.GET.get("next", "")),
        }
    }
