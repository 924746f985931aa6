"""Outreach's yearly figures (issue 11): each table on hand-built rows whose right answer is
known, the year's bounds in Stockholm time (31 December 23:30 local is the old year, 1 January
00:30 local the new one — 22:30 and 23:30 UTC), both years asked for with their own numbers,
the street contacts the clients' statistics count, and a query count that does not grow with
the data or the number of years."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from clients.models import Booking, BookingStatus, Referral
from outreach import services, stats
from outreach.models import (
    Audience,
    Contact,
    ContactOutcome,
    InfoTalk,
    InternetSession,
    MaterialKind,
    Nickname,
    Shift,
    ShiftMaterial,
)
from prostenhet import registry
from prostenhet.roles import UnitCode
from spiralen.models import Appointment, AppointmentType

pytestmark = pytest.mark.django_db

YEAR = 2025
YEARS = [YEAR - 1, YEAR]


def local(year, month, day, hour=20, minute=0):
    return timezone.make_aware(datetime.combine(date(year, month, day), time(hour, minute)))


def a_shift(world, starts_at, hours=5, **fields):
    return Shift.objects.create(starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
                                created_by=world.ow, **fields)


def a_contact(world, shift, at=None, **fields):
    return Contact.objects.create(shift=shift, at=at or shift.starts_at + timedelta(minutes=30),
                                  recorded_by=world.ow, **fields)


def table(result, year, key):
    return next(t for t in result[year] if t.key == key)


def values(tbl):
    return {str(row.label): row.values for row in tbl.rows}


def column(tbl, index=0):
    return {str(row.label): row.values[index] for row in tbl.rows}


# --- shifts and contacts by month ------------------------------------------------------------


def test_shifts_hours_and_contacts_by_month(world):
    march = a_shift(world, local(YEAR, 3, 4), hours=5)  # 20:00–01:00, past midnight
    a_shift(world, local(YEAR, 3, 6, 21), hours=2.5)
    a_shift(world, local(YEAR, 7, 1, 22), hours=0.25)
    for first in (True, True, False):
        a_contact(world, march, first_contact=first)
    last_year = a_shift(world, local(YEAR - 1, 3, 4), hours=4)
    a_contact(world, last_year, first_contact=True)

    result = stats.tables(YEARS)

    months = table(result, YEAR, "outreach-months")
    assert len(months.rows) == 12 and months.column_totals
    assert str(months.rows[2].label) == "Mars"
    # 5 + 2.5 hours: 7.5, half an hour rounded up; a quarter of an hour rounds to none.
    assert months.rows[2].values == [2, 8, 3, 2]
    assert months.rows[6].values == [1, 0, 0, 0]
    assert all(row.values == [0, 0, 0, 0] for i, row in enumerate(months.rows) if i not in (2, 6))
    assert table(result, YEAR - 1, "outreach-months").rows[2].values == [1, 4, 1, 1]


def test_a_shift_and_a_contact_belong_to_the_year_of_stockholm_time(world):
    new_years_eve = a_shift(world, local(YEAR, 12, 31, 23, 30), hours=1)
    a_contact(world, new_years_eve, at=local(YEAR, 12, 31, 23, 40), first_contact=True)
    new_year = a_shift(world, local(YEAR + 1, 1, 1, 0, 30), hours=1)
    a_contact(world, new_year, at=local(YEAR + 1, 1, 1, 0, 40), first_contact=False)
    assert new_years_eve.starts_at.astimezone(UTC).hour == 22
    assert new_year.starts_at.astimezone(UTC).date() == date(YEAR, 12, 31)

    result = stats.tables([YEAR, YEAR + 1])

    assert table(result, YEAR, "outreach-months").rows[11].values == [1, 1, 1, 1]
    assert table(result, YEAR, "outreach-months").rows[0].values == [0, 0, 0, 0]
    assert table(result, YEAR + 1, "outreach-months").rows[0].values == [1, 1, 1, 0]
    assert table(result, YEAR + 1, "outreach-months").rows[11].values == [0, 0, 0, 0]


def test_contacts_by_outcome_list_every_outcome(world):
    shift = a_shift(world, local(YEAR, 5, 5))
    for outcome in [ContactOutcome.BOOKED, ContactOutcome.BOOKED, ContactOutcome.DECLINED]:
        a_contact(world, shift, outcome=outcome)

    outcomes = table(stats.tables(YEARS), YEAR, "outreach-outcomes")

    assert column(outcomes) == {
        str(o.label): {"booked": 2, "declined": 1}.get(o.value, 0) for o in ContactOutcome
    }
    assert outcomes.column_totals


# --- persons met -----------------------------------------------------------------------------


def test_persons_met_count_each_client_and_nickname_once_a_year(world):
    shift = a_shift(world, local(YEAR, 4, 1))
    blondie = Nickname.objects.create(name="Blondie", created_by=world.ow)
    kiki = Nickname.objects.create(name="Kiki", created_by=world.ow)
    for fields in [{"client": world.olle}, {"client": world.olle}, {"nickname": blondie},
                   {"nickname": blondie}, {"nickname": kiki}, {}, {}]:
        a_contact(world, shift, **fields)
    a_contact(world, a_shift(world, local(YEAR - 1, 4, 1)), nickname=blondie)

    result = stats.tables(YEARS)

    persons = table(result, YEAR, "outreach-persons")
    assert values(persons) == {"Registrerade klienter": [1], "Smeknamn": [2]}
    assert persons.column_totals  # a person is a client or a nickname, never both
    assert values(table(result, YEAR - 1, "outreach-persons")) == {
        "Registrerade klienter": [0], "Smeknamn": [1],
    }


def test_contact_figures_by_year_are_each_years_contact_figures(world):
    a_contact(world, a_shift(world, local(YEAR, 12, 31, 23, 30)), client=world.olle,
              at=local(YEAR, 12, 31, 23, 45))
    a_contact(world, a_shift(world, local(YEAR + 1, 1, 1, 0, 30)), client=world.olle,
              first_contact=False, at=local(YEAR + 1, 1, 1, 0, 45))

    figures = services.contact_figures_by_year([YEAR - 1, YEAR, YEAR + 1])

    for year in (YEAR - 1, YEAR, YEAR + 1):
        assert figures[year] == services.contact_figures(date(year, 1, 1), date(year, 12, 31))
    assert (figures[YEAR].first_contacts, figures[YEAR + 1].repeat_contacts) == (1, 1)
    assert figures[YEAR - 1].contacts == 0


# --- observations and material ----------------------------------------------------------------


def test_observations_are_summed_over_the_shifts(world):
    a_shift(world, local(YEAR, 2, 2), seen_women=7, seen_men=1, buyers_seen=12)
    a_shift(world, local(YEAR, 9, 2), seen_women=3, seen_trans=2, buyers_seen=4)

    observations = table(stats.tables(YEARS), YEAR, "outreach-observations")

    assert column(observations) == {
        "Säljande, kvinnor": 10, "Säljande, män": 1, "Säljande, trans/icke-binära": 2,
        "Köpare": 16,
    }


def test_material_by_kind_lists_the_kinds_in_use_and_those_handed_out(world):
    kinds = list(MaterialKind.objects.order_by("order", "name"))
    condoms, leaflets = kinds[0], kinds[1]
    retired = MaterialKind.objects.create(name="Gammal broschyr", active=False, order=99)
    unused = MaterialKind.objects.create(name="Aldrig utdelad", active=False, order=98)
    spring, autumn = a_shift(world, local(YEAR, 3, 3)), a_shift(world, local(YEAR, 10, 3))
    ShiftMaterial.objects.create(shift=spring, kind=condoms, count=40)
    ShiftMaterial.objects.create(shift=autumn, kind=condoms, count=25)
    ShiftMaterial.objects.create(shift=autumn, kind=leaflets, count=5)
    ShiftMaterial.objects.create(shift=a_shift(world, local(YEAR - 1, 3, 3)), kind=retired,
                                 count=9)

    result = stats.tables(YEARS)

    material = column(table(result, YEAR, "outreach-material"))
    assert list(material) == [k.name for k in kinds] + ["Gammal broschyr"]
    assert material[condoms.name] == 65 and material[leaflets.name] == 5
    assert material["Gammal broschyr"] == 0 and unused.name not in material
    # Both years have the same rows, so that they compare.
    assert list(column(table(result, YEAR - 1, "outreach-material"))) == list(material)
    assert column(table(result, YEAR - 1, "outreach-material"))["Gammal broschyr"] == 9


# --- clinic bookings ----------------------------------------------------------------------------


def a_clinic_booking(world, created_at, *, from_unit=UnitCode.OUTREACH, status="booked"):
    """A Spiralen booking made at created_at, with a referral from from_unit (or none); its
    time is the clinician's next free half hour."""
    referral = None
    if from_unit:
        referral = Referral.objects.create(
            client=world.olle, from_unit=from_unit, to_unit=UnitCode.SPIRALEN,
            message="Första besök.", sent_by=world.ow, sent_at=created_at,
        )
    starts_at = local(YEAR + 1, 2, 2, 9) + timedelta(minutes=30 * Booking.objects.count())
    booking = Booking.objects.create(
        unit=UnitCode.SPIRALEN, client=world.olle, staff=world.cl, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30), status=status, created_by=world.ow,
        created_at=created_at,
    )
    Appointment.objects.create(booking=booking, type=AppointmentType.objects.first(),
                               referral=referral)
    return booking


