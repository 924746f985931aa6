"""KAST's yearly figures (issue 11): calls and e-mails by how the caller heard of KAST and by
outcome, per month with the sessions held, clients in sessions by referral source, buyers
reached; each on hand-built data with a known answer, the year's boundaries in Stockholm time,
both years of a comparison, the query bound, and the calls of clients given to the clients
app's statistics. Rows are written directly (the services refuse times that have passed
differently, and the figures are about what is stored)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from clients.models import Booking, BookingKind, BookingStatus, Client, Register
from kast import stats
from kast.models import (
    BuyerOutreach,
    Call,
    CallChannel,
    CallOutcome,
    HeardVia,
    KastProfile,
    OutreachKind,
    OutreachPeriod,
)
from kast.provides import client_calls
from prostenhet import registry
from prostenhet.roles import UnitCode
from prostenhet.stats import year_range

pytestmark = pytest.mark.django_db

QUERIES = 4


def local(*args):
    """An aware datetime from Stockholm's wall clock."""
    return timezone.make_aware(datetime(*args))


def by_key(tables):
    return {table.key: table for table in tables}


def values(table):
    return {str(row.label): row.values for row in table.rows}


def a_call(by, at, *, heard_via=HeardVia.POLICE, outcome=CallOutcome.ADVICE,
           channel=CallChannel.PHONE, client=None, caller_code=""):
    return Call.objects.create(
        occurred_at=at, minutes=15, heard_via=heard_via, outcome=outcome, channel=channel,
        summary="Vill sluta köpa sex.", counsellor=by, client=client, caller_code=caller_code,
    )


def a_kast_client(by, alias, referral_source=None):
    client = Client.objects.create(alias=alias, register=Register.KAST, created_by=by)
    if referral_source:
        KastProfile.objects.create(client=client, referral_source=referral_source,
                                   updated_by=by)
    return client


def a_session(by, client, starts_at, status=BookingStatus.COMPLETED, unit=UnitCode.KAST):
    return Booking.objects.create(
        unit=unit, kind=BookingKind.SESSION, client=client, staff=by, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=50), status=status, created_by=by,
    )


def outreach(by, kind, day, count, period=OutreachPeriod.SHIFT):
    return BuyerOutreach.objects.create(kind=kind, period=period, day=day, count=count,
                                        staff=by)


# --- calls and e-mails -------------------------------------------------------------------------


def test_new_years_eve_in_stockholm_is_the_old_year():
    # 23:30 on 31 December in Stockholm is 22:30 UTC; 00:30 on 1 January is 23:30 UTC the
    # day before.
    assert local(2025, 12, 31, 23, 30) == datetime(2025, 12, 31, 22, 30, tzinfo=UTC)
    assert local(2026, 1, 1, 0, 30) == datetime(2025, 12, 31, 23, 30, tzinfo=UTC)


def test_calls_are_counted_by_how_the_caller_heard_of_kast_and_by_channel(world):
    kco = world.kco
    a_call(kco, local(2026, 3, 2, 10), heard_via=HeardVia.POLICE)
    a_call(kco, local(2026, 3, 3, 10), heard_via=HeardVia.POLICE)
    a_call(kco, local(2026, 3, 4, 10), heard_via=HeardVia.POLICE, channel=CallChannel.EMAIL)
    a_call(kco, local(2026, 5, 4, 10), heard_via=HeardVia.INTERNET, channel=CallChannel.EMAIL)
    a_call(kco, local(2026, 6, 1, 9), heard_via=HeardVia.NEWS, client=world.karl)
    # The year's first half hour in Stockholm (still 2025 in UTC) is 2026's...
    a_call(kco, local(2026, 1, 1, 0, 30), heard_via=HeardVia.OTHER)
    # ...and its last half hour is 2026's too; the next year's first is not.
    a_call(kco, local(2026, 12, 31, 23, 30), heard_via=HeardVia.OTHER)
    a_call(kco, local(2027, 1, 1, 0, 30), heard_via=HeardVia.OTHER)
    a_call(kco, local(2025, 12, 31, 23, 30), heard_via=HeardVia.OTHER)

    table = by_key(stats.tables([2026])[2026])["kast-calls-heard-via"]

    assert [str(c) for c in table.columns] == ["Telefon", "E-post"]
    assert values(table) == {
        "Polisen, efter förhör": [2, 1],
        "Nyhetsartikel": [1, 0],
        "Internet": [0, 1],
        "Hälso- och sjukvården": [0, 0],
        "Socialtjänsten": [0, 0],
        "Någon närstående": [0, 0],
        "Annat": [2, 0],
    }
    assert table.row_totals and table.column_totals and table.unit == UnitCode.KAST


