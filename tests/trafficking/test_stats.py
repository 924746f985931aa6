"""The trafficking unit's yearly figures (issue 11): persons identified by way of
identification and by country of origin (each person once a year), domestic cases, raids and
the persons met there, housing placements begun, returns home by country; each on hand-built
data with a known answer and the year's boundaries, both years of a comparison, the query bound
and no person, alias, police reference or provider in any table. Rows are written directly:
the figures are about what is stored."""

from datetime import date

import pytest

from clients.models import Client, Journal
from prostenhet import registry
from prostenhet.roles import Role, UnitCode
from trafficking import stats
from trafficking.models import (
    ArrangedBy,
    Country,
    HousingPlacement,
    HousingProvider,
    IdentifiedBy,
    PlaceKind,
    Raid,
    ReturnHome,
    ReturnState,
    TraffickingCase,
)

pytestmark = pytest.mark.django_db

QUERIES = 4


@pytest.fixture
def worker(staff_of):
    return staff_of(Role.OUTREACH_WORKER)


def by_key(tables):
    return {table.key: table for table in tables}


def values(table):
    return {str(row.label): row.values for row in table.rows}


def a_person(by, alias="Maria"):
    client = Client.objects.create(alias=alias, created_by=by)
    Journal.objects.create(client=client, unit=UnitCode.TRAFFICKING)
    return client


def a_case(by, client, identified_on, *, way=IdentifiedBy.OUTREACH, country=Country.NG,
           domestic=False, closed_on=None, raid=None):
    return TraffickingCase.objects.create(
        client=client, journal=client.journals.get(), identified_on=identified_on,
        identified_by=way, country_of_origin=country, domestic=domestic, raid=raid,
        opened_on=identified_on, closed_on=closed_on, created_by=by,
    )


def a_raid(by, day, met, accepted, reference="NOA 2026-0412"):
    return Raid.objects.create(date=day, place_kind=PlaceKind.APARTMENT, persons_met=met,
                               persons_accepted=accepted, police_reference=reference,
                               created_by=by)


def a_placement(by, case, starts_on, ends_on=None):
    return HousingPlacement.objects.create(
        case=case, provider=HousingProvider.objects.order_by("order", "pk").first(),
        starts_on=starts_on, ends_on=ends_on, created_by=by,
    )


def a_return(by, case, day, country, state=ReturnState.COMPLETED):
    return ReturnHome.objects.create(case=case, state=state, date=day, country=country,
                                     arranged_by=ArrangedBy.IOM, created_by=by,
                                     receiving_organisation="Animus Association Foundation")


# --- persons identified ------------------------------------------------------------------------


def test_persons_identified_are_counted_by_way_once_a_year(worker):
    a_case(worker, a_person(worker), date(2026, 1, 1), way=IdentifiedBy.RAID)
    a_case(worker, a_person(worker), date(2026, 12, 31), way=IdentifiedBy.RAID)
    a_case(worker, a_person(worker), date(2026, 5, 5), way=IdentifiedBy.SELF)
    # Identified twice in the year (a new case after a closed one): once, by the first.
    twice = a_person(worker)
    a_case(worker, twice, date(2026, 2, 2), way=IdentifiedBy.OUTREACH,
           closed_on=date(2026, 4, 1))
    a_case(worker, twice, date(2026, 9, 9), way=IdentifiedBy.AUTHORITY)
    # The same day twice (a mistake later corrected): once, by the first registered.
    same_day = a_person(worker)
    a_case(worker, same_day, date(2026, 3, 3), way=IdentifiedBy.ORGANISATION,
           closed_on=date(2026, 3, 3))
    a_case(worker, same_day, date(2026, 3, 3), way=IdentifiedBy.SELF)
    # Identified in the year before and again in the year: once in each.
    again = a_person(worker)
    a_case(worker, again, date(2025, 12, 31), way=IdentifiedBy.RAID, closed_on=date(2026, 1, 5))
    a_case(worker, again, date(2026, 6, 6), way=IdentifiedBy.OUTREACH)
    a_case(worker, a_person(worker), date(2027, 1, 1), way=IdentifiedBy.SELF)

    found = stats.tables([2025, 2026])
    now = by_key(found[2026])["trafficking-identified-way"]

    assert values(now) == {
        "Polisens tillslag": [2],
        "Uppsökande arbete": [2],
        "Annan organisation": [1],
        "Personen själv": [1],
        "Annan myndighet": [0],
    }
    assert now.column_totals and now.unit == UnitCode.TRAFFICKING
    assert values(by_key(found[2025])["trafficking-identified-way"])["Polisens tillslag"] == [1]