def test_clinic_bookings_made_by_outreach_by_status(world):
    a_clinic_booking(world, local(YEAR, 5, 5, 14), status=BookingStatus.COMPLETED)
    a_clinic_booking(world, local(YEAR, 12, 31, 23, 30), status=BookingStatus.NO_SHOW)
    a_clinic_booking(world, local(YEAR + 1, 1, 1, 0, 30))
    # Booked by the clinic itself, or from a referral by another unit: not outreach's.
    a_clinic_booking(world, local(YEAR, 5, 6, 14), from_unit=None)
    a_clinic_booking(world, local(YEAR, 5, 7, 14), from_unit=UnitCode.COUNSELLING)

    result = stats.tables([YEAR, YEAR + 1])

    bookings = column(table(result, YEAR, "outreach-clinic-bookings"))
    assert bookings == {
        str(s.label): {"completed": 1, "no_show": 1}.get(s.value, 0) for s in BookingStatus
    }
    assert column(table(result, YEAR + 1, "outreach-clinic-bookings"))["Bokad"] == 1


# --- internet and information work --------------------------------------------------------------


def test_internet_sessions_ads_and_emails(world):
    for day, ads, sent, replies in [(date(YEAR, 1, 1), 40, 10, 2),
                                    (date(YEAR, 12, 31), 60, 15, 1),
                                    (date(YEAR + 1, 1, 1), 99, 99, 99)]:
        InternetSession.objects.create(date=day, ads_reviewed=ads, emails_sent=sent,
                                       replies=replies, created_by=world.ow)

    result = stats.tables(YEARS)

    assert values(table(result, YEAR, "outreach-internet")) == {
        "Internetpass": [2], "Annonser genomgångna": [100],
        "Informationsmejl skickade": [25], "Svar": [3],
    }
    assert values(table(result, YEAR - 1, "outreach-internet")) == {
        "Internetpass": [0], "Annonser genomgångna": [0],
        "Informationsmejl skickade": [0], "Svar": [0],
    }