def test_calls_are_counted_by_outcome_and_channel(world):
    kco = world.kco
    a_call(kco, local(2026, 2, 2, 10), outcome=CallOutcome.ADVICE)
    a_call(kco, local(2026, 2, 3, 10), outcome=CallOutcome.ADVICE, channel=CallChannel.EMAIL)
    a_call(kco, local(2026, 2, 4, 10), outcome=CallOutcome.BOOKED)
    a_call(kco, local(2026, 2, 5, 10), outcome=CallOutcome.REFERRED)
    a_call(kco, local(2026, 2, 6, 10), outcome=CallOutcome.REFERRED)
    a_call(kco, local(2025, 2, 6, 10), outcome=CallOutcome.OFFERED)

    table = by_key(stats.tables([2026])[2026])["kast-calls-outcome"]

    assert values(table) == {
        "Råd och stöd gavs": [1, 1],
        "Erbjöds samtal": [0, 0],
        "Bokade samtal": [1, 0],
        "Hänvisades vidare": [2, 0],
    }


def test_calls_and_sessions_held_are_counted_per_month(world):
    kco, karl = world.kco, world.karl
    a_call(kco, local(2026, 1, 1, 0, 30))
    a_call(kco, local(2026, 1, 20, 10), channel=CallChannel.EMAIL)
    a_call(kco, local(2026, 12, 31, 23, 30))
    a_call(kco, local(2025, 12, 31, 23, 30))
    a_session(kco, karl, local(2026, 1, 14, 10))
    a_session(kco, karl, local(2026, 1, 21, 10), BookingStatus.ARRIVED)
    a_session(kco, karl, local(2026, 1, 28, 10), BookingStatus.NO_SHOW)
    a_session(kco, karl, local(2026, 2, 4, 10), BookingStatus.CANCELLED_BY_CLIENT)
    a_session(kco, karl, local(2026, 12, 31, 23, 0))
    a_session(kco, karl, local(2025, 12, 31, 22, 0))

    table = by_key(stats.tables([2026])[2026])["kast-months"]

    months = values(table)
    assert list(months) == ["Januari", "Februari", "Mars", "April", "Maj", "Juni", "Juli",
                            "Augusti", "September", "Oktober", "November", "December"]
    assert months["Januari"] == [2, 2]
    assert months["Februari"] == [0, 0]
    assert months["December"] == [1, 1]
    assert sum(v[0] for v in months.values()) == 3
    assert table.column_totals and not table.row_totals and table.compare_column == 0


# --- clients in sessions -----------------------------------------------------------------------


