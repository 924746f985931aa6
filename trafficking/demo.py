"""The trafficking unit's demo data (seed_demo, order 60): a season of the unit's work, by the
outreach worker "uppsokare" (who works in outreach and trafficking) — three police raids with
cases registered from them, cases identified by outreach, by another organisation and by the
person (the clients reception's demo enrolled in the unit get theirs), placements in protected
housing, authority contacts, deadlines (a reflection period that ends within two weeks, so
that the start page shows it), a planned and a completed return home."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from clients import services as client_services
from clients.models import Client, Gender
from prostenhet.roles import UnitCode

from . import services
from .models import (
    ArrangedBy,
    Authority,
    Country,
    DeadlineKind,
    HousingProvider,
    IdentifiedBy,
    PlaceKind,
    Raid,
    ReturnState,
    TraffickingCase,
)

# (days ago, kind of place, police reference, met, accepted)
RAIDS = [
    (75, PlaceKind.APARTMENT, "NOA 2026-0412", 4, 2),
    (40, PlaceKind.MASSAGE_PARLOUR, "Region Stockholm 5000-K123456-26", 3, 1),
    (12, PlaceKind.HOTEL, "", 2, 1),
]

# alias (None: one of the clients reception's demo enrolled in the unit), birth year,
# languages, interpreter, country, way, days ago identified, raid index, domestic
CASES = [
    ("Elena", 1998, "rumänska, engelska", True, Country.RO, IdentifiedBy.RAID, 75, 0, False),
    (None, None, "", False, Country.NG, IdentifiedBy.RAID, 75, 0, False),
    ("Mihaela", 1995, "bulgariska", True, Country.BG, IdentifiedBy.RAID, 40, 1, False),
    (None, None, "", False, Country.NG, IdentifiedBy.OUTREACH, 60, None, False),
    ("Thanh", 1993, "vietnamesiska", True, Country.VN, IdentifiedBy.RAID, 12, 2, False),
    ("Lina", 2000, "svenska", False, Country.SE, IdentifiedBy.ORGANISATION, 30, None, True),
    (None, None, "", False, Country.NG, IdentifiedBy.SELF, 50, None, False),
]

NOTES = [
    "Första samtal med tolk. Informerad om rätten till betänketid och om stöd och skydd.",
    "Följde med till förhör hos polisen. Personen var trött men ville fortsätta.",
    "Samtal om framtiden och om kontakt med familjen i hemlandet.",
]


def seed_trafficking(staff):
    """Once only: raids, cases, housing, authority contacts, deadlines and a return."""
    if Raid.objects.exists() or TraffickingCase.objects.exists():
        return ""
    worker = staff["uppsokare"]
    today = timezone.localdate()
    providers = list(HousingProvider.objects.filter(active=True).order_by("order", "pk"))

    raids = [
        services.save_raid(
            by=worker, date=today - timedelta(days=days), place_kind=place,
            police_reference=reference, staff=[worker], persons_met=met,
            persons_accepted=accepted,
        )
        for days, place, reference, met, accepted in RAIDS
    ]
    # Reception's demo enrolled a few clients in the unit: they get their cases.
    enrolled = list(
        Client.objects.filter(enrollments__unit=UnitCode.TRAFFICKING,
                              enrollments__ended_on__isnull=True,
                              trafficking_cases__isnull=True)
        .order_by("pk").distinct()
    )
    cases = []
    for alias, year, languages, interpreter, country, way, days, raid, domestic in CASES:
        identified = today - timedelta(days=days)
        facts = {"country_of_origin": country, "identified_by": way,
                 "identified_on": identified, "domestic": domestic,
                 "raid": raids[raid] if raid is not None else None}
        if alias is None and enrolled:
            case = services.open_case(enrolled.pop(0), by=worker, **facts)
        else:
            case = services.register_case(
                by=worker, alias=alias or "Blessing", gender=Gender.WOMAN, birth_year=year,
                languages=languages or "engelska", interpreter_needed=interpreter, **facts,
            )
        # Opened the day the person was identified (the service opens today).
        TraffickingCase.objects.filter(pk=case.pk).update(opened_on=identified)
        case.refresh_from_db()
        cases.append(case)
        journal = case.journal
        for number, text in enumerate(NOTES[: 1 + len(cases) % len(NOTES)]):
            day = identified + timedelta(days=2 + number * 7)
            if day > today:
                break
            entry = client_services.save_draft(journal=journal, by=worker, text=text,
                                               event_date=day)
            client_services.sign_entry(entry, by=worker)

    elena, at_raid, mihaela, by_outreach, thanh, lina, _grace = cases
    # Housing: Elena and Thanh live in protected housing now; the one met by outreach moved
    # on; Mihaela stayed until her return.
    if providers:
        services.add_placement(elena, by=worker, provider=providers[0],
                               starts_on=elena.identified_on)
        services.add_placement(thanh, by=worker, provider=providers[-1],
                               starts_on=thanh.identified_on + timedelta(days=1))
        services.add_placement(by_outreach, by=worker, provider=providers[1 % len(providers)],
                               starts_on=by_outreach.identified_on + timedelta(days=3),
                               ends_on=today - timedelta(days=14))
        services.add_placement(mihaela, by=worker, provider=providers[0],
                               starts_on=mihaela.identified_on,
                               ends_on=today - timedelta(days=20))

    # Deadlines: Thanh's reflection period ends within the fortnight (the start page shows
    # it); Elena's temporary permit later; the second raid case's reflection period was
    # handled.
    services.add_deadline(thanh, by=worker, kind=DeadlineKind.REFLECTION_PERIOD,
                          ends_on=thanh.identified_on + timedelta(days=30 - 8),
                          note="Betänketid 30 dagar, beslut av polisen.")
    services.add_deadline(elena, by=worker, kind=DeadlineKind.TEMPORARY_PERMIT,
                          ends_on=today + timedelta(days=120),
                          note="Tidsbegränsat uppehållstillstånd under förundersökningen.")
    handled = services.add_deadline(at_raid, by=worker, kind=DeadlineKind.REFLECTION_PERIOD,
                                    ends_on=at_raid.identified_on + timedelta(days=30))
    services.mark_deadline_done(handled, by=worker)
    services.add_deadline(by_outreach, by=worker, kind=DeadlineKind.OTHER,
                          ends_on=today + timedelta(days=5),
                          note="Svar från Migrationsverket om ansökan.")

    contacts = [
        (at_raid, Authority.EMBASSY, 20, "Resehandlingar", "Ansökan om pass inlämnad."),
        (elena, Authority.POLICE, 70, "Förhör hos polisen", "Förhör genomfört med tolk."),
        (elena, Authority.PROSECUTOR, 50, "Information om förundersökningen",
         "Åklagaren ansöker om uppehållstillstånd."),
        (elena, Authority.MIGRATION_AGENCY, 30, "Tidsbegränsat uppehållstillstånd",
         "Beviljat."),
        (by_outreach, Authority.MIGRATION_AGENCY, 45, "Ansökan om uppehållstillstånd",
         "Ärendet handläggs."),
        (mihaela, Authority.EMBASSY, 30, "Nytt pass", "Pass utfärdat."),
        (mihaela, Authority.RETURN_ORGANISATION, 25, "Planering av återvändande",
         "Mottagande organisation kontaktad."),
        (lina, Authority.POLICE, 28, "Polisanmälan", "Anmälan upprättad."),
        (thanh, Authority.COURT, 2, "Kallelse till huvudförhandling",
         "Målsägandebiträde förordnat."),
    ]
    for case, authority, days, purpose, outcome in contacts:
        services.add_contact(case, by=worker, authority=authority,
                             date=max(today - timedelta(days=days), case.identified_on),
                             purpose=purpose, outcome=outcome)

    services.save_return(mihaela, by=worker, state=ReturnState.COMPLETED,
                         date=today - timedelta(days=20), country=Country.BG,
                         receiving_organisation="Animus Association Foundation",
                         arranged_by=ArrangedBy.IOM)
    mihaela.refresh_from_db()
    services.close_case(mihaela, by=worker, expected_version=mihaela.version,
                        closed_on=today - timedelta(days=19))
    services.save_return(at_raid, by=worker, state=ReturnState.PLANNED,
                         date=today + timedelta(days=21), country=Country.NG,
                         receiving_organisation="NAPTIP", arranged_by=ArrangedBy.UNIT)
    return _("Människohandel: %(raids)d tillslag, %(cases)d ärenden.") % {
        "raids": len(raids), "cases": len(cases),
    }
