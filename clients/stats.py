"""The clients app's yearly figures (DESIGN §7, issue 11), registered in provides.py: clients per
unit, reception's visits, the counselling queue, and counselling's and KAST's contracted
sessions. Counts only: nothing here names or points at a person. A year is a calendar year in
Stockholm time (a datetime by its local date, a date field by its date).

Clients
- A client of a unit in the year: a client with at least one contact in the unit that year —
  a journal entry of the unit (by event_date; the entries the system writes for a missed
  session, no-show and late cancellation, are not contacts), a booking of the unit with the
  client and status arrived or completed (by starts_at), a drop-in visit to the unit with the
  client (by arrived_at; a booked client's arrival is its booking's), or a contact a unit
  app registers (registry.client_contacts: outreach's street contacts, KAST's calls). A
  merged-away client counts as the client they were merged into, so a person counts once.
- "Hela enheten": the distinct persons who were a client of any unit that year, counted in
  the database (not the sum of the units: a person may be a client of two units). KAST's
  register is separate, so a KAST client and a client of the main register are two persons.
- New: of the year's clients of a unit, those whose first enrollment in the unit ever
  (Enrollment.started_on) falls in the year; for the whole unit, those whose first enrollment
  in any unit falls in the year. A client new in one unit need not be new in another.
- Gender and born in Sweden as recorded on the client now. Age band: the age at the client's
  first contact in the unit that year (for the whole unit, the first contact in any unit):
  from the birth date in the identity number (a coordination number's day is day + 60), or
  without one as the contact's year minus the birth year (an estimate); neither → not known.
  Each client is in exactly one gender, age band and born-in-Sweden row of each column.

Reception
- A visit: a clients.Visit (a booked arrival, a drop-in or an anonymous visitor), by its unit,
  its purpose (VisitPurpose) and the month it arrived. Anonymous: a visit without a client;
  anonymous visitors are counted by the gender and age band reception noted.

Queue (counselling's queue to processing sessions, QueueEntry)
- Added: entries whose added_on falls in the year. Offered a place / removed: entries that left
  the queue in the year (left_at), by reason (QueueRemoval); an entry that left because its
  client was merged into another (no reason) is not counted.
- Waiting time: for the entries offered a place in the year, the days from added_on to the
  local date of left_at; the median (the mean of the two middle values when their number is
  even) and the longest, beside the number of people behind them.
- Length at the year's end: entries added on or before 31 December and not left by then.

Contracted sessions (counselling and KAST)
- A session: a Booking with a contract (SessionContract), of unit counselling or KAST, placed
  in the year by starts_at. Held = status completed or arrived; cancelled by the client,
  cancelled by the unit and no-show by their status. Sessions still booked are not counted.
- Clients in counselling: distinct clients with a contract active some day in the year
  (starts_on to ends_on, cut short by ended_on), per unit.
- Goals evaluated: goals whose evaluated_at falls in the year, by outcome (GoalOutcome) and the
  contract's unit.

tables(years) runs eight queries whatever the data and the number of years. The client
figures are one query: every source of contacts compiled by the ORM for the backend and put
together in one portable SQL statement (UNION ALL, then grouped), so SQLite and PostgreSQL
give the same figures.
"""

from collections import Counter
from datetime import date

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    Value,
    Window,
)
from django.db.models.functions import (
    Cast,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    RowNumber,
    TruncDate,
)
from django.utils.translation import gettext_lazy as _

from prostenhet import registry
from prostenhet.roles import UnitCode
from prostenhet.stats import MONTHS, Row, Table, tally, year_case, year_range, year_start

from .models import (
    AgeBand,
    Booking,
    BookingStatus,
    BornInSweden,
    Client,
    Enrollment,
    EntryKind,
    Gender,
    Goal,
    GoalOutcome,
    Journal,
    JournalEntry,
    QueueEntry,
    QueueRemoval,
    SessionContract,
    Visit,
    VisitPurpose,
)

UNITS = list(UnitCode)
SESSION_UNITS = [UnitCode.COUNSELLING, UnitCode.KAST]
# The key of the whole unit (every unit together) in the client counts.
WHOLE = ""
HELD = (BookingStatus.ARRIVED, BookingStatus.COMPLETED)
# Entries the system writes for a session that did not take place: not a contact.
NOT_CONTACTS = (EntryKind.NO_SHOW, EntryKind.LATE_CANCELLATION)
# Upper age limits (exclusive) of the age bands; the last band has none.
AGE_BANDS = [
    (25, AgeBand.UNDER_25), (35, AgeBand.FROM_25), (45, AgeBand.FROM_35),
    (55, AgeBand.FROM_45), (None, AgeBand.FROM_55),
]
WHOLE_LABEL = _("Hela enheten")


