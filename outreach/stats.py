"""Outreach's yearly figures (DESIGN §7, issue 11), registered in provides.py. Every figure is
a database aggregate over a calendar year in Stockholm time; nothing here names a person.

- Shifts: the shifts that started in the year (open or closed), by the month they started.
  Hours out = the sum of the shifts' lengths (end − start), summed in the database and rounded
  to whole hours per month (half an hour up).
- Contacts: the contacts of the year by month, and of them the first contacts (the rest are
  repeat contacts); and by outcome.
- Persons met: the distinct registered clients and the distinct nicknames among the year's
  contacts (services.contact_figures_by_year). A nickname's contacts move to the client when
  the person is registered, so each person counts once; anonymous contacts without a nickname
  cannot be told apart and are counted as contacts only.
- Observations: the people seen selling (by perceived gender) and the buyers seen, as the
  shift reports count them, summed over the shifts: someone seen on two shifts counts twice.
- Material: the amount of each kind handed out on the year's shifts (ShiftMaterial.count).
- Clinic bookings: the Spiralen bookings an outreach worker made, i.e. the shared Bookings of
  unit Spiralen whose appointment goes with the referral outreach → Spiralen (spiralen's
  book_appointment links it), by when the booking was made and by its status now.
- Internet: the internet sessions held (by date) and the sums of their ads reviewed,
  information e-mails sent and replies.
- Information work: the talks and trainings given (by date) and the sum of their attendees,
  by audience.

tables(years) runs eight queries whatever the data and the number of years.
"""

from datetime import timedelta

from django.db.models import Count, F, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext_lazy as _

from clients.models import Booking, BookingStatus
from prostenhet.roles import UnitCode
from prostenhet.stats import MONTHS, Row, Table, pick, tally, tally_many

from .models import (
    Audience,
    Contact,
    ContactOutcome,
    InfoTalk,
    InternetSession,
    MaterialKind,
    Shift,
    ShiftMaterial,
)
from .services import contact_figures_by_year

UNIT = UnitCode.OUTREACH

# The shift reports' observations, as (field, row label).
OBSERVATIONS = [
    ("seen_women", _("Säljande, kvinnor")),
    ("seen_men", _("Säljande, män")),
    ("seen_trans", _("Säljande, trans/icke-binära")),
    ("buyers_seen", _("Köpare")),
]


