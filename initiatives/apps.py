from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = _("Ideas and initiatives")

    def ready(self) -> None:
        from . import erasure  # noqa: F401  (registers its account erasure steps)
