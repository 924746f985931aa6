"""Demo clients for `seed_demo`: about forty people across the units, with journals, signed
and draft entries, consents, one protected identity, KAST clients and one emergency access.
Identity numbers come only from Skatteverket's test numbers (demo_data/)."""

import random
from datetime import datetime, time, timedelta
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet.models import AccessKind, AccessLog
from prostenhet.roles import UnitCode

from . import audit, services
from .models import (
    DEFAULT_ENTRY_KIND,
    AgeBand,
    Booking,
    BookingKind,
    BookingStatus,
    BornInSweden,
    Client,
    EntryKind,
    Gender,
    Goal,
    Quality,
    QueueSource,
    Register,
    Room,
    SessionContract,
    Visit,
    VisitPurpose,
    term_of,
)

NUMBERS_FILE = Path(__file__).parent / "demo_data" / "testpersonnummer.txt"

# (alias, gender as the person states it): the unit meets mostly women, some trans and
# non-binary people and a few men who sell sex.
ALIASES = [
    ("Lina", Gender.WOMAN), ("Sara", Gender.WOMAN), ("Mira", Gender.WOMAN),
    ("Nadia", Gender.WOMAN), ("Elin", Gender.WOMAN), ("Jessica", Gender.WOMAN),
    ("Camilla", Gender.WOMAN), ("Hanna", Gender.WOMAN), ("Ida", Gender.WOMAN),
    ("Maja", Gender.WOMAN), ("Amira", Gender.WOMAN), ("Sofia", Gender.WOMAN),
    ("Olga", Gender.WOMAN), ("Tanja", Gender.WOMAN), ("Lisa", Gender.WOMAN),
    ("Emma", Gender.WOMAN), ("Fatima", Gender.WOMAN), ("Jenny", Gender.WOMAN),
    ("Ronja", Gender.TRANS_NONBINARY), ("Vera", Gender.WOMAN), ("Alex", Gender.TRANS_NONBINARY),
    ("Kim", Gender.NOT_STATED), ("Robin", Gender.MAN), ("Sam", Gender.TRANS_NONBINARY),
    ("Noa", Gender.OTHER), ("Irina", Gender.WOMAN), ("Daria", Gender.WOMAN),
    ("Blessing", Gender.WOMAN), ("Joy", Gender.WOMAN), ("Precious", Gender.WOMAN),
    ("Anette", Gender.WOMAN), ("Malin", Gender.WOMAN), ("Petra", Gender.WOMAN),
    ("Louise", Gender.WOMAN), ("Therese", Gender.WOMAN), ("Viktoria", Gender.WOMAN),
]
COUNSELLING_NOTES = [
    "Samtal om självkänsla och hur hon ser på sig själv i dag jämfört med för ett år sedan.",
    "Vi arbetade med gränssättning: hur hon kan säga nej i relationer utan att känna skuld.",
    "Klienten berättade om skam kopplad till tiden i prostitution. Vi stannade vid känslorna.",
    "Uppföljning av målen för terminen. Hon vill ha ett arbete och en egen bostad.",
    "Samtal om tidigare övergrepp. Klienten ville själv gå vidare i sin takt.",
    "Klienten kom inte till bokad tid. Ringde efteråt och bokade om.",
]
CLINIC_NOTES = [
    "Provtagning klamydia och gonorré. Svar om en vecka.",
    "Cellprov taget. Preventivmedelsrådgivning.",
    "HIV- och hepatitprov. Samtal om säkrare sex.",
    "Graviditetstest negativt. Samtal om preventivmedel.",
]
OUTREACH_NOTES = [
    "Kontakt på Malmskillnadsgatan. Delade ut kondomer och informerade om Spiralen.",
    "Samtal i bilen en stund. Hon vill gärna komma på besök på mottagningen.",
]
KAST_NOTES = [
    "Första telefonsamtalet. Vill sluta köpa sex och har berättat för sin partner.",
    "Samtal om vad köpen fyllt för funktion och vad som händer när suget kommer.",
]
TRAFFICKING_NOTES = [
    "Kontakt med polisen efter tillslaget. Skyddat boende ordnat för tre nätter.",
    "Samtal med tolk om möjligheten att återvända till hemlandet.",
]


def demo_numbers():
    return [
        line.strip()
        for line in NUMBERS_FILE.read_text().splitlines()
        if line.strip() and not line.startswith("#") and line[:4] < "2000"
    ]