def tables(years):
    """{year: [Table, ...]} of the clients app's figures for each of the years (eight
    queries in all)."""
    clients = client_counts(years)
    visits = tally(
        Visit.objects.all(), "arrived_at", years, "unit", "purpose",
        anonymous=ExpressionWrapper(Q(client__isnull=True), output_field=BooleanField()),
        month=ExtractMonth("arrived_at"),
    )
    anonymous = tally(Visit.objects.filter(client__isnull=True), "arrived_at", years,
                      "gender", "age_band")
    queue = queue_counts(years)
    waits = waiting_times(years)
    sessions = tally(
        Booking.objects.filter(contract__isnull=False, unit__in=SESSION_UNITS),
        "starts_at", years, "unit", "status",
    )
    in_counselling = clients_in_counselling(years)
    goals = tally(
        Goal.objects.exclude(outcome="").filter(contract__journal__unit__in=SESSION_UNITS),
        "evaluated_at", years, "contract__journal__unit", "outcome",
    )
    return {
        year: [
            _clients_table(clients[year]),
            _by_category_table(
                clients[year], "gender", Gender, key="clients-gender",
                title=_("Klienter efter kön"), row_heading=_("Kön"),
                description=_("Kön som klienten själv uppger, som det står i registret nu."),
            ),
            _by_category_table(
                clients[year], "age_band", AgeBand, key="clients-age",
                title=_("Klienter efter ålder"), row_heading=_("Ålder"),
                description=_(
                    "Åldern vid klientens första kontakt med verksamhetsdelen under året "
                    "(för hela enheten: första kontakten med någon del), enligt "
                    "personnumret eller, utan det, uppskattad från födelseåret."
                ),
            ),
            _by_category_table(
                clients[year], "born_in_sweden", BornInSweden, key="clients-born-in-sweden",
                title=_("Klienter efter om de är födda i Sverige"),
                row_heading=_("Född i Sverige"),
            ),
            _visits_by_purpose_table(visits[year]),
            _visits_by_month_table(visits[year]),
            _anonymous_visits_table(anonymous[year]),
            _queue_table(queue[year]),
            _waiting_table(waits[year]),
            _sessions_table(sessions[year]),
            _in_counselling_table(in_counselling[year]),
            _goals_table(goals[year]),
        ]
        for year in years
    }


# --- clients -----------------------------------------------------------------------------------


def _day_number(expression):
    """A date as the integer YYYYMMDD, so that ages are integer arithmetic on every
    backend."""
    return Cast(
        ExtractYear(expression) * 10000 + ExtractMonth(expression) * 100
        + ExtractDay(expression),
        IntegerField(),
    )


def _first_contacts(queryset, years, *, who, day, dates, unit=None):
    """The queryset grouped by unit (unless None: a journal's entries), `who` (a client, or
    a journal) and year, with the first day of contact that year as YYYYMMDD (in Stockholm
    time): (s_unit, s_who, s_year, s_day)."""
    grouping = {"s_who": who, "s_year": year_case(day, years, dates=dates)}
    if unit is not None:
        grouping["s_unit"] = unit
    return (
        queryset.values(**grouping)
        .annotate(s_first=Min(day))
        .annotate(s_day=_day_number("s_first"))
        .order_by()
    )


def _contact_sources(years):
    """The contacts of the years, each source grouped by unit, client (or journal) and year
    with the first day of contact (_first_contacts): [(queryset, by_journal), ...]."""
    start, end = year_range(years)
    first_day, last_day = year_range(years, dates=True)
    sources = [
        (_first_contacts(
            JournalEntry.objects.filter(event_date__gte=first_day, event_date__lt=last_day)
            .exclude(kind__in=NOT_CONTACTS),
            years, who=F("journal"), day="event_date", dates=True,
        ), True),
        (_first_contacts(
            Booking.objects.filter(client__isnull=False, status__in=HELD,
                                   starts_at__gte=start, starts_at__lt=end),
            years, unit=F("unit"), who=F("client"), day="starts_at", dates=False,
        ), False),
        # A booked client's arrival is counted through the booking (arrived or completed):
        # only the visits without one (drop-ins) add contacts.
        (_first_contacts(
            Visit.objects.filter(client__isnull=False, booking__isnull=True,
                                 arrived_at__gte=start, arrived_at__lt=end),
            years, unit=F("unit"), who=F("client"), day="arrived_at", dates=False,
        ), False),
    ]
    for contacts in registry.client_contacts:
        sources.append((_first_contacts(
            contacts.rows(start, end), years, unit=Value(str(contacts.unit)),
            who=F("client_id"), day="day", dates=True,
        ), False))
    return sources


