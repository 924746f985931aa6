"""The trafficking unit's yearly figures for the managers' statistics page (DESIGN §7, issue
11): counts only, never a name, an alias, a police reference or a housing provider.

What is counted, per calendar year:
- A person identified: a client with a TraffickingCase whose identified_on falls in the year,
  counted once a year even when identified twice (a new case after a closed one), by the
  first identification of that year: how they were identified (identified_by), their country
  of origin (the case's country_of_origin, named by the model's labels; the countries listed
  are those that occur in any of the years asked for) and whether it is domestic trafficking
  (the case's domestic flag: a Swedish citizen exploited in Sweden).
- A raid attended: a Raid whose date falls in the year (the unit records only the raids it
  attended); persons met and persons who accepted support are the sums of its counts.
- A housing placement: a HousingPlacement whose starts_on falls in the year.
- A return home: a completed ReturnHome whose date falls in the year, by the country returned
  to (a planned return is not counted).

tables(years) runs four queries, whatever the data and the number of years."""

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from prostenhet.roles import UnitCode
from prostenhet.stats import Row, Table, pick, tally, year_range

from .models import (
    Country,
    HousingPlacement,
    IdentifiedBy,
    Raid,
    ReturnHome,
    ReturnState,
    TraffickingCase,
)

UNIT = UnitCode.TRAFFICKING
# "Another country" and "not known" come after the named countries.
LAST = (Country.OTHER, Country.UNKNOWN)


def first_identifications():
    """Each client's first case identified in a year (the earliest day, then the first
    registered), so that a person counts once a year."""
    earlier = TraffickingCase.objects.filter(
        client=OuterRef("client"), identified_on__year=ExtractYear(OuterRef("identified_on")),
    ).filter(
        Q(identified_on__lt=OuterRef("identified_on"))
        | Q(identified_on=OuterRef("identified_on"), pk__lt=OuterRef("pk"))
    )
    return TraffickingCase.objects.filter(~Exists(earlier))


def tables(years):
    """{year: [Table, ...]} for each of the years (four queries in all)."""
    persons = tally(first_identifications(), "identified_on", years, "identified_by",
                    "country_of_origin", "domestic")
    raids = _raids(years)
    placements = tally(HousingPlacement.objects.all(), "starts_on", years)
    returns = tally(ReturnHome.objects.filter(state=ReturnState.COMPLETED), "date", years,
                    "country")
    origins = _countries(key[1] for year in years for key in persons[year])
    destinations = _countries(key[0] for year in years for key in returns[year])
    return {
        year: [
            _by_way(persons[year]),
            _by_country(persons[year], origins),
            _work(persons[year], raids[year], placements[year]),
            _returns(returns[year], destinations),
        ]
        for year in years
    }


def _raids(years):
    """{year: {"raids": n, "met": n, "accepted": n}} in one query."""
    start, end = year_range(years, dates=True)
    result = {year: {"raids": 0, "met": 0, "accepted": 0} for year in years}
    rows = (
        Raid.objects.filter(date__gte=start, date__lt=end)
        .annotate(stats_year=ExtractYear("date")).values("stats_year")
        .annotate(raids=Count("pk"), met=Sum("persons_met"), accepted=Sum("persons_accepted"))
        .order_by()
    )
    for row in rows:
        if row["stats_year"] in result:
            result[row["stats_year"]] = {name: row[name] or 0
                                         for name in ("raids", "met", "accepted")}
    return result


def _countries(codes):
    """The countries of the codes, sorted by name, "another country" and "not known" last."""
    present = {Country(code) for code in codes if code in Country.values}
    return sorted(present, key=lambda c: (LAST.index(c) + 1 if c in LAST else 0, str(c.label)))


def _by_way(counts):
    return Table(
        key="trafficking-identified-way", unit=UNIT,
        title=_("Identifierade personer efter hur de identifierades"),
        row_heading=_("Identifierade genom"),
        columns=[_("Personer")],
        rows=[Row(way.label, [pick(counts, identified_by=way)]) for way in IdentifiedBy],
        column_totals=True,
        description=_("Personer som identifierats som offer för människohandel under året, "
                      "var och en en gång."),
    )


def _by_country(counts, countries):
    return Table(
        key="trafficking-identified-country", unit=UNIT,
        title=_("Identifierade personer efter ursprungsland"),
        row_heading=_("Ursprungsland"),
        columns=[_("Personer")],
        rows=[Row(country.label, [pick(counts, identified_by=None, country_of_origin=country)])
              for country in countries],
        column_totals=True,
        description=_("Personer som identifierats som offer för människohandel under året, "
                      "efter ursprungsland. Länderna är de som förekommer något av åren som "
                      "jämförs."),
    )


def _work(persons, raids, placements):
    return Table(
        key="trafficking-work", unit=UNIT,
        title=_("Inhemsk människohandel, tillslag och skyddat boende"),
        row_heading=_("Slag"),
        columns=[_("Antal")],
        rows=[
            Row(_("Identifierade personer, inhemsk människohandel"),
                [pick(persons, identified_by=None, country_of_origin=None, domestic=True)]),
            Row(_("Tillslag där enheten deltog"), [raids["raids"]]),
            Row(_("Personer som enheten mötte vid tillslag"), [raids["met"]]),
            Row(_("Personer som tackade ja till stöd vid tillslag"), [raids["accepted"]]),
            Row(_("Påbörjade placeringar i skyddat boende"), [placements.get((), 0)]),
        ],
        description=_("Inhemsk människohandel: en svensk medborgare som utnyttjats i Sverige. "
                      "Placeringar räknas det år de börjar."),
    )


def _returns(counts, countries):
    return Table(
        key="trafficking-returns", unit=UNIT,
        title=_("Genomförda återvändanden efter land"),
        row_heading=_("Land"),
        columns=[_("Återvändanden")],
        rows=[Row(country.label, [counts.get((country.value,), 0)]) for country in countries],
        column_totals=True,
        description=_("Återvändanden som genomförts under året, efter landet personen "
                      "återvände till."),
    )
