from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProstenhetConfig(AppConfig):
    name = "prostenhet"
    verbose_name = _("Prostitutionsenheten")

    def ready(self):
        from auditlog.registry import auditlog

        from . import checks  # noqa: F401  (registers the deployment checks)
        from .models import User
        from .navigation import register_base_sections

        register_base_sections()

        # Staff accounts are audited like client data: who changed whose roles, and when.
        auditlog.register(
            User,
            exclude_fields=["password", "last_login", "session_stamp"],
            m2m_fields={"groups", "units"},
        )
