"""Settings for bench/registration.py: the real settings, plus one constant view to compare
against. Static files are served unhashed so no collectstatic is needed."""

from afa_platform.settings import *  # noqa: F403

ROOT_URLCONF = "registration_urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
