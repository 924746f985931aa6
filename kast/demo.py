"""KAST's demo data (seed_demo, after the clients' and reception's): a season of calls and
e-mails — mostly anonymous, some repeat callers with caller codes, a few today and some to follow
up — the demo's KAST clients (clients/demo.py) with their referral sources, earlier calls and a
session contract, and the buyers reached per shift and month."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from clients import services as client_services
from clients.models import Client, Register, Room
from prostenhet.exceptions import DomainError
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
    return _("KAST: %(calls)d samtal, %(clients)d klienter med hänvisningsväg, %(contracts)d "
             "kontrakt, %(outreach)d antal köparkontakter.") % {
        "calls": len(calls), "clients": len(kast_clients), "contracts": contracts,
        "outreach": outreach,
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
