"""KAST's demo data (seed_demo, after the clients' and reception's): a season of calls and
e-mails — mostly anonymous, some repeat callers with caller codes, a few today and some to follow
up — the demo's KAST clients (clients/demo.py) with their referral sources, earlier calls and a
session contract, and the buyers reached per shift and month.

Before the season, the history behind the managers' yearly statistics, from 1 January two
years ago: fewer calls in the first year, more since, e-mail growing, a quiet July; each year
some callers who became clients (their calls, a first session, a term's contract with goals
evaluated and session notes, their treatment ended well before today, so that no one's list or
schedule changes); buyers reached on the street and letters sent every month. Written in bulk,
with its own random numbers, so that the season above stays as it was."""

import random
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import services as client_services
from clients.models import (
    HOLDING_STATUSES,
    Assignment,
    AssignmentRole,
    Booking,
    BookingKind,
    BookingStatus,
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
    Register,
    Room,
    SessionContract,
    term_of,
)
from prostenhet.exceptions import DomainError
from prostenhet.lib.text import fold
from prostenhet.roles import UnitCode

from .models import (
    BuyerOutreach,
    Call,
    CallChannel,
    CallOutcome,
    CallTopic,
    HeardVia,
    KastProfile,
    OutreachKind,
    OutreachPeriod,
)

SEASON_DAYS = 120
SUMMARIES = [
    ("Har köpt sex i många år och vill sluta. Frågade hur samtalen går till.",
     [CallTopic.WANTS_TO_STOP, CallTopic.INFORMATION]),
    ("Förhördes av polisen förra veckan. Orolig för vad som händer nu.",
     [CallTopic.AFTER_ARREST]),
    ("Partnern har fått veta. Vill ha hjälp att förstå sitt beteende.",
     [CallTopic.RELATIONSHIP, CallTopic.WANTS_TO_STOP]),
    ("Skäms och har inte berättat för någon. Ville prata en stund.",
     [CallTopic.SHAME]),
    ("Beskriver ett tvångsmässigt sug som kommer på resor.",
     [CallTopic.COMPULSION]),
    ("Orolig för att ha fått en sexuellt överförbar infektion. Hänvisad till provtagning.",
     [CallTopic.HEALTH]),
    ("Mejl med frågor om KAST är anonymt och vad det kostar.",
     [CallTopic.INFORMATION]),
    ("Ringde igen efter förra samtalet. Har inte köpt sedan dess.",
     [CallTopic.WANTS_TO_STOP]),
]
# Mostly the police (letters after questioning) and the internet.
SOURCES = [HeardVia.POLICE] * 5 + [HeardVia.INTERNET] * 3 + [
    HeardVia.NEWS, HeardVia.HEALTH_CARE, HeardVia.SOCIAL_SERVICES, HeardVia.SOMEONE_CLOSE,
    HeardVia.OTHER,
]
OUTCOMES = [CallOutcome.ADVICE] * 5 + [CallOutcome.OFFERED] * 2 + [CallOutcome.REFERRED]
REPEAT_CALLERS = 8
# The goals of the demo's KAST contract.
GOALS = ["Inte köpa sex under terminen.",
         "Förstå vad som väcker suget och vad jag kan göra i stället."]
# The demo's KAST clients' referral sources, in their order.
CLIENT_SOURCES = [HeardVia.POLICE, HeardVia.INTERNET, HeardVia.SOMEONE_CLOSE]


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _call(rng, counsellor, occurred_at, **extra):
    summary, topics = rng.choice(SUMMARIES)
    fields = {
        "occurred_at": occurred_at, "minutes": rng.choice([5, 10, 15, 20, 25, 30, 45]),
        "channel": CallChannel.EMAIL if rng.random() < 0.15 else CallChannel.PHONE,
        "heard_via": rng.choice(SOURCES), "summary": summary,
        "topics": [str(t) for t in topics], "outcome": rng.choice(OUTCOMES),
        "counsellor": counsellor, "created_at": occurred_at,
    }
    fields.update(extra)
    return Call(**fields)


