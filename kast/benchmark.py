"""KAST's share of `manage.py benchmark` (registered in provides.py). DESIGN §9 names no KAST
figures; ten years of KAST at scale 1 are taken to be 20,000 calls and e-mails (about eight a
working day), 200 KAST clients with their referral sources (a tenth of the calls are theirs, a
third carry a caller code) and ten years of monthly buyer-outreach counts. The pages timed: the
KAST counsellor's start page, the call list (all, and one caller's), a call, the client list, a
client's page and the outreach list."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from prostenhet import access as staff_access
from prostenhet.models import Unit, User
from prostenhet.roles import Role, UnitCode
from prostenhet.services import assign_roles

from .models import (
    BuyerOutreach,
    Call,
    CallOutcome,
    CallTopic,
    HeardVia,
    KastProfile,
    OutreachKind,
    OutreachPeriod,
)

REFERENCE = {"calls": 20_000, "clients": 200, "months": 120}
CLIENT_SHARE = 10  # every tenth call is a client's
CODE_SHARE = 3  # every third call carries a caller code


def _kast_counsellor():
    user = User.objects.create(username="bench-kast", first_name="bench-kast")
    assign_roles(user, [Role.COUNSELLOR])
    user.units.set(Unit.objects.filter(code=UnitCode.KAST))
    staff_access.sync_staff_units(user)
    return user


def generate(scale, *, clients, login):
    """Write KAST's rows for `scale` of the reference and return the pages to time:
    (label, method, url, data, browser). KAST's clients are its own (KAST's register), not
    the benchmark's generated ones."""
    counsellor = _kast_counsellor()
    now = timezone.now()
    sources = list(HeardVia.values)
    outcomes = list(CallOutcome.values)
    n_clients = max(int(REFERENCE["clients"] * scale), 5)
    kast_clients = [
        client_services.register_client(unit=UnitCode.KAST, by=counsellor,
                                        alias=f"KAST-klient {number}")
        for number in range(n_clients)
    ]
    KastProfile.objects.bulk_create([
        KastProfile(client=client, referral_source=sources[i % len(sources)],
                    updated_by=counsellor)
        for i, client in enumerate(kast_clients)
    ])
    n_calls = max(int(REFERENCE["calls"] * scale), 50)
    span = timedelta(days=3650)
    calls = []
    for i in range(n_calls):
        client = kast_clients[i % n_clients] if i % CLIENT_SHARE == 0 else None
        calls.append(Call(
            occurred_at=now - span * (i / n_calls), minutes=5 + i % 40,
            heard_via=sources[i % len(sources)], outcome=outcomes[i % len(outcomes)],
            summary="Samtal om att sluta köpa sex.", topics=[CallTopic.WANTS_TO_STOP],
            caller_code=f"Uppringare {i % 500}" if i % CODE_SHARE == 0 else "",
            client=client, counsellor=counsellor,
        ))
    Call.objects.bulk_create(calls, batch_size=5000)
    rows, month = [], date(now.year, now.month, 1)
    for _number in range(max(int(REFERENCE["months"] * scale), 2)):
        rows.append(BuyerOutreach(kind=OutreachKind.POLICE_LETTERS, period=OutreachPeriod.MONTH,
                                  day=month, count=20, staff=counsellor))
        rows.append(BuyerOutreach(kind=OutreachKind.STREET_CONTACTS,
                                  period=OutreachPeriod.SHIFT, day=month + timedelta(days=9),
                                  count=6, staff=counsellor))
        month = (month - timedelta(days=1)).replace(day=1)
    BuyerOutreach.objects.bulk_create(rows, batch_size=5000)

    browser = login(counsellor)
    client = kast_clients[0]
    call = Call.objects.filter(client=client).order_by("-occurred_at").first()
    return [
        ("start (KAST counsellor: calls)", "get", reverse("start"), None, browser),
        ("KAST call list", "get", reverse("kast:call-list"), None, browser),
        ("KAST new call", "get", reverse("kast:call-create"), None, browser),
        ("KAST call list, one caller", "get",
         reverse("kast:call-list") + "?code=Uppringare+3", None, browser),
        ("KAST call", "get", reverse("kast:call-detail", args=[call.public_id]), None, browser),
        ("KAST clients", "get", reverse("kast:client-list"), None, browser),
        ("KAST client", "get", reverse("kast:client-detail", args=[client.public_id]), None,
         browser),
        ("KAST buyers reached", "get", reverse("kast:outreach-list"), None, browser),
    ]
