"""Demo clients for `seed_demo`: about forty people across the units, with journals, signed
and draft entries, consents, one protected identity, KAST clients and one emergency access;
reception's week and queue; and three calendar years of former clients, visits, the queue,
contracted sessions and goals for the statistics. Identity numbers come only from
Skatteverket's test numbers (demo_data/)."""

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet.lib.text import fold
from prostenhet.models import AccessKind, AccessLog
from prostenhet.roles import UnitCode

from . import access, audit, services
from .models import (
    DEFAULT_ENTRY_KIND,
    AgeBand,
    Booking,
    BookingKind,
    BookingStatus,
    BornInSweden,
    Client,
    Enrollment,
    EntryKind,
    EntryState,
    Gender,
    Goal,
    GoalOutcome,
    GoalStatus,
    Journal,
    JournalEntry,
    Quality,
    QueueEntry,
    QueueRemoval,
    QueueSource,
    Register,
    RegisterExtract,
    Room,
    SessionContract,
    SessionMethod,
    SessionTheme,
    Visit,
    VisitPurpose,
    Weekday,
    WithholdingReason,
    term_of,
)
from .services import extracts, weeding
from .services.counselling import MISSED_TEXT

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
    arrived or done, one visitor waiting now), a drop-in and an anonymous visitor, a queue
    of fifteen with waiting times from a few days to half a year, and the three calendar
    years before today (_seed_history). Once only."""
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
    history = _seed_history(
        staff, [rooms[f"Samtalsrum {number}"] for number in (1, 2, 3)], today
    )
    return _("%(bookings)d bokningar, %(contracts)d samtalskontrakt, %(waiting)d i kön.") % {
        "bookings": bookings, "contracts": contracts, "waiting": len(waiting),
    } + " " + history


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


# --- three years of history, for the statistics page ---------------------------------------------

# Former clients' first names; each gets an initial, as an alias often is.
HISTORY_NAMES = [
    "Anna", "Maria", "Karin", "Lena", "Sanna", "Johanna", "Linnea", "Frida", "Moa", "Tove",
    "Alva", "Ebba", "Wilma", "Agnes", "Stina", "Märta", "Yasmin", "Leila", "Zainab", "Ana",
    "Elena", "Ioana", "Natalia", "Svetlana", "Grace", "Mercy", "Esther", "Paula", "Lucia",
    "Carmen", "Nora", "Tilde", "Saga", "Vilja", "Amanda", "Rebecka", "Nathalie", "Patricia",
    "Charlie", "Love", "Eli", "Mika", "Jonas", "Daniel",
]
INITIALS = "ABDEFGHJKLMNOPRSTV"
# (value, weight): whom the unit meets.
HISTORY_GENDERS = [
    (Gender.WOMAN, 82), (Gender.TRANS_NONBINARY, 8), (Gender.MAN, 5), (Gender.OTHER, 2),
    (Gender.NOT_STATED, 3),
]
HISTORY_BORN = [(BornInSweden.YES, 45), (BornInSweden.NO, 40), (BornInSweden.UNKNOWN, 15)]
# Former clients who first came each year (oldest first), and anonymous visitors a year.
NEW_CLIENTS_BY_YEAR = [52, 66, 58]
ANONYMOUS_BY_YEAR = [42, 61, 50]
# How a contracted session went, by weight.
SESSION_OUTCOMES = [
    (BookingStatus.COMPLETED, 78), (BookingStatus.NO_SHOW, 8),
    (BookingStatus.CANCELLED_BY_CLIENT, 9), (BookingStatus.CANCELLED_BY_UNIT, 5),
]
QUEUE_OUTCOMES = [
    (QueueRemoval.OFFERED, 64), (QueueRemoval.STARTED_ELSEWHERE, 13),
    (QueueRemoval.NOT_WANTED, 11), (QueueRemoval.NO_CONTACT, 12),
]
GOAL_OUTCOMES = [(GoalOutcome.ACHIEVED, 38), (GoalOutcome.PARTLY, 42),
                 (GoalOutcome.NOT_ACHIEVED, 20)]
SESSION_HOURS = [9, 10, 11, 13, 14, 15]
EVALUATION_COMMENTS = [
    "Utvärderat tillsammans vid terminens sista samtal.",
    "Klienten tycker själv att hon kommit en bit på väg.",
    "Målet behöver brytas ned i mindre steg.",
]
END_REASONS = ["Klienten vill avsluta.", "Klienten har flyttat från Stockholm.",
               "Klienten har fått stöd på annat håll."]


def _weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


class _History:
    """Rows of the past three years, collected and then written with bulk_create: former
    clients who came through reception, the queue, counselling (contracts, weekly sessions,
    goals), the clinic, outreach and the trafficking unit, and anonymous visitors. Everything
    ends before today's demo begins (two weeks back), so today's schedule, waiting room,
    queue and "my day" stay as they are."""

    def __init__(self, rng, staff, rooms, today):
        self.rng = rng
        self.counsellor, self.assistant = staff["behandlare"], staff["assistent"]
        self.midwife, self.outreach = staff["barnmorska"], staff["uppsokare"]
        self.rooms = rooms
        self.today = today
        self.cutoff = today - timedelta(days=15)
        self.years = [today.year - 2, today.year - 1, today.year]
        self.clients, self.enrollments, self.journals = [], [], []
        self.queue, self.contracts, self.bookings, self.visits = [], [], [], []
        self.entries, self.goals = [], []
        self.slots = {}  # (term year, half) -> {(weekday, hour)} taken by the counsellor

    def at(self, day, hour, minute=0):
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def weekday_on_or_after(self, day):
        while day.isoweekday() > 5:
            day += timedelta(days=1)
        return day

    # --- people ------------------------------------------------------------------------------

    def client(self, first_day, numbers, **extra):
        rng = self.rng
        alias = f"{rng.choice(HISTORY_NAMES)} {rng.choice(INITIALS)}."
        fields = {"gender": _weighted(rng, HISTORY_GENDERS),
                  "born_in_sweden": _weighted(rng, HISTORY_BORN)}
        chance = rng.random()
        if chance < 0.45 and numbers:
            number = numbers.pop()
            fields.update(identity_number=number, identity_number_quality=Quality.KNOWN,
                          birth_year=int(number[:4]), birth_year_quality=Quality.KNOWN)
        elif chance < 0.8:
            fields.update(birth_year=first_day.year - rng.randint(19, 58),
                          birth_year_quality=Quality.ESTIMATED)
        fields.update(extra)
        client = Client(alias=alias, alias_folded=fold(alias), created_by=self.assistant,
                        created_at=self.at(first_day, 10), **fields)
        client._demo_units = {}  # unit -> [journal, first day, last day, enrolled by]
        self.clients.append(client)
        return client

    def journal(self, client, unit, day, by):
        """The client's journal of the unit (and enrollment), opened on day."""
        if unit not in client._demo_units:
            journal = Journal(client=client, unit=unit, created_at=self.at(day, 10))
            self.journals.append(journal)
            client._demo_units[unit] = [journal, day, day, by]
        record = client._demo_units[unit]
        record[1], record[2] = min(record[1], day), max(record[2], day)
        return record[0]

    def entry(self, client, unit, day, by, text, kind=None, booking=None, **extra):
        journal = self.journal(client, unit, day, by)
        written = self.at(day, self.rng.randint(13, 16), self.rng.randint(0, 59))
        self.entries.append(JournalEntry(
            journal=journal, unit=unit, kind=kind or DEFAULT_ENTRY_KIND[unit], event_date=day,
            author=by, text=text, state=EntryState.SIGNED, signed_by=by, signed_at=written,
            written_at=written, updated_at=written, booking=booking, **extra,
        ))

    def visit(self, unit, day, purpose, client=None, **anonymous):
        """A drop-in, closed the same hour; an anonymous one with gender and age_band."""
        arrived = self.at(day, self.rng.randint(9, 15), self.rng.randint(0, 59))
        taken_in = arrived + timedelta(minutes=self.rng.randint(3, 20))
        if client is not None:
            anonymous = {"gender": client.gender}
        self.visits.append(Visit(
            unit=unit, purpose=purpose, client=client, registered_by=self.assistant,
            arrived_at=arrived, taken_in_at=taken_in, taken_in_by=self.counsellor,
            closed_at=taken_in + timedelta(minutes=self.rng.randint(15, 50)), **anonymous,
        ))

    # --- paths through the unit --------------------------------------------------------------

    def counselling(self, client, first_day):
        """Reception, the queue and, for most, a term's contract of weekly sessions."""
        rng = self.rng
        self.journal(client, UnitCode.COUNSELLING, first_day, self.counsellor)
        if rng.random() < 0.5:
            self.visit(UnitCode.COUNSELLING, first_day,
                       rng.choice([VisitPurpose.INFORMATION, VisitPurpose.DROP_IN]), client)
        wait = min(rng.randint(7, 150), (self.cutoff - first_day).days)
        if wait < 5:
            return
        left_day = first_day + timedelta(days=wait)
        reason = _weighted(rng, QUEUE_OUTCOMES)
        self.queue.append(QueueEntry(
            client=client, added_on=first_day, source=rng.choice(list(QueueSource)),
            added_by=self.assistant, left_at=self.at(left_day, rng.randint(9, 15)),
            left_reason=reason,
            offered_to=self.counsellor if reason == QueueRemoval.OFFERED else None,
        ))
        if reason == QueueRemoval.OFFERED:
            self.contract(client, left_day)

    def contract(self, client, offered_on):
        rng = self.rng
        year, half, first, last = term_of(offered_on + timedelta(days=7))
        taken = self.slots.setdefault((year, half), set())
        free = [(w, h) for w in Weekday.values for h in SESSION_HOURS if (w, h) not in taken]
        if not free:
            return
        weekday, hour = rng.choice(free)
        taken.add((weekday, hour))
        starts_on = max(offered_on + timedelta(days=7), first)
        # No sessions in the last weeks before Christmas and midsummer.
        season_end = min(last - timedelta(days=12), self.cutoff)
        dates = services.contract_dates(weekday, starts_on, season_end)
        dropped = rng.random() < 0.18
        if dropped:
            dates = dates[: rng.randint(2, max(2, len(dates) - 3))]
        if len(dates) < 2:
            return
        room = self.rooms[(weekday + hour) % len(self.rooms)]
        ended_on = None
        # A contract still on paper would show among today's running ones: those of the
        # recent terms end with a reason.
        if dropped or last >= self.today - timedelta(weeks=8):
            ended_on = dates[-1] + timedelta(days=1)
        contract = SessionContract(
            journal=self.journal(client, UnitCode.COUNSELLING, starts_on, self.counsellor),
            counsellor=self.counsellor, weekday=weekday, start_time=time(hour), minutes=60,
            room=room, starts_on=starts_on, ends_on=last, term_year=year, term_half=half,
            ended_on=ended_on, end_reason=rng.choice(END_REASONS) if ended_on else "",
            created_by=self.counsellor, created_at=self.at(offered_on, 11),
        )
        self.contracts.append(contract)
        for day in dates:
            status = _weighted(rng, SESSION_OUTCOMES)
            starts_at = self.at(day, hour)
            booking = Booking(
                unit=UnitCode.COUNSELLING, kind=BookingKind.SESSION, client=client,
                staff=self.counsellor, room=room, starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=60), status=status,
                created_by=self.counsellor, created_at=self.at(starts_on - timedelta(days=3), 11),
                status_changed_at=starts_at + timedelta(minutes=60), contract=contract,
            )
            self.bookings.append(booking)
            if status == BookingStatus.COMPLETED:
                self.visits.append(Visit(
                    unit=UnitCode.COUNSELLING, purpose=VisitPurpose.BOOKED, client=client,
                    booking=booking, registered_by=self.assistant,
                    arrived_at=starts_at - timedelta(minutes=rng.randint(2, 10)),
                    taken_in_at=starts_at, taken_in_by=self.counsellor,
                    closed_at=booking.ends_at, gender=client.gender,
                ))
                self.entry(client, UnitCode.COUNSELLING, day, self.counsellor,
                           rng.choice(COUNSELLING_NOTES[:5]), kind=EntryKind.SESSION,
                           booking=booking, themes=rng.sample(list(SessionTheme.values), 2),
                           methods=rng.sample(list(SessionMethod.values), 2))
            elif status == BookingStatus.NO_SHOW:
                self.entry(client, UnitCode.COUNSELLING, day, self.counsellor,
                           str(MISSED_TEXT[EntryKind.NO_SHOW]),
                           kind=EntryKind.NO_SHOW, booking=booking)
        evaluated = None if dropped else dates[-1]
        for text in rng.sample(GOALS[:4], rng.randint(1, 2)):
            goal = Goal(contract=contract, text=text, created_by=self.counsellor,
                        created_at=self.at(starts_on, 12))
            if evaluated is not None:
                goal.outcome = _weighted(rng, GOAL_OUTCOMES)
                goal.status = GoalStatus.CLOSED
                goal.comment = rng.choice(EVALUATION_COMMENTS)
                goal.evaluated_at = self.at(evaluated, 15)
                goal.evaluated_by = self.counsellor
            self.goals.append(goal)

    def clinic(self, client, first_day):
        for step in range(self.rng.randint(1, 3)):
            day = self.weekday_on_or_after(first_day + timedelta(days=step * 40))
            if day > self.cutoff:
                break
            self.visit(UnitCode.SPIRALEN, day, VisitPurpose.CLINIC, client)
            self.entry(client, UnitCode.SPIRALEN, day, self.midwife,
                       self.rng.choice(CLINIC_NOTES))

    def street(self, client, first_day):
        for step in range(self.rng.randint(1, 4)):
            day = first_day + timedelta(days=step * self.rng.randint(10, 30))
            if day > self.cutoff:
                break
            self.entry(client, UnitCode.OUTREACH, day, self.outreach,
                       self.rng.choice(OUTREACH_NOTES))

    def trafficking(self, client, first_day):
        for step in range(self.rng.randint(2, 4)):
            day = self.weekday_on_or_after(first_day + timedelta(days=step * 21))
            if day > self.cutoff:
                break
            self.entry(client, UnitCode.TRAFFICKING, day, self.outreach,
                       self.rng.choice(TRAFFICKING_NOTES))

    def practical(self, client, first_day):
        self.journal(client, UnitCode.COUNSELLING, first_day, self.assistant)
        for step in range(self.rng.randint(1, 3)):
            day = self.weekday_on_or_after(first_day + timedelta(days=step * 30))
            if day > self.cutoff:
                break
            self.visit(UnitCode.COUNSELLING, day,
                       self.rng.choice([VisitPurpose.PRACTICAL, VisitPurpose.DROP_IN]), client)

    def former_clients(self, numbers):
        rng = self.rng
        for year, count in zip(self.years, NEW_CLIENTS_BY_YEAR, strict=True):
            first = date(year, 1, 1)
            last = min(date(year, 12, 20), self.cutoff - timedelta(days=20))
            if last <= first:
                continue
            for _number in range(count):
                day = self.weekday_on_or_after(
                    first + timedelta(days=rng.randrange((last - first).days))
                )
                path = rng.random()
                if path < 0.08:
                    client = self.client(day, numbers, born_in_sweden=BornInSweden.NO)
                    self.trafficking(client, day)
                    continue
                client = self.client(day, numbers)
                if path < 0.28:
                    # Met on the street first; some come to reception later.
                    self.street(client, day)
                    if rng.random() < 0.4:
                        self.counselling(client, day + timedelta(days=rng.randint(14, 60)))
                elif path < 0.38:
                    self.practical(client, day)
                elif path < 0.46:
                    self.clinic(client, day)
                else:
                    self.counselling(client, day)
                    if rng.random() < 0.25:
                        self.clinic(client, day + timedelta(days=rng.randint(20, 90)))

    def anonymous_visitors(self):
        rng = self.rng
        purposes = [(VisitPurpose.INFORMATION, 45), (VisitPurpose.DROP_IN, 30),
                    (VisitPurpose.PRACTICAL, 15), (VisitPurpose.CLINIC, 10)]
        bands = [(AgeBand.UNDER_25, 18), (AgeBand.FROM_25, 30), (AgeBand.FROM_35, 22),
                 (AgeBand.FROM_45, 13), (AgeBand.FROM_55, 5), (AgeBand.UNKNOWN, 12)]
        for year, count in zip(self.years, ANONYMOUS_BY_YEAR, strict=True):
            first, last = date(year, 1, 1), min(date(year, 12, 31), self.cutoff)
            if last <= first:
                continue
            for _number in range(count):
                day = self.weekday_on_or_after(
                    first + timedelta(days=rng.randrange((last - first).days))
                )
                if day > self.cutoff:
                    continue
                purpose = _weighted(rng, purposes)
                unit = UnitCode.SPIRALEN if purpose == VisitPurpose.CLINIC else \
                    UnitCode.COUNSELLING
                self.visit(unit, day, purpose, gender=_weighted(rng, HISTORY_GENDERS),
                           age_band=_weighted(rng, bands))

    # --- writing -----------------------------------------------------------------------------

    def current_clients(self, clients):
        """Today's demo clients as they came: each enrollment from (a little before) the
        first entry of the unit's journal, and those in a contract this term offered their
        place from the queue before it began."""
        rng = self.rng
        first_entries = {
            (row["journal__client"], row["unit"]): row["first"]
            for row in JournalEntry.objects.filter(journal__client__in=clients)
            .values("journal__client", "unit").annotate(first=Min("event_date")).order_by()
        }
        enrollments = list(Enrollment.objects.filter(client__in=clients).order_by("pk"))
        for enrollment in enrollments:
            first = first_entries.get((enrollment.client_id, enrollment.unit))
            if first is not None and first < enrollment.started_on:
                enrollment.started_on = first - timedelta(days=rng.randint(0, 20))
        Enrollment.objects.bulk_update(enrollments, ["started_on"])
        started = {}
        for enrollment in enrollments:
            started[enrollment.client_id] = min(
                enrollment.started_on, started.get(enrollment.client_id, enrollment.started_on)
            )
        changed = [c for c in clients if started.get(c.pk, self.today) < self.today]
        for client in changed:
            client.created_at = self.at(started[client.pk], 10)
        Client.objects.bulk_update(changed, ["created_at"])
        waiting = set(QueueEntry.objects.filter(left_at__isnull=True)
                      .values_list("client_id", flat=True))
        for contract in SessionContract.objects.filter(
            journal__unit=UnitCode.COUNSELLING, journal__client__in=clients
        ).select_related("journal").order_by("pk"):
            client_id = contract.journal.client_id
            if client_id in waiting or rng.random() < 0.3:
                continue
            offered = min(contract.starts_on - timedelta(days=rng.randint(3, 50)), self.cutoff)
            self.queue.append(QueueEntry(
                client_id=client_id, source=rng.choice(list(QueueSource)),
                added_on=offered - timedelta(days=rng.randint(10, 160)),
                added_by=self.assistant, left_at=self.at(offered, rng.randint(9, 15)),
                left_reason=QueueRemoval.OFFERED, offered_to=self.counsellor,
            ))

    def save(self):
        Client.objects.bulk_create(self.clients)
        Journal.objects.bulk_create(self.journals)
        for client in self.clients:
            for unit, (_journal, first, last, by) in client._demo_units.items():
                if first.year == self.years[0] and self.rng.random() < 0.35:
                    # A client of the unit since before the first year shown.
                    first -= timedelta(days=self.rng.randint(200, 900))
                self.enrollments.append(Enrollment(
                    client=client, unit=unit, started_on=first, created_by=by,
                    ended_on=min(last + timedelta(days=self.rng.randint(20, 90)),
                                 self.cutoff),
                ))
        Enrollment.objects.bulk_create(self.enrollments)
        QueueEntry.objects.bulk_create(self.queue)
        SessionContract.objects.bulk_create(self.contracts)
        Booking.objects.bulk_create(self.bookings, batch_size=500)
        Visit.objects.bulk_create(self.visits, batch_size=500)
        JournalEntry.objects.bulk_create(self.entries, batch_size=500)
        Goal.objects.bulk_create(self.goals)
        return len(self.clients), len(self.visits)