def seed_kast(staff):
    """Once only: calls, referral sources, a contract and buyers reached."""
    if Call.objects.exists():
        return ""
    rng = random.Random(10)  # noqa: S311 - repeatable demo data, not security
    counsellor = staff["kastbehandlare"]
    now = timezone.now()
    today = timezone.localdate()
    calls = []
    # A season of weekday calls, mostly anonymous; the last days' offered ones are to follow up.
    for offset in range(SEASON_DAYS, 0, -1):
        day = today - timedelta(days=offset)
        if day.isoweekday() > 5:
            continue
        for _number in range(rng.randint(0, 3)):
            calls.append(_call(rng, counsellor, _at(day, rng.randint(9, 15), rng.randint(0, 59))))
    # Repeat callers with codes: two to four calls each, the last one offered sessions.
    for number in range(1, REPEAT_CALLERS + 1):
        code = _("Uppringare %(number)d") % {"number": number}
        first = today - timedelta(days=rng.randint(20, SEASON_DAYS))
        times = sorted(rng.sample(range((today - first).days), rng.randint(2, 4)))
        for step, days in enumerate(times):
            last = step == len(times) - 1
            calls.append(_call(
                rng, counsellor, _at(first + timedelta(days=days), rng.randint(9, 16)),
                caller_code=code, outcome=CallOutcome.OFFERED if last else CallOutcome.ADVICE,
            ))
    # Today's calls so far.
    for hour in (9, 10):
        if _at(today, hour) < now:
            calls.append(_call(rng, counsellor, _at(today, hour, rng.randint(0, 40))))
    # The demo's KAST clients: each called a few times before registering.
    kast_clients = list(Client.objects.filter(register=Register.KAST).order_by("pk"))
    for number, client in enumerate(kast_clients):
        source = CLIENT_SOURCES[number % len(CLIENT_SOURCES)]
        KastProfile.objects.get_or_create(
            client=client, defaults={"referral_source": source, "updated_by": counsellor},
        )
        code = _("Uppringare %(number)d") % {"number": REPEAT_CALLERS + 1 + number}
        for days, outcome in [(70, CallOutcome.ADVICE), (55, CallOutcome.OFFERED),
                              (40, CallOutcome.BOOKED)]:
            calls.append(_call(rng, counsellor, _at(today - timedelta(days=days), 14),
                               caller_code=code, client=client, heard_via=source,
                               outcome=outcome))
    Call.objects.bulk_create(calls)
    contracts = _contracts(kast_clients, counsellor, today)
    outreach = _buyer_outreach(rng, counsellor, today)
    history = _History(counsellor, today)
    history.seed()
    return _("KAST: %(calls)d samtal, %(clients)d klienter med hänvisningsväg, %(contracts)d "
             "kontrakt, %(outreach)d antal köparkontakter.") % {
        "calls": len(calls) + history.calls, "clients": len(kast_clients) + history.clients,
        "contracts": contracts + history.contracts, "outreach": outreach + history.outreach,
    }


def _contracts(kast_clients, counsellor, today):
    """A weekly contract with goals for the first KAST client, from next week (weeks that
    cannot be booked are skipped, as always)."""
    room = Room.objects.filter(unit=UnitCode.KAST, active=True).first()
    made = 0
    for client in kast_clients[:1]:
        journal = client.journals.filter(unit=UnitCode.KAST, merged_into__isnull=True).first()
        if journal is None:
            continue
        try:
            result = client_services.create_contract(
                journal, by=counsellor, weekday=2, start_time=time(14), minutes=60, room=room,
                starts_on=today + timedelta(days=7 - today.weekday()),
            )
        except DomainError:
            continue
        for text in GOALS:
            client_services.add_goal(result.contract, text=text, by=counsellor)
        made += 1
    return made


def _buyer_outreach(rng, counsellor, today):
    rows = []
    month = date(today.year, today.month, 1)
    for _number in range(6):
        # Street contacts on two evening shifts a month; letters counted for the month.
        for shift_day in (8, 22):
            day = month.replace(day=shift_day)
            if day <= today:
                rows.append(BuyerOutreach(
                    kind=OutreachKind.STREET_CONTACTS, period=OutreachPeriod.SHIFT, day=day,
                    count=rng.randint(2, 14), staff=counsellor,
                ))
        rows.append(BuyerOutreach(
            kind=OutreachKind.POLICE_LETTERS, period=OutreachPeriod.MONTH, day=month,
            count=rng.randint(8, 35), staff=counsellor,
        ))
        month = (month - timedelta(days=1)).replace(day=1)
    BuyerOutreach.objects.bulk_create(rows)
    return len(rows)


# --- the years before the season -----------------------------------------------------------------

# Calls a weekday, by year (the first of the three, the second, this one) and by month.
HISTORY_RATE = [0.6, 0.8, 1.0]
MONTH_FACTOR = {1: 1.2, 2: 1.1, 3: 1.0, 4: 1.0, 5: 0.9, 6: 0.8, 7: 0.4, 8: 0.9, 9: 1.1,
                10: 1.1, 11: 1.0, 12: 0.7}
