"""What the clients app provides to the base (see docs/architecture.md): its sections, its
start-page panels, its demo data, names of its views in the access log and the review's client
filter. Registered from ClientsConfig.ready(); every unit app has a module like this one."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prostenhet import registry
from prostenhet.forms import AliasFilterField
from prostenhet.lib.text import fold
from prostenhet.navigation import CASEWORK
from prostenhet.registry import (
    BenchmarkPart,
    DemoSeeder,
    ReviewFilter,
    Section,
    StartPanel,
    StatisticsProvider,
)
from prostenhet.roles import Role

from . import access, audit, benchmark, stats
from .demo import (
    seed_clients,
    seed_extracts,
    seed_old_records,
    seed_reception,
    seed_weeding_dry_run,
)
from .models import JournalEntry
from .views import counselling
from .views import reception as reception_views

DRAFT_REMINDER_DAYS = 3

SECTIONS = [
    Section(
        url_name="clients:client-search",
        label=_("Klienter"),
        description=_("Sök och registrera klienter, skriv in dem i verksamhetsdelar och "
                      "öppna deras journaler."),
        roles=CASEWORK,
        permission="clients.view_client",
        order=1,
    ),
    Section(
        url_name="clients:calendar-day",
        label=_("Kalender"),
        description=_("Dag- och veckokalender per person och rum: boka, flytta och avboka "
                      "tider, markera uteblivna besök."),
        roles=CASEWORK,
        permission="clients.view_booking",
        order=3,
    ),
    Section(
        url_name="clients:queue",
        label=_("Kö"),
        description=_("Kön till bearbetande samtal: sätt i kö, ändra ordning med skäl, "
                      "erbjud plats hos en behandlare och ta bort ur kön."),
        roles=frozenset({Role.OFFICE_ASSISTANT}),
        permission="clients.view_queueentry",
        order=4,
    ),
    Section(
        url_name="clients:referral-list",
        label=_("Remisser"),
        description=_("Remisser till och från dina verksamhetsdelar: svara, markera klara "
                      "och ta tillbaka."),
        roles=CASEWORK,
        permission="clients.view_referral",
        order=6,
    ),
    Section(
        url_name="clients:merge-list",
        label=_("Sammanslagningar"),
        description=_("Se sammanslagna dubbletter och ångra en sammanslagning."),
        roles=frozenset({Role.MANAGER}),
        permission="clients.undo_merge",
        order=20,
    ),
    Section(
        url_name="clients:weeding",
        label=_("Gallring"),
        description=_("Vad som ska gallras enligt varje regelverks regler och vad som sparas: "
                      "provkörning, rapport och utförda gallringar."),
        roles=frozenset({Role.MANAGER}),
        permission="prostenhet.view_weedingrun",
        order=25,
    ),
    Section(
        url_name="clients:emergency-search",
        label=_("Nödåtkomst"),
        description=_("Öppna en journal utanför dina behörigheter, med skäl. Loggas och "
                      "granskas."),
        roles=frozenset({Role.MANAGER}),
        permission="clients.open_emergency_access",
        order=30,
    ),
    Section(
        url_name="clients:extract-search",
        label=_("Registerutdrag"),
        description=_("Ta fram en klients registerutdrag, sekretesspröva det och frisläpp "
                      "det för utskrift eller som PDF."),
        roles=frozenset({Role.MANAGER}),
        permission="clients.produce_register_extract",
        order=31,
    ),
]

VIEW_LABELS = {
    "clients:client-search": _("Klientsökning"),
    "clients:weeding": _("Gallring"),
    "clients:weeding-dry-run": _("Gallring: provkörning"),
    "clients:weeding-run": _("Gallringsrapport"),
    "clients:client-create": _("Registrering"),
    "clients:client-enrol-existing": _("Inskrivning av person i registret"),
    "clients:client-detail": _("Klientuppgifter"),
    "clients:client-update": _("Ändra klientuppgifter"),
    "clients:merge-search": _("Sök dubblett"),
    "clients:merge-confirm": _("Sammanslagning"),
    "clients:emergency-search": _("Nödåtkomst, sökning"),
    "clients:emergency-open": _("Nödåtkomst"),
    "clients:journal": _("Journal"),
    "clients:journal-print": _("Journal, utskrift"),
    "clients:journal-pdf": _("Journal, PDF"),
    "clients:extract-search": _("Registerutdrag, sökning"),
    "clients:extract-create": _("Registerutdrag, nytt"),
    "clients:extract-review": _("Registerutdrag, sekretessprövning"),
    "clients:extract-detail": _("Registerutdrag"),
    "clients:extract-pdf": _("Registerutdrag, PDF"),
    "clients:entry-create": _("Ny journalanteckning"),
    "clients:entry-detail": _("Journalanteckning"),
    "clients:entry-edit": _("Journalanteckning, utkast"),
    "clients:entry-autosave": _("Journalanteckning, utkast"),
    "clients:entry-sign": _("Signering"),
    "clients:entry-correct": _("Rättelse"),
    "clients:entry-discard": _("Kasta utkast"),
    "clients:queue": _("Kö till bearbetande samtal"),
    "clients:queue-add": _("Sätt i kö"),
    "clients:queue-move": _("Flytta i kön"),
    "clients:queue-offer": _("Erbjud plats"),
    "clients:queue-remove": _("Ta bort ur kön"),
    "clients:referral-create": _("Skicka remiss"),
    "clients:referral-list": _("Remisser"),
    "clients:referral-answer": _("Remiss"),
    "clients:referral-complete": _("Remiss klar"),
    "clients:referral-withdraw": _("Ta tillbaka remiss"),
    "clients:contract-list": _("Samtalskontrakt"),
    "clients:contract-create": _("Nytt samtalskontrakt"),
    "clients:contract-detail": _("Samtalskontrakt"),
    "clients:contract-renew": _("Förnya samtalskontrakt"),
    "clients:contract-end": _("Avsluta samtalskontrakt"),
    "clients:goal-create": _("Nytt mål"),
    "clients:goal-evaluate": _("Utvärdering av mål"),
    "clients:session-cancel": _("Avboka samtal"),
    "clients:session-no-show": _("Uteblivet samtal"),
    "clients:session-note": _("Samtalsanteckning"),
    "clients:reception-today": _("Idag (mottagningen)"),
    "clients:reception-drop-in": _("Spontanbesök"),
    "clients:reception-arrivals": _("Har kommit till mig"),
    "clients:calendar-day": _("Dagkalender"),
    "clients:calendar-week": _("Veckokalender"),
    "clients:booking-create": _("Ny bokning"),
    "clients:booking-client-options": _("Ny bokning, sök klient"),
    "clients:booking-move": _("Flytta bokning"),
    "clients:booking-status": _("Avbokning eller utebliven"),
}

DETAIL_LABELS = {
    audit.PROTECTED_IDENTITY_SHOWN: _("skyddad identitet visad"),
    audit.EMERGENCY_ACCESS_OPENED: _("nödåtkomst öppnad"),
    audit.NUMBER_FOUND_AT_REGISTRATION: _("personnummer som finns i registret angavs vid "
                                          "registrering"),
    audit.NUMBER_FOUND_AT_EDIT: _("en annan klients personnummer angavs vid ändring"),
    audit.ENROLLED_EXISTING: _("person i registret skrevs in i verksamhetsdelen"),
    audit.JOURNAL_PRINTED: _("journalen skrevs ut"),
}


def old_drafts_panel(request):
    """The user's unsigned drafts older than DRAFT_REMINDER_DAYS: a note should be signed."""
    user = request.user
    if not user.has_perm("clients.change_journal"):
        return None
    cutoff = timezone.now() - timedelta(days=DRAFT_REMINDER_DAYS)
    drafts = list(
        JournalEntry.objects.drafts_of(user)
        .filter(written_at__lt=cutoff, journal__in=access.writable_journals(user))
        .select_related("journal__client")
        .order_by("written_at")[:50]
    )
    return {"old_drafts": drafts} if drafts else None


