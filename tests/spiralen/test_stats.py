"""The clinic's yearly figures (issue 11): visits by appointment type and by profession (held
appointments only), samples taken and positive results by kind, patients by gender counted
once; the year boundary in Stockholm time; both years asked for; the query bound. And the
demo's history behind the figures: records as the services would have left them."""

import itertools
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from clients import access
from clients import services as client_services
from clients.models import (
    HOLDING_STATUSES,
    Booking,
    BookingKind,
    BookingStatus,
    ClientGroupObjectPermission,
    ClientUserObjectPermission,
    Enrollment,
    Gender,
    JournalEntry,
    JournalGroupObjectPermission,
    JournalUserObjectPermission,
    Room,
)
from prostenhet import registry
from prostenhet.roles import Profession, Role, UnitCode
from spiralen import stats
from spiralen.demo import History
from spiralen.models import (
    Appointment,
    AppointmentCode,
    AppointmentType,
    Encounter,
    Sample,
    SampleKind,
    SampleResult,
    SampleState,
)
from tests.factories import UserFactory
from tests.world import signed_entry

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=10, minute=0):
    """An aware datetime in Stockholm time."""
    return timezone.make_aware(datetime.combine(datetime(year, month, day).date(),
                                                time(hour, minute)))


def clinician(profession):
    user = UserFactory(role=Role.CLINICIAN)
    user.profession = profession
    user.save(update_fields=["profession"])
    return user


def visit(client, staff, starts, code=AppointmentCode.MIDWIFE_VISIT,
          status=BookingStatus.COMPLETED, *, appointment=True, unit=UnitCode.SPIRALEN):
    booking = Booking.objects.create(
        unit=unit, kind=BookingKind.VISIT, client=client, staff=staff, starts_at=starts,
        ends_at=starts + timedelta(minutes=30), status=status, created_by=staff,
    )
    if appointment:
        Appointment.objects.create(booking=booking,
                                   type=AppointmentType.objects.get(code=code))
    return booking


def patient(world, alias, gender):
    return client_services.register_client(unit=UnitCode.SPIRALEN, by=world.cl, alias=alias,
                                           gender=gender)


def sample(world, kind, taken_at, result="", result_at=None, *, client=None):
    """A sample of its own signed encounter entry, taken and answered when given."""
    journal = (client or world.anna).journals.get(unit=UnitCode.SPIRALEN)
    entry = signed_entry(journal, world.cl, "Provtagning.")
    return Sample.objects.create(
        journal=journal, entry=entry, kind=kind, taken_by=world.cl, taken_at=taken_at,
        state=SampleState.RESULT if result else SampleState.SENT,
        sent_at=taken_at + timedelta(hours=1), sent_by=world.cl,
        result=result, result_at=result_at, result_by=world.cl if result else None,
    )


def table(tables, key):
    return next(t for t in tables if t.key == key)


def values(t):
    return {str(row.label): row.values for row in t.rows}


# --- visits ------------------------------------------------------------------------------------


def test_visits_are_held_appointments_by_type_and_profession(world):
    gyn, doctor = clinician(Profession.GYNAECOLOGIST), clinician(Profession.PHYSICIAN)
    anna = world.anna
    visit(anna, world.cl, at(2025, 3, 3), AppointmentCode.MIDWIFE_VISIT)
    visit(anna, world.cl, at(2025, 3, 4), AppointmentCode.STI_TESTING, BookingStatus.ARRIVED)
    visit(anna, gyn, at(2025, 5, 5), AppointmentCode.GYN_EXAMINATION)
    # Not visits: not held, no appointment, another unit.
    visit(anna, doctor, at(2025, 6, 2), AppointmentCode.PHYSICIAN, BookingStatus.NO_SHOW)
    visit(anna, doctor, at(2025, 6, 3), AppointmentCode.PHYSICIAN,
          BookingStatus.CANCELLED_BY_CLIENT)
    visit(anna, doctor, at(2025, 6, 4), AppointmentCode.PHYSICIAN,
          BookingStatus.CANCELLED_BY_UNIT)
    visit(anna, doctor, at(2025, 6, 5), AppointmentCode.PHYSICIAN, BookingStatus.BOOKED)
    visit(anna, world.cl, at(2025, 6, 9), appointment=False)
    visit(anna, world.co, at(2025, 6, 10), appointment=False, unit=UnitCode.COUNSELLING)
    # 2026.
    visit(anna, doctor, at(2026, 2, 4), AppointmentCode.PHYSICIAN)

    result = stats.tables([2025, 2026])

    by_type = values(table(result[2025], "spiralen-visits-by-type"))
    assert by_type == {
        str(code.label): [{AppointmentCode.MIDWIFE_VISIT: 1, AppointmentCode.STI_TESTING: 1,
                           AppointmentCode.GYN_EXAMINATION: 1}.get(code, 0)]
        for code in AppointmentCode
    }
    by_profession = values(table(result[2025], "spiralen-visits-by-profession"))
    assert by_profession == {"Barnmorska": [2], "Gynekolog": [1], "Läkare": [0],
                             "Psykiatriker": [0]}
    assert values(table(result[2026], "spiralen-visits-by-type"))["Läkarkonsultation"] == [1]
    assert values(table(result[2026], "spiralen-visits-by-profession"))["Läkare"] == [1]
    assert sum(v[0] for v in values(table(result[2026], "spiralen-visits-by-type")).values()) == 1