EMAIL_SHARE = [0.08, 0.12, 0.15]
# How callers heard of KAST, by year: the police's letters first, the internet growing, a
# newspaper series the first year.
HISTORY_SOURCES = [
    {HeardVia.POLICE: 6, HeardVia.INTERNET: 2, HeardVia.NEWS: 3, HeardVia.HEALTH_CARE: 1,
     HeardVia.SOCIAL_SERVICES: 1, HeardVia.SOMEONE_CLOSE: 1, HeardVia.OTHER: 1},
    {HeardVia.POLICE: 5, HeardVia.INTERNET: 3, HeardVia.NEWS: 1, HeardVia.HEALTH_CARE: 2,
     HeardVia.SOCIAL_SERVICES: 1, HeardVia.SOMEONE_CLOSE: 1, HeardVia.OTHER: 1},
    {HeardVia.POLICE: 5, HeardVia.INTERNET: 4, HeardVia.NEWS: 1, HeardVia.HEALTH_CARE: 1,
     HeardVia.SOCIAL_SERVICES: 2, HeardVia.SOMEONE_CLOSE: 1, HeardVia.OTHER: 1},
]
HISTORY_OUTCOMES = [
    {CallOutcome.ADVICE: 6, CallOutcome.OFFERED: 2, CallOutcome.REFERRED: 2},
    {CallOutcome.ADVICE: 5, CallOutcome.OFFERED: 2, CallOutcome.REFERRED: 1},
    {CallOutcome.ADVICE: 5, CallOutcome.OFFERED: 3, CallOutcome.REFERRED: 1},
]
# Callers who became clients, by year; this year's came in spring (their term ended in June).
HISTORY_CLIENTS = [22, 28, 16]
HISTORY_ALIASES = [
    "Anders", "Bengt", "Christer", "Daniel", "Erik", "Fredrik", "Göran", "Hans", "Ivan",
    "Jonas", "Kent", "Lennart", "Magnus", "Niklas", "Olof", "Patrik", "Rolf", "Stefan",
    "Tomas", "Urban", "Viktor", "Åke", "Örjan", "Leif", "Mats", "Peter", "Robert", "Sven",
    "Tobias", "Ulf", "Håkan", "Jörgen", "Kjell", "Lars", "Mattias", "Nils", "Oskar", "Per",
    "Roger", "Sören",
]
SESSION_HOURS = [9, 10, 13, 14, 15]
SESSION_NOTES = [
    "Samtal om vad köpen har fyllt för funktion och vad som väcker suget.",
    "Gick igenom veckan. Har inte köpt sex. Pratade om ensamhet och skam.",
    "Samtal om relationen till partnern och hur han ska berätta.",
    "Återfall under en resa. Samtal om vad som hände och vad han kan göra nästa gång.",
    "Samtal om ansvar och om kvinnorna i prostitution. Klienten var berörd.",
    "Planerade för sommaren och för tiden efter samtalen.",
]
CLIENT_CALLS = [
    ("Ringde för att flytta nästa samtal.", [CallTopic.INFORMATION]),
    ("Ringde en kväll när suget var starkt. Pratade en stund.", [CallTopic.COMPULSION]),
]
HISTORY_GOALS = [
    "Inte köpa sex under terminen.",
    "Förstå vad som väcker suget och vad jag kan göra i stället.",
    "Berätta för min partner.",
    "Hitta andra sätt att hantera stress och ensamhet.",
]
END_REASON = "Klienten avbröt behandlingen."


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _weekday_on_or_after(day):
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


