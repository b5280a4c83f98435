from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = _("Engagement sessions")

    def ready(self) -> None:
        from . import erasure  # noqa: F401  (registers its account erasure steps)