def _seed_history(staff, rooms, today):
    """Three calendar years of the unit's work (see _History); returns a summary line."""
    rng = random.Random(2024)  # noqa: S311 - repeatable demo data, not security
    current = list(Client.objects.order_by("pk"))
    used = {c.identity_number for c in current}
    numbers = [n for n in demo_numbers() if n not in used]
    rng.shuffle(numbers)
    history = _History(rng, staff, rooms, today)
    history.former_clients(numbers)
    history.anonymous_visitors()
    history.current_clients(current)
    clients, visits = history.save()
    return _("%(clients)d tidigare klienter och %(visits)d besök sedan %(year)d.") % {
        "clients": clients, "visits": visits, "year": history.years[0],
    }


# --- records over their whole life (weeding) ---------------------------------------------------

# (alias, units and how many years and days ago the last entry of each was, born on a research
# day, the enrolment left open): old records that show each of the weeding's rules in the
# manager's dry run.
OLD_RECORDS = [
    ("Gamla Greta", {UnitCode.COUNSELLING: (6, 40)}, False, False),
    ("Gamla Gun", {UnitCode.COUNSELLING: (7, 10), UnitCode.OUTREACH: (6, 200)}, False, False),
    ("Gamla Hanna", {UnitCode.COUNSELLING: (6, 90)}, True, False),
    ("Gamla Inez", {UnitCode.COUNSELLING: (6, 120)}, False, True),
    ("Gamla Jana", {UnitCode.COUNSELLING: (6, 10), UnitCode.SPIRALEN: (6, 10)}, False, False),
    ("Gamla Klara", {UnitCode.COUNSELLING: (6, 300), UnitCode.OUTREACH: (1, 30)}, False, False),
    ("Gamla Lina", {UnitCode.TRAFFICKING: (5, 60)}, False, False),
    ("Gamle Kurt", {UnitCode.KAST: (6, 15)}, False, False),
]
OLD_TEXTS = [
    "Avslutande samtal. Klienten har fått arbete och vill avsluta kontakten.",
    "Uppföljning efter flytt. Ingen fortsatt kontakt önskas.",
]


