"""The clients app's yearly figures (issue 11): clients per unit (new in one unit but not in
another, a merged-away client once, the age band at the first contact of the year), reception's
visits, the counselling queue and the contracted sessions, each on hand-built data whose right
answer is known; year boundaries in Stockholm time; both years asked for; the query bound."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db.models.functions import TruncDate
from django.utils import timezone

from clients import stats
from clients.models import (
    AgeBand,
    Booking,
    BookingKind,
    BookingStatus,
    BornInSweden,
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
    QueueEntry,
    QueueRemoval,
    QueueSource,
    Register,
    SessionContract,
    TermHalf,
    Visit,
    VisitPurpose,
)
from prostenhet import registry
from prostenhet.registry import ClientContacts
from prostenhet.roles import UnitCode
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
LAST = YEAR - 1
COUNSELLING, OUTREACH, SPIRALEN, TRAFFICKING, KAST = (
    UnitCode.COUNSELLING, UnitCode.OUTREACH, UnitCode.SPIRALEN, UnitCode.TRAFFICKING,
    UnitCode.KAST,
)


def local(day, hour=12, minute=0):
    """An aware datetime at the local (Stockholm) time of the day."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class Data:
    """Rows written directly, with the dates the test needs (the services refuse the past)."""

    def __init__(self):
        self.by = UserFactory()
        self._minutes = 0

    def client(self, alias="Klient", *, register=Register.MAIN, **fields):
        return Client.objects.create(alias=alias, register=register, created_by=self.by,
                                     **fields)

    def enroll(self, client, unit, started_on, ended_on=None):
        return Enrollment.objects.create(client=client, unit=unit, started_on=started_on,
                                         ended_on=ended_on, created_by=self.by)

    def journal(self, client, unit):
        journal, _created = Journal.objects.get_or_create(client=client, unit=unit,
                                                          merged_into=None)
        return journal

    def entry(self, client, unit, day, kind=EntryKind.NOTE):
        return JournalEntry.objects.create(
            journal=self.journal(client, unit), unit=unit, kind=kind, event_date=day,
            author=self.by, text="x", state=EntryState.SIGNED,
        )

    def booking(self, client, unit, starts_at, status=BookingStatus.COMPLETED, contract=None):
        # Each booking its own staff member: PostgreSQL refuses overlapping times of one.
        return Booking.objects.create(
            unit=unit, kind=BookingKind.SESSION, client=client, staff=UserFactory(),
            starts_at=starts_at, ends_at=starts_at + timedelta(minutes=45), status=status,
            contract=contract, created_by=self.by,
        )

    def visit(self, unit, arrived_at, client=None, purpose=VisitPurpose.DROP_IN, **fields):
        return Visit.objects.create(unit=unit, purpose=purpose, client=client,
                                    arrived_at=arrived_at, registered_by=self.by, **fields)

    def queued(self, added_on, left_at=None, reason=""):
        return QueueEntry.objects.create(
            client=self.client(), added_on=added_on, source=QueueSource.RECEPTION,
            added_by=self.by, left_at=left_at, left_reason=reason,
        )

    def contract(self, client, unit, starts_on, ends_on, ended_on=None):
        return SessionContract.objects.create(
            journal=self.journal(client, unit), counsellor=self.by, weekday=2,
            start_time=time(10), starts_on=starts_on, ends_on=ends_on, ended_on=ended_on,
            term_year=starts_on.year,
            term_half=TermHalf.SPRING if starts_on.month <= 6 else TermHalf.AUTUMN,
            created_by=self.by,
        )


@pytest.fixture
def data():
    return Data()


@pytest.fixture
def contacts_registered_as_outreach(monkeypatch):
    """A unit app's contacts, as registry.client_contacts gives them: here the "meeting"
    bookings stand in for outreach's street contacts."""
    monkeypatch.setattr(registry.client_contacts, "_items", {})
    registry.client_contacts.register(ClientContacts(
        key="test.contacts", unit=OUTREACH,
        rows=lambda start, end: Booking.objects.filter(
            kind=BookingKind.MEETING, client__isnull=False, starts_at__gte=start,
            starts_at__lt=end,
        ).values("client_id", day=TruncDate("starts_at")).order_by(),
    ))


