from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KastConfig(AppConfig):
    name = "kast"
    verbose_name = _("KAST")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, provides

        provides.register()
        auditlog.register(models.Call)
        auditlog.register(models.KastProfile)
        auditlog.register(models.BuyerOutreach)