def seed_clients(staff):
    """Create the demo clients once (a second run adds nothing)."""
    if Client.objects.filter(created_by__in=staff.values()).exists():
        return 0
    rng = random.Random(2026)  # noqa: S311 - repeatable demo data, not security
    numbers = rng.sample(demo_numbers(), 30)
    counsellor, kast = staff["behandlare"], staff["kastbehandlare"]
    assistant, outreach, midwife = staff["assistent"], staff["uppsokare"], staff["barnmorska"]
    today = timezone.localdate()
    created = []

    def register(alias_and_gender, unit, by, *, number=True, **extra):
        alias, gender = alias_and_gender
        fields = {
            "alias": alias,
            "gender": gender,
            "born_in_sweden": rng.choice(list(BornInSweden)),
        }
        if number and numbers:
            number_value = numbers.pop()
            fields.update(
                identity_number=number_value, identity_number_quality=Quality.KNOWN,
                birth_year=int(number_value[:4]), birth_year_quality=Quality.KNOWN,
            )
        else:
            fields.update(birth_year=rng.randint(1965, 2002), birth_year_quality=Quality.ESTIMATED)
        fields.update(extra)
        client = services.register_client(unit=unit, by=by, **fields)
        created.append(client)
        return client

    def write(client, unit, author, texts, count, *, days_back=400):
        """count signed entries spread over the last days_back days, each written and
        signed on the afternoon of the day it tells of (a believable journal)."""
        journal = client.journals.get(unit=unit, merged_into__isnull=True)
        step = days_back // max(count, 1)
        for i in range(count):
            day = today - timedelta(days=days_back - i * step - rng.randint(0, max(step - 1, 0)))
            written = timezone.make_aware(
                datetime.combine(day, time(rng.randint(13, 16), rng.randint(0, 59)))
            )
            entry = services.save_draft(
                journal=journal, by=author, text=rng.choice(texts), event_date=day,
                kind=DEFAULT_ENTRY_KIND[unit], written_at=written, updated_at=written,
            )
            services.sign_entry(entry, by=author, at=written + timedelta(minutes=20))

    aliases = iter(ALIASES)
    for i in range(18):
        client = register(next(aliases), UnitCode.COUNSELLING, counsellor, number=i % 3 != 0)
        write(client, UnitCode.COUNSELLING, counsellor, COUNSELLING_NOTES, rng.randint(2, 8))
        if i % 3 == 0:
            services.enroll(client, UnitCode.SPIRALEN, by=midwife)
            write(client, UnitCode.SPIRALEN, midwife, CLINIC_NOTES, rng.randint(1, 3))
        if i % 6 == 0:
            services.give_consent(
                client, UnitCode.COUNSELLING, UnitCode.SPIRALEN, method="written", by=counsellor
            )
    for _number in range(4):
        register(next(aliases), UnitCode.COUNSELLING, assistant, number=False)
    for _number in range(6):
        client = register(next(aliases), UnitCode.OUTREACH, outreach, number=False)
        write(client, UnitCode.OUTREACH, outreach, OUTREACH_NOTES, rng.randint(1, 3))
    for _number in range(4):
        client = register(next(aliases), UnitCode.SPIRALEN, midwife)
        write(client, UnitCode.SPIRALEN, midwife, CLINIC_NOTES, rng.randint(1, 4))
    for _number in range(3):
        client = register(
            next(aliases), UnitCode.TRAFFICKING, outreach, number=False,
            born_in_sweden=BornInSweden.NO, country_of_birth="Nigeria", interpreter_needed=True,
            languages="engelska, edo",
        )
        write(client, UnitCode.TRAFFICKING, outreach, TRAFFICKING_NOTES, 2)
    # KAST's own register: the buyers' programme.
    for alias in ["Johan", "Mikael"]:
        client = register((alias, Gender.MAN), UnitCode.KAST, kast)
        write(client, UnitCode.KAST, kast, KAST_NOTES, 2)

    # One client with protected identity.
    register(
        next(aliases), UnitCode.COUNSELLING, counsellor, protected_identity=True,
        legal_name="Skyddad Person", address="Adress skyddad", phone="0700000000",
    )
    # A draft the counsellor started four days ago and has not signed.
    first = created[0].journals.get(unit=UnitCode.COUNSELLING)
    four_days_ago = timezone.now() - timedelta(days=4)
    services.save_draft(
        journal=first, by=counsellor, text="Påbörjad anteckning som inte är signerad.",
        kind=EntryKind.SESSION, event_date=timezone.localdate(four_days_ago),
        written_at=four_days_ago, updated_at=four_days_ago,
    )
    # One emergency access, for the manager's review.
    emergency = services.open_emergency_access(
        created[1], user=staff["chef"],
        reason="Klienten sökte akut på natten och ansvarig behandlare var inte i tjänst.",
    )
    _seed_access_log(rng, created, staff, emergency)
    return len(created)