def table(years, key, year=YEAR):
    return next(t for t in stats.tables(years)[year] if t.key == key)


def cells(t):
    """{row label: values} of a table."""
    return {str(row.label): row.values for row in t.rows}


def column(t, label):
    index = [str(c) for c in t.columns].index(str(label))
    return {str(row.label): row.values[index] for row in t.rows}


# --- clients -----------------------------------------------------------------------------------


def test_each_kind_of_contact_makes_a_client_of_the_unit(data, contacts_registered_as_outreach):
    by_entry, by_booking, by_visit, by_contact = (data.client(a) for a in "ABCD")
    data.entry(by_entry, COUNSELLING, date(YEAR, 3, 1))
    data.booking(by_booking, SPIRALEN, local(date(YEAR, 3, 2)), BookingStatus.ARRIVED)
    data.visit(TRAFFICKING, local(date(YEAR, 3, 3)), client=by_visit)
    Booking.objects.create(
        unit=OUTREACH, kind=BookingKind.MEETING, client=by_contact, staff=data.by,
        starts_at=local(date(YEAR, 3, 4)), ends_at=local(date(YEAR, 3, 4), 13),
        created_by=data.by,
    )
    # Not contacts: a booking not kept, a missed session's entry, an anonymous visit, a
    # contact in another year.
    none = data.client("E")
    data.booking(none, COUNSELLING, local(date(YEAR, 4, 1)), BookingStatus.NO_SHOW)
    data.booking(none, COUNSELLING, local(date(YEAR, 4, 2)), BookingStatus.CANCELLED_BY_CLIENT)
    data.booking(none, COUNSELLING, local(date(YEAR, 4, 3)), BookingStatus.BOOKED)
    data.entry(none, COUNSELLING, date(YEAR, 4, 4), kind=EntryKind.NO_SHOW)
    data.entry(none, COUNSELLING, date(YEAR, 4, 5), kind=EntryKind.LATE_CANCELLATION)
    data.visit(COUNSELLING, local(date(YEAR, 4, 6)))
    data.entry(none, KAST, date(LAST, 12, 1))

    clients = column(table([YEAR], "clients-units"), "Klienter")
    assert clients == {
        COUNSELLING.label: 1, OUTREACH.label: 1, SPIRALEN.label: 1, TRAFFICKING.label: 1,
        KAST.label: 0, "Hela enheten": 4,
    }


def test_a_client_counts_once_per_unit_and_once_in_the_whole_unit(data):
    anna = data.client("Anna", gender=Gender.WOMAN)
    for day in (1, 2, 3):
        data.entry(anna, COUNSELLING, date(YEAR, 5, day))
    data.visit(COUNSELLING, local(date(YEAR, 5, 4)), client=anna)
    data.booking(anna, SPIRALEN, local(date(YEAR, 5, 5)))
    data.entry(anna, SPIRALEN, date(YEAR, 5, 6))

    t = table([YEAR], "clients-units")
    assert column(t, "Klienter") == {
        COUNSELLING.label: 1, OUTREACH.label: 0, SPIRALEN.label: 1, TRAFFICKING.label: 0,
        KAST.label: 0, "Hela enheten": 1,
    }
    assert cells(table([YEAR], "clients-gender"))["Kvinna"] == [1, 0, 1, 0, 0, 1]


def test_a_merged_away_client_counts_as_the_client_they_were_merged_into(data):
    survivor = data.client("Lina", gender=Gender.WOMAN)
    duplicate = data.client("Lina 2", gender=Gender.NOT_STATED)
    data.entry(survivor, COUNSELLING, date(YEAR, 2, 1))
    data.visit(COUNSELLING, local(date(YEAR, 2, 2)), client=duplicate)
    duplicate.merged_into = survivor
    duplicate.save()

    assert column(table([YEAR], "clients-units"), "Klienter")[COUNSELLING.label] == 1
    genders = column(table([YEAR], "clients-gender"), COUNSELLING.label)
    assert genders["Kvinna"] == 1
    assert genders["Uppgift saknas"] == 0


