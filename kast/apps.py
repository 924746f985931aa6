from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KastConfig(AppConfig):
    name = "kast"
    verbose_name = _("KAST")
