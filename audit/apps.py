from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # Each app registers its retention rules in its own `retention` module
        # (audit.retention), found here as the outbox finds each app's `emails`.
        autodiscover_modules("retention")