def test_a_client_is_new_in_one_unit_but_not_in_another(data):
    mira = data.client("Mira")
    data.enroll(mira, COUNSELLING, date(LAST, 9, 1), ended_on=date(LAST, 12, 1))
    data.enroll(mira, COUNSELLING, date(YEAR, 2, 1))  # back again: not new in counselling
    data.enroll(mira, SPIRALEN, date(YEAR, 3, 1))
    data.entry(mira, COUNSELLING, date(YEAR, 2, 10))
    data.entry(mira, SPIRALEN, date(YEAR, 3, 10))
    nadia = data.client("Nadia")  # new to the whole unit this year
    data.enroll(nadia, OUTREACH, date(YEAR, 6, 1))
    data.entry(nadia, OUTREACH, date(YEAR, 6, 1))
    old = data.client("Elin")  # enrolled this year but not seen: not counted at all
    data.enroll(old, TRAFFICKING, date(YEAR, 1, 5))

    both = stats.tables([LAST, YEAR])
    t = next(t for t in both[YEAR] if t.key == "clients-units")
    assert cells(t) == {
        COUNSELLING.label: [1, 0], OUTREACH.label: [1, 1], SPIRALEN.label: [1, 1],
        TRAFFICKING.label: [0, 0], KAST.label: [0, 0], "Hela enheten": [2, 1],
    }


def test_the_age_band_is_the_age_at_the_first_contact_of_the_year(data):
    # Turns 25 on 15 June: first seen in March, at 24, and again in August.
    turns_25 = data.client("A", identity_number="200006152384")
    data.entry(turns_25, COUNSELLING, date(YEAR, 3, 1))
    data.entry(turns_25, COUNSELLING, date(YEAR, 8, 1))
    # First seen in the clinic in August (25), in counselling only later: the whole unit
    # takes the first contact in any unit.
    data.entry(turns_25, SPIRALEN, date(YEAR, 8, 1))
    # A coordination number: day 71 is the 11th. 45 on 20 January (44 if read as day 71).
    coordination = data.client("B", identity_number="198001712385")
    data.visit(COUNSELLING, local(date(YEAR, 1, 20)), client=coordination)
    # Only a birth year: the year of the contact minus it.
    estimated = data.client("C", birth_year=2000)
    data.entry(estimated, COUNSELLING, date(YEAR, 1, 2))
    unknown = data.client("D")
    data.entry(unknown, COUNSELLING, date(YEAR, 1, 3))
    old = data.client("E", birth_year=1960)
    data.entry(old, COUNSELLING, date(YEAR, 12, 31))

    t = table([YEAR], "clients-age")
    assert column(t, COUNSELLING.label) == {
        "18–24 år": 1, "25–34 år": 1, "35–44 år": 0, "45–54 år": 1, "55 år eller äldre": 1,
        "Okänd ålder": 1,
    }
    assert column(t, SPIRALEN.label)["25–34 år"] == 1
    assert column(t, "Hela enheten")["18–24 år"] == 1
    assert t.column_totals and t.compare_column == len(stats.UNITS)


def test_clients_by_gender_and_born_in_sweden_every_choice_listed(data):
    for gender, born in [(Gender.WOMAN, BornInSweden.YES), (Gender.WOMAN, BornInSweden.NO),
                         (Gender.MAN, BornInSweden.NO), (Gender.TRANS_NONBINARY,
                                                         BornInSweden.UNKNOWN)]:
        client = data.client(gender=gender, born_in_sweden=born)
        data.entry(client, COUNSELLING, date(YEAR, 7, 1))
    kast = data.client(register=Register.KAST, gender=Gender.MAN, born_in_sweden=BornInSweden.YES)
    data.entry(kast, KAST, date(YEAR, 7, 1))

    genders = table([YEAR], "clients-gender")
    assert [str(row.label) for row in genders.rows] == [g.label for g in Gender]
    assert cells(genders) == {
        "Kvinna": [2, 0, 0, 0, 0, 2], "Man": [1, 0, 0, 0, 1, 2],
        "Trans/icke-binär": [1, 0, 0, 0, 0, 1], "Annat": [0] * 6, "Uppgift saknas": [0] * 6,
    }
    assert cells(table([YEAR], "clients-born-in-sweden")) == {
        "Ja": [1, 0, 0, 0, 1, 2], "Nej": [2, 0, 0, 0, 0, 2], "Vet ej": [1, 0, 0, 0, 0, 1],
    }