def test_clients_in_sessions_count_once_each_by_referral_source(world):
    kco, co = world.kco, world.co
    police = a_kast_client(kco, "Adam", HeardVia.POLICE)
    police_too = a_kast_client(kco, "Bertil", HeardVia.POLICE)
    internet = a_kast_client(kco, "Carl", HeardVia.INTERNET)
    never_came = a_kast_client(kco, "David", HeardVia.NEWS)
    no_source = a_kast_client(kco, "Erik")
    new_year = a_kast_client(kco, "Fredrik", HeardVia.SOCIAL_SERVICES)
    last_year = a_kast_client(kco, "Gustav", HeardVia.SOMEONE_CLOSE)
    # Three sessions held: one client.
    a_session(kco, police, local(2026, 3, 4, 10))
    a_session(kco, police, local(2026, 3, 11, 10))
    a_session(kco, police, local(2026, 3, 18, 10), BookingStatus.ARRIVED)
    # The year's last evening in Stockholm (22:00 UTC) is still the year.
    a_session(kco, police_too, local(2026, 12, 31, 23, 0))
    a_session(kco, internet, local(2026, 4, 1, 10), BookingStatus.NO_SHOW)
    a_session(kco, internet, local(2026, 4, 8, 10))
    # Booked, missed or cancelled only: not in sessions.
    a_session(kco, never_came, local(2026, 5, 6, 10), BookingStatus.NO_SHOW)
    a_session(kco, never_came, local(2026, 5, 13, 10), BookingStatus.CANCELLED_BY_UNIT)
    a_session(kco, never_came, local(2026, 5, 20, 10), BookingStatus.BOOKED)
    a_session(kco, no_source, local(2026, 6, 3, 10))
    # 1 January 00:30 in Stockholm is the new year's, though the old one's in UTC; 31
    # December 23:00 is the old year's.
    a_session(kco, new_year, local(2026, 1, 1, 0, 30))
    a_session(kco, last_year, local(2025, 12, 31, 23, 0))
    a_session(kco, last_year, local(2025, 6, 3, 10))
    # Counselling's session of its own client is not KAST's.
    a_session(co, world.anna, local(2026, 6, 3, 10), unit=UnitCode.COUNSELLING)

    found = stats.tables([2025, 2026])
    now = values(by_key(found[2026])["kast-clients-referral"])
    before = values(by_key(found[2025])["kast-clients-referral"])

    assert now == {
        "Polisen, efter förhör": [2], "Nyhetsartikel": [0], "Internet": [1],
        "Hälso- och sjukvården": [0], "Socialtjänsten": [1], "Någon närstående": [0],
        "Annat": [0], "Uppgift saknas": [1],
    }
    assert before["Någon närstående"] == [1]
    assert sum(v[0] for v in before.values()) == 1
    assert by_key(found[2026])["kast-clients-referral"].column_totals


# --- buyers reached ----------------------------------------------------------------------------


def test_buyers_reached_are_the_sums_of_the_counts(world):
    kco = world.kco
    outreach(kco, OutreachKind.STREET_CONTACTS, date(2026, 1, 1), 4)
    outreach(kco, OutreachKind.STREET_CONTACTS, date(2026, 6, 12), 9)
    outreach(kco, OutreachKind.STREET_CONTACTS, date(2026, 12, 31), 2)
    outreach(kco, OutreachKind.STREET_CONTACTS, date(2026, 7, 1), 20, OutreachPeriod.MONTH)
    outreach(kco, OutreachKind.POLICE_LETTERS, date(2026, 3, 1), 17, OutreachPeriod.MONTH)
    outreach(kco, OutreachKind.POLICE_LETTERS, date(2026, 4, 1), 0, OutreachPeriod.MONTH)
    outreach(kco, OutreachKind.STREET_CONTACTS, date(2025, 12, 31), 100)
    outreach(kco, OutreachKind.POLICE_LETTERS, date(2027, 1, 1), 100, OutreachPeriod.MONTH)

    table = by_key(stats.tables([2026])[2026])["kast-buyers"]

    assert values(table) == {
        "Kontakter med köpare på gatan": [35],
        "Informationsbrev efter polisförhör": [17],
    }
    assert not table.column_totals and not table.row_totals


# --- both years, the query bound, no persons ---------------------------------------------------