class _History:
    """The years before the season, written in bulk (see the module's docstring)."""

    def __init__(self, counsellor, today):
        self.rng = random.Random(2024)  # noqa: S311 - repeatable demo data, not security
        self.counsellor = counsellor
        self.today = today
        self.first_year = today.year - 2
        self.start = date(self.first_year, 1, 1)
        # The season's first day: everything here is before it.
        self.end = today - timedelta(days=SEASON_DAYS)
        self.room = Room.objects.filter(unit=UnitCode.KAST, active=True).order_by("pk").first()
        self.taken = self._taken_hours()
        self.calls = self.clients = self.contracts = self.outreach = 0

    def seed(self):
        if self.end <= self.start:
            return
        calls = self._anonymous_calls()
        calls += self._clients()
        Call.objects.bulk_create(calls)
        self.calls = len(calls)
        self._buyer_outreach()

    def _index(self, day):
        return min(max(day.year - self.first_year, 0), len(HISTORY_RATE) - 1)

    def _taken_hours(self):
        """The hours the counsellor or KAST's room is already booked before the season."""
        busy = Q(staff=self.counsellor)
        if self.room is not None:
            busy |= Q(room=self.room)
        taken = set()
        for starts, ends in Booking.objects.filter(
            busy, status__in=HOLDING_STATUSES, starts_at__lt=_at(self.end, 0),
            ends_at__gt=_at(self.start, 0),
        ).values_list("starts_at", "ends_at"):
            moment = timezone.localtime(starts).replace(minute=0, second=0, microsecond=0)
            while moment < ends:
                taken.add((moment.date(), moment.hour))
                moment += timedelta(hours=1)
        return taken

    def _call(self, at, index, **extra):
        summary, topics = self.rng.choice(SUMMARIES)
        fields = {
            "occurred_at": at, "minutes": self.rng.choice([5, 10, 15, 20, 25, 30, 45]),
            "channel": (CallChannel.EMAIL if self.rng.random() < EMAIL_SHARE[index]
                        else CallChannel.PHONE),
            "heard_via": _weighted(self.rng, HISTORY_SOURCES[index]), "summary": summary,
            "topics": [str(t) for t in topics],
            "outcome": _weighted(self.rng, HISTORY_OUTCOMES[index]),
            "counsellor": self.counsellor, "created_at": at,
        }
        fields.update(extra)
        return Call(**fields)

    def _anonymous_calls(self):
        calls = []
        day = self.start
        while day < self.end:
            if day.isoweekday() <= 5:
                index = self._index(day)
                chance = HISTORY_RATE[index] * MONTH_FACTOR[day.month] / 3
                for _number in range(sum(self.rng.random() < chance for _try in range(3))):
                    at = _at(day, self.rng.randint(9, 15), self.rng.randint(0, 59))
                    calls.append(self._call(at, index))
            day += timedelta(days=1)
        return calls

    # --- callers who became clients ------------------------------------------------------------

    def _free_hour(self, day, hours=SESSION_HOURS):
        free = [hour for hour in hours if (day, hour) not in self.taken]
        return self.rng.choice(free) if free else None

    def _session(self, client, day, hour, status, contract=None):
        starts = _at(day, hour)
        if status in HOLDING_STATUSES:
            self.taken.add((day, hour))
        return Booking(
            unit=UnitCode.KAST, kind=BookingKind.SESSION, client=client, staff=self.counsellor,
            room=self.room, starts_at=starts, ends_at=starts + timedelta(minutes=60),
            status=status, contract=contract, created_by=self.counsellor,
            created_at=starts - timedelta(days=7), status_changed_at=starts + timedelta(hours=1),
        )

    def _weeks(self, first, last, weekday, hour):
        """The contract's weekly days from first to last (not over Christmas), if the hour is
        free on each of them; else None."""
        day = first + timedelta(days=(weekday - first.weekday()) % 7)
        days = []
        while day <= last and day < self.end:
            if not (day.month == 12 and day.day >= 23):
                if (day, hour) in self.taken:
                    return None
                days.append(day)
            day += timedelta(days=7)
        return days

    def _clients(self):
        """Each year's callers who became clients, with everything that follows."""
        rng, counsellor = self.rng, self.counsellor
        journeys = []
        for index, number in enumerate(HISTORY_CLIENTS):
            year = self.first_year + index
            window_end = date(year, 11, 20) if year < self.today.year else date(year, 4, 30)
            window_end = min(window_end, self.end - timedelta(days=60))
            window = (window_end - date(year, 1, 8)).days
            if window <= 0:
                continue
            for _number in range(number):
                journeys.append((index, date(year, 1, 8) + timedelta(days=rng.randint(0, window))))
        journeys.sort(key=lambda journey: journey[1])
        aliases = list(HISTORY_ALIASES)
        rng.shuffle(aliases)
        planned = []
        for number, (index, first_call) in enumerate(journeys):
            planned.append(self._journey(number, index, first_call,
                                         aliases[number % len(aliases)]))
        clients = Client.objects.bulk_create([plan["client"] for plan in planned])
        journals = Journal.objects.bulk_create([
            Journal(client=client, unit=UnitCode.KAST, created_at=plan["registered"])
            for client, plan in zip(clients, planned, strict=True)
        ])
        Enrollment.objects.bulk_create([
            Enrollment(client=client, unit=UnitCode.KAST, created_by=counsellor,
                       started_on=timezone.localdate(plan["registered"]),
                       ended_on=plan["ended_on"])
            for client, plan in zip(clients, planned, strict=True)
        ])
        Assignment.objects.bulk_create([
            Assignment(journal=journal, counsellor=counsellor, role=AssignmentRole.RESPONSIBLE,
                       starts_on=timezone.localdate(plan["registered"]),
                       ended_at=_at(plan["ended_on"], 16), created_by=counsellor)
            for journal, plan in zip(journals, planned, strict=True)
        ])
        KastProfile.objects.bulk_create([
            KastProfile(client=client, referral_source=plan["source"], updated_by=counsellor,
                        updated_at=plan["registered"])
            for client, plan in zip(clients, planned, strict=True)
        ])
        contracts = []
        for journal, plan in zip(journals, planned, strict=True):
            if plan["contract"] is not None:
                plan["contract"].journal = journal
                contracts.append(plan["contract"])
        SessionContract.objects.bulk_create(contracts)
        Goal.objects.bulk_create([goal for plan in planned for goal in plan["goals"]])
        bookings = [booking for plan in planned for booking in plan["bookings"]]
        Booking.objects.bulk_create(bookings)
        JournalEntry.objects.bulk_create([
            self._note(journal, booking)
            for journal, plan in zip(journals, planned, strict=True)
            for booking in plan["bookings"]
            if booking.status == BookingStatus.COMPLETED
        ])
        calls = [call for plan in planned for call in plan["calls"]]
        self.clients, self.contracts = len(clients), len(contracts)
        return calls

    def _journey(self, number, index, first_call, alias):
        """One caller's way from the first call to the end of the term's contract: unsaved
        rows, linked to each other, for the caller's client (made first)."""
        rng, counsellor = self.rng, self.counsellor
        source = _weighted(rng, HISTORY_SOURCES[index])
        code = _("Uppringare %(number)d") % {"number": 100 + number}
        client = Client(
            register=Register.KAST, alias=alias, alias_folded=fold(alias)[:100],
            gender=Gender.MAN, birth_year=rng.randint(1955, 2001),
            birth_year_quality=Quality.KNOWN, created_by=counsellor,
        )
        # A call or two for advice, then the one that booked the first session.
        days = [_weekday_on_or_after(first_call)]
        for _step in range(rng.choice([0, 0, 1, 1, 2])):
            days.append(_weekday_on_or_after(days[-1] + timedelta(days=rng.randint(3, 14))))
        calls = [
            self._call(_at(day, rng.randint(9, 15), rng.randint(0, 59)), index,
                       heard_via=source, caller_code=code, client=client,
                       outcome=rng.choice([CallOutcome.ADVICE, CallOutcome.OFFERED]))
            for day in days
        ]
        booked = calls[-1]
        booked.outcome = CallOutcome.BOOKED
        client.created_at = booked.occurred_at + timedelta(minutes=30)
        # The first session within two weeks, at a free hour.
        day = _weekday_on_or_after(days[-1] + timedelta(days=rng.randint(4, 12)))
        hour = self._free_hour(day)
        while hour is None:
            day = _weekday_on_or_after(day + timedelta(days=1))
            hour = self._free_hour(day)
        first = self._session(client, day, hour, BookingStatus.COMPLETED)
        booked.booking = first
        bookings, goals = [first], []
        contract = self._contract(client, day + timedelta(days=7), bookings, goals)
        last = max(b.starts_at for b in bookings if b.status == BookingStatus.COMPLETED)
        ended_on = (contract.ended_on if contract and contract.ended_on
                    else timezone.localdate(last) + timedelta(days=rng.randint(1, 10)))
        # Now and then a call between sessions.
        if len(bookings) > 3 and rng.random() < 0.3:
            between = bookings[rng.randint(1, len(bookings) - 2)]
            summary, topics = rng.choice(CLIENT_CALLS)
            at = between.starts_at - timedelta(days=2, hours=rng.randint(0, 3))
            if timezone.localdate(at).isoweekday() <= 5:
                calls.append(self._call(at, index, heard_via=source, caller_code=code,
                                        client=client, outcome=CallOutcome.ADVICE,
                                        summary=summary, topics=[str(t) for t in topics]))
        return {"client": client, "source": source, "registered": client.created_at,
                "ended_on": ended_on, "contract": contract, "goals": goals,
                "bookings": bookings, "calls": calls}

    def _contract(self, client, starts_on, bookings, goals):
        """A weekly contract for the rest of the term (the next term when this one has less
        than three weeks left), its sessions (most held, a few missed or cancelled, one in
        seven clients breaking off: the rest cancelled by the unit, as ending a contract does)
        and its goals, evaluated at the end."""
        rng, counsellor = self.rng, self.counsellor
        year, half, first_day, last_day = term_of(starts_on)
        starts_on = max(starts_on, first_day)
        if (last_day - starts_on).days < 21:
            year, half, first_day, last_day = term_of(last_day + timedelta(days=40))
            starts_on = first_day
        days = None
        for _attempt in range(30):
            weekday, hour = rng.randint(0, 4), rng.choice(SESSION_HOURS)
            days = self._weeks(starts_on, last_day, weekday, hour)
            if days:
                break
        if not days or len(days) < 3:
            return None
        contract = SessionContract(
            counsellor=counsellor, weekday=weekday, start_time=time(hour), minutes=60,
            room=self.room, starts_on=starts_on, ends_on=last_day, term_year=year,
            term_half=half, created_by=counsellor, created_at=_at(starts_on, 8),
        )
        breaks_off = None
        if len(days) >= 6 and rng.random() < 1 / 7:
            breaks_off = rng.randint(3, len(days) - 2)
        for week, day in enumerate(days):
            if breaks_off is not None and week >= breaks_off:
                status = BookingStatus.CANCELLED_BY_UNIT
            else:
                status = rng.choices(
                    [BookingStatus.COMPLETED, BookingStatus.NO_SHOW,
                     BookingStatus.CANCELLED_BY_CLIENT, BookingStatus.CANCELLED_BY_UNIT],
                    weights=[86, 5, 7, 2],
                )[0]
            bookings.append(self._session(client, day, hour, status, contract))
        held = [b for b in bookings if b.status == BookingStatus.COMPLETED]
        evaluated = max(b.ends_at for b in held)
        if breaks_off is not None:
            contract.ended_on = days[breaks_off] - timedelta(days=rng.randint(1, 5))
            contract.end_reason = END_REASON
        for text in rng.sample(HISTORY_GOALS, rng.randint(1, 2)):
            goals.append(Goal(
                contract=contract, text=text, status=GoalStatus.CLOSED,
                outcome=rng.choices(list(GoalOutcome), weights=[5, 4, 2])[0],
                evaluated_at=evaluated, evaluated_by=counsellor, created_by=counsellor,
                created_at=contract.created_at,
            ))
        self.contracts += 1
        return contract

    def _note(self, journal, booking):
        written = booking.ends_at + timedelta(minutes=20)
        return JournalEntry(
            journal=journal, unit=UnitCode.KAST, kind=EntryKind.SESSION,
            event_date=timezone.localdate(booking.starts_at), written_at=written,
            updated_at=written, author=self.counsellor, text=self.rng.choice(SESSION_NOTES),
            state=EntryState.SIGNED, signed_by=self.counsellor,
            signed_at=written + timedelta(minutes=10), booking=booking,
        )

    # --- buyers reached ------------------------------------------------------------------------

    def _buyer_outreach(self):
        """Street contacts on one to three evening shifts a month (none in July), letters
        after police questioning counted for the month: the months before the last six
        (_buyer_outreach's)."""
        rng, rows = self.rng, []
        last_month = date(self.today.year, self.today.month, 1)
        for _number in range(5):
            last_month = (last_month - timedelta(days=1)).replace(day=1)
        month = self.start
        letters = [(5, 22), (9, 30), (8, 35)]
        while month < last_month:
            index = self._index(month)
            shifts = 0 if month.month == 7 else rng.randint(1, 3)
            for shift_day in sorted(rng.sample(range(2, 28), shifts)):
                rows.append(BuyerOutreach(
                    kind=OutreachKind.STREET_CONTACTS, period=OutreachPeriod.SHIFT,
                    day=month.replace(day=shift_day), count=rng.randint(1, 12 + 2 * index),
                    staff=self.counsellor,
                ))
            low, high = letters[index]
            rows.append(BuyerOutreach(
                kind=OutreachKind.POLICE_LETTERS, period=OutreachPeriod.MONTH, day=month,
                count=rng.randint(low, high), staff=self.counsellor,
            ))
            month = (month + timedelta(days=32)).replace(day=1)
        BuyerOutreach.objects.bulk_create(rows)
        self.outreach = len(rows)