def test_clients_year_boundary_in_stockholm_time(data):
    december = data.client("December")
    # 23:30 on 31 December in Stockholm is 22:30 UTC: still that year.
    data.visit(COUNSELLING, local(date(LAST, 12, 31), 23, 30), client=december)
    january = data.client("Januari")
    # 00:30 on 1 January in Stockholm is 23:30 UTC the day before: the new year.
    data.booking(january, COUNSELLING, local(date(YEAR, 1, 1), 0, 30))

    both = stats.tables([LAST, YEAR])
    units = {year: next(t for t in both[year] if t.key == "clients-units") for year in both}
    assert column(units[LAST], "Klienter")[COUNSELLING.label] == 1
    assert column(units[YEAR], "Klienter")[COUNSELLING.label] == 1
    # The January client's age band is counted in the new year (no birth data: not known).
    age = next(t for t in both[YEAR] if t.key == "clients-age")
    assert column(age, COUNSELLING.label)["Okänd ålder"] == 1


# --- reception ---------------------------------------------------------------------------------


def test_visits_by_unit_purpose_month_and_anonymous(data):
    client = data.client()
    data.visit(COUNSELLING, local(date(YEAR, 1, 10)), client=client, purpose=VisitPurpose.BOOKED)
    data.visit(COUNSELLING, local(date(YEAR, 1, 11)), purpose=VisitPurpose.INFORMATION,
               gender=Gender.WOMAN, age_band=AgeBand.FROM_25)
    data.visit(SPIRALEN, local(date(YEAR, 3, 5)), client=client, purpose=VisitPurpose.CLINIC)
    data.visit(COUNSELLING, local(date(YEAR, 12, 31), 23, 30), purpose=VisitPurpose.DROP_IN,
               gender=Gender.MAN, age_band=AgeBand.FROM_55)
    data.visit(COUNSELLING, local(date(YEAR + 1, 1, 1), 0, 30), purpose=VisitPurpose.DROP_IN)
    data.visit(COUNSELLING, local(date(LAST, 12, 31), 23, 59), purpose=VisitPurpose.DROP_IN)

    both = stats.tables([LAST, YEAR])
    by_key = {t.key: t for t in both[YEAR]}
    purposes = by_key["clients-visits"]
    assert purposes.row_totals and purposes.column_totals
    assert cells(purposes) == {
        "Bokad tid": [1, 0, 0, 0, 0], "Spontanbesök": [1, 0, 0, 0, 0],
        "Information och rådgivning": [1, 0, 0, 0, 0], "Praktisk hjälp": [0] * 5,
        "Mottagningen Spiralen": [0, 0, 1, 0, 0],
    }
    months = cells(by_key["clients-visits-month"])
    assert len(months) == 12
    assert months["Januari"] == [1, 1]
    assert months["Mars"] == [1, 0]
    assert months["December"] == [0, 1]
    anonymous = cells(by_key["clients-visits-anonymous"])
    assert anonymous["25–34 år"] == [1, 0, 0, 0, 0]
    assert anonymous["55 år eller äldre"] == [0, 1, 0, 0, 0]
    last_year = cells(next(t for t in both[LAST] if t.key == "clients-visits-month"))
    assert last_year["December"] == [0, 1]
    assert sum(sum(v) for v in last_year.values()) == 1


# --- the queue ---------------------------------------------------------------------------------