def _hours(duration):
    """A sum of shift lengths in whole hours, half an hour rounded up."""
    return int(((duration or timedelta()).total_seconds() + 1800) // 3600)


def tables(years):
    """{year: [Table, ...]} of outreach's figures for each of the years."""
    shifts = tally_many(
        Shift.objects.all(), "starts_at", years, month=ExtractMonth("starts_at"),
        values={
            "shifts": Count("pk"),
            "duration": Sum(F("ends_at") - F("starts_at")),
            **{name: Sum(name) for name, _label in OBSERVATIONS},
        },
    )
    contacts = tally(Contact.objects.all(), "at", years, "first_contact", "outcome",
                     month=ExtractMonth("at"))
    persons = contact_figures_by_year(years)
    material = tally(ShiftMaterial.objects.all(), "shift__starts_at", years, "kind",
                     value=Sum("count"))
    kinds = list(MaterialKind.objects.order_by("order", "name").values_list("pk", "name",
                                                                             "active"))
    bookings = tally(
        Booking.objects.filter(
            # Said outright (the join implies it) so that PostgreSQL reads the few
            # appointments with a referral from their index, not every appointment.
            appointment__referral__isnull=False,
            appointment__referral__from_unit=UnitCode.OUTREACH,
            appointment__referral__to_unit=UnitCode.SPIRALEN,
            unit=UnitCode.SPIRALEN,
        ),
        "created_at", years, "status",
    )
    internet = tally_many(
        InternetSession.objects.all(), "date", years,
        values={"sessions": Count("pk"), "ads": Sum("ads_reviewed"),
                "emails": Sum("emails_sent"), "replies": Sum("replies")},
    )
    talks = tally_many(InfoTalk.objects.all(), "date", years, "audience",
                      values={"talks": Count("pk"), "attendees": Sum("attendees")})

    # Every kind in use, and a kind no longer in use in a year it was handed out.
    handed_out = {key[0] for year in years for key, n in material[year].items() if n}
    kinds = [(pk, name) for pk, name, active in kinds if active or pk in handed_out]
    return {
        year: [
            _months_table(shifts[year], contacts[year]),
            _persons_table(persons[year]),
            _outcomes_table(contacts[year]),
            _observations_table(shifts[year]),
            _material_table(material[year], kinds),
            _bookings_table(bookings[year]),
            _internet_table(internet[year]),
            _talks_table(talks[year]),
        ]
        for year in years
    }


def _months_table(shifts, contacts):
    rows = []
    for month, label in enumerate(MONTHS, start=1):
        of_month = shifts.get((month,), {})
        rows.append(Row(label, [
            of_month.get("shifts", 0),
            _hours(of_month.get("duration")),
            pick(contacts, first_contact=None, outcome=None, month=month),
            pick(contacts, first_contact=True, outcome=None, month=month),
        ]))
    return Table(
        key="outreach-months", unit=UNIT, title=_("Uppsökande per månad"),
        row_heading=_("Månad"),
        columns=[_("Pass"), _("Timmar ute"), _("Kontakter"), _("varav första kontakt")],
        rows=rows, column_totals=True, compare_column=2,
        description=_("Passen efter den månad de började, timmar ute är passens längd "
                      "sammanlagd. Kontakterna efter när de gjordes; de övriga är "
                      "återkommande kontakter."),
    )


def _persons_table(figures):
    return Table(
        key="outreach-persons", unit=UNIT, title=_("Personer som mötts"),
        row_heading=_("Person"), columns=[_("Personer")],
        rows=[
            Row(_("Registrerade klienter"), [figures.registered_persons]),
            Row(_("Smeknamn"), [figures.nickname_persons]),
        ],
        column_totals=True,
        description=_("Varje registrerad klient och varje smeknamn räknas en gång under "
                      "året. Anonyma kontakter utan smeknamn kan inte skiljas åt och räknas "
                      "bara som kontakter."),
    )


def _outcomes_table(contacts):
    return Table(
        key="outreach-outcomes", unit=UNIT, title=_("Kontakter efter utfall"),
        row_heading=_("Utfall"), columns=[_("Kontakter")],
        rows=[
            Row(outcome.label, [pick(contacts, first_contact=None, outcome=outcome.value)])
            for outcome in ContactOutcome
        ],
        column_totals=True,
    )


def _observations_table(shifts):
    return Table(
        key="outreach-observations", unit=UNIT, title=_("Iakttagelser på passen"),
        row_heading=_("Iakttagelse"), columns=[_("Antal")],
        rows=[
            Row(label, [sum(month.get(name) or 0 for month in shifts.values())])
            for name, label in OBSERVATIONS
        ],
        description=_("Som passrapporterna räknar dem, summerat över passen: den som setts "
                      "på flera pass räknas en gång per pass."),
    )


def _material_table(material, kinds):
    return Table(
        key="outreach-material", unit=UNIT, title=_("Utdelat material"),
        row_heading=_("Material"), columns=[_("Antal")],
        rows=[Row(name, [material.get((pk,)) or 0]) for pk, name in kinds],
    )


def _bookings_table(bookings):
    return Table(
        key="outreach-clinic-bookings", unit=UNIT, title=_("Tider bokade på Spiralen"),
        row_heading=_("Status"), columns=[_("Tider")],
        rows=[Row(status.label, [bookings.get((status.value,), 0)])
              for status in BookingStatus],
        column_totals=True,
        description=_("Tider på Spiralen som uppsökande arbetet bokat (med remiss från "
                      "uppsökande), efter när de bokades och hur det gick."),
    )


def _internet_table(internet):
    figures = internet.get((), {})
    return Table(
        key="outreach-internet", unit=UNIT, title=_("Uppsökande på internet"),
        row_heading=_("Internet"), columns=[_("Antal")],
        rows=[
            Row(_("Internetpass"), [figures.get("sessions", 0)]),
            Row(_("Annonser genomgångna"), [figures.get("ads") or 0]),
            Row(_("Informationsmejl skickade"), [figures.get("emails") or 0]),
            Row(_("Svar"), [figures.get("replies") or 0]),
        ],
    )


def _talks_table(talks):
    rows = []
    for audience in Audience:
        figures = talks.get((audience.value,), {})
        rows.append(Row(audience.label, [figures.get("talks", 0),
                                         figures.get("attendees") or 0]))
    return Table(
        key="outreach-talks", unit=UNIT, title=_("Informationsinsatser"),
        row_heading=_("Målgrupp"), columns=[_("Tillfällen"), _("Deltagare")],
        rows=rows, column_totals=True, compare_column=0,
    )
