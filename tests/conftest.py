"""The shared cast of users, the Celery mode for tests, and the browser set-up."""

import os
import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.utils import translation

from accounts.roles import Role
from afa_platform.celery import app as celery_app

from .factories import UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# Django's advice for test suites: the production hasher (PBKDF2, a million rounds) costs a
# quarter of a second per user made on this machine, and the suite makes thousands.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    no_chromium = pytest.mark.skip(reason=f"Chromium is not installed at {CHROMIUM}")
    no_postgres = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL to a postgres:// URL")
    no_redis = pytest.mark.skip(reason="needs a real broker: set REDIS_URL")
    for item in items:
        if "browser" in item.keywords and not os.path.exists(CHROMIUM):
            item.add_marker(no_chromium)
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(no_postgres)
        if "real_worker" in item.keywords and not settings.REDIS_URL:
            item.add_marker(no_redis)


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run in-process during tests, even when REDIS_URL points at a broker; tests marked
    real_worker talk to a real worker instead."""
    if "real_worker" in request.keywords:
        yield
        return
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _english_again_after_each_test():
    """A request in another language leaves that language active in the test's thread;
    the next test starts in the default language whatever ran before it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _force_login_completes_sign_in(monkeypatch):
    """`client.force_login(user)` stands for a finished sign-in, and for a person with an
    authenticator a finished sign-in includes the second factor, as allauth records it.
    `second_factor=False` gives the password-only session an attacker would have."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None, *, second_factor=True):
        original(self, user, backend)
        if second_factor and is_mfa_enabled(user):
            record_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


def record_second_factor(client, user) -> None:
    """Write into the client's session what allauth writes after a TOTP code."""
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "mfa", "at": time.time(), "type": "totp"}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and TOTP replay markers live in the cache: start each test clean."""
    from django.core.cache import cache

    cache.clear()
    yield


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (browser, concurrency, real worker) start with the roles and harm
    taxonomy the data migrations made, whatever an earlier test's flush removed."""
    if _is_transactional(request):
        from .reference_data import restore_reference_data

        request.getfixturevalue("transactional_db")
        restore_reference_data()
    yield


@pytest.fixture
def participant(db):
    return UserFactory(display_name="Pat Participant")


@pytest.fixture
def other_participant(db):
    return UserFactory(display_name="Olive Other")


@pytest.fixture
def organiser(db):
    return UserFactory(display_name="Oscar Organiser", roles=[Role.ORGANISER], mfa=True)


@pytest.fixture
def organiser_without_mfa(db):
    return UserFactory(display_name="Nina NoMFA", roles=[Role.ORGANISER])


@pytest.fixture
def staff(db):
    return UserFactory(display_name="Sam Staff", roles=[Role.STAFF], mfa=True)


@pytest.fixture
def admin_user(db):
    return UserFactory(display_name="Ada Admin", is_staff=True, is_superuser=True, mfa=True)


# --- Browser ------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-SG", "timezone_id": "Asia/Singapore"}


def assert_no_serious_axe_violations(page) -> None:
    """Run axe-core in the page; fail on any serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        violation
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in bad
    )