def test_queue_added_left_by_reason_and_length_at_the_year_end(data):
    data.queued(date(LAST, 11, 1))  # waiting since last year
    data.queued(date(LAST, 12, 1), local(date(YEAR, 2, 1)), QueueRemoval.OFFERED)
    data.queued(date(YEAR, 1, 5), local(date(YEAR, 12, 31), 23, 30), QueueRemoval.OFFERED)
    data.queued(date(YEAR, 2, 5), local(date(YEAR, 3, 1)), QueueRemoval.NO_CONTACT)
    data.queued(date(YEAR, 2, 6), local(date(YEAR, 3, 1)), QueueRemoval.NOT_WANTED)
    data.queued(date(YEAR, 3, 1), local(date(YEAR + 1, 1, 1), 0, 30),
                QueueRemoval.STARTED_ELSEWHERE)  # left in the new year: waiting at the end
    data.queued(date(YEAR, 4, 1), local(date(YEAR, 4, 2)))  # left in a merge: no reason
    data.queued(date(YEAR, 10, 1))

    both = stats.tables([LAST, YEAR])
    queue = {year: cells(next(t for t in both[year] if t.key == "clients-queue"))
             for year in both}
    assert queue[YEAR] == {
        "Satta i kö": [6], "Erbjuden plats": [2], "Påbörjat på annat håll": [0],
        "Vill inte längre": [1], "Ingen kontakt": [1], "I kö vid årets slut": [3],
    }
    assert queue[LAST]["Satta i kö"] == [2]
    assert queue[LAST]["I kö vid årets slut"] == [2]


def test_waiting_time_median_and_longest_for_those_offered_a_place(data):
    # This year: waits of 10, 20, 30 and 100 days → median 25, longest 100.
    offered = local(date(YEAR, 6, 1))
    for days in (30, 10, 100, 20):
        data.queued(date(YEAR, 6, 1) - timedelta(days=days), offered, QueueRemoval.OFFERED)
    # Left for another reason: no waiting time.
    data.queued(date(YEAR, 1, 1), offered, QueueRemoval.NO_CONTACT)
    # Last year: 5, 7 and 40 days → median 7. Offered at 23:30 local on 31 December.
    for days in (40, 5, 7):
        data.queued(date(LAST, 12, 31) - timedelta(days=days), local(date(LAST, 12, 31), 23, 30),
                    QueueRemoval.OFFERED)

    both = stats.tables([LAST, YEAR])
    waits = {year: next(t for t in both[year] if t.key == "clients-queue-wait") for year in both}
    assert [(row.values, row.measure, row.basis) for row in waits[YEAR].rows] == [
        ([25], True, [4]), ([100], True, [4]),
    ]
    assert [row.values for row in waits[LAST].rows] == [[7], [40]]
    assert waits[LAST].rows[0].basis == [3]


def test_no_one_offered_gives_no_waiting_time(data):
    t = table([YEAR], "clients-queue-wait")
    assert [(row.values, row.basis) for row in t.rows] == [([None], [0]), ([None], [0])]


def test_an_odd_number_offered_takes_the_middle_one(data):
    for days in (3, 9, 4, 50, 8):
        data.queued(date(YEAR, 5, 1) - timedelta(days=days), local(date(YEAR, 5, 1)),
                    QueueRemoval.OFFERED)
    assert table([YEAR], "clients-queue-wait").rows[0].values == [8]


# --- contracted sessions -----------------------------------------------------------------------


def test_contracted_sessions_by_outcome_per_unit(data):
    anna = data.client("Anna")
    karl = data.client("Karl", register=Register.KAST)
    counselling = data.contract(anna, COUNSELLING, date(YEAR, 1, 1), date(YEAR, 6, 30))
    kast = data.contract(karl, KAST, date(YEAR, 1, 1), date(YEAR, 6, 30))
    week = timedelta(days=7)
    first = local(date(YEAR, 1, 7), 10)
    for n, status in enumerate([BookingStatus.COMPLETED, BookingStatus.COMPLETED,
                                BookingStatus.ARRIVED, BookingStatus.NO_SHOW,
                                BookingStatus.CANCELLED_BY_CLIENT,
                                BookingStatus.CANCELLED_BY_UNIT, BookingStatus.BOOKED]):
        data.booking(anna, COUNSELLING, first + n * week, status, contract=counselling)
    data.booking(karl, KAST, first, BookingStatus.COMPLETED, contract=kast)
    data.booking(karl, KAST, first + week, BookingStatus.NO_SHOW, contract=kast)
    # Not contracted sessions: not counted here.
    data.booking(anna, COUNSELLING, first + 20 * week, BookingStatus.COMPLETED)
    # The new year by Stockholm time.
    data.booking(karl, KAST, local(date(YEAR + 1, 1, 1), 0, 30), BookingStatus.COMPLETED,
                 contract=kast)

    t = table([YEAR], "clients-sessions")
    assert t.row_totals and t.column_totals
    assert cells(t) == {
        "Genomförda": [3, 1], "Avbokad av klienten": [1, 0], "Avbokad av enheten": [1, 0],
        "Uteblivna": [1, 1],
    }