def test_a_visit_belongs_to_the_year_of_its_start_in_stockholm_time(world):
    # 31 December 23:30 in Stockholm is 22:30 UTC; 1 January 00:30 is 23:30 UTC the day before.
    late = at(2025, 12, 31, 23, 30)
    early = at(2026, 1, 1, 0, 30)
    assert late.astimezone(UTC).hour == 22
    assert early.astimezone(UTC).day == 31
    visit(world.anna, world.cl, late, AppointmentCode.STI_TESTING)
    visit(world.anna, world.cl, early, AppointmentCode.CONTRACEPTION)

    result = stats.tables([2025, 2026])

    assert values(table(result[2025], "spiralen-visits-by-type"))[
        "Provtagning för STI och hiv"] == [1]
    assert values(table(result[2025], "spiralen-visits-by-type"))[
        "Preventivmedelsrådgivning"] == [0]
    assert values(table(result[2026], "spiralen-visits-by-type"))[
        "Preventivmedelsrådgivning"] == [1]
    assert values(table(result[2026], "spiralen-visits-by-type"))[
        "Provtagning för STI och hiv"] == [0]


# --- samples -----------------------------------------------------------------------------------


def test_samples_taken_in_the_year_and_positive_results_registered_in_it(world):
    sample(world, SampleKind.CHLAMYDIA, at(2025, 6, 1), SampleResult.NEGATIVE, at(2025, 6, 5))
    # Taken on New Year's Eve, positive on New Year's Day: taken in 2025, positive in 2026.
    sample(world, SampleKind.CHLAMYDIA, at(2025, 12, 31, 23, 30), SampleResult.POSITIVE,
           at(2026, 1, 1, 0, 30))
    sample(world, SampleKind.GONORRHOEA, at(2025, 3, 3), SampleResult.POSITIVE, at(2025, 3, 7))
    # Taken the year before, positive in 2025.
    sample(world, SampleKind.SYPHILIS, at(2024, 12, 31, 22), SampleResult.POSITIVE,
           at(2025, 1, 3))
    sample(world, SampleKind.HIV, at(2025, 9, 1), SampleResult.INCONCLUSIVE, at(2025, 9, 9))
    sample(world, SampleKind.HIV, at(2026, 1, 1, 0, 30))  # waiting for its result
    sample(world, SampleKind.PREGNANCY, at(2026, 2, 2), SampleResult.POSITIVE, at(2026, 2, 2))

    result = stats.tables([2025, 2026])

    counted = values(table(result[2025], "spiralen-samples"))
    assert counted == {
        "Hiv": [1, 0], "Syfilis": [0, 1], "Hepatit B": [0, 0], "Hepatit C": [0, 0],
        "Klamydia": [2, 0], "Gonorré": [1, 1], "Cellprov/HPV": [0, 0],
        "Graviditetstest": [0, 0],
    }
    counted = values(table(result[2026], "spiralen-samples"))
    assert counted["Klamydia"] == [0, 1]
    assert counted["Hiv"] == [1, 0]
    assert counted["Graviditetstest"] == [1, 1]
    assert counted["Syfilis"] == [0, 0]


# --- patients ----------------------------------------------------------------------------------


