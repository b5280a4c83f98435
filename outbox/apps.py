from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """Emails that must not be lost: rows written with the change that causes them, sent once
    by a drain. At the bottom of the dependency graph: it imports no app above it; each app
    registers how to render its kinds in its own `emails` module, found here at start-up (as
    the admin finds `admin` modules)."""

    name = "outbox"
    verbose_name = _("Outbound email")

    def ready(self) -> None:
        autodiscover_modules("emails")
