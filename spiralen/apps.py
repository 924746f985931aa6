from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpiralenConfig(AppConfig):
    name = "spiralen"
    verbose_name = _("Spiralen")

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models.signals import pre_delete, pre_save

        from clients.signals import entry_signed
        from prostenhet import registry
        from prostenhet.registry import EntryDetail
        from prostenhet.roles import UnitCode

        from . import models, provides
        from .services import records

        provides.register()
        auditlog.register(models.ConsultationHours)
        auditlog.register(models.HoursException)
        auditlog.register(models.AppointmentType)
        auditlog.register(models.Appointment)
        auditlog.register(models.Encounter, include_fields=["kind", "examination_postponed"])
        auditlog.register(
            models.Sample,
            include_fields=["kind", "state", "result", "informed_how", "notified_on"],
        )
        # The patient record: signing an encounter takes its samples; a signed entry's
        # encounter never changes; the generic journal pages show each encounter.
        entry_signed.connect(records.samples_on_signing, dispatch_uid="spiralen.samples")
        pre_save.connect(records.refuse_changing_signed_encounter, sender=models.Encounter,
                         dispatch_uid="spiralen.encounter-locked-save")
        pre_delete.connect(records.refuse_changing_signed_encounter, sender=models.Encounter,
                           dispatch_uid="spiralen.encounter-locked-delete")
        registry.journal_entry_details.register(EntryDetail(
            key="spiralen.encounter", unit=UnitCode.SPIRALEN,
            template="spiralen/records/_entry_detail.html", load=records.encounter_details,
            create_url_name="spiralen:encounter-create", edit_url_name="spiralen:encounter-edit",
            overview_url_name="spiralen:patient", overview_label=_("Prover och provsvar"),
            overview_permission="spiralen.view_sample",
            print_fields=records.encounter_print_fields,
        ))
