"""What the clinic provides to the base (see docs/architecture.md and clients/provides.py):
its sections, its start-page panel (the follow-up list), its demo data, the names of its
views in the access log and its yearly figures. Registered from SpiralenConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from prostenhet import registry
from prostenhet.registry import (
    BenchmarkPart,
    BookingRule,
    DemoSeeder,
    Section,
    StartPanel,
    StatisticsProvider,
)
from prostenhet.roles import Role, UnitCode

from . import benchmark, extract, stats, weeding
from .demo import seed_clinic
from .services import check_clinic_booking
from .views import records

BOOKERS = frozenset({Role.OFFICE_ASSISTANT, Role.OUTREACH_WORKER, Role.CLINICIAN})
CLINICIANS = frozenset({Role.CLINICIAN})

SECTIONS = [
    Section(
        url_name="spiralen:schedule",
        label=_("Spiralen"),
        description=_("Mottagningen Spiralen: dagens och veckans tider per yrke, boka en "
                      "första lediga tid."),
        roles=BOOKERS,
        permission="spiralen.view_appointment",
        order=7,
    ),
    Section(
        url_name="spiralen:follow-up",
        label=_("Provsvar att följa upp"),
        description=_("Svar som dröjer, svar som patienten inte fått veta, positiva svar "
                      "utan plan och smittskyddsanmälningar att göra."),
        roles=CLINICIANS,
        permission="spiralen.view_sample",
        order=8,
    ),
    Section(
        url_name="spiralen:hours",
        label=_("Mottagningstider"),
        description=_("Klinikernas veckotider på Spiralen, helgdagar och frånvaro, och "
                      "besökstypernas längd."),
        roles=CLINICIANS,
        permission="spiralen.view_consultationhours",
        order=9,
    ),
]

VIEW_LABELS = {
    "spiralen:schedule": _("Spiralen, mottagningens tider"),
    "spiralen:book": _("Spiralen, boka tid"),
    "spiralen:book-client-options": _("Spiralen, boka tid, sök klient"),
    "spiralen:hours": _("Mottagningstider"),
    "spiralen:hours-create": _("Ny mottagningstid"),
    "spiralen:hours-end": _("Avsluta mottagningstid"),
    "spiralen:exception-create": _("Undantag från mottagningstiderna"),
    "spiralen:exception-delete": _("Ta bort undantag"),
    "spiralen:appointment-types": _("Besökstyper"),
    "spiralen:follow-up": _("Provsvar att följa upp"),
    "spiralen:patient": _("Patientjournal, prover"),
    "spiralen:encounter-create": _("Ny mottagningsanteckning"),
    "spiralen:encounter-edit": _("Mottagningsanteckning, utkast"),
    "spiralen:sample-sent": _("Prov skickat"),
    "spiralen:sample-result": _("Provsvar"),
    "spiralen:sample-informed": _("Patienten informerad om provsvar"),
    "spiralen:sample-plan": _("Uppföljningsplan"),
    "spiralen:sample-notified": _("Smittskyddsanmälan"),
}


def register():
    for section in SECTIONS:
        registry.sections.register(section)
    registry.start_panels.register(StartPanel(
        key="spiralen.follow-up",
        template="spiralen/_panel_follow_up.html",
        roles=CLINICIANS,
        get_context=records.follow_up_panel,
        order=5,
    ))
    registry.view_labels.register(VIEW_LABELS)
    registry.extract_parts.register(extract.PART)
    registry.demo_seeders.register(DemoSeeder(key="spiralen", seed=seed_clinic, order=30))
    registry.booking_rules.register(BookingRule(
        key="spiralen.hours", unit=UnitCode.SPIRALEN, check=check_clinic_booking,
    ))
    registry.benchmarks.register(BenchmarkPart(key="spiralen", generate=benchmark.generate))
    registry.record_parts.register(registry.RecordPart(
        key="spiralen", unit=UnitCode.SPIRALEN, last_dates=weeding.last_dates,
        holds=weeding.holds, rows=weeding.rows,
    ))
    registry.statistics.register(StatisticsProvider(key="spiralen", tables=stats.tables, order=20))