def filter_by_client_alias(rows, alias):
    return rows.filter(client__alias_folded__startswith=fold(alias))


def seed_demo(staff):
    created = seed_clients(staff)
    return _("%(count)d demoklienter skapade.") % {"count": created} if created else ""


def register():
    for section in SECTIONS:
        registry.sections.register(section)
    registry.start_panels.register(StartPanel(
        key="clients.reception-today",
        template="clients/reception/_panel_today.html",
        roles=frozenset({Role.OFFICE_ASSISTANT}),
        get_context=reception_views.today_context,
        order=10,
    ))
    registry.start_panels.register(StartPanel(
        key="clients.reception-arrivals",
        template="clients/reception/_panel_arrivals.html",
        roles=frozenset({Role.COUNSELLOR, Role.CLINICIAN}),
        get_context=reception_views.arrivals_context,
        order=20,
    ))
    registry.start_panels.register(StartPanel(
        key="clients.old-drafts",
        template="clients/_panel_old_drafts.html",
        roles=frozenset({Role.OUTREACH_WORKER, Role.COUNSELLOR, Role.CLINICIAN}),
        get_context=old_drafts_panel,
        order=50,
    ))
    registry.start_panels.register(StartPanel(
        key="clients.my-day",
        template="clients/counselling/_panel_my_day.html",
        roles=frozenset({Role.COUNSELLOR}),
        get_context=counselling.my_day,
        order=20,
    ))
    registry.view_labels.register(VIEW_LABELS)
    registry.detail_labels.register(DETAIL_LABELS)
    registry.review_filters.register(ReviewFilter(
        name="client", field=AliasFilterField(label=_("Klient (alias)")),
        apply=filter_by_client_alias, order=10,
    ))
    registry.demo_seeders.register(DemoSeeder(key="clients", seed=seed_demo, order=10))
    registry.demo_seeders.register(
        DemoSeeder(key="clients.old_records", seed=seed_old_records, order=60)
    )
    registry.demo_seeders.register(
        DemoSeeder(key="clients.weeding", seed=seed_weeding_dry_run, order=1010)
    )
    registry.demo_seeders.register(
        DemoSeeder(key="clients.extracts", seed=seed_extracts, order=70)
    )
    # The record-keeping pages' timings, after every app's rows and the statistics'.
    registry.benchmarks.register(
        BenchmarkPart(key="clients.records", generate=benchmark.generate, order=1100)
    )
    registry.demo_seeders.register(
        DemoSeeder(key="clients.reception", seed=seed_reception, order=20)
    )
    registry.statistics.register(StatisticsProvider(key="clients", tables=stats.tables, order=10))