def test_persons_identified_are_counted_by_country_of_origin_in_either_year(worker):
    a_case(worker, a_person(worker), date(2026, 3, 1), country=Country.RO)
    a_case(worker, a_person(worker), date(2026, 3, 2), country=Country.RO)
    a_case(worker, a_person(worker), date(2026, 3, 3), country=Country.UNKNOWN)
    a_case(worker, a_person(worker), date(2026, 3, 4), country=Country.OTHER)
    a_case(worker, a_person(worker), date(2026, 3, 5), country=Country.BG)
    a_case(worker, a_person(worker), date(2026, 3, 6), country=Country.SE, domestic=True)
    # Only the year before: listed with 0 in the year, so that the years compare.
    a_case(worker, a_person(worker), date(2025, 3, 6), country=Country.VN)
    # Neither year: not listed.
    a_case(worker, a_person(worker), date(2024, 3, 6), country=Country.TH)

    found = stats.tables([2025, 2026])
    now = by_key(found[2026])["trafficking-identified-country"]
    before = by_key(found[2025])["trafficking-identified-country"]

    assert list(values(now).items()) == [
        ("Bulgarien", [1]), ("Rumänien", [2]), ("Sverige", [1]), ("Vietnam", [0]),
        ("Annat land", [1]), ("Okänt", [1]),
    ]
    assert [str(row.label) for row in before.rows] == [str(row.label) for row in now.rows]
    assert values(before)["Vietnam"] == [1]
    assert now.column_totals


def test_domestic_cases_raids_and_placements(worker):
    raid = a_raid(worker, date(2026, 2, 10), met=5, accepted=2)
    a_raid(worker, date(2026, 12, 31), met=3, accepted=0)
    a_raid(worker, date(2026, 1, 1), met=0, accepted=0)
    a_raid(worker, date(2025, 12, 31), met=9, accepted=9)
    a_raid(worker, date(2027, 1, 1), met=9, accepted=9)
    at_raid = a_case(worker, a_person(worker), date(2026, 2, 10), way=IdentifiedBy.RAID,
                     country=Country.RO, raid=raid)
    domestic = a_case(worker, a_person(worker), date(2026, 4, 4), country=Country.SE,
                      domestic=True, way=IdentifiedBy.ORGANISATION)
    a_case(worker, a_person(worker), date(2026, 4, 5), country=Country.SE)  # not domestic
    a_case(worker, a_person(worker), date(2025, 4, 5), country=Country.SE, domestic=True)
    earlier = a_case(worker, a_person(worker), date(2025, 11, 1))
    # Placements count the year they begin.
    a_placement(worker, at_raid, date(2026, 2, 10), date(2026, 5, 1))
    a_placement(worker, at_raid, date(2026, 5, 2))
    a_placement(worker, domestic, date(2026, 12, 31))
    a_placement(worker, earlier, date(2025, 11, 1), date(2026, 3, 1))

    found = stats.tables([2025, 2026])

    assert values(by_key(found[2026])["trafficking-work"]) == {
        "Identifierade personer, inhemsk människohandel": [1],
        "Tillslag där enheten deltog": [3],
        "Personer som enheten mötte vid tillslag": [8],
        "Personer som tackade ja till stöd vid tillslag": [2],
        "Påbörjade placeringar i skyddat boende": [3],
    }
    assert values(by_key(found[2025])["trafficking-work"]) == {
        "Identifierade personer, inhemsk människohandel": [1],
        "Tillslag där enheten deltog": [1],
        "Personer som enheten mötte vid tillslag": [9],
        "Personer som tackade ja till stöd vid tillslag": [9],
        "Påbörjade placeringar i skyddat boende": [1],
    }
    table = by_key(found[2026])["trafficking-work"]
    assert not table.column_totals and not table.row_totals


