from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HarmsConfig(AppConfig):
    name = "harms"
    verbose_name = _("Harms and support")