def test_information_talks_and_attendees_by_audience(world):
    for day, audience, attendees in [(date(YEAR, 3, 1), Audience.STUDENTS, 60),
                                     (date(YEAR, 9, 1), Audience.STUDENTS, 40),
                                     (date(YEAR, 12, 31), Audience.CITY_STAFF, 12),
                                     (date(YEAR - 1, 6, 1), Audience.PUBLIC, 30)]:
        InfoTalk.objects.create(date=day, audience=audience, attendees=attendees,
                                created_by=world.ow)

    result = stats.tables(YEARS)

    talks = table(result, YEAR, "outreach-talks")
    assert values(talks) == {
        str(a.label): {"students": [2, 100], "city_staff": [1, 12]}.get(a.value, [0, 0])
        for a in Audience
    }
    assert talks.column_totals
    assert values(table(result, YEAR - 1, "outreach-talks"))["Allmänheten"] == [1, 30]


# --- the whole --------------------------------------------------------------------------------


def test_every_year_asked_for_has_the_same_tables_with_unique_keys(world):
    result = stats.tables([YEAR - 2, YEAR - 1, YEAR])
    keys = [t.key for t in result[YEAR]]
    assert len(keys) == len(set(keys)) and all(k.startswith("outreach-") for k in keys)
    for year in result:
        assert [t.key for t in result[year]] == keys
        assert all(t.unit == UnitCode.OUTREACH for t in result[year])
        assert all(isinstance(v, int) for t in result[year] for r in t.rows for v in r.values)


