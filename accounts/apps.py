from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the allauth receivers)

        # "Download my data": each app registers the sections of its own rows in its own
        # `personal_data` module (accounts.personal_data), found here as the outbox finds
        # each app's `emails`; accounts never imports the apps above it.
        autodiscover_modules("personal_data")
        # What blocking a person does to each app's rows (accounts.restrictions).
        autodiscover_modules("restrictions")