def seed_old_records(staff):
    """Clients whose records ended six or seven years ago, so that the weeding's dry run has
    something to show: records due and weeded, one kept for research (born on the 15th), one
    held by an open enrolment, one held back by a newer record of the same person, a patient
    record kept for its ten years, and a KAST client (for a manager in KAST only)."""
    if Client.objects.filter(alias__startswith="Gaml").exists():
        return ""
    today = timezone.localdate()
    author = {UnitCode.COUNSELLING: staff["behandlare"], UnitCode.OUTREACH: staff["uppsokare"],
              UnitCode.SPIRALEN: staff["barnmorska"], UnitCode.TRAFFICKING: staff["behandlare"],
              UnitCode.KAST: staff["kastbehandlare"]}
    used = set(Client.objects.exclude(identity_number="").values_list("identity_number",
                                                                      flat=True))
    research = next(number for number in demo_numbers()
                    if number[6:8] in ("05", "15", "25") and number not in used)
    for index, (alias, units, born_on_research_day, left_open) in enumerate(OLD_RECORDS):
        first = min(_years_ago(today, *ago) for ago in units.values()) - timedelta(days=400)
        client = Client.objects.create(
            alias=alias, created_by=staff["assistent"],
            created_at=_noon(first),
            register=Register.KAST if UnitCode.KAST in units else Register.MAIN,
            gender=Gender.MAN if UnitCode.KAST in units else Gender.WOMAN,
            **({"identity_number": research, "identity_number_quality": Quality.KNOWN,
                "birth_year": int(research[:4]), "birth_year_quality": Quality.KNOWN}
               if born_on_research_day else {}),
        )
        for unit, ago in units.items():
            last = _years_ago(today, *ago)
            Enrollment.objects.create(client=client, unit=unit, started_on=first,
                                      ended_on=None if left_open else last,
                                      created_by=author[unit])
            journal = Journal.objects.create(client=client, unit=unit, created_at=_noon(first))
            for day, text in ((first, "Första kontakten."), (last, OLD_TEXTS[index % 2])):
                JournalEntry.objects.create(
                    journal=journal, unit=unit, kind=DEFAULT_ENTRY_KIND.get(unit, EntryKind.NOTE),
                    event_date=day, written_at=_noon(day), updated_at=_noon(day),
                    author=author[unit], text=text, state=EntryState.SIGNED,
                    signed_by=author[unit], signed_at=_noon(day),
                )
        access.sync_client(client)
    return _("%(count)d gamla akter för gallringen skapade.") % {"count": len(OLD_RECORDS)}