def _seed_access_log(rng, clients, staff, emergency):
    """A few weeks of reads for the access-log review: daytime reads by the counsellor and
    the midwife, a late-evening one, and the emergency access with its reason."""
    now = timezone.now()
    rows = []
    for day in range(21):
        for _number in range(3):
            at = timezone.localtime(now - timedelta(days=day)).replace(
                hour=rng.randint(8, 17), minute=rng.randint(0, 59)
            )
            client = rng.choice(clients[:18])
            user = staff["behandlare"] if rng.random() < 0.7 else staff["barnmorska"]
            rows.append(AccessLog(at=at, user=user, client=client, kind=AccessKind.READ,
                                  view="clients:client-detail"))
    late = timezone.localtime(now - timedelta(days=2)).replace(hour=22, minute=40)
    rows.append(AccessLog(at=late, user=staff["behandlare"], client=clients[3],
                          kind=AccessKind.READ, view="clients:journal"))
    rows.append(AccessLog(at=emergency.opened_at, user=staff["chef"], client=emergency.client,
                          kind=AccessKind.EMERGENCY, view="clients:emergency-open",
                          detail=audit.EMERGENCY_ACCESS_OPENED, emergency=emergency))
    for row in rows:
        row.save()  # save() fills the local weekday and hour


# --- reception: rooms, a week of bookings, arrivals and the queue --------------------------------

ROOMS = [
    ("Samtalsrum 1", UnitCode.COUNSELLING), ("Samtalsrum 2", UnitCode.COUNSELLING),
    ("Samtalsrum 3", UnitCode.COUNSELLING), ("KAST:s samtalsrum", UnitCode.KAST),
    ("Spiralen, undersökningsrum", UnitCode.SPIRALEN),
]
QUEUE_WISHES = [
    {}, {"language": "engelska"}, {"language": "rumänska", "interpreter_needed": True},
    {"counsellor_gender": "woman"}, {}, {"language": "spanska", "interpreter_needed": True},
]