def test_clients_in_counselling_have_a_contract_active_in_the_year(data):
    def client_with(unit, starts_on, ends_on, ended_on=None, register=Register.MAIN):
        client = data.client(register=register)
        data.contract(client, unit, starts_on, ends_on, ended_on)
        return client

    twice = client_with(COUNSELLING, date(YEAR, 1, 10), date(YEAR, 6, 30))
    data.contract(twice, COUNSELLING, date(YEAR, 8, 1), date(YEAR, 12, 31))  # one client, two terms
    client_with(COUNSELLING, date(LAST, 8, 1), date(LAST, 12, 31))  # last year only
    client_with(COUNSELLING, date(YEAR, 8, 1), date(YEAR, 12, 31), ended_on=date(YEAR, 9, 1))
    # Ended before it began: never active.
    client_with(COUNSELLING, date(YEAR, 8, 1), date(YEAR, 12, 31), ended_on=date(YEAR, 7, 1))
    client_with(COUNSELLING, date(LAST, 8, 1), date(LAST, 12, 31), ended_on=date(LAST, 12, 1))
    client_with(KAST, date(YEAR, 1, 1), date(YEAR, 6, 30), register=Register.KAST)

    both = stats.tables([LAST, YEAR])
    counts = {year: cells(next(t for t in both[year] if t.key == "clients-in-counselling"))
              for year in both}
    assert counts[YEAR] == {COUNSELLING.label: [2], KAST.label: [1]}
    assert counts[LAST] == {COUNSELLING.label: [2], KAST.label: [0]}


def test_goals_evaluated_by_outcome_per_unit(data):
    anna = data.client()
    karl = data.client(register=Register.KAST)
    counselling = data.contract(anna, COUNSELLING, date(YEAR, 1, 1), date(YEAR, 6, 30))
    kast = data.contract(karl, KAST, date(YEAR, 1, 1), date(YEAR, 6, 30))

    def goal(contract, outcome="", evaluated_at=None):
        Goal.objects.create(contract=contract, text="Mål", outcome=outcome,
                            status=GoalStatus.CLOSED if outcome else GoalStatus.OPEN,
                            evaluated_at=evaluated_at, created_by=data.by)

    goal(counselling, GoalOutcome.ACHIEVED, local(date(YEAR, 6, 10)))
    goal(counselling, GoalOutcome.ACHIEVED, local(date(YEAR, 12, 31), 23, 30))
    goal(counselling, GoalOutcome.PARTLY, local(date(YEAR, 6, 10)))
    goal(counselling)  # not evaluated
    goal(kast, GoalOutcome.NOT_ACHIEVED, local(date(YEAR, 6, 12)))
    goal(kast, GoalOutcome.ACHIEVED, local(date(YEAR + 1, 1, 1), 0, 30))  # next year

    t = table([YEAR], "clients-goals")
    assert cells(t) == {"Uppnått": [2, 0], "Delvis uppnått": [1, 0], "Inte uppnått": [0, 1]}


# --- both years, every table, the query bound --------------------------------------------------