def seed_weeding_dry_run(staff):
    """The demo manager's dry run, so that the weeding page shows a report."""
    weeding.run(execute=False, by=staff["chef"])
    return _("Provkörning av gallringen gjord.")


def _years_ago(today, years, days):
    return today.replace(year=today.year - years, day=min(today.day, 28)) - timedelta(days=days)


def _noon(day):
    return timezone.make_aware(datetime.combine(day, time(14)))


# --- register extracts -----------------------------------------------------------------------


def seed_extracts(staff):
    """Two register extracts by the demo manager: one released after a secrecy review (a
    session note withheld for harm to the client), one still under review."""
    if RegisterExtract.objects.exists():
        return ""
    manager = staff["chef"]
    candidates = (
        Client.objects.filter(register=Register.MAIN, enrollments__unit=UnitCode.COUNSELLING,
                              journals__entries__state=EntryState.SIGNED,
                              protected_identity=False)
        .exclude(alias__startswith="Gaml").distinct().order_by("pk")[:2]
    )
    today = timezone.localdate()
    made = 0
    for index, client in enumerate(candidates):
        extract = extracts.create_extract(manager, client, today - timedelta(days=3 + index))
        if index == 0:
            entry = next(
                item for section in extracts.build_extract(extract) for item in section.items
                if item.key.startswith("clients.entry:") and item.text
            )
            extracts.withhold(manager, extract, entry.key, "", WithholdingReason.HARM)
            extracts.release(manager, extract)
        made += 1
    return _("%(count)d registerutdrag skapade.") % {"count": made}