def _weekdays_from(day, count):
    days = []
    while len(days) < count:
        if day.isoweekday() <= 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def seed_reception(staff):
    """Rooms, this week's bookings for the counsellors and the midwife (today's earlier ones
    arrived or done, one visitor waiting now), a drop-in and an anonymous visitor, and a queue
    of fifteen with waiting times from a few days to half a year. Once only."""
    if Room.objects.exists():
        return ""
    rng = random.Random(8)  # noqa: S311 - repeatable demo data, not security
    rooms = {name: Room.objects.create(name=name, unit=unit) for name, unit in ROOMS}
    counsellor, kast = staff["behandlare"], staff["kastbehandlare"]
    midwife, assistant = staff["barnmorska"], staff["assistent"]
    counselling_clients = list(
        Client.objects.filter(journals__unit=UnitCode.COUNSELLING, protected_identity=False,
                              register=Register.MAIN).order_by("pk")
    )
    kast_clients = list(Client.objects.filter(register=Register.KAST).order_by("pk"))
    clinic_clients = list(
        Client.objects.filter(journals__unit=UnitCode.SPIRALEN).order_by("pk")
    )
    now = timezone.now()
    today = timezone.localdate()
    week = _weekdays_from(today, 5)
    bookings = 0

    def booking(day, hour, staff_member, client, unit, kind, room=None, minutes=60, **extra):
        nonlocal bookings
        starts = timezone.make_aware(datetime.combine(day, time(hour)))
        bookings += 1
        return Booking.objects.create(
            unit=unit, kind=kind, client=client, staff=staff_member, room=room,
            starts_at=starts, ends_at=starts + timedelta(minutes=minutes),
            created_by=assistant, created_at=now - timedelta(days=7), **extra,
        )

    # The demo's data are written as they would have been: past times directly, with their
    # outcome; the services refuse times that have passed.
    for number, day in enumerate(week):
        for slot, hour in enumerate([9, 10, 13, 14, 15]):
            client = counselling_clients[(number * 5 + slot) % len(counselling_clients)]
            booked = booking(day, hour, counsellor, client, UnitCode.COUNSELLING,
                             BookingKind.SESSION, rooms[f"Samtalsrum {slot % 3 + 1}"],
                             interpreter_language="arabiska" if slot == 3 else "")
            if booked.ends_at < now:
                booked.status = BookingStatus.COMPLETED
                booked.save(update_fields=["status"])
                Visit.objects.create(
                    unit=booked.unit, purpose=VisitPurpose.BOOKED, client=client,
                    booking=booked, registered_by=assistant,
                    arrived_at=booked.starts_at - timedelta(minutes=rng.randint(2, 10)),
                    taken_in_at=booked.starts_at, taken_in_by=counsellor,
                    closed_at=booked.ends_at, gender=client.gender,
                )
            elif booked.starts_at - timedelta(minutes=30) < now:
                # Now: arrived a few minutes ago and waiting.
                booked.status = BookingStatus.ARRIVED
                booked.save(update_fields=["status"])
                Visit.objects.create(
                    unit=booked.unit, purpose=VisitPurpose.BOOKED, client=client,
                    booking=booked, registered_by=assistant, gender=client.gender,
                    arrived_at=now - timedelta(minutes=6),
                )
        if kast_clients:
            booking(day, 11, kast, kast_clients[number % len(kast_clients)], UnitCode.KAST,
                    BookingKind.SESSION, rooms["KAST:s samtalsrum"])
        for slot, hour in enumerate([9, 11, 14]):
            if clinic_clients:
                booking(day, hour, midwife, clinic_clients[(number * 3 + slot) %
                                                           len(clinic_clients)],
                        UnitCode.SPIRALEN, BookingKind.VISIT,
                        rooms["Spiralen, undersökningsrum"], minutes=45)
    contracts = _seed_contracts(rng, counsellor, today)
    # A drop-in of a known client and an anonymous visitor this morning.
    if today.isoweekday() <= 5:
        Visit.objects.create(
            unit=UnitCode.COUNSELLING, purpose=VisitPurpose.PRACTICAL,
            client=counselling_clients[-1], registered_by=assistant,
            arrived_at=now - timedelta(minutes=25), gender=counselling_clients[-1].gender,
        )
        Visit.objects.create(
            unit=UnitCode.COUNSELLING, purpose=VisitPurpose.INFORMATION, registered_by=assistant,
            arrived_at=now - timedelta(hours=1), gender=Gender.WOMAN, age_band=AgeBand.FROM_25,
            taken_in_at=now - timedelta(minutes=50), taken_in_by=counsellor,
            closed_at=now - timedelta(minutes=20),
        )
    # The queue: fifteen waiting, the longest since half a year.
    waiting = [c for c in Client.objects.filter(register=Register.MAIN).order_by("-pk")
               if not c.protected_identity][:15]
    sources = list(QueueSource)
    for number, client in enumerate(sorted(waiting, key=lambda c: c.pk)):
        services.add_to_queue(
            client, source=sources[number % len(sources)], by=assistant,
            added_on=today - timedelta(days=180 - number * 12),
            **QUEUE_WISHES[number % len(QUEUE_WISHES)],
        )
    return _("%(bookings)d bokningar, %(contracts)d samtalskontrakt, %(waiting)d i kön.") % {
        "bookings": bookings, "contracts": contracts, "waiting": len(waiting),
    }


GOALS = [
    "Kunna säga nej till det hon inte vill, i relationer och på arbetet.",
    "Ha en egen bostad innan terminen är slut.",
    "Sova bättre och känna mindre skam.",
    "Ta kontakt med arbetsförmedlingen.",
    "Förstå vad köpen av sex har fyllt för funktion.",
]


def _seed_contracts(rng, counsellor, today):
    """The counsellor's weekly sessions this week are each one of a term's contracts (same
    weekday, time and room), with one or two goals agreed at the term's start."""
    year, half, first, last = term_of(today)
    created = 0
    seen = set()
    for booking in Booking.objects.filter(
        staff=counsellor, kind=BookingKind.SESSION
    ).select_related("client").order_by("starts_at"):
        # One contract per client and term: a second session in the week is an extra one.
        if booking.client_id in seen:
            continue
        seen.add(booking.client_id)
        local = timezone.localtime(booking.starts_at)
        journal = booking.client.journals.get(unit=booking.unit, merged_into__isnull=True)
        contract = SessionContract.objects.create(
            journal=journal, counsellor=counsellor, weekday=local.isoweekday(),
            start_time=local.time(), minutes=60, room=booking.room, starts_on=first,
            ends_on=last, term_year=year, term_half=half, created_by=counsellor,
            created_at=timezone.make_aware(datetime.combine(first, time(10))),
        )
        booking.contract = contract
        booking.save(update_fields=["contract"])
        for text in rng.sample(GOALS[:4], rng.randint(1, 2)):
            Goal.objects.create(contract=contract, text=text, created_by=counsellor)
        created += 1
    return created