def test_the_provider_and_the_client_contacts_are_registered(world):
    assert any(p.key == "outreach" and p.tables is stats.tables for p in registry.statistics)
    source = next(c for c in registry.client_contacts._items.values()
                  if c.key == "outreach.contacts")
    assert source.unit == UnitCode.OUTREACH

    eve = a_shift(world, local(YEAR, 12, 31, 23))
    a_contact(world, eve, client=world.olle, at=local(YEAR, 12, 31, 23, 30))
    a_contact(world, eve, client=world.olle, at=local(YEAR + 1, 1, 1, 0, 30))
    a_contact(world, eve, at=local(YEAR, 12, 31, 23, 40))  # anonymous: not a client's

    rows = list(source.rows(local(YEAR, 1, 1, 0), local(YEAR + 1, 1, 1, 0)))
    assert rows == [{"client_id": world.olle.pk, "day": date(YEAR, 12, 31)}]
    rows = list(source.rows(local(YEAR + 1, 1, 1, 0), local(YEAR + 2, 1, 1, 0)))
    assert rows == [{"client_id": world.olle.pk, "day": date(YEAR + 1, 1, 1)}]


QUERIES = 8


def some_of_everything(world, year, n):
    kind = MaterialKind.objects.first()
    nickname = Nickname.objects.create(name=f"Smeknamn {year}-{n}", created_by=world.ow)
    for i in range(n):
        shift = a_shift(world, local(year, 1 + i % 12, 1 + i % 27), seen_women=i)
        ShiftMaterial.objects.create(shift=shift, kind=kind, count=i + 1)
        a_contact(world, shift, client=world.olle, outcome=ContactOutcome.BOOKED)
        a_contact(world, shift, nickname=nickname, first_contact=False)
        InternetSession.objects.create(date=date(year, 1 + i % 12, 2), ads_reviewed=i,
                                       created_by=world.ow)
        InfoTalk.objects.create(date=date(year, 1 + i % 12, 3), audience=Audience.PUBLIC,
                                attendees=i + 1, created_by=world.ow)
        a_clinic_booking(world, local(year, 1 + i % 12, 4, 14))


def test_the_tables_run_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    some_of_everything(world, YEAR, 2)
    with django_assert_max_num_queries(QUERIES):
        stats.tables(YEARS)

    for year in (YEAR - 2, YEAR - 1, YEAR):
        some_of_everything(world, year, 12)
    with django_assert_max_num_queries(QUERIES):
        result = stats.tables([YEAR - 2, YEAR - 1, YEAR])
    assert sum(column(table(result, YEAR, "outreach-months"), 0).values()) == 14
