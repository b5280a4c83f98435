"""Request-level rules about the signed-in person: the second factor, private pages,
sign-out after idle time for the roles that see other people's data, and the current
privacy notice accepted before anything else."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import get_user
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .permissions import SECOND_FACTOR_ATTR, is_privileged, mark_second_factor
from .restrictions import RESTRICTED_OPEN_PATHS, RESTRICTED_PATH

# Session keys (epoch seconds).
SIGNED_IN_AT = "afa_signed_in_at"
LAST_SEEN = "afa_last_seen"
# Write "last seen" at most this often: every write is a session save.
LAST_SEEN_RESOLUTION = 60
STAY_SIGNED_IN_PATH = "/accounts/profile/stay-signed-in/"
PRIVACY_PATH = "/privacy/"
# What a signed-in person who has not accepted the current notice may still open: the notice
# and its accept and withdraw forms, signing out, their data, deleting their account, and
# what every page loads.
NOTICE_OPEN_PATHS = (
    PRIVACY_PATH,
    "/accounts/profile/notice/",
    "/accounts/logout/",
    "/accounts/profile/my-data/",
    "/accounts/profile/delete/",
    STAY_SIGNED_IN_PATH,
    # Reading the new notice in one's own language.
    "/i18n/",
    "/healthz",
    "/favicon",
)


class SecondFactorMiddleware:
    """After AuthenticationMiddleware: the user it loads (still lazily) carries whether this
    session passed two-factor sign-in, for accounts.permissions.has_role to read."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def load():
            user = get_user(request)  # AuthenticationMiddleware's cached user
            mark_second_factor(request, user)
            return user

        request.user = SimpleLazyObject(load)
        return self.get_response(request)


def supported_language(code: object) -> str | None:
    """One of settings.LANGUAGES exactly, or None: what a cookie, a form or a profile row says
    is trusted only when it names a language the site has."""
    if isinstance(code, str) and code in dict(settings.LANGUAGES):
        return code
    return None


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class PreferredLanguageMiddleware:
    """After LocaleMiddleware (which took the language from the cookie, else the browser,
    else English) and AuthenticationMiddleware: a signed-in person sees every page in the
    language on their profile, on any device. The cookie follows the profile, so the page
    stays in that language after signing out. Costs no query: the language is on the user
    the session loads."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        language = supported_language(user.preferred_language) if user.is_authenticated else None
        if language is not None:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if (
            language is not None
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language
            # A response that sets the cookie itself (the switcher) knows better.
            and settings.LANGUAGE_COOKIE_NAME not in response.cookies
        ):
            set_language_cookie(response, language)
        return response


class PrivatePagesMiddleware:
    """Nothing shown to a signed-in person is kept by a browser or a shared cache (OWASP
    ASVS 8.2.1): their feedback, their registrations, a roster."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


def idle_timeout_seconds(user) -> int | None:
    """Organisers, MCI staff and administrators are signed out after this long without a
    request; participants keep the session they chose at sign-in ("Remember me").
    Only a session that passed a second factor can act in a privileged role (see
    accounts.permissions), so only such a session is asked about roles: a participant's
    request costs no extra query."""
    if getattr(user, SECOND_FACTOR_ATTR, False) and is_privileged(user):
        return settings.PRIVILEGED_IDLE_MINUTES * 60
    return None


class RoleSessionTimeoutMiddleware:
    """OWASP ASVS 7.3: idle and absolute timeouts for the privileged roles. The page tells
    them before it happens (templates/_session_timeout.html, static/js/site.js)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        idle = idle_timeout_seconds(user) if user.is_authenticated else None
        if idle is not None:
            now = int(time.time())
            session = request.session
            signed_in_at = session.get(SIGNED_IN_AT) or now
            last_seen = session.get(LAST_SEEN) or now
            longest = settings.PRIVILEGED_SESSION_HOURS * 3600
            if now - last_seen > idle or now - signed_in_at > longest:
                logout(request)
                messages.info(
                    request,
                    _(
                        "You were signed out because this session was inactive for too long. "
                        "Sign in again to continue."
                    ),
                )
                return redirect_to_login(request.get_full_path())
            if SIGNED_IN_AT not in session:
                session[SIGNED_IN_AT] = signed_in_at
            if (
                LAST_SEEN not in session
                or now - last_seen >= LAST_SEEN_RESOLUTION
                or request.path == STAY_SIGNED_IN_PATH
            ):
                session[LAST_SEEN] = now
                # The stored session itself ends with the idle time (or the absolute limit).
                session.set_expiry(max(1, min(idle, longest - (now - signed_in_at))))
        return self.get_response(request)


class PrivacyNoticeMiddleware:
    """When settings.PDPA_NOTICE_VERSION changes, a signed-in person is sent to the privacy
    page, which shows the new notice, what changed, and the accept form (or the way to delete
    their account), before they go on; NOTICE_OPEN_PATHS and static files stay open.
    Costs no query: the accepted version is on the user the session loads."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.pdpa_consent_version != settings.PDPA_NOTICE_VERSION
            and not request.path.startswith((*NOTICE_OPEN_PATHS, settings.STATIC_URL))
        ):
            target = PRIVACY_PATH
            if request.method in ("GET", "HEAD"):
                target += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(target)
        return self.get_response(request)


class RestrictedPersonMiddleware:
    """A suspended or blocked person who signs in sees only the page that says so (with the
    date it ends and how to ask for a review), their data, deleting their account and the
    other RESTRICTED_OPEN_PATHS (accounts.restrictions). Costs no query: the restriction is on
    the user the session loads. The services refuse them as well, whatever the entry point."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.restriction
            and user.restriction_in_force()
            and not request.path.startswith((*RESTRICTED_OPEN_PATHS, settings.STATIC_URL))
        ):
            return HttpResponseRedirect(RESTRICTED_PATH)
        return self.get_response(request)