def test_completed_returns_home_are_counted_by_country(worker):
    def returned(day, country, state=ReturnState.COMPLETED):
        case = a_case(worker, a_person(worker), date(day.year - 1, 6, 1), country=country)
        a_return(worker, case, day, country, state)

    returned(date(2026, 1, 1), Country.BG)
    returned(date(2026, 12, 31), Country.BG)
    returned(date(2026, 5, 5), Country.NG)
    returned(date(2026, 8, 8), Country.RO, ReturnState.PLANNED)  # planned: not yet
    returned(date(2025, 12, 31), Country.RO)

    found = stats.tables([2025, 2026])
    now = by_key(found[2026])["trafficking-returns"]

    assert list(values(now).items()) == [("Bulgarien", [2]), ("Nigeria", [1]),
                                         ("Rumänien", [0])]
    assert values(by_key(found[2025])["trafficking-returns"]) == {
        "Bulgarien": [0], "Nigeria": [0], "Rumänien": [1],
    }
    assert now.column_totals


# --- both years, the query bound, no persons ---------------------------------------------------


def some_of_everything(by, year, scale):
    countries = [Country.RO, Country.NG, Country.BG, Country.VN, Country.SE]
    for number in range(scale):
        day = date(year, 1 + number % 12, 1 + number % 28)
        raid = a_raid(by, day, met=number + 1, accepted=1, reference=f"NOA {year}-{number}")
        case = a_case(by, a_person(by, f"Person {year} {number}"), day,
                      way=IdentifiedBy.RAID, country=countries[number % len(countries)],
                      domestic=countries[number % len(countries)] == Country.SE, raid=raid)
        a_placement(by, case, day)
        a_return(by, case, day, case.country_of_origin)


def test_each_year_has_its_own_figures(worker):
    some_of_everything(worker, 2025, 3)
    some_of_everything(worker, 2026, 7)

    found = stats.tables([2025, 2026])

    assert set(found) == {2025, 2026}
    for year, scale in [(2025, 3), (2026, 7)]:
        tables = by_key(found[year])
        assert list(tables) == ["trafficking-identified-way", "trafficking-identified-country",
                                "trafficking-work", "trafficking-returns"]
        assert values(tables["trafficking-identified-way"])["Polisens tillslag"] == [scale]
        assert sum(r.values[0] for r in tables["trafficking-identified-country"].rows) == scale
        assert sum(r.values[0] for r in tables["trafficking-returns"].rows) == scale
        work = values(tables["trafficking-work"])
        assert work["Tillslag där enheten deltog"] == [scale]
        assert work["Personer som enheten mötte vid tillslag"] == [sum(range(1, scale + 1))]
        assert work["Påbörjade placeringar i skyddat boende"] == [scale]
        assert work["Identifierade personer, inhemsk människohandel"] == [scale // 5]


def test_the_figures_take_a_fixed_number_of_queries(worker, django_assert_max_num_queries):
    some_of_everything(worker, 2025, 2)
    with django_assert_max_num_queries(QUERIES):
        stats.tables([2025, 2026])
    some_of_everything(worker, 2026, 25)
    some_of_everything(worker, 2024, 25)
    with django_assert_max_num_queries(QUERIES):
        stats.tables([2025, 2026])
    with django_assert_max_num_queries(QUERIES):
        stats.tables([2024, 2025, 2026])


def test_no_table_names_a_person_a_raid_or_a_shelter(worker):
    some_of_everything(worker, 2026, 5)
    shown = repr([table.to_dict() for table in stats.tables([2026])[2026]])
    secrets = ["Person 2026", "NOA", "Animus", *HousingProvider.objects.values_list("name",
                                                                                    flat=True)]
    for secret in secrets:
        assert secret not in shown


def test_the_provider_is_registered_in_the_units_place():
    provider = next(p for p in registry.statistics if p.key == "trafficking")
    assert provider.order == 50 and provider.tables is stats.tables
