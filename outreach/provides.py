"""What outreach provides to the base (see docs/architecture.md and clients/provides.py): its
sections, the outreach workers' start panel (the open shift and the recent ones), its demo
data, its share of the benchmark, the names of its views in the access log, its yearly
figures and its street contacts with registered clients (counted by the clients app's
statistics). Registered from OutreachConfig.ready()."""

from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from prostenhet import registry
from prostenhet.registry import (
    BenchmarkPart,
    ClientContacts,
    DemoSeeder,
    Section,
    StartPanel,
    StatisticsProvider,
)
from prostenhet.roles import Role, UnitCode

from . import benchmark, extract, stats, weeding
from .demo import seed_outreach
from .models import Contact
from .views import shifts

OUTREACH_WORKERS = frozenset({Role.OUTREACH_WORKER})

SECTIONS = [
    Section(
        url_name="outreach:shift-list",
        label=_("Pass"),
        description=_("Uppsökande arbetet på gatan: starta ett pass, registrera kontakter "
                      "från mobilen och skriv passrapporten."),
        roles=OUTREACH_WORKERS,
        permission="outreach.view_shift",
        order=10,
    ),
    Section(
        url_name="outreach:internet-list",
        label=_("Internet"),
        description=_("Uppsökande på internet: genomgångna annonser, informationsmejl, "
                      "e-postmallar och kontroll av adresser som redan mejlats."),
        roles=OUTREACH_WORKERS,
        permission="outreach.view_internetsession",
        order=11,
    ),
    Section(
        url_name="outreach:talk-list",
        label=_("Informationsinsatser"),
        description=_("Föreläsningar och utbildningar för stadens personal, andra "
                      "organisationer, allmänheten och studenter."),
        roles=OUTREACH_WORKERS,
        permission="outreach.view_infotalk",
        order=12,
    ),
]

VIEW_LABELS = {
    "outreach:shift-list": _("Uppsökande, pass"),
    "outreach:shift-create": _("Starta pass"),
    "outreach:shift-detail": _("Uppsökande, pass och kontakter"),
    "outreach:shift-edit": _("Passrapport"),
    "outreach:shift-close": _("Avsluta pass"),
    "outreach:contact-create": _("Ny kontakt"),
    "outreach:client-search": _("Uppsökande, sök klient"),
    "outreach:nickname-list": _("Smeknamn"),
    "outreach:nickname-register": _("Registrera smeknamn som klient"),
    "outreach:client": _("Uppsökande, kontakter och stöd"),
    "outreach:support-create": _("Stöd och samordning"),
    "outreach:internet-list": _("Internetpass"),
    "outreach:internet-create": _("Nytt internetpass"),
    "outreach:internet-edit": _("Internetpass"),
    "outreach:address-check": _("Kontroll av e-postadresser"),
    "outreach:template-list": _("E-postmallar"),
    "outreach:template-create": _("Ny e-postmall"),
    "outreach:template-edit": _("E-postmall"),
    "outreach:talk-list": _("Informationsinsatser"),
    "outreach:talk-create": _("Ny informationsinsats"),
}


def client_contacts(start, end):
    """The street contacts with a registered client in [start, end): client and local day."""
    return Contact.objects.filter(client__isnull=False, at__gte=start, at__lt=end).values(
        "client_id", day=TruncDate("at")
    )


def register():
    for section in SECTIONS:
        registry.sections.register(section)
    registry.start_panels.register(StartPanel(
        key="outreach.shifts",
        template="outreach/_panel_shifts.html",
        roles=OUTREACH_WORKERS,
        get_context=shifts.shift_panel,
        order=10,
    ))
    registry.view_labels.register(VIEW_LABELS)
    registry.extract_parts.register(extract.PART)
    registry.demo_seeders.register(DemoSeeder(key="outreach", seed=seed_outreach, order=40))
    registry.benchmarks.register(BenchmarkPart(key="outreach", generate=benchmark.generate))
    registry.record_parts.register(registry.RecordPart(
        key="outreach", unit=UnitCode.OUTREACH, last_dates=weeding.last_dates,
        holds=weeding.holds, rows=weeding.rows,
    ))
    registry.statistics.register(StatisticsProvider(key="outreach", tables=stats.tables, order=30))
    registry.client_contacts.register(ClientContacts(
        key="outreach.contacts", unit=UnitCode.OUTREACH, rows=client_contacts,
    ))
