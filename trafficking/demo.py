"""The trafficking unit's demo data (seed_demo, order 60): a season of the unit's work, by the
outreach worker "uppsokare" (who works in outreach and trafficking) — three police raids with
cases registered from them, cases identified by outreach, by another organisation and by the
person (the clients reception's demo enrolled in the unit get theirs), placements in protected
housing, authority contacts, deadlines (a reflection period that ends within two weeks, so
that the start page shows it), a planned and a completed return home.

Before the season, the history behind the managers' yearly statistics, from 1 January two
years ago: each year's persons identified (a dozen to a score, from several countries, a few
domestic), the raids the unit attended and the persons identified there, placements in
protected housing and returns home. Those cases are closed and their enrollments ended well
before today, so that no list, panel or deadline of today's work changes; the raids are the
unit's and listed with the others. Written in bulk, with its own random numbers."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from clients import services as client_services
from clients.models import (
    BornInSweden,
    Client,
    Enrollment,
    EntryKind,
    EntryState,
    Gender,
    Journal,
    JournalEntry,
    Quality,
)
from prostenhet.lib.text import fold
from prostenhet.roles import UnitCode

from . import services
from .models import (
    ArrangedBy,
    Authority,
    Country,
    DeadlineKind,
    HousingPlacement,
    HousingProvider,
    IdentifiedBy,
    PlaceKind,
    Raid,
    ReturnHome,
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
    history = _History(worker, today, providers)
    history.seed()
    return _("Människohandel: %(raids)d tillslag, %(cases)d ärenden.") % {
        "raids": len(raids) + history.raids, "cases": len(cases) + history.cases,
    }


# --- the years before the season -----------------------------------------------------------------

# Persons identified by year (the first of the three, the second, this one before the season)
# besides those met at raids, and the raids attended.
HISTORY_PERSONS = [10, 14, 6]
HISTORY_RAIDS = [3, 4, 2]
HISTORY_WAYS = [
    {IdentifiedBy.OUTREACH: 4, IdentifiedBy.ORGANISATION: 3, IdentifiedBy.SELF: 1,
     IdentifiedBy.AUTHORITY: 2},
    {IdentifiedBy.OUTREACH: 5, IdentifiedBy.ORGANISATION: 2, IdentifiedBy.SELF: 2,
     IdentifiedBy.AUTHORITY: 3},
    {IdentifiedBy.OUTREACH: 3, IdentifiedBy.ORGANISATION: 2, IdentifiedBy.SELF: 2,
     IdentifiedBy.AUTHORITY: 1},
]
HISTORY_COUNTRIES = [
    {Country.RO: 4, Country.NG: 4, Country.BG: 2, Country.TH: 2, Country.HU: 1, Country.UA: 1,
     Country.CN: 1, Country.SE: 1, Country.UNKNOWN: 1},
    {Country.NG: 5, Country.RO: 3, Country.BG: 2, Country.VN: 2, Country.UA: 2, Country.TH: 1,
     Country.AL: 1, Country.SE: 2, Country.BR: 1, Country.OTHER: 1},
    {Country.NG: 3, Country.RO: 2, Country.VN: 2, Country.CO: 2, Country.SE: 1, Country.UA: 1,
     Country.MN: 1},
]
# Who the unit meets at a raid: women from these countries, mostly.
RAID_COUNTRIES = {Country.RO: 3, Country.BG: 2, Country.TH: 2, Country.NG: 2, Country.VN: 1,
                  Country.CN: 1}
HISTORY_PLACES = [PlaceKind.APARTMENT, PlaceKind.APARTMENT, PlaceKind.MASSAGE_PARLOUR,
                  PlaceKind.HOTEL, PlaceKind.CLUB]
# Aliases and languages by country (an alias is what the person chose to be called).
PEOPLE = {
    Country.RO: (["Ioana", "Andreea", "Alina", "Roxana", "Bianca", "Denisa"], "rumänska"),
    Country.BG: (["Desislava", "Petya", "Gergana", "Radka"], "bulgariska"),
    Country.NG: (["Blessing", "Joy", "Precious", "Favour", "Mercy", "Esohe", "Osas", "Ivie"],
                 "engelska, edo"),
    Country.TH: (["Malee", "Siriporn", "Nok"], "thailändska"),
    Country.VN: (["Linh", "Hoa", "Mai"], "vietnamesiska"),
    Country.UA: (["Oksana", "Iryna", "Olena"], "ukrainska, ryska"),
    Country.HU: (["Zsófia", "Edina"], "ungerska"),
    Country.CN: (["Li", "Mei"], "kinesiska"),
    Country.AL: (["Ardita", "Elira"], "albanska"),
    Country.BR: (["Camila", "Larissa"], "portugisiska"),
    Country.CO: (["Valentina", "Daniela"], "spanska"),
    Country.MN: (["Saraa", "Oyuna"], "mongoliska"),
    Country.SE: (["Sanna", "Moa", "Ebba", "Tindra"], "svenska"),
}
OTHER_PEOPLE = (["Sara", "Amina", "Nadia"], "engelska")
RECEIVING = {
    Country.RO: "Reaching Out Romania", Country.BG: "Animus Association Foundation",
    Country.NG: "NAPTIP", Country.TH: "Foundation for Women", Country.UA: "La Strada Ukraina",
    Country.AL: "Different and Equal",
}
HISTORY_NOTES = [
    "Första samtal med tolk. Informerad om rätten till betänketid och om stöd och skydd.",
    "Följde med till förhör hos polisen.",
    "Samtal om framtiden och om kontakt med familjen i hemlandet.",
    "Planering inför återvändandet tillsammans med den mottagande organisationen.",
    "Samtal om boende och sysselsättning. Personen mår bättre.",
]


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _History:
    """The years before the season, written in bulk (see the module's docstring)."""

    def __init__(self, worker, today, providers):
        self.rng = random.Random(2025)  # noqa: S311 - repeatable demo data, not security
        self.worker = worker
        self.today = today
        self.providers = providers
        self.first_year = today.year - 2
        # Before the season's first raid and case (75 days ago), with room to spare.
        self.end = today - timedelta(days=90)
        # Every case of the history is closed by then.
        self.closed_by = today - timedelta(days=30)
        self.raids = self.cases = 0

    def _day(self, year):
        """A day of the year before the history's end."""
        last = min(date(year, 12, 20), self.end)
        first = date(year, 1, 5)
        if last <= first:
            return None
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def seed(self):
        rng, worker = self.rng, self.worker
        raids, people = [], []
        for index in range(3):
            year = self.first_year + index
            for _number in range(HISTORY_RAIDS[index]):
                day = self._day(year)
                if day is None:
                    continue
                met = rng.randint(2, 8)
                accepted = rng.randint(1, min(met, 4))
                raid = Raid(
                    date=day, place_kind=rng.choice(HISTORY_PLACES), persons_met=met,
                    persons_accepted=accepted, created_by=worker,
                    police_reference=(f"NOA {year}-{rng.randint(100, 999):04d}"
                                      if rng.random() < 0.7 else ""),
                )
                raids.append(raid)
                # Most who accepted support are identified there and then.
                for _person in range(rng.randint(max(accepted - 1, 1), accepted)):
                    people.append((index, day, IdentifiedBy.RAID,
                                   _weighted(rng, RAID_COUNTRIES), raid))
            for _number in range(HISTORY_PERSONS[index]):
                day = self._day(year)
                if day is None:
                    continue
                people.append((index, day, _weighted(rng, HISTORY_WAYS[index]),
                               _weighted(rng, HISTORY_COUNTRIES[index]), None))
        Raid.objects.bulk_create(raids)
        Raid.staff.through.objects.bulk_create([
            Raid.staff.through(raid_id=raid.pk, user_id=worker.pk) for raid in raids
        ])
        people.sort(key=lambda person: person[1])
        self._people(people)
        self.raids = len(raids)

    def _person(self, country, identified):
        names, languages = PEOPLE.get(country, OTHER_PEOPLE)
        alias = self.rng.choice(names)
        swedish = country == Country.SE
        return Client(
            alias=alias, alias_folded=fold(alias)[:100],
            gender=Gender.WOMAN if self.rng.random() < 0.9 else Gender.TRANS_NONBINARY,
            birth_year=self.rng.randint(1988, 2005), birth_year_quality=Quality.ESTIMATED,
            born_in_sweden=BornInSweden.YES if swedish else BornInSweden.NO,
            country_of_birth="" if swedish else str(Country(country).label),
            languages=languages, interpreter_needed=not swedish, created_by=self.worker,
            created_at=_at(identified, self.rng.randint(10, 17)),
        )

    def _people(self, people):
        rng, worker = self.rng, self.worker
        facts = []
        for _index, identified, way, country, raid in people:
            closed = min(identified + timedelta(days=rng.randint(20, 240)), self.closed_by)
            facts.append({"identified": identified, "closed": max(closed, identified),
                          "way": way, "country": country, "raid": raid})
        clients = Client.objects.bulk_create([
            self._person(fact["country"], fact["identified"]) for fact in facts
        ])
        journals = Journal.objects.bulk_create([
            Journal(client=client, unit=UnitCode.TRAFFICKING, created_at=client.created_at)
            for client in clients
        ])
        Enrollment.objects.bulk_create([
            Enrollment(client=client, unit=UnitCode.TRAFFICKING, created_by=worker,
                       started_on=fact["identified"], ended_on=fact["closed"])
            for client, fact in zip(clients, facts, strict=True)
        ])
        cases = TraffickingCase.objects.bulk_create([
            TraffickingCase(
                client=client, journal=journal, country_of_origin=fact["country"],
                identified_on=fact["identified"], identified_by=fact["way"],
                domestic=fact["country"] == Country.SE and rng.random() < 0.8,
                raid=fact["raid"], opened_on=fact["identified"], closed_on=fact["closed"],
                created_by=worker,
            )
            for client, journal, fact in zip(clients, journals, facts, strict=True)
        ])
        placements, returns, notes = [], [], []
        for case, journal, fact in zip(cases, journals, facts, strict=True):
            identified, closed = fact["identified"], fact["closed"]
            abroad = fact["country"] != Country.SE
            # Protected housing for most of those from abroad, sometimes moved once.
            if self.providers and (abroad or rng.random() < 0.4) and rng.random() < 0.75:
                start = identified + timedelta(days=rng.randint(0, 3))
                end = min(start + timedelta(days=rng.randint(14, 150)), closed)
                if start <= closed:
                    if end - start > timedelta(days=40) and rng.random() < 0.3:
                        middle = start + timedelta(days=(end - start).days // 2)
                        placements.append(self._placement(case, start, middle))
                        start = middle + timedelta(days=1)
                    placements.append(self._placement(case, start, max(end, start)))
            # A return home for two in five of those from abroad, arranged before the case closed.
            if abroad and fact["country"] not in (Country.OTHER, Country.UNKNOWN) \
                    and rng.random() < 0.45 and (closed - identified).days > 14:
                returns.append(ReturnHome(
                    case=case, state=ReturnState.COMPLETED,
                    date=closed - timedelta(days=rng.randint(0, 7)), country=fact["country"],
                    receiving_organisation=RECEIVING.get(fact["country"], ""),
                    arranged_by=rng.choice([ArrangedBy.IOM, ArrangedBy.IOM, ArrangedBy.UNIT,
                                            ArrangedBy.MIGRATION_AGENCY,
                                            ArrangedBy.ORGANISATION]),
                    created_by=self.worker,
                ))
            for number in range(rng.randint(1, 3)):
                day = min(identified + timedelta(days=2 + number * rng.randint(7, 30)), closed)
                notes.append(self._note(journal, day, HISTORY_NOTES[number % len(HISTORY_NOTES)]))
        HousingPlacement.objects.bulk_create(placements)
        ReturnHome.objects.bulk_create(returns)
        JournalEntry.objects.bulk_create(notes)
        self.cases = len(cases)

    def _placement(self, case, starts_on, ends_on):
        return HousingPlacement(case=case, provider=self.rng.choice(self.providers),
                                starts_on=starts_on, ends_on=ends_on, created_by=self.worker)

    def _note(self, journal, day, text):
        written = _at(day, self.rng.randint(13, 16), self.rng.randint(0, 59))
        return JournalEntry(
            journal=journal, unit=UnitCode.TRAFFICKING, kind=EntryKind.NOTE, event_date=day,
            written_at=written, updated_at=written, author=self.worker, text=text,
            state=EntryState.SIGNED, signed_by=self.worker,
            signed_at=written + timedelta(minutes=15),
        )
