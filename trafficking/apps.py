from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraffickingConfig(AppConfig):
    name = "trafficking"
    verbose_name = _("Människohandel")

    def ready(self):
        from auditlog.registry import auditlog

        from prostenhet import registry
        from prostenhet.registry import EntryDetail
        from prostenhet.roles import UnitCode

        from . import models, provides

        provides.register()
        auditlog.register(models.Raid, m2m_fields={"staff"})
        auditlog.register(models.TraffickingCase)
        auditlog.register(models.HousingProvider)
        auditlog.register(models.HousingPlacement)
        auditlog.register(models.AuthorityContact)
        auditlog.register(models.Deadline)
        auditlog.register(models.ReturnHome)
        # The unit's journal entries are the generic ones (nothing recorded beside the text);
        # the journal page links back to the client's case.
        registry.journal_entry_details.register(EntryDetail(
            key="trafficking.case", unit=UnitCode.TRAFFICKING,
            template="trafficking/_entry_detail.html", load=_nothing,
            overview_url_name="trafficking:client-case", overview_label=_("Ärendet"),
            overview_permission="trafficking.view_traffickingcase",
            print_fields=_nothing_printed,
        ))


def _nothing(entries):
    """Trafficking's journal entries carry nothing besides their text."""
    return {}


def _nothing_printed(detail):
    """Nor does the printed journal show anything besides an entry's text."""
    return []
