"""What the trafficking unit provides to the base (see docs/architecture.md and
clients/provides.py): its sections, its start-page panel (deadlines that end soon), its demo
data, its share of the benchmark, the names of its views in the access log and its yearly
figures (stats.py: aggregates only, for the managers). Registered from
TraffickingConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from prostenhet import registry
from prostenhet.registry import (
    BenchmarkPart,
    DemoSeeder,
    Section,
    StartPanel,
    StatisticsProvider,
)
from prostenhet.roles import Role, UnitCode

from . import benchmark, extract, stats, weeding
from .demo import seed_trafficking
from .views import cases

# The unit's staff: outreach workers and counsellors who work in it (the pages and the panel
# also ask that the user is in the unit's staff group).
TEAM_ROLES = frozenset({Role.OUTREACH_WORKER, Role.COUNSELLOR})

SECTIONS = [
    Section(
        url_name="trafficking:case-list",
        label=_("Människohandel"),
        description=_("Ärenden om människohandel för sexuella ändamål och polisens "
                      "tillslag: boende, myndighetskontakter, tidsfrister och återvändande."),
        roles=TEAM_ROLES,
        permission="trafficking.view_traffickingcase",
        units=frozenset({UnitCode.TRAFFICKING}),
        order=20,
    ),
]

VIEW_LABELS = {
    "trafficking:case-list": _("Människohandel, ärenden"),
    "trafficking:case-create": _("Människohandel, nytt ärende"),
    "trafficking:case-detail": _("Människohandel, ärende"),
    "trafficking:case-edit": _("Människohandel, ändra ärende"),
    "trafficking:case-close": _("Människohandel, avsluta ärende"),
    "trafficking:client-case": _("Människohandel, klientens ärende"),
    "trafficking:housing-create": _("Människohandel, placering i skyddat boende"),
    "trafficking:housing-end": _("Människohandel, avsluta placering"),
    "trafficking:contact-create": _("Människohandel, myndighetskontakt"),
    "trafficking:deadline-create": _("Människohandel, tidsfrist"),
    "trafficking:deadline-done": _("Människohandel, tidsfrist hanterad"),
    "trafficking:return-edit": _("Människohandel, återvändande"),
    "trafficking:raid-list": _("Tillslag"),
    "trafficking:raid-create": _("Nytt tillslag"),
    "trafficking:raid-detail": _("Tillslag"),
    "trafficking:raid-edit": _("Ändra tillslag"),
}


def register():
    for section in SECTIONS:
        registry.sections.register(section)
    registry.start_panels.register(StartPanel(
        key="trafficking.deadlines",
        template="trafficking/_panel_deadlines.html",
        roles=TEAM_ROLES,
        get_context=cases.deadlines_panel,
        order=20,
    ))
    registry.view_labels.register(VIEW_LABELS)
    registry.extract_parts.register(extract.PART)
    registry.demo_seeders.register(DemoSeeder(key="trafficking", seed=seed_trafficking,
                                              order=60))
    registry.benchmarks.register(BenchmarkPart(key="trafficking", generate=benchmark.generate,
                                               order=60))
    registry.record_parts.register(registry.RecordPart(
        key="trafficking", unit=UnitCode.TRAFFICKING, last_dates=weeding.last_dates,
        holds=weeding.holds, rows=weeding.rows,
    ))
    registry.statistics.register(StatisticsProvider(key="trafficking", tables=stats.tables,
                                                    order=50))
