from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Klienter, mottagning och samtalsbehandling")

    def ready(self):
        from auditlog.registry import auditlog

        from prostenhet import registry

        from . import models, provides, services

        provides.register()
        registry.staff_rights_changed.register(
            services.end_assignments_outside_rights, key="clients.assignments"
        )

        # Every change to personal data is in the change log; identity numbers fully masked.
        auditlog.register(
            models.Client,
            exclude_fields=["alias_folded", "version"],
            mask_fields=["identity_number"],
        )
        auditlog.register(models.Enrollment)
        auditlog.register(models.Consent)
        auditlog.register(models.Journal)
        auditlog.register(models.Assignment)
        auditlog.register(models.EmergencyAccess)
        auditlog.register(models.ClientMerge)
        # A register extract's life (made, released by whom and when) and its withholdings;
        # never the released content or a withheld passage, which are secret themselves.
        auditlog.register(models.RegisterExtract, exclude_fields=["content", "version"])
        auditlog.register(models.ExtractWithholding, exclude_fields=["passage"])
        # Drafts autosave every few seconds: the log records an entry's life (created, kind,
        # date, signed), not each keystroke; a signed entry never changes again.
        auditlog.register(
            models.JournalEntry,
            include_fields=["kind", "event_date", "state", "signed_by", "signed_at", "corrects"],
        )
