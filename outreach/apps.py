from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Uppsökande arbete")

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models.signals import pre_delete, pre_save

        from prostenhet import registry
        from prostenhet.registry import EntryDetail
        from prostenhet.roles import UnitCode

        from . import models, provides
        from .services import support

        provides.register()
        auditlog.register(models.Shift, m2m_fields={"staff", "areas"})
        auditlog.register(models.ShiftMaterial)
        auditlog.register(models.Contact)
        auditlog.register(models.Nickname)
        auditlog.register(models.SupportAction)
        auditlog.register(models.InternetSession, m2m_fields={"staff"})
        auditlog.register(models.EmailTemplate)
        auditlog.register(models.InfoTalk, m2m_fields={"staff"})
        # Never EmailHash: it holds nothing but keyed hashes, weeded after the repeat period.
        pre_save.connect(support.refuse_changing_signed_action, sender=models.SupportAction,
                         dispatch_uid="outreach.support-locked-save")
        pre_delete.connect(support.refuse_changing_signed_action, sender=models.SupportAction,
                           dispatch_uid="outreach.support-locked-delete")
        # The generic journal writes the outreach journal's entries; a support action's kind
        # and authority are shown with its entry, and the journal links the client's outreach
        # page (contacts and support).
        registry.journal_entry_details.register(EntryDetail(
            key="outreach.support", unit=UnitCode.OUTREACH,
            template="outreach/support/_entry_detail.html", load=support.support_details,
            overview_url_name="outreach:client", overview_label=_("Kontakter och stöd"),
            overview_permission="outreach.view_contact",
            print_fields=support.support_print_fields,
        ))