def _first_enrollments():
    """Per client: the year of the first enrollment in each unit (e_<unit>) and in any unit
    (e_any). A merge moves the merged client's enrollments to the one they were merged
    into."""
    year = Cast(ExtractYear("started_on"), IntegerField())
    return (
        Enrollment.objects.values(e_person=F("client"))
        .annotate(
            **{f"e_{unit.value}": Min(year, filter=Q(unit=unit)) for unit in UNITS},
            e_any=Min(year),
        )
        .order_by()
    )


def _column(model, name):
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _age_sql(person, year, day):
    """SQL for the age of the person (a clients table alias) on day (SQL of an integer
    YYYYMMDD) of year: from the identity number's birth date, else the years since the
    birth year (an estimate), else NULL."""
    number = f"{person}.{_column(Client, 'identity_number')}"
    birth_year = f"{person}.{_column(Client, 'birth_year')}"
    # The birth date as YYYYMMDD from the 12 digits; a coordination number's day is the
    # birth day + 60.
    born = (
        f"CAST(SUBSTR({number}, 1, 8) AS INTEGER) - "
        f"CASE WHEN CAST(SUBSTR({number}, 7, 2) AS INTEGER) > 60 THEN 60 ELSE 0 END"
    )
    return (
        f"CASE WHEN LENGTH({number}) = 12 THEN ({day} - ({born})) / 10000 "
        f"WHEN {birth_year} IS NOT NULL THEN {year} - {birth_year} END"
    )


def _band_sql(age):
    """SQL for the age band (an AgeBand value) of an age, and its parameters."""
    sql, params = [f"CASE WHEN {age} IS NULL THEN %s"], [AgeBand.UNKNOWN.value]
    for limit, band in AGE_BANDS:
        sql.append(f"WHEN {age} < {limit:d} THEN %s" if limit is not None else "ELSE %s")
        params.append(band.value)
    return " ".join([*sql, "END"]), params


