"""Settings for the AfA Platform, read from the environment alone.

Unset, every value gives the embedded demo: SQLite under var/, Celery tasks run
in-process, email printed to the console. With DEBUG off the process refuses to
start without SECRET_KEY and ALLOWED_HOSTS.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from afa_platform import sentry as error_reporting

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if DEBUG:
    SECRET_KEY = SECRET_KEY or "insecure-development-key-only-used-when-DEBUG-is-on"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY and ALLOWED_HOSTS, or DEBUG=1 for local work."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is not set. Set it to the host names this site answers to."
        )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin: it patches the registered models' fields and the admin's forms.
    "modeltranslation",
    "afa_platform.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Its trigram extension operation and lookups: search in Chinese and Tamil (issue 14).
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "audit",
    "outbox",
    "accounts",
    "harms",
    "process",
    "engagement",
    "feedback",
    "initiatives",
    "reports",
    "exports",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The public API answers its own methods (OPTIONS, the CORS preflight, included) before
    # sessions and users are loaded (api/http.py).
    "api.http.ApiMiddleware",
    "afa_platform.middleware.AllowedMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "accounts.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.RoleSessionTimeoutMiddleware",
    "accounts.middleware.PrivacyNoticeMiddleware",
    "accounts.middleware.RestrictedPersonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "afa_platform.urls"
WSGI_APPLICATION = "afa_platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "afa_platform.context_processors.site",
            ],
            "libraries": {
                "form_errors": "afa_platform.templatetags.form_errors",
                "content_language": "afa_platform.templatetags.content_language",
                "markdown": "afa_platform.templatetags.markdown",
            },
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two writers queue
    # instead of failing with "database is locked" half-way through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # With Redis unreachable, the cache acts as an empty one instead of raising, so pages
    # keep working; /healthz pings Redis itself and says 503 (see the module).
    CACHES = {
        "default": {"BACKEND": "afa_platform.cache.OutageTolerantRedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions are read from Redis and written through to the database, so a Redis restart
    # or outage signs nobody out; the copy in Redis lives a few minutes at most, so one that
    # missed a change during an outage is soon read again from the database.
    SESSION_ENGINE = "afa_platform.sessions"
    CELERY_BROKER_URL = REDIS_URL
    # kombu's Redis transport, reusing one client per channel and giving up on a broker
    # that does not answer within seconds (see the module).
    CELERY_BROKER_TRANSPORT = "afa_platform.celery_broker:Transport"
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None
    # No broker: run every task in-process, as soon as it is enqueued.
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Singapore"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
# Every task records its outcome in the database (a digest's or export job's status, a
# delivery row); nothing reads Celery's result, so don't store one or subscribe to it on
# every enqueue (that round trip was a tenth of a registration request).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
# A task is acknowledged after it finishes, and re-delivered if its worker dies:
# every task is written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish from a request tries twice (a pooled connection may be stale after a Redis
# restart) and then gives up, so a request answers within about a second when the broker
# refuses connections, instead of Celery's default four tries over more than a second;
# the on-commit hook logs the failure (afa_platform/celery.py) and outboxes are swept.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Redis hands a message that was delivered but never acknowledged (its worker died) to
# another worker only after this many seconds. It must exceed the longest task's hard time
# limit (an export build: 31 minutes), or a task still running would be delivered again and
# run twice at once. It is not what resumes a dead worker's job: the job leases below and
# their sweep do that within about two minutes, so this can stay long. (Redis only; the
# in-process mode has no broker.)
BROKER_VISIBILITY_TIMEOUT = env.int("BROKER_VISIBILITY_TIMEOUT", default=2 * 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
# Long jobs (export files, digests) hold a lease on their row, renewed by a heartbeat every
# third of it; a lease that ran out means the worker died, and the sweep (every
# JOB_SWEEP_SECONDS) queues the job again. Together they bound how long a killed worker's job
# waits: at most JOB_LEASE_SECONDS + JOB_SWEEP_SECONDS (under two minutes by default).
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=45)
JOB_SWEEP_SECONDS = env.int("JOB_SWEEP_SECONDS", default=60)
# Emails that matter go through the outbox (outbox/): a claim older than this is taken for a
# dead drain's and retaken; a send failing this many times is given up (logged).
OUTBOX_CLAIM_STALE_MINUTES = env.int("OUTBOX_CLAIM_STALE_MINUTES", default=10)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
CELERY_BEAT_SCHEDULE: dict = {
    # The outbox's sweep: emails whose drain was lost (a broker outage), or due again after
    # a failed send, or claimed by a drain that died.
    "outbox-send-outbound-emails": {
        "task": "outbox.tasks.send_outbound_emails",
        "schedule": 60,
    },
    # First emails of new registrations are queued as they come; this sweep catches any
    # whose drain was lost (a broker outage at the wrong moment).
    "engagement-send-registration-notices": {
        "task": "engagement.tasks.send_registration_notices",
        "schedule": 60,
    },
    # Each registration is reminded once: the task claims it with a conditional update.
    "engagement-send-due-reminders": {
        "task": "engagement.tasks.send_due_reminders",
        "schedule": 15 * 60,
    },
}

# --- Email --------------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AfA Platform <no-reply@afa.example.sg>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = ""

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
# allauth's form, answering a sign-up that loses a race for its email as a repeat sign-up.
ACCOUNT_FORMS = {"signup": "accounts.signup.SignupForm"}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "AfA Platform: "
ACCOUNT_PREVENT_ENUMERATION = True
# allauth keeps its counters in the default cache (Redis in production); they fail open,
# with a logged warning, while Redis is unreachable (why: afa_platform/cache.py).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
# The per-IP limits above need the client's address. Behind N reverse proxies that each
# append to X-Forwarded-For, the client is the Nth entry from the right; the entries left of
# it are whatever the client sent, so they are never trusted. 0 (the default, for a server
# reached directly) ignores the header. The compose stack assumes one TLS proxy (README).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "AfA Platform"
# A code typed in the last seconds of its 30-second step still counts when it arrives in the
# next one: one step either side (allauth then remembers a used code across the whole window).
MFA_TOTP_TOLERANCE = 1
# The PDPA notice participants consent to; bump when its text changes.
PDPA_NOTICE_VERSION = "2026-12"

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en"
# Singapore's four official languages, each named in itself (never translated: a person looks
# for their own language's name). The switcher in the header posts to accounts' set_language;
# the choice lives in the cookie and, for a signed-in person, in User.preferred_language.
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("ms", "Bahasa Melayu"),
    ("ta", "தமிழ்"),
]
LANGUAGE_COOKIE_NAME = "afa_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# --- Content in four languages (issue 14, item 3) ---
# Admin-edited text (harm categories, solution areas, support services) has a column per
# language (name_en, name_zh_hans, name_ms, name_ta; see harms/translation.py). English is
# required and is what a missing translation falls back to; the page marks the fallen-back
# text lang="en" (afa_platform/templatetags/content_language.py). English itself falls back to
# any language that has the text, so a heading is never empty.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en",), "en": ("zh-hans", "ms", "ta")}
MODELTRANSLATION_REQUIRED_LANGUAGES = ("en",)
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "en"
TIME_ZONE = "Asia/Singapore"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -----------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# How long the cache keeps its copy of a session (afa_platform/sessions.py); only used
# with REDIS_URL.
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=300)
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie (forms carry the token), so scripts may not read it at all.
CSRF_COOKIE_HTTPONLY = True
# OWASP ASVS 7.3: organisers, MCI staff and administrators are signed out after this long
# without a request, and after this long whatever they do (accounts.middleware).
PRIVILEGED_IDLE_MINUTES = env.int("PRIVILEGED_IDLE_MINUTES", default=30)
PRIVILEGED_SESSION_HOURS = env.int("PRIVILEGED_SESSION_HOURS", default=12)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws form controls with data: SVGs; MFA shows its QR code as one.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The container health check speaks plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- The Alliance -------------------------------------------------------------
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="afa-support@afa.example.sg")
# Where "Leave this site quickly" sends someone: a neutral, everyday page.
QUICK_EXIT_URL = env.str("QUICK_EXIT_URL", default="https://www.weather.gov.sg/home/")

# Ideas and comments: rate limits per user per hour, and whether comments wait for a
# moderator before they appear (off: they appear at once and can be reported).
IDEAS_PER_HOUR = env.int("IDEAS_PER_HOUR", default=10)
COMMENTS_PER_HOUR = env.int("COMMENTS_PER_HOUR", default=30)
COMMENTS_PREMODERATED = env.bool("COMMENTS_PREMODERATED", default=False)
# Messages to a session (issue 16, item 1): at most this many per session in any rolling 24
# hours, whoever sends them.
SESSION_MESSAGES_PER_DAY = env.int("SESSION_MESSAGES_PER_DAY", default=5)
# A new account's first this-many comments wait for an organiser before they are public
# (0: none do). The drive-by abuser waits; everyone else is slowed once.
FIRST_CONTRIBUTIONS_PREMODERATED = env.int("FIRST_CONTRIBUTIONS_PREMODERATED", default=1)
# An urgent report (on content or on a person) still open this many minutes after it came in
# is escalated to every organiser and to MCI staff, once (initiatives.services).
URGENT_RESPONSE_MINUTES = env.int("URGENT_RESPONSE_MINUTES", default=60)
# Organisers who opted in get the moderation summary at this hour, Singapore time.
MODERATION_SUMMARY_HOUR = env.int("MODERATION_SUMMARY_HOUR", default=8)
CELERY_BEAT_SCHEDULE["initiatives-sweep-urgent-reports"] = {
    "task": "initiatives.tasks.sweep_urgent_reports",
    "schedule": 60,
}
CELERY_BEAT_SCHEDULE["initiatives-moderation-summaries"] = {
    "task": "initiatives.tasks.queue_moderation_summaries",
    "schedule": crontab(minute=0, hour=MODERATION_SUMMARY_HOUR),
}
# Followers of an initiative get their daily digest (what is new) at this hour, Singapore time.
FOLLOW_DIGEST_HOUR = env.int("FOLLOW_DIGEST_HOUR", default=18)
CELERY_BEAT_SCHEDULE["initiatives-follow-digests"] = {
    "task": "initiatives.tasks.queue_follow_digests",
    "schedule": crontab(minute=0, hour=FOLLOW_DIGEST_HOUR),
}
# bench/pages.py only: serves /bench/ceiling/, base.html with no queries of its own, the
# framework's ceiling for a page. Off unless set; never set it in production.
BENCH_CEILING_VIEW = env.bool("BENCH_CEILING_VIEW", default=False)

# --- Feedback and digests -------------------------------------------------------
# The official launch the digests count down to; the admin's "Launch settings" overrides it.
AFA_LAUNCH_DATE = env.str("AFA_LAUNCH_DATE", default="2027-03-08")
# No figure broken down by a property of people (dashboard, digests, aggregate exports) shows
# a count of 1 to this minus one: reports.disclosure hides it. 1 turns suppression off.
DISCLOSURE_THRESHOLD = max(env.int("DISCLOSURE_THRESHOLD", default=5), 1)
# Weekly digest periods close at this weekday (0 = Monday) and hour, Singapore time; the
# feedback edit window ends when the period it was given in closes.
DIGEST_WEEKDAY = env.int("DIGEST_WEEKDAY", default=0)
DIGEST_HOUR = env.int("DIGEST_HOUR", default=8)
# A digest whose lease ran out this many times (its worker died each time) is marked failed
# instead of re-queued.
DIGEST_MAX_ATTEMPTS = env.int("DIGEST_MAX_ATTEMPTS", default=3)
# General feedback per participant: at most COUNT in SECONDS.
FEEDBACK_RATE_LIMIT = (env.int("FEEDBACK_RATE_COUNT", default=5), 3600)
CELERY_BEAT_SCHEDULE["reports-weekly-digest"] = {
    "task": "reports.tasks.queue_weekly_digest",
    # crontab counts Sunday as 0; DIGEST_WEEKDAY counts Monday as 0.
    "schedule": crontab(minute=0, hour=DIGEST_HOUR, day_of_week=(DIGEST_WEEKDAY + 1) % 7),
}
CELERY_BEAT_SCHEDULE["reports-sweep-stale-digests"] = {
    "task": "reports.tasks.sweep_stale_digests",
    "schedule": JOB_SWEEP_SECONDS,
}

# --- Exports (the exports app) ----------------------------------------------------------
# The key of the keyed hash that turns a user id into a stable pseudonym in exports. Keep it
# secret and unchanged: the same key gives the same pseudonyms across exports. Unset, it is
# derived from SECRET_KEY.
EXPORT_PSEUDONYM_KEY = env.str("EXPORT_PSEUDONYM_KEY", default="")
# XLSX exports with more rows than this are built by a Celery job instead of in the request.
EXPORT_XLSX_ASYNC_THRESHOLD = env.int("EXPORT_XLSX_ASYNC_THRESHOLD", default=20000)
# Export files are kept in the private store (STORAGES["private"]) for this many days.
EXPORT_FILE_DAYS = env.int("EXPORT_FILE_DAYS", default=7)
# Rows fetched from the database per round trip while streaming.
EXPORT_CHUNK_SIZE = env.int("EXPORT_CHUNK_SIZE", default=2000)
# A job whose lease ran out this many times (its worker died each time) is failed, audited.
EXPORT_JOB_MAX_ATTEMPTS = env.int("EXPORT_JOB_MAX_ATTEMPTS", default=3)
CELERY_BEAT_SCHEDULE["exports-resume-export-jobs"] = {
    "task": "exports.tasks.resume_export_jobs",
    "schedule": JOB_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["exports-delete-expired-exports"] = {
    "task": "exports.tasks.delete_expired_exports",
    "schedule": 60 * 60,
}

# --- Open data and the public API (the api app; README, "Open data and the API") --------
# Requests per client address per window (seconds); over it, 429 with Retry-After.
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=120)
API_RATE_WINDOW = env.int("API_RATE_WINDOW", default=60)
# Where the nightly open-data archive is written and served from (one ZIP, replaced whole).
OPEN_DATA_DIR = env.str("OPEN_DATA_DIR", default=str(VAR_DIR / "open-data"))
OPEN_DATA_HOUR = env.int("OPEN_DATA_HOUR", default=2)
CELERY_BEAT_SCHEDULE["api-build-open-data"] = {
    "task": "api.tasks.build_open_data",
    "schedule": crontab(minute=30, hour=OPEN_DATA_HOUR),
}

# --- Beyond one machine; operating it (README, "Production") ---------------------------
# A read replica (optional): the dashboard, digests and exports read their source data from
# it (afa_platform/db_router.py). The alias always exists, as a test mirror of the primary, so
# tests can route to it; without DATABASE_REPLICA_URL nothing is routed there.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASES["replica"] = (
    env.db("DATABASE_REPLICA_URL") if DATABASE_REPLICA_URL else dict(DATABASES["default"])
)
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPLICA_READS = bool(DATABASE_REPLICA_URL)
DATABASE_ROUTERS = ["afa_platform.db_router.ReplicaRouter"]
REPLICA_READ_APPS = env.list(
    "REPLICA_READ_APPS", default=["engagement", "feedback", "initiatives", "harms"]
)
REPLICA_READ_VIEWS = [
    "reports:dashboard",
    "reports:digest_list",
    "exports:export_index",
    "exports:export_file",
]
REPLICA_READ_TASKS = ["reports.tasks.compile_digest"]

# Private files (export files, personal-data archives): on disk under PRIVATE_ROOT by
# default (the media volume, which backups include), or an S3-compatible bucket with
# PRIVATE_STORAGE=s3 (pip install ".[s3]"; AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL,
# AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_S3_REGION_NAME). Never served by URL.
PRIVATE_ROOT = env.str("PRIVATE_ROOT", default=str(MEDIA_ROOT))
PRIVATE_STORAGE = env.str("PRIVATE_STORAGE", default="filesystem")
if PRIVATE_STORAGE == "s3":
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif PRIVATE_STORAGE == "filesystem":
    STORAGES["private"] = {"BACKEND": "afa_platform.storage.PrivateFileSystemStorage"}
else:
    raise ImproperlyConfigured("PRIVATE_STORAGE must be 'filesystem' or 's3'.")

# Every request has an id (X-Request-ID: a proxy's, when well formed, or a new one) that is
# on its log lines, on its response and on the log lines of the tasks it queued.
MIDDLEWARE.insert(0, "afa_platform.request_id.RequestIdMiddleware")
MIDDLEWARE.insert(1, "afa_platform.metrics.RequestMetricsMiddleware")
MIDDLEWARE.append("afa_platform.db_router.ReplicaReadsMiddleware")

# Logs: JSON lines in production (LOG_FORMAT=json), readable text under DEBUG; email
# addresses are redacted from every line (afa_platform/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="") or ("text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'text'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "afa_platform.request_id.RequestIdFilter"},
        "redact_emails": {"()": "afa_platform.logs.RedactEmailsFilter"},
    },
    "formatters": {
        "json": {"()": "afa_platform.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact_emails"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
# Workers log through the same handler (JSON, request ids) instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Error reporting (optional): sentry-sdk, with no personal data (afa_platform/sentry.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    error_reporting.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# /metrics for Prometheus (afa_platform/metrics.py): only these addresses or networks, and
# never through the proxy; the queues whose depth it reports.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_QUEUES = env.list("METRICS_QUEUES", default=["celery"])
if not DEBUG:
    # Prometheus scrapes plain HTTP from inside the network, like the health check.
    SECURE_REDIRECT_EXEMPT.append(r"^metrics$")
# --- Download my data (accounts.PersonalDataArchive) -----------------------------------------
# Each person's copy of their data is a ZIP kept here, outside any public URL, for this many
# days; only they can download it.
PERSONAL_DATA_ROOT = env.str("PERSONAL_DATA_ROOT", default=str(Path(MEDIA_ROOT) / "personal-data"))
PERSONAL_DATA_FILE_DAYS = env.int("PERSONAL_DATA_FILE_DAYS", default=7)
# A person may ask this many times a day (each copy is a full read of their rows).
PERSONAL_DATA_REQUESTS_PER_DAY = env.int("PERSONAL_DATA_REQUESTS_PER_DAY", default=5)
PERSONAL_DATA_JOB_MAX_ATTEMPTS = env.int("PERSONAL_DATA_JOB_MAX_ATTEMPTS", default=3)
CELERY_BEAT_SCHEDULE["accounts-resume-personal-data-archives"] = {
    "task": "accounts.tasks.resume_personal_data_archives",
    "schedule": JOB_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["accounts-delete-expired-personal-data-archives"] = {
    "task": "accounts.tasks.delete_expired_personal_data_archives",
    "schedule": 60 * 60,
}

# --- Retention (audit.retention: the daily job and `manage.py retention --dry-run`) ----------
# Each period is shown on the privacy notice from here. Files: EXPORT_FILE_DAYS and
# PERSONAL_DATA_FILE_DAYS above.
RETENTION_ACCESS_NEEDS_DAYS = env.int("RETENTION_ACCESS_NEEDS_DAYS", default=30)
RETENTION_INACTIVE_ACCOUNT_MONTHS = env.int("RETENTION_INACTIVE_ACCOUNT_MONTHS", default=24)
RETENTION_ERASURE_NOTICE_DAYS = env.int("RETENTION_ERASURE_NOTICE_DAYS", default=30)
# The database refuses to delete an audit row younger than AUDIT_RETENTION_FLOOR_YEARS
# (audit/migrations/0005), so the period may be longer, never shorter.
AUDIT_RETENTION_FLOOR_YEARS = 5
RETENTION_AUDIT_YEARS = env.int("RETENTION_AUDIT_YEARS", default=AUDIT_RETENTION_FLOOR_YEARS)
if RETENTION_AUDIT_YEARS < AUDIT_RETENTION_FLOOR_YEARS:
    raise ImproperlyConfigured(
        f"RETENTION_AUDIT_YEARS cannot be below {AUDIT_RETENTION_FLOOR_YEARS}: the database "
        "keeps audit rows that long."
    )
RETENTION_HOUR = env.int("RETENTION_HOUR", default=3)
CELERY_BEAT_SCHEDULE["audit-apply-retention"] = {
    "task": "audit.tasks.apply_retention",
    "schedule": crontab(minute=30, hour=RETENTION_HOUR),
}

# --- Waiting-list cut-off (issue 16, item 3) ----------------------------------------------
# No seat is given to the waiting list automatically later than this many hours before a
# session starts; a seat freed after that stays free. Every 5 minutes beat tells the waiting
# list of each session past its cut-off, once (a conditional update on the session).
PROMOTION_CUTOFF_HOURS = env.int("PROMOTION_CUTOFF_HOURS", default=24)
CELERY_BEAT_SCHEDULE["engagement-notify-promotion-closed"] = {
    "task": "engagement.tasks.notify_promotion_closed",
    "schedule": 5 * 60,
}


# --- Sessions by invitation (issue 16, item 2; engagement.services, "Invitations") ------------
# Invitations (addresses, names, organisations) and CSV imports are deleted this many days
# after their session ends; the registrations stay.
RETENTION_INVITATIONS_DAYS = env.int("RETENTION_INVITATIONS_DAYS", default=30)
# Invitation emails are claimed and sent as they are added; this sweep sends any whose task
# was lost, and those of a draft session once it is published.
CELERY_BEAT_SCHEDULE["engagement-send-invitation-emails"] = {
    "task": "engagement.tasks.send_invitation_emails",
    "schedule": 60,
}
# A CSV import whose worker died (its lease ran out) is taken up again where it stopped.
CELERY_BEAT_SCHEDULE["engagement-resume-invitation-imports"] = {
    "task": "engagement.tasks.resume_invitation_imports",
    "schedule": JOB_SWEEP_SECONDS,
}
