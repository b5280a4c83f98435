from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = _("Engagement sessions")

    def ready(self) -> None:
        from . import erasure  # noqa: F401  (registers its account erasure steps)

        # Sections higher apps add to the session page and the roster (engagement.session_page),
        # each from its own `session_sections` module; engagement never imports them.
        autodiscover_modules("session_sections")