def client_counts(years):
    """{year: {(dimension, unit, value): n}} of the clients of each unit (and of the whole
    unit, unit WHOLE) in one query: by gender, born_in_sweden and age_band (their values),
    and by new ("yes" or "no")."""
    quote = connection.ops.quote_name
    clients, journals = quote(Client._meta.db_table), quote(Journal._meta.db_table)
    pk, merged_into = _column(Client, "id"), _column(Client, "merged_into")
    gender, born = _column(Client, "gender"), _column(Client, "born_in_sweden")
    journal_pk, journal_client = _column(Journal, "id"), _column(Journal, "client")
    journal_unit = _column(Journal, "unit")
    parts, params = [], []
    for source, by_journal in _contact_sources(years):
        sql, source_params = source.query.sql_with_params()
        # The SQL is the ORM's, every value in it a parameter. A journal's entries are
        # grouped by journal before the journal gives the unit and the client (fewer rows
        # to join; an entry's unit is its journal's).
        if by_journal:
            unit, client = f"j.{journal_unit}", f"j.{journal_client}"
            joined = f"INNER JOIN {journals} j ON j.{journal_pk} = src.s_who"
        else:
            unit, client, joined = "src.s_unit", "src.s_who", ""
        columns = f"{unit}, {client}, src.s_year, src.s_day"
        parts.append(f"SELECT {columns} FROM ({sql}) src {joined} WHERE src.s_year IS NOT NULL")  # noqa: S608  # nosec B608
        params.extend(source_params)
    enrolled_sql, enrolled_params = _first_enrollments().query.sql_with_params()
    first_in_unit = " ".join(f"WHEN %s THEN e.e_{unit.value}" for unit in UNITS)
    band_sql, band_params = _band_sql("age")
    # A person's age is computed once per unit and year, on the grouped rows. The whole
    # unit's first contact of the year is the earliest of the units', so its age is the least
    # of theirs; the person is new to it when their first enrollment in any unit is the
    # year's. Table and column names come from the models, every value is a parameter.
    sql = f"""
        WITH contact (s_unit, s_client, s_year, s_day) AS ({" UNION ALL ".join(parts)}),
        first_day AS (
            SELECT contact.s_unit AS unit, contact.s_year AS yr, p.{pk} AS person,
                   MIN(contact.s_day) AS day
            FROM contact
            INNER JOIN {clients} c ON c.{pk} = contact.s_client
            INNER JOIN {clients} p ON p.{pk} = COALESCE(c.{merged_into}, c.{pk})
            GROUP BY contact.s_unit, contact.s_year, p.{pk}
        ),
        per_unit AS (
            SELECT d.unit, d.yr, d.person, p.{gender} AS gender, p.{born} AS born,
                   {_age_sql("p", "d.yr", "d.day")} AS age,
                   CASE WHEN (CASE d.unit {first_in_unit} END) = d.yr THEN 'yes' ELSE 'no' END
                       AS new,
                   e.e_any AS first_any
            FROM first_day d
            INNER JOIN {clients} p ON p.{pk} = d.person
            LEFT JOIN ({enrolled_sql}) e ON e.e_person = p.{pk}
        ),
        seen AS (
            SELECT unit, yr, gender, born, age, new FROM per_unit
            UNION ALL
            SELECT '{WHOLE}', yr, gender, born, MIN(age),
                   CASE WHEN MIN(first_any) = yr THEN 'yes' ELSE 'no' END
            FROM per_unit GROUP BY yr, person, gender, born
        )
        SELECT unit, yr, gender, born, {band_sql}, new, COUNT(*) FROM seen
        GROUP BY unit, yr, gender, born, {band_sql}, new
    """  # noqa: S608 - names from the models, every value a parameter  # nosec B608
    params = [*params, *[unit.value for unit in UNITS], *enrolled_params, *band_params,
              *band_params]
    result = {year: Counter() for year in years}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for unit, year, gender, born, band, new, n in cursor.fetchall():
            if year in result:
                counts = result[year]
                for dimension, value in [("gender", gender), ("born_in_sweden", born),
                                         ("age_band", band), ("new", new)]:
                    counts[dimension, unit, value] += n
    return result


def _clients(counts, unit, dimension="gender", value=None):
    """The number of clients of the unit (WHOLE: of any unit) with the value in the
    dimension (no value: all the unit's clients, each of whom has one gender)."""
    if value is None:
        return sum(n for (kind, of, _v), n in counts.items() if kind == "gender" and of == unit)
    return counts.get((dimension, unit, value), 0)


def _sum_by(counts, *positions):
    """A tally's {(group values...): n} summed over every group value but those at the
    positions: {(values at the positions...): n}."""
    sums = Counter()
    for key, n in counts.items():
        sums[tuple(key[i] for i in positions)] += n
    return sums


def _clients_table(counts):
    rows = [
        Row(label, [_clients(counts, unit), _clients(counts, unit, "new", "yes")])
        for unit, label in [*((u.value, u.label) for u in UNITS), (WHOLE, WHOLE_LABEL)]
    ]
    return Table(
        key="clients-units", unit="", title=_("Klienter per verksamhetsdel"),
        row_heading=_("Verksamhetsdel"), columns=[_("Klienter"), _("varav nya")],
        rows=rows, compare_column=0,
        description=_(
            "En klient räknas i en verksamhetsdel som hade kontakt med hen under året: en "
            "journalanteckning, en bokning där klienten kom, ett besök eller en kontakt som "
            "delen registrerar (uppsökande, KAST). Hela enheten räknar varje person en gång. "
            "Ny: första inskrivningen i delen (för hela enheten: i någon del) var under året."
        ),
    )


def _by_category_table(counts, name, choices, *, key, title, row_heading, description=""):
    """Clients by a category (rows, every choice) per unit and for the whole unit."""
    columns = [*UNITS, WHOLE]
    rows = [
        Row(choice.label, [_clients(counts, str(unit), name, choice.value)
                           for unit in columns])
        for choice in choices
    ]
    return Table(
        key=key, unit="", title=title, row_heading=row_heading,
        columns=[*(u.label for u in UNITS), WHOLE_LABEL], rows=rows,
        column_totals=True, compare_column=len(UNITS), description=description,
    )


# --- reception ---------------------------------------------------------------------------------