def test_patients_by_gender_count_each_patient_once_a_year(world):
    man = patient(world, "Kod 1001", Gender.MAN)
    robin = patient(world, "Kod 1002", Gender.TRANS_NONBINARY)
    absent = patient(world, "Kod 1003", Gender.OTHER)
    kim = patient(world, "Kod 1004", Gender.NOT_STATED)
    # Anna (a woman) three times in 2025, one of them on New Year's Eve late.
    visit(world.anna, world.cl, at(2025, 2, 3), AppointmentCode.STI_TESTING)
    visit(world.anna, world.cl, at(2025, 8, 4), AppointmentCode.CONTRACEPTION)
    visit(world.anna, world.cl, at(2025, 12, 31, 23, 30), AppointmentCode.MIDWIFE_VISIT)
    visit(man, world.cl, at(2025, 4, 7), AppointmentCode.STI_TESTING)
    # Robin only on New Year's Day just after midnight: 2026.
    visit(robin, world.cl, at(2026, 1, 1, 0, 30), AppointmentCode.STI_TESTING)
    # Never came.
    visit(absent, world.cl, at(2025, 5, 5), AppointmentCode.STI_TESTING, BookingStatus.NO_SHOW)
    visit(kim, world.cl, at(2026, 3, 3), AppointmentCode.STI_TESTING, BookingStatus.ARRIVED)
    visit(world.anna, world.cl, at(2026, 3, 4), AppointmentCode.STI_TESTING)

    result = stats.tables([2025, 2026])

    gender_table = table(result[2025], "spiralen-patients-by-gender")
    assert [str(row.label) for row in gender_table.rows] == [str(g.label) for g in Gender]
    assert gender_table.column_totals
    assert values(gender_table) == {
        "Kvinna": [1], "Man": [1], "Trans/icke-binär": [0], "Annat": [0], "Uppgift saknas": [0],
    }
    assert values(table(result[2026], "spiralen-patients-by-gender")) == {
        "Kvinna": [1], "Man": [0], "Trans/icke-binär": [1], "Annat": [0], "Uppgift saknas": [1],
    }


# --- the tables --------------------------------------------------------------------------------


def test_every_year_has_the_same_tables_with_every_choice_even_without_data(world):
    result = stats.tables([2024, 2025])
    assert set(result) == {2024, 2025}
    for year in (2024, 2025):
        keys = [t.key for t in result[year]]
        assert keys == ["spiralen-visits-by-type", "spiralen-visits-by-profession",
                        "spiralen-samples", "spiralen-patients-by-gender"]
        assert all(t.unit == UnitCode.SPIRALEN and t.column_totals for t in result[year])
        assert not any(t.row_totals for t in result[year])
        assert len(table(result[year], "spiralen-visits-by-type").rows) == len(AppointmentCode)
        assert len(table(result[year], "spiralen-samples").rows) == len(SampleKind)
        assert all(v == 0 for t in result[year] for row in t.rows for v in row.values)


def test_the_tables_name_no_one(world):
    someone = patient(world, "Kod Qx-7731", Gender.WOMAN)
    visit(someone, world.cl, at(2025, 2, 3), AppointmentCode.STI_TESTING)
    sample(world, SampleKind.CHLAMYDIA, at(2025, 2, 3), SampleResult.POSITIVE, at(2025, 2, 7),
           client=someone)
    text = repr([t.to_dict() for t in stats.tables([2025])[2025]])
    for personal in [someone.alias, str(someone.public_id),
                     world.cl.username, world.cl.get_full_name()]:
        assert personal not in text


def test_the_clinic_provides_its_tables_to_the_statistics_page():
    provider = next(p for p in registry.statistics if p.key == "spiralen")
    assert provider.tables is stats.tables and provider.order == 20


# --- queries -----------------------------------------------------------------------------------


def add_year_of_activity(world, year, n, hour=10):
    clients = [patient(world, f"Kod {year}-{hour}-{i}", Gender.WOMAN) for i in range(n)]
    for i, client in enumerate(clients):
        visit(client, world.cl, at(year, 3, 2 + i, hour), AppointmentCode.STI_TESTING)
        sample(world, SampleKind.CHLAMYDIA, at(year, 3, 2 + i), SampleResult.POSITIVE,
               at(year, 3, 9 + i), client=client)


