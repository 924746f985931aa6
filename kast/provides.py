"""What KAST provides to the base (see docs/architecture.md and clients/provides.py): its
sections and start panel — for staff working in KAST only (KAST is sealed: a counsellor of
counselling holds the same role, so the unit decides) — its demo data, its benchmark share, the
names of its views in the access log, its yearly figures (stats.py: aggregates only, for the
managers) and its calls with clients, which the clients app's statistics count as contacts with
KAST's clients. Registered from KastConfig.ready()."""

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
from .demo import seed_kast
from .models import Call
from .views import calls

COUNSELLORS = frozenset({Role.COUNSELLOR})
# Shown only to those working in KAST (not to every counsellor): KAST is sealed.
KAST = frozenset({UnitCode.KAST})


SECTIONS = [
    Section(
        url_name="kast:call-list",
        label=_("KAST-samtal"),
        description=_("KAST:s telefonrådgivning: samtal och mejl, uppringare att följa upp, "
                      "registrera uppringare som klient och boka första samtalet."),
        roles=COUNSELLORS,
        permission="kast.view_call",
        units=KAST,
        order=11,
    ),
    Section(
        url_name="kast:client-list",
        label=_("KAST-klienter"),
        description=_("Dina klienter i KAST: hänvisningsväg, samtal, kontrakt och mål."),
        roles=COUNSELLORS,
        permission="kast.view_kastprofile",
        units=KAST,
        order=12,
    ),
    Section(
        url_name="kast:outreach-list",
        label=_("Nå köpare"),
        description=_("Antal kontakter med köpare på gatan och informationsbrev efter "
                      "polisförhör, per pass eller månad."),
        roles=COUNSELLORS,
        permission="kast.view_buyeroutreach",
        units=KAST,
        order=13,
    ),
]

VIEW_LABELS = {
    "kast:call-list": _("KAST, samtal"),
    "kast:call-create": _("KAST, nytt samtal"),
    "kast:call-client-options": _("KAST, nytt samtal, sök klient"),
    "kast:call-detail": _("KAST, samtal"),
    "kast:call-edit": _("KAST, ändra samtal"),
    "kast:call-register": _("KAST, registrera uppringare"),
    "kast:call-book": _("KAST, boka första samtal"),
    "kast:client-list": _("KAST, klienter"),
    "kast:client-detail": _("KAST, klient"),
    "kast:client-referral": _("KAST, hänvisningsväg"),
    "kast:outreach-list": _("KAST, nå köpare"),
    "kast:outreach-create": _("KAST, nytt antal köparkontakter"),
    "kast:outreach-edit": _("KAST, ändra antal köparkontakter"),
}


def client_calls(start, end):
    """The calls and e-mails of registered clients in [start, end): client and local day."""
    return (
        Call.objects.filter(client__isnull=False, occurred_at__gte=start, occurred_at__lt=end)
        .values("client_id", day=TruncDate("occurred_at")).order_by()
    )


def register():
    for section in SECTIONS:
        registry.sections.register(section)
    registry.start_panels.register(StartPanel(
        key="kast.calls",
        template="kast/_panel_calls.html",
        roles=COUNSELLORS,
        get_context=calls.calls_panel,
        order=15,
    ))
    registry.view_labels.register(VIEW_LABELS)
    registry.extract_parts.register(extract.PART)
    registry.demo_seeders.register(DemoSeeder(key="kast", seed=seed_kast, order=50))
    registry.benchmarks.register(BenchmarkPart(key="kast", generate=benchmark.generate,
                                               order=50))
    registry.record_parts.register(registry.RecordPart(
        key="kast", unit=UnitCode.KAST, last_dates=weeding.last_dates,
        holds=weeding.holds, rows=weeding.rows,
    ))
    registry.statistics.register(StatisticsProvider(key="kast", tables=stats.tables, order=40))
    registry.client_contacts.register(ClientContacts(key="kast.calls", unit=UnitCode.KAST,
                                                     rows=client_calls))
