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
from prostenhet.registry import DemoSeeder, ReviewFilter, Section, StartPanel
from prostenhet.roles import Role

from . import access, audit
from .demo import seed_clients, seed_reception
from .models import JournalEntry

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
        url_name="clients:merge-list",
        label=_("Sammanslagningar"),
        description=_("Se sammanslagna dubbletter och ångra en sammanslagning."),
        roles=frozenset({Role.MANAGER}),
        permission="clients.undo_merge",
        order=20,
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
]

VIEW_LABELS = {
    "clients:client-search": _("Klientsökning"),
    "clients:client-create": _("Registrering"),
    "clients:client-enrol-existing": _("Inskrivning av person i registret"),
    "clients:client-detail": _("Klientuppgifter"),
    "clients:client-update": _("Ändra klientuppgifter"),
    "clients:merge-search": _("Sök dubblett"),
    "clients:merge-confirm": _("Sammanslagning"),
    "clients:emergency-search": _("Nödåtkomst, sökning"),
    "clients:emergency-open": _("Nödåtkomst"),
    "clients:journal": _("Journal"),
    "clients:entry-create": _("Ny journalanteckning"),
    "clients:entry-detail": _("Journalanteckning"),
    "clients:entry-edit": _("Journalanteckning, utkast"),
    "clients:entry-autosave": _("Journalanteckning, utkast"),
    "clients:entry-sign": _("Signering"),
    "clients:entry-correct": _("Rättelse"),
    "clients:entry-discard": _("Kasta utkast"),
}

DETAIL_LABELS = {
    audit.PROTECTED_IDENTITY_SHOWN: _("skyddad identitet visad"),
    audit.EMERGENCY_ACCESS_OPENED: _("nödåtkomst öppnad"),
    audit.NUMBER_FOUND_AT_REGISTRATION: _("personnummer som finns i registret angavs vid "
                                          "registrering"),
    audit.NUMBER_FOUND_AT_EDIT: _("en annan klients personnummer angavs vid ändring"),
    audit.ENROLLED_EXISTING: _("person i registret skrevs in i verksamhetsdelen"),
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
        key="clients.old-drafts",
        template="clients/_panel_old_drafts.html",
        roles=frozenset({Role.OUTREACH_WORKER, Role.COUNSELLOR, Role.CLINICIAN}),
        get_context=old_drafts_panel,
        order=50,
    ))
    registry.view_labels.register(VIEW_LABELS)
    registry.detail_labels.register(DETAIL_LABELS)
    registry.review_filters.register(ReviewFilter(
        name="client", field=AliasFilterField(label=_("Klient (alias)")),
        apply=filter_by_client_alias, order=10,
    ))
    registry.demo_seeders.register(DemoSeeder(key="clients", seed=seed_demo, order=10))
    registry.demo_seeders.register(
        DemoSeeder(key="clients.reception", seed=seed_reception, order=20)
    )