def _visits_by_purpose_table(counts):
    counts = _sum_by(counts, 0, 1)  # (unit, purpose)
    return Table(
        key="clients-visits", unit="", title=_("Besök per verksamhetsdel och ärende"),
        row_heading=_("Ärende"), columns=[unit.label for unit in UNITS],
        rows=[
            Row(purpose.label, [counts[unit.value, purpose.value] for unit in UNITS])
            for purpose in VisitPurpose
        ],
        row_totals=True, column_totals=True,
        description=_("Besök som registrerats i mottagningen: bokade klienter som kommit, "
                      "spontanbesök och anonyma besökare."),
    )


def _visits_by_month_table(counts):
    counts = _sum_by(counts, 3, 2)  # (month, anonymous)
    return Table(
        key="clients-visits-month", unit="", title=_("Besök per månad"),
        row_heading=_("Månad"), columns=[_("Registrerade klienter"), _("Anonyma besökare")],
        rows=[
            Row(label, [counts[month, anonymous] for anonymous in (False, True)])
            for month, label in enumerate(MONTHS, start=1)
        ],
        row_totals=True, column_totals=True,
        description=_("Anonyma besökare registreras utan klient, bara med verksamhetsdel, "
                      "ärende, kön och ålder."),
    )


def _anonymous_visits_table(counts):
    return Table(
        key="clients-visits-anonymous", unit="", title=_("Anonyma besök efter ålder och kön"),
        row_heading=_("Ålder"), columns=[gender.label for gender in Gender],
        rows=[
            Row(band.label, [counts.get((gender.value, band.value), 0) for gender in Gender])
            for band in AgeBand
        ],
        row_totals=True, column_totals=True,
        description=_("Kön och ålder som mottagningen noterade för besökaren."),
    )


# --- the counselling queue ---------------------------------------------------------------------

REMOVALS = [
    QueueRemoval.OFFERED, QueueRemoval.STARTED_ELSEWHERE, QueueRemoval.NOT_WANTED,
    QueueRemoval.NO_CONTACT,
]


def queue_counts(years):
    """{year: {"added": n, <removal reason>: n, "waiting": n}} in one query."""
    aggregates = {}
    for year in years:
        first, after = date(year, 1, 1), date(year + 1, 1, 1)
        left = Q(left_at__gte=year_start(year), left_at__lt=year_start(year + 1))
        aggregates[f"added_{year}"] = Count(
            "pk", filter=Q(added_on__gte=first, added_on__lt=after)
        )
        for reason in REMOVALS:
            aggregates[f"{reason.value}_{year}"] = Count(
                "pk", filter=left & Q(left_reason=reason)
            )
        aggregates[f"waiting_{year}"] = Count(
            "pk", filter=Q(added_on__lt=after)
            & (Q(left_at__isnull=True) | Q(left_at__gte=year_start(year + 1))),
        )
    _first, end = year_range(years, dates=True)
    totals = QueueEntry.objects.filter(added_on__lt=end).aggregate(**aggregates)
    names = ["added", *(reason.value for reason in REMOVALS), "waiting"]
    return {year: {name: totals[f"{name}_{year}"] for name in names} for year in years}


def waiting_times(years):
    """{year: (median days, longest days, number offered)} of the entries offered a place
    in the year, in one query: each year's middle one or two waits (by row number), with the
    year's count and longest wait beside them."""
    start, end = year_range(years)
    rows = (
        QueueEntry.objects.filter(left_reason=QueueRemoval.OFFERED, left_at__gte=start,
                                  left_at__lt=end)
        .annotate(
            w_year=ExtractYear("left_at"),
            wait=ExpressionWrapper(TruncDate("left_at") - F("added_on"),
                                   output_field=DurationField()),
        )
        .annotate(
            w_rank=Window(RowNumber(), partition_by=[F("w_year")],
                          order_by=[F("wait").asc(), F("pk").asc()]),
            w_count=Window(Count("pk"), partition_by=[F("w_year")]),
            w_longest=Window(Max("wait"), partition_by=[F("w_year")]),
        )
        .filter(Q(w_rank=(F("w_count") + 1) / 2) | Q(w_rank=F("w_count") / 2 + 1))
        .values_list("w_year", "wait", "w_count", "w_longest")
        .order_by()
    )
    middle = {year: [] for year in years}
    result = {year: (None, None, 0) for year in years}
    for year, wait, count, longest in rows:
        if year in middle:
            middle[year].append(wait.days)
            result[year] = (None, longest.days, count)
    for year, waits in middle.items():
        if waits:
            median = sum(waits) / len(waits)
            result[year] = (int(median) if median == int(median) else median,
                            *result[year][1:])
    return result


