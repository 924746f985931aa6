"""The clinic's yearly figures (DESIGN §7, issue 11), registered in provides.py.

- A visit is a clinic appointment whose booking was held: the booking's status is "arrived"
  or "completed" (not booked, a no-show or cancelled). It belongs to the year in which the
  booking starts (Stockholm time). Its profession is the appointment type's (the profession
  that takes that type; booking one checks that the clinician has it).
- "Besök per besökstyp" and "Besök per yrke" count these visits, every appointment type and
  every profession listed, zeros included.
- "Prover per provtyp": taken = the samples taken in the year (taken_at); positive = the
  samples whose positive result was registered in the year (result_at, the day the result
  came: so a year's positives are final when the year ends, and a sample taken in late
  December whose positive result comes in January is positive in January's year).
- "Patienter per kön": the distinct patients with at least one visit (as above) in the
  year, by the gender recorded on the client, each patient counted once.

Three queries for any number of years: the visits grouped by type and profession (both
visit tables), the samples (taken and positive in one grouped query), the patients.
Encounters written without an appointment (a talk, an anonymous test without a booking)
are not visits here; their samples are counted with the samples."""

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from clients.models import Booking, BookingStatus, Gender
from prostenhet.roles import Profession, UnitCode
from prostenhet.stats import Row, Table, pick, tally, year_range

from .models import AppointmentCode, Sample, SampleKind, SampleResult

# A booking that took place: the patient came.
HELD = (BookingStatus.ARRIVED, BookingStatus.COMPLETED)


def held_visits():
    """The clinic's bookings that were held, each an appointment of a type."""
    return Booking.objects.filter(
        unit=UnitCode.SPIRALEN, status__in=HELD, appointment__isnull=False
    )


def tables(years):
    """{year: [Table, ...]} of the clinic's figures for each of the years, in three
    queries."""
    visits = tally(held_visits(), "starts_at", years, "appointment__type__code",
                   "appointment__type__profession")
    patients = tally(held_visits().filter(client__isnull=False), "starts_at", years,
                     "client__gender", value=Count("client", distinct=True))
    taken, positive = _samples(years)
    return {
        year: [
            _visits_by_type(visits[year]),
            _visits_by_profession(visits[year]),
            _samples_by_kind(taken[year], positive[year]),
            _patients_by_gender(patients[year]),
        ]
        for year in years
    }


def _samples(years):
    """({year: {kind: taken}}, {year: {kind: positive}}) in one grouped query: the samples
    taken in the years or with a positive result registered in them, grouped by kind,
    result and both years."""
    start, end = year_range(years)
    rows = (
        Sample.objects.filter(
            Q(taken_at__gte=start, taken_at__lt=end)
            | Q(result=SampleResult.POSITIVE, result_at__gte=start, result_at__lt=end)
        )
        .annotate(taken_year=ExtractYear("taken_at"), result_year=ExtractYear("result_at"))
        .values("kind", "result", "taken_year", "result_year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    taken = {year: {} for year in years}
    positive = {year: {} for year in years}
    for row in rows:
        kind, n = row["kind"], row["n"]
        if row["taken_year"] in taken:
            taken[row["taken_year"]][kind] = taken[row["taken_year"]].get(kind, 0) + n
        if row["result"] == SampleResult.POSITIVE and row["result_year"] in positive:
            counts = positive[row["result_year"]]
            counts[kind] = counts.get(kind, 0) + n
    return taken, positive


def _visits_by_type(counts):
    return Table(
        key="spiralen-visits-by-type",
        unit=UnitCode.SPIRALEN,
        title=_("Besök per besökstyp"),
        row_heading=_("Besökstyp"),
        columns=[_("Besök")],
        rows=[Row(code.label, [pick(counts, type=code.value, profession=None)])
              for code in AppointmentCode],
        column_totals=True,
        description=_("Genomförda besök: bokade tider på Spiralen där patienten kom "
                      "(bokningen markerad som kommit eller genomförd), efter den dag tiden "
                      "började. Uteblivna och avbokade tider räknas inte."),
    )


def _visits_by_profession(counts):
    return Table(
        key="spiralen-visits-by-profession",
        unit=UnitCode.SPIRALEN,
        title=_("Besök per yrke"),
        row_heading=_("Yrke"),
        columns=[_("Besök")],
        rows=[Row(profession.label, [pick(counts, type=None, profession=profession.value)])
              for profession in Profession],
        column_totals=True,
        description=_("Genomförda besök efter det yrke som tar emot besökstypen "
                      "(barnmorska, gynekolog, läkare, psykiatriker)."),
    )


def _samples_by_kind(taken, positive):
    return Table(
        key="spiralen-samples",
        unit=UnitCode.SPIRALEN,
        title=_("Prover per provtyp"),
        row_heading=_("Prov"),
        columns=[_("Tagna"), _("Positiva")],
        rows=[Row(kind.label, [taken.get(kind.value, 0), positive.get(kind.value, 0)])
              for kind in SampleKind],
        column_totals=True,
        compare_column=0,
        description=_("Tagna: prover tagna under året. Positiva: positiva svar registrerade "
                      "under året (efter svarsdagen, så ett prov från december med svar i "
                      "januari räknas som positivt det nya året)."),
    )


def _patients_by_gender(counts):
    return Table(
        key="spiralen-patients-by-gender",
        unit=UnitCode.SPIRALEN,
        title=_("Patienter per kön"),
        row_heading=_("Kön"),
        columns=[_("Patienter")],
        rows=[Row(gender.label, [counts.get((gender.value,), 0)]) for gender in Gender],
        column_totals=True,
        description=_("Kvinnor, män och övriga som besökt mottagningen: olika patienter med "
                      "minst ett genomfört besök under året, var och en räknad en gång."),
    )