def some_of_everything(world, year, scale):
    kco = world.kco
    for number in range(scale):
        day = date(year, 1 + number % 12, 1 + number % 28)
        a_call(kco, local(year, day.month, day.day, 9 + number % 8),
               heard_via=list(HeardVia)[number % len(HeardVia)],
               outcome=list(CallOutcome)[number % len(CallOutcome)],
               channel=list(CallChannel)[number % 2], caller_code=f"Uppringare {number}")
        client = a_kast_client(kco, f"Klient {year} {number}",
                               list(HeardVia)[number % len(HeardVia)])
        a_session(kco, client, local(year, day.month, day.day, 9 + number % 8) +
                  timedelta(minutes=number))
        outreach(kco, OutreachKind.STREET_CONTACTS, day, number)


def test_each_year_has_its_own_figures(world):
    some_of_everything(world, 2025, 3)
    some_of_everything(world, 2026, 7)

    found = stats.tables([2025, 2026])

    assert set(found) == {2025, 2026}
    for year, scale in [(2025, 3), (2026, 7)]:
        tables = by_key(found[year])
        assert list(tables) == ["kast-calls-heard-via", "kast-calls-outcome", "kast-months",
                                "kast-clients-referral", "kast-buyers"]
        assert sum(sum(row.values) for row in tables["kast-calls-heard-via"].rows) == scale
        assert sum(sum(row.values) for row in tables["kast-calls-outcome"].rows) == scale
        assert sum(row.values[1] for row in tables["kast-months"].rows) == scale
        assert sum(row.values[0] for row in tables["kast-clients-referral"].rows) == scale
        assert values(tables["kast-buyers"])["Kontakter med köpare på gatan"] == [
            sum(range(scale))
        ]


def test_the_figures_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    some_of_everything(world, 2025, 2)
    with django_assert_max_num_queries(QUERIES):
        stats.tables([2025, 2026])
    some_of_everything(world, 2026, 30)
    some_of_everything(world, 2024, 30)
    with django_assert_max_num_queries(QUERIES):
        stats.tables([2025, 2026])
    with django_assert_max_num_queries(QUERIES):
        stats.tables([2024, 2025, 2026])


def test_no_table_names_a_person(world):
    some_of_everything(world, 2026, 5)
    a_call(world.kco, local(2026, 3, 3, 10), client=world.karl, caller_code="Uppringare 99")
    shown = repr([table.to_dict() for table in stats.tables([2026])[2026]])
    for secret in ["Karl", "Klient 2026", "Uppringare", "Vill sluta"]:
        assert secret not in shown


def test_the_provider_is_registered_in_kasts_place():
    provider = next(p for p in registry.statistics if p.key == "kast")
    assert provider.order == 40 and provider.tables is stats.tables


# --- calls of clients, for the clients app's statistics ----------------------------------------


def test_the_calls_of_clients_are_given_by_client_and_local_day(world):
    kco, karl = world.kco, world.karl
    other = a_kast_client(kco, "Henrik", HeardVia.POLICE)
    a_call(kco, local(2026, 1, 1, 0, 30), client=karl)
    a_call(kco, local(2026, 1, 1, 15), client=karl)
    a_call(kco, local(2026, 3, 3, 10), client=other)
    a_call(kco, local(2026, 3, 3, 11))  # anonymous: no client to count
    a_call(kco, local(2025, 12, 31, 23, 30), client=other)
    a_call(kco, local(2027, 1, 1, 0, 30), client=other)

    start, end = year_range([2026])
    rows = sorted(client_calls(start, end), key=lambda r: (r["day"], r["client_id"]))

    assert rows == [
        {"client_id": karl.pk, "day": date(2026, 1, 1)},
        {"client_id": karl.pk, "day": date(2026, 1, 1)},
        {"client_id": other.pk, "day": date(2026, 3, 3)},
    ]
    contacts = next(c for c in registry.client_contacts if c.key == "kast.calls")
    assert contacts.unit == UnitCode.KAST and contacts.rows is client_calls