def _queue_table(counts):
    return Table(
        key="clients-queue", unit=UnitCode.COUNSELLING,
        title=_("Kön till bearbetande samtal"), row_heading=_("Kön"), columns=[_("Antal")],
        rows=[
            Row(_("Satta i kö"), [counts["added"]]),
            *(Row(reason.label, [counts[reason.value]]) for reason in REMOVALS),
            Row(_("I kö vid årets slut"), [counts["waiting"]]),
        ],
        description=_("Satta i kö under året, och de som lämnade kön under året efter skäl. "
                      "Kölängden är de som stod i kö den 31 december."),
    )


def _waiting_table(figures):
    median, longest, offered = figures
    return Table(
        key="clients-queue-wait", unit=UnitCode.COUNSELLING,
        title=_("Väntetid till erbjuden plats"), row_heading=_("Väntetid"),
        columns=[_("Dagar")],
        rows=[
            Row(_("Median"), [median], measure=True, basis=[offered]),
            Row(_("Längst"), [longest], measure=True, basis=[offered]),
        ],
        description=_("Dagar från att klienten sattes i kö till att hen erbjöds plats, för "
                      "dem som erbjöds plats under året."),
    )


# --- contracted sessions -----------------------------------------------------------------------

OUTCOMES = [
    (_("Genomförda"), HELD),
    (BookingStatus.CANCELLED_BY_CLIENT.label, (BookingStatus.CANCELLED_BY_CLIENT,)),
    (BookingStatus.CANCELLED_BY_UNIT.label, (BookingStatus.CANCELLED_BY_UNIT,)),
    (_("Uteblivna"), (BookingStatus.NO_SHOW,)),
]


def _active_in(year):
    """A contract active some day in the year (not ended before it began)."""
    first = date(year, 1, 1)
    return Q(starts_on__lte=date(year, 12, 31), ends_on__gte=first) & (
        Q(ended_on__isnull=True) | (Q(ended_on__gte=first) & Q(ended_on__gte=F("starts_on")))
    )


def clients_in_counselling(years):
    """{year: {unit: n}}: distinct clients with a contract active in the year, in one query."""
    first, end = year_range(years, dates=True)
    rows = (
        SessionContract.objects.filter(journal__unit__in=SESSION_UNITS, starts_on__lt=end,
                                       ends_on__gte=first)
        .values("journal__unit")
        .annotate(**{
            f"y{year}": Count("journal__client", distinct=True, filter=_active_in(year))
            for year in years
        })
        .order_by()
    )
    result = {year: {} for year in years}
    for row in rows:
        for year in years:
            result[year][row["journal__unit"]] = row[f"y{year}"]
    return result


def _sessions_table(counts):
    return Table(
        key="clients-sessions", unit=UnitCode.COUNSELLING,
        title=_("Samtal enligt samtalskontrakt"), row_heading=_("Utfall"),
        columns=[unit.label for unit in SESSION_UNITS],
        rows=[
            Row(label, [sum(counts.get((unit.value, status.value), 0) for status in statuses)
                        for unit in SESSION_UNITS])
            for label, statuses in OUTCOMES
        ],
        row_totals=True, column_totals=True,
        description=_("Kontrakterade samtal efter dagen de var bokade. Genomförda: klienten "
                      "kom. Samtal som fortfarande är bokade räknas inte."),
    )


def _in_counselling_table(counts):
    return Table(
        key="clients-in-counselling", unit=UnitCode.COUNSELLING,
        title=_("Klienter i samtalsbehandling"), row_heading=_("Verksamhetsdel"),
        columns=[_("Klienter")],
        rows=[Row(unit.label, [counts.get(unit.value, 0)]) for unit in SESSION_UNITS],
        # KAST's clients are in a register of their own: no one is in both rows.
        column_totals=True,
        description=_("Klienter med ett samtalskontrakt som gällde någon gång under året."),
    )


def _goals_table(counts):
    return Table(
        key="clients-goals", unit=UnitCode.COUNSELLING, title=_("Utvärderade mål"),
        row_heading=_("Utvärdering"), columns=[unit.label for unit in SESSION_UNITS],
        rows=[
            Row(outcome.label, [counts.get((unit.value, outcome.value), 0)
                                for unit in SESSION_UNITS])
            for outcome in GoalOutcome
        ],
        row_totals=True, column_totals=True,
        description=_("Mål i samtalskontrakt som utvärderades under året."),
    )