def test_three_queries_however_much_data_and_however_many_years(
    world, django_assert_max_num_queries
):
    add_year_of_activity(world, 2025, 2)
    with django_assert_max_num_queries(3):
        small = stats.tables([2024, 2025])
    add_year_of_activity(world, 2024, 6)
    add_year_of_activity(world, 2025, 8, hour=13)
    with django_assert_max_num_queries(3):
        large = stats.tables([2024, 2025])
    with django_assert_max_num_queries(3):
        stats.tables([2022, 2023, 2024, 2025])
    assert values(table(small[2025], "spiralen-samples"))["Klamydia"] == [2, 2]
    assert values(table(large[2025], "spiralen-samples"))["Klamydia"] == [10, 10]
    assert values(table(large[2024], "spiralen-patients-by-gender"))["Kvinna"] == [6]


# --- the demo's history ------------------------------------------------------------------------


def test_the_demo_history_is_what_the_services_would_have_left(world):
    gyn, doctor = clinician(Profession.GYNAECOLOGIST), clinician(Profession.PHYSICIAN)
    staff = {"barnmorska": world.cl, "gynekolog": gyn, "lakare": doctor, "assistent": world.oa}
    types = {t.code: t for t in AppointmentType.objects.all()}
    room = Room.objects.create(name="Undersökningsrum", unit=UnitCode.SPIRALEN)
    now = timezone.now()
    today = timezone.localdate(now)
    history = History(staff, types, room, today - timedelta(days=70), now).seed()
    assert history["held"] > 30 and history["patients"] > 10 and history["samples"] > 30

    booked = Booking.objects.filter(unit=UnitCode.SPIRALEN).select_related("appointment__type")
    assert all(timezone.localdate(b.starts_at) < today for b in booked)
    # Each held visit has its signed encounter of the appointment's type; nothing else has one.
    for booking in booked:
        entries = list(booking.entries.select_related("encounter"))
        if booking.status == BookingStatus.COMPLETED:
            assert len(entries) == 1 and entries[0].is_signed
            assert entries[0].encounter.kind == booking.appointment.type.code
            assert entries[0].author_id == booking.staff_id
        else:
            assert entries == []
    # No one double-booked (PostgreSQL's exclusion constraints say the same).
    # (Two bookings at one time are fine with different staff and no room, or other rooms.)
    holding = list(booked.filter(status__in=HOLDING_STATUSES))
    for first, second in itertools.combinations(holding, 2):
        if first.starts_at < second.ends_at and second.starts_at < first.ends_at:
            assert first.staff_id is None or first.staff_id != second.staff_id
            assert first.room_id is None or first.room_id != second.room_id
    # The samples are those the encounter ordered, taken when it was signed.
    for encounter in Encounter.objects.select_related("entry").prefetch_related("entry__samples"):
        samples = list(encounter.entry.samples.all())
        assert sorted(encounter.sample_kinds) == sorted(s.kind for s in samples)
        assert all(s.taken_at == encounter.entry.signed_at for s in samples)
    # Registered (and enrolled) at the first booking or walk-in, never after.
    for enrollment in Enrollment.objects.filter(client__alias__startswith="Kod "):
        client = enrollment.client
        firsts = [b.created_at for b in client.bookings.all()] + [
            e.written_at for e in JournalEntry.objects.filter(journal__client=client)
        ]
        assert firsts and client.created_at <= min(firsts)
        assert enrollment.started_on == timezone.localdate(client.created_at)
    # The patients written in bulk have exactly the grants the service gives.
    grant_models = [ClientGroupObjectPermission, ClientUserObjectPermission,
                    JournalGroupObjectPermission, JournalUserObjectPermission]
    grants = [model.objects.count() for model in grant_models]
    for patient in booked.order_by("-client_id")[:3]:
        access.sync_client(patient.client)
    assert [model.objects.count() for model in grant_models] == grants
    # Nothing of the history waits on the follow-up list, and the clinicians see it all.
    from spiralen.services import follow_up

    assert follow_up(world.cl).total == 0
    assert access.visible_clients(world.cl).filter(alias__startswith="Kod ").count() == (
        history["patients"])
    # The figures count the held visits.
    years = sorted({b.starts_at.year for b in booked} | {today.year})
    result = stats.tables(years)
    assert sum(
        row.values[0] for year in years
        for row in table(result[year], "spiralen-visits-by-type").rows
    ) == history["held"]