def test_both_years_are_returned_each_with_its_own_figures(data):
    client = data.client()
    data.entry(client, COUNSELLING, date(LAST, 5, 1))
    for day in (1, 2):
        data.entry(data.client(), COUNSELLING, date(YEAR, 5, day))

    both = stats.tables([LAST, YEAR])
    assert set(both) == {LAST, YEAR}
    keys = [t.key for t in both[YEAR]]
    assert keys == [t.key for t in both[LAST]]
    assert len(set(keys)) == len(keys)
    assert all(key.startswith("clients-") for key in keys)
    units = {year: column(next(t for t in both[year] if t.key == "clients-units"), "Klienter")
             for year in both}
    assert units[LAST][COUNSELLING.label] == 1
    assert units[YEAR][COUNSELLING.label] == 2


def test_no_table_names_a_person(data):
    anna = data.client("Anna Hemlig", identity_number="200006152384")
    data.entry(anna, COUNSELLING, date(YEAR, 5, 1))
    data.visit(COUNSELLING, local(date(YEAR, 5, 2)), client=anna)
    text = repr([t.to_dict() for t in stats.tables([YEAR])[YEAR]])
    assert "Hemlig" not in text
    assert "200006152384" not in text


def _some_of_everything(data, n):
    for i in range(n):
        client = data.client(birth_year=1980 + i)
        data.enroll(client, COUNSELLING, date(YEAR, 1, 1 + i))
        data.entry(client, COUNSELLING, date(YEAR, 2, 1 + i))
        data.entry(client, SPIRALEN, date(LAST, 2, 1 + i))
        data.visit(COUNSELLING, local(date(YEAR, 3, 1 + i)), client=client)
        data.visit(COUNSELLING, local(date(YEAR, 3, 1 + i), 14))
        contract = data.contract(client, COUNSELLING, date(YEAR, 1, 1), date(YEAR, 6, 30))
        data.booking(client, COUNSELLING, local(date(YEAR, 4, 1 + i), 10), contract=contract)
        Goal.objects.create(contract=contract, text="Mål", outcome=GoalOutcome.PARTLY,
                            evaluated_at=local(date(YEAR, 6, 1)), created_by=data.by)
        data.queued(date(YEAR, 1, 1 + i), local(date(YEAR, 3, 1 + i)), QueueRemoval.OFFERED)


def test_the_number_of_queries_does_not_grow_with_the_data(
    data, django_assert_num_queries, django_assert_max_num_queries
):
    _some_of_everything(data, 2)
    with django_assert_num_queries(8):
        stats.tables([LAST, YEAR])
    _some_of_everything(data, 6)
    with django_assert_max_num_queries(8):
        few_years = stats.tables([YEAR])
    with django_assert_max_num_queries(8):
        many_years = stats.tables([YEAR - 3, YEAR - 2, LAST, YEAR])
    assert [t.to_dict() for t in few_years[YEAR]] == [t.to_dict() for t in many_years[YEAR]]


def test_the_provider_is_registered():
    provider = next(p for p in registry.statistics if p.key == "clients")
    assert provider.tables is stats.tables
    assert provider.order == 10


def test_the_demo_spreads_reception_and_counselling_over_three_years(settings):
    from io import StringIO

    from django.core.management import call_command

    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())
    this_year = timezone.localdate().year
    years = [this_year - 2, this_year - 1, this_year]
    figures = stats.tables(years)
    visits = {}
    for year in years:
        by_key = {t.key: t for t in figures[year]}
        visits[year] = sum(sum(row.values) for row in by_key["clients-visits"].rows)
        assert 150 <= visits[year] <= 500
        assert cells(by_key["clients-sessions"])["Genomförda"][0] > 50
        assert cells(by_key["clients-queue"])["Erbjuden plats"][0] > 5
        assert sum(row.values[0] for row in by_key["clients-goals"].rows) > 5
        assert column(by_key["clients-units"], "Klienter")[COUNSELLING.label] > 20
    assert len(set(visits.values())) == 3  # the years differ
    # Today's reception is as before: a queue of fifteen, the history closed.
    assert QueueEntry.objects.filter(left_at__isnull=True).count() == 15
    assert not Visit.objects.filter(
        closed_at__isnull=True, arrived_at__lt=timezone.now() - timedelta(days=1)
    ).exists()
