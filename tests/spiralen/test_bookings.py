"""The clinic's bookings (issue 9): consultation hours and their exceptions, the first free
times of a profession, booking one (once per form, never twice for one slot, never outside
the hours), the patient and the outreach referral a booking makes, what the clinic's schedule
shows to whom, and the appointment types' lengths. Days are future weekdays and `now` is
passed explicitly, so nothing depends on today's weekday."""

import threading
from datetime import time, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from clients.models import Booking, Enrollment, Gender, Referral, ReferralState
from prostenhet.exceptions import DomainError
from prostenhet.models import AccessLog
from prostenhet.roles import Profession, Role, UnitCode
from spiralen import services
from spiralen.models import (
    Appointment,
    AppointmentCode,
    AppointmentType,
    ConsultationHours,
    ExceptionReason,
    HoursException,
)
from tests.clients.helpers import at, main_html, next_weekday
from tests.factories import UserFactory, add_totp_device

pytestmark = pytest.mark.django_db


def a_type(code):
    return AppointmentType.objects.get(code=code)


def clinician(profession, **names):
    user = UserFactory(role=Role.CLINICIAN, **names)
    user.profession = profession
    user.save(update_fields=["profession"])
    add_totp_device(user)
    return user


@pytest.fixture
def clinic(world):
    """A future weekday on which the midwife `cl` works 09–12 and 13–16 and a gynaecologist
    09–12; `now` is 07:00 that morning."""
    day = next_weekday(3)
    gyn = clinician(Profession.GYNAECOLOGIST, first_name="Greta", last_name="Gynekolog")
    today = timezone.localdate()
    for who, start, end in [(world.cl, 9, 12), (world.cl, 13, 16), (gyn, 9, 12)]:
        services.add_hours(clinician=who, weekday=day.isoweekday(), starts=time(start),
                           ends=time(end), valid_from=today, by=world.cl)

    class Clinic:
        pass

    clinic = Clinic()
    clinic.day, clinic.gyn, clinic.now = day, gyn, at(day, 7)
    clinic.midwife_visit = a_type(AppointmentCode.MIDWIFE_VISIT)  # 30 min, midwife
    clinic.gyn_exam = a_type(AppointmentCode.GYN_EXAMINATION)  # 45 min, gynaecologist
    return clinic


def starts(free):
    return [timezone.localtime(f.starts_at).strftime("%H:%M") for f in free]


def book(world, clinic, start, *, by=None, client=None, type=None, staff=None, **extra):
    return services.book_appointment(
        appointment_type=type or clinic.midwife_visit, staff=staff or world.cl,
        starts_at=start, client=client or world.anna, by=by or world.oa, **extra,
    )


# --- free times -----------------------------------------------------------------------------------


def test_free_times_lie_in_the_hours_on_a_quarter_hour_grid(world, clinic):
    free = services.free_times(clinic.midwife_visit, from_day=clinic.day, days=1, limit=20,
                               now=clinic.now)
    assert {f.staff for f in free} == {world.cl}  # the gynaecologist takes no midwife visits
    assert starts(free) == [
        "09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "10:45", "11:00",
        "11:15", "11:30", "13:00", "13:15", "13:30", "13:45", "14:00", "14:15", "14:30",
        "14:45", "15:00",
    ]
    assert all(f.ends_at - f.starts_at == timedelta(minutes=30) for f in free)
    # At most `limit`, the earliest first.
    assert starts(services.free_times(clinic.midwife_visit, from_day=clinic.day, days=1,
                                      now=clinic.now)) == starts(free)[:8]


def test_free_times_are_of_the_types_profession_and_length(world, clinic):
    free = services.free_times(clinic.gyn_exam, from_day=clinic.day, days=1, limit=20,
                               now=clinic.now)
    assert {f.staff for f in free} == {clinic.gyn}
    assert starts(free)[-1] == "11:15"  # 45 minutes end by 12:00
    # A named clinician of another profession has none to offer.
    assert services.free_times(clinic.gyn_exam, from_day=clinic.day, staff=world.cl,
                               now=clinic.now) == []


def test_free_times_skip_booked_times_and_the_past(world, clinic):
    book(world, clinic, at(clinic.day, 9))
    free = services.free_times(clinic.midwife_visit, from_day=clinic.day, days=1,
                               now=clinic.now)
    assert starts(free)[:2] == ["09:30", "09:45"]  # 09:15 would overlap 09:00–09:30

    later = services.free_times(clinic.midwife_visit, from_day=clinic.day, days=1,
                                now=at(clinic.day, 10, 5))
    assert starts(later)[0] == "10:15"


def test_free_times_skip_a_cancelled_booking_no_more(world, clinic):
    appointment = book(world, clinic, at(clinic.day, 9))
    client_services.set_booking_status(appointment.booking, "cancelled_by_client", by=world.oa)
    free = services.free_times(clinic.midwife_visit, from_day=clinic.day, days=1,
                               now=clinic.now)
    assert starts(free)[0] == "09:00"


def test_free_times_skip_absence_and_days_the_clinic_is_closed(world, clinic):
    services.add_exception(clinician=world.cl, starts_on=clinic.day, ends_on=clinic.day,
                           reason=ExceptionReason.ABSENCE, by=world.cl)
    assert services.free_times(clinic.midwife_visit, from_day=clinic.day, days=1,
                               now=clinic.now) == []
    assert services.free_times(clinic.gyn_exam, from_day=clinic.day, days=1, now=clinic.now)

    services.add_exception(starts_on=clinic.day, ends_on=clinic.day,
                           reason=ExceptionReason.HOLIDAY, note="Helgdag", by=world.cl)
    assert services.free_times(clinic.gyn_exam, from_day=clinic.day, days=1,
                               now=clinic.now) == []
    # The next week's same weekday is open again.
    free = services.free_times(clinic.gyn_exam, from_day=clinic.day, now=clinic.now)
    assert free and timezone.localdate(free[0].starts_at) == clinic.day + timedelta(days=7)


def test_hours_by_day_honours_the_period_the_hours_hold(world, clinic):
    row = ConsultationHours.objects.get(clinician=clinic.gyn)
    services.end_hours(row, last_day=clinic.day, by=world.cl)
    hours = services.hours_by_day([clinic.gyn.pk], clinic.day, clinic.day + timedelta(days=7))
    assert hours == {(clinic.gyn.pk, clinic.day): [(time(9), time(12))]}


def test_free_times_run_a_fixed_number_of_queries(world, clinic, django_assert_num_queries):
    for hour in (9, 10, 11):
        book(world, clinic, at(clinic.day, hour))
    with django_assert_num_queries(4):  # clinicians, hours, exceptions, bookings
        services.free_times(clinic.midwife_visit, from_day=clinic.day, days=14, now=clinic.now)


# --- booking --------------------------------------------------------------------------------------


def test_a_time_outside_the_hours_is_refused_with_the_hours(world, clinic):
    with pytest.raises(DomainError, match="utanför mottagningstiderna") as refused:
        book(world, clinic, at(clinic.day, 11, 45))  # 11:45–12:15 runs past 12:00
    assert "09:00–12:00, 13:00–16:00" in refused.value.message
    assert refused.value.field == "starts_at"
    with pytest.raises(DomainError, match="ingen mottagningstid"):
        book(world, clinic, at(clinic.day + timedelta(days=1), 9))
    assert not Booking.objects.exists()


def test_a_clinician_of_another_profession_is_refused(world, clinic):
    with pytest.raises(DomainError, match="inte gynekolog") as refused:
        book(world, clinic, at(clinic.day, 9), type=clinic.gyn_exam, staff=world.cl)
    assert refused.value.field == "staff"
    with pytest.raises(DomainError, match="inte kliniker på Spiralen"):
        book(world, clinic, at(clinic.day, 9), staff=world.co)


def test_a_day_off_is_refused(world, clinic):
    services.add_exception(starts_on=clinic.day, ends_on=clinic.day,
                           reason=ExceptionReason.HOLIDAY, by=world.cl)
    with pytest.raises(DomainError, match="stängd"):
        book(world, clinic, at(clinic.day, 9))


def test_a_slot_is_booked_once(world, clinic):
    book(world, clinic, at(clinic.day, 9))
    with pytest.raises(DomainError, match="redan bokad"):
        book(world, clinic, at(clinic.day, 9, 15), client=world.petra)
    assert Booking.objects.filter(unit=UnitCode.SPIRALEN).count() == 1


def test_a_double_submit_with_one_token_books_once(world, clinic):
    first = book(world, clinic, at(clinic.day, 9), request_token="t" * 32)
    again = book(world, clinic, at(clinic.day, 9), request_token="t" * 32)
    assert first == again
    assert Appointment.objects.count() == 1 and Booking.objects.count() == 1


def test_the_office_assistant_books_a_gynaecological_examination_for_a_patient(world, clinic):
    before = Enrollment.objects.filter(client=world.anna, unit=UnitCode.SPIRALEN).count()
    appointment = book(world, clinic, at(clinic.day, 9), type=clinic.gyn_exam,
                       staff=clinic.gyn, interpreter_language="arabiska")
    booking = appointment.booking
    assert appointment.type == clinic.gyn_exam and appointment.referral is None
    assert (booking.unit, booking.staff, booking.client) == (UnitCode.SPIRALEN, clinic.gyn,
                                                             world.anna)
    assert booking.ends_at - booking.starts_at == timedelta(minutes=45)
    assert booking.interpreter_language == "arabiska"
    # Anna is a Spiralen patient already: no new enrolment.
    assert Enrollment.objects.filter(client=world.anna, unit=UnitCode.SPIRALEN).count() == before


def test_a_counselling_client_booked_at_the_clinic_becomes_a_patient(world, clinic):
    assert not world.petra.enrollments.active().filter(unit=UnitCode.SPIRALEN).exists()
    book(world, clinic, at(clinic.day, 9), client=world.petra)
    assert world.petra.enrollments.active().filter(unit=UnitCode.SPIRALEN).exists()


def test_a_client_out_of_sight_is_refused(world, clinic):
    with pytest.raises(DomainError, match="Du kan inte boka en tid för den klienten"):
        book(world, clinic, at(clinic.day, 9), client=world.olle)  # outreach's client
    with pytest.raises(DomainError, match="Välj vem tiden gäller"):
        services.book_appointment(appointment_type=clinic.midwife_visit, staff=world.cl,
                                  starts_at=at(clinic.day, 9), client=None, by=world.oa)


def test_an_outreach_worker_books_a_first_visit_with_a_referral_and_consent(world, clinic):
    with pytest.raises(DomainError, match="samtyckt") as refused:
        book(world, clinic, at(clinic.day, 9), by=world.ow, client=world.olle)
    assert refused.value.field == "consent_method"
    assert not Booking.objects.exists() and not Referral.objects.exists()

    appointment = book(world, clinic, at(clinic.day, 9), by=world.ow, client=world.olle,
                       consent_method="verbal", referral_message="Vill testa sig.")
    referral = Referral.objects.get(client=world.olle)
    assert (referral.from_unit, referral.to_unit) == (UnitCode.OUTREACH, UnitCode.SPIRALEN)
    assert referral.state == ReferralState.SENT and referral.message == "Vill testa sig."
    assert appointment.referral == referral
    assert world.olle.enrollments.active().filter(unit=UnitCode.SPIRALEN).exists()

    # A second time reuses the open referral.
    again = book(world, clinic, at(clinic.day, 10), by=world.ow, client=world.olle)
    assert again.referral == referral and Referral.objects.count() == 1


# --- hours, exceptions and lengths ----------------------------------------------------------------


def test_overlapping_hours_and_hours_outside_the_opening_hours_are_refused(world, clinic):
    weekday = clinic.day.isoweekday()
    with pytest.raises(DomainError, match="redan mottagningstid"):
        services.add_hours(clinician=world.cl, weekday=weekday, starts=time(11),
                           ends=time(14), valid_from=clinic.day, by=world.cl)
    with pytest.raises(DomainError, match="öppettiderna"):
        services.add_hours(clinician=world.cl, weekday=(weekday % 5) + 1, starts=time(7),
                           ends=time(9), valid_from=clinic.day, by=world.cl)
    with pytest.raises(DomainError, match="inte kliniker"):
        services.add_hours(clinician=world.co, weekday=weekday, starts=time(9),
                           ends=time(10), valid_from=clinic.day, by=world.cl)
    # Hours that start after the others end are fine.
    row = ConsultationHours.objects.get(clinician=clinic.gyn)
    services.end_hours(row, last_day=clinic.day, by=world.cl)
    services.add_hours(clinician=clinic.gyn, weekday=weekday, starts=time(10), ends=time(15),
                       valid_from=clinic.day + timedelta(days=1), by=world.cl)


def test_ending_hours_with_bookings_after_the_last_day_is_refused(world, clinic):
    book(world, clinic, at(clinic.day, 9), type=clinic.gyn_exam, staff=clinic.gyn)
    book(world, clinic, at(clinic.day, 10), type=clinic.gyn_exam, staff=clinic.gyn,
         client=world.petra)
    row = ConsultationHours.objects.get(clinician=clinic.gyn)
    with pytest.raises(DomainError, match="Det finns 2 bokade tider på de här tiderna efter"):
        services.end_hours(row, last_day=clinic.day - timedelta(days=1), by=world.cl)
    row.refresh_from_db()
    assert row.valid_until is None
    services.end_hours(row, last_day=clinic.day, by=world.cl)


def test_an_exception_over_booked_times_is_refused(world, clinic):
    book(world, clinic, at(clinic.day, 9))
    with pytest.raises(DomainError, match="Det finns 1 bokad tid"):
        services.add_exception(clinician=world.cl, starts_on=clinic.day, ends_on=clinic.day,
                               reason=ExceptionReason.ABSENCE, by=world.cl)
    with pytest.raises(DomainError, match="flytta eller avboka"):
        services.add_exception(starts_on=clinic.day, ends_on=clinic.day,
                               reason=ExceptionReason.HOLIDAY, by=world.cl)
    # The gynaecologist has nothing booked that day.
    exception = services.add_exception(clinician=clinic.gyn, starts_on=clinic.day,
                                       ends_on=clinic.day, reason=ExceptionReason.ABSENCE,
                                       by=world.cl)
    services.delete_exception(exception, by=world.cl)
    assert not HoursException.objects.exists()


def test_a_length_changes_with_the_version_it_was_read_at(world):
    kind = a_type(AppointmentCode.STI_TESTING)
    changed = services.set_appointment_length(kind, minutes=20, by=world.cl,
                                              expected_version=kind.version)
    assert changed.minutes == 20 and changed.version == kind.version + 1
    with pytest.raises(DomainError, match="Någon annan har ändrat"):
        services.set_appointment_length(kind, minutes=25, by=world.cl,
                                        expected_version=kind.version)
    with pytest.raises(DomainError, match="10–240 minuter"):
        services.set_appointment_length(changed, minutes=5, by=world.cl,
                                        expected_version=changed.version)


# --- the schedule ---------------------------------------------------------------------------------


def schedule(browser, day, **query):
    response = browser.get(reverse("spiralen:schedule"), {"date": day.isoformat(), **query})
    assert response.status_code == 200
    return main_html(response)


def test_the_office_assistant_sees_alias_and_profession_never_the_type(world, clinic, login):
    book(world, clinic, at(clinic.day, 9), type=clinic.gyn_exam, staff=clinic.gyn)
    book(world, clinic, at(clinic.day, 13), client=world.petra)
    reads = AccessLog.objects.count()

    page = schedule(login(world.oa), clinic.day)

    assert "Anna" in page and "Petra" in page
    assert "Spiralen – gynekolog" in page and "Spiralen – barnmorska" in page
    assert "09:00–09:45" in page and "13:00–13:30" in page and "Bokad" in page
    for kind in AppointmentType.objects.all():
        assert str(kind) not in page
    assert "09:00–12:00" in page  # the hours
    assert AccessLog.objects.count() == reads  # a list of aliases and times is no read


def test_the_clinician_sees_the_type(world, clinic, login):
    book(world, clinic, at(clinic.day, 9), type=clinic.gyn_exam, staff=clinic.gyn)
    page = schedule(login(world.cl), clinic.day)
    assert "Gynekologisk undersökning" in page and "Anna" in page


def test_the_outreach_worker_sees_the_time_but_not_a_client_out_of_sight(world, clinic, login):
    book(world, clinic, at(clinic.day, 9))
    page = schedule(login(world.ow), clinic.day)
    assert "09:00–09:30" in page and "Anna" not in page
    assert "Spiralen – barnmorska" in page and "Barnmorskebesök" not in page


def test_the_schedule_shows_absence_and_the_week(world, clinic, login):
    services.add_exception(clinician=clinic.gyn, starts_on=clinic.day, ends_on=clinic.day,
                           reason=ExceptionReason.ABSENCE, by=world.cl)
    book(world, clinic, at(clinic.day, 9))
    browser = login(world.oa)
    assert "Frånvarande" in schedule(browser, clinic.day)
    week = schedule(browser, clinic.day, week="1")
    assert "Frånvarande" in week and "Anna" in week and "Vecka" in week
    # A bad date falls back to today, never a 500.
    assert browser.get(reverse("spiralen:schedule"), {"date": "2026-13-45"}).status_code == 200


def many_bookings(world, clinic, count):
    """count bookings of 5 minutes for the midwife from 08:00, written directly."""
    for i in range(count):
        start = at(clinic.day, 8) + timedelta(minutes=5 * i)
        booking = Booking.objects.create(
            unit=UnitCode.SPIRALEN, staff=world.cl, client=[world.anna, world.petra][i % 2],
            starts_at=start, ends_at=start + timedelta(minutes=5), created_by=world.oa,
        )
        Appointment.objects.create(booking=booking, type=clinic.midwife_visit)


@pytest.mark.parametrize("week", ["", "1"])
def test_the_schedule_runs_a_fixed_number_of_queries(
    world, clinic, login, week, django_assert_max_num_queries
):
    browser = login(world.oa)
    many_bookings(world, clinic, 5)
    with django_assert_max_num_queries(20) as few:
        schedule(browser, clinic.day, week=week)
    for i in range(45):
        start = at(clinic.day, 13) + timedelta(minutes=5 * i)
        Appointment.objects.create(booking=Booking.objects.create(
            unit=UnitCode.SPIRALEN, staff=clinic.gyn, client=world.petra, starts_at=start,
            ends_at=start + timedelta(minutes=5), created_by=world.oa,
        ), type=clinic.gyn_exam)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = schedule(browser, clinic.day, week=week)
    assert page.count('data-testid="booking"') == 50


# --- the booking page -----------------------------------------------------------------------------


def search(browser, clinic, client, **extra):
    query = {"type": clinic.midwife_visit.pk, "client": client.public_id,
             "from_day": clinic.day.isoformat(), **extra}
    response = browser.get(reverse("spiralen:book"), query)
    assert response.status_code == 200
    return response


def post_slot(browser, clinic, client, start, staff, **extra):
    data = {"type": clinic.midwife_visit.pk, "client": client.public_id,
            "from_day": clinic.day.isoformat(), "request_token": "b" * 32,
            "interpreter_language": "", "slot": f"{staff.public_id}@{start.isoformat()}",
            **extra}
    return browser.post(reverse("spiralen:book"), data)


def test_the_booking_page_offers_free_times_and_books_one(world, clinic, login):
    browser = login(world.oa)
    first = browser.get(reverse("spiralen:book"), {"client": world.anna.public_id})
    assert first.status_code == 200 and "Anna" in main_html(first)

    page = main_html(search(browser, clinic, world.anna))
    assert 'data-testid="free-time"' in page and "09:00–09:30" in page
    assert 'name="request_token"' in page

    response = post_slot(browser, clinic, world.anna, at(clinic.day, 9), world.cl,
                         interpreter_language="tigrinja")
    assert response.status_code == 302
    assert response.url == reverse("spiralen:schedule") + f"?date={clinic.day.isoformat()}"
    booking = Booking.objects.get()
    assert booking.interpreter_language == "tigrinja"
    followed = browser.get(response.url)
    assert "Tiden är bokad:" in followed.content.decode()
    assert "Spiralen – barnmorska" in followed.content.decode()

    # The same form again (a double click): still one booking.
    again = post_slot(browser, clinic, world.anna, at(clinic.day, 9), world.cl)
    assert again.status_code == 302 and Booking.objects.count() == 1


def test_a_time_just_taken_is_refused_and_the_times_shown_again(world, clinic, login):
    book(world, clinic, at(clinic.day, 9), client=world.petra)
    browser = login(world.oa)
    response = post_slot(browser, clinic, world.anna, at(clinic.day, 9), world.cl,
                         interpreter_language="persiska")
    assert response.status_code == 200
    page = main_html(response)
    assert "redan bokad" in page
    assert 'data-testid="free-time"' in page and "09:30–10:00" in page
    assert 'value="persiska"' in page  # nothing typed is lost
    assert Booking.objects.count() == 1


def test_bad_input_gives_swedish_errors_never_a_500(world, clinic, login):
    browser = login(world.oa)
    response = post_slot(browser, clinic, world.anna, at(clinic.day, 9), world.cl,
                         slot="inte-en-tid")
    assert response.status_code == 200 and "Välj en av de lediga tiderna" in main_html(response)
    response = post_slot(browser, clinic, world.olle, at(clinic.day, 9), world.cl)
    assert response.status_code == 200
    assert "Du kan inte boka en tid för den klienten" in main_html(response)
    response = browser.get(reverse("spiralen:book"), {"type": "999", "client": "x",
                                                      "from_day": "igår"})
    assert response.status_code == 200 and "Välj en av besökstyperna" in main_html(response)
    wrong = search(browser, clinic, world.anna, type=clinic.gyn_exam.pk, staff=world.cl.public_id)
    assert "tar inte emot gynekologisk undersökning" in main_html(wrong)
    assert not Booking.objects.exists()


def test_the_outreach_worker_gets_the_consent_question_on_the_page(world, clinic, login):
    browser = login(world.ow)
    page = main_html(search(browser, clinic, world.olle))
    assert 'name="consent_method"' in page and 'name="referral_message"' in page
    refused = post_slot(browser, clinic, world.olle, at(clinic.day, 9), world.cl)
    assert refused.status_code == 200 and "samtyckt" in main_html(refused)
    done = post_slot(browser, clinic, world.olle, at(clinic.day, 9), world.cl,
                     consent_method="written", referral_message="")
    assert done.status_code == 302
    assert Appointment.objects.get().referral.message  # a default text


def test_the_booking_page_runs_a_fixed_number_of_queries(
    world, clinic, login, django_assert_max_num_queries
):
    browser = login(world.oa)
    many_bookings(world, clinic, 5)
    with django_assert_max_num_queries(25) as few:
        search(browser, clinic, world.anna)
    for i in range(45):
        start = at(clinic.day + timedelta(days=7), 8) + timedelta(minutes=5 * i)
        Booking.objects.create(unit=UnitCode.SPIRALEN, staff=world.cl, client=world.petra,
                               starts_at=start, ends_at=start + timedelta(minutes=5),
                               created_by=world.oa)
    with django_assert_max_num_queries(len(few.captured_queries)):
        search(browser, clinic, world.anna)


# --- hours and types pages ------------------------------------------------------------------------


def test_lengths_are_editable_by_a_clinician_not_the_office_assistant(world, login):
    kind = a_type(AppointmentCode.PSYCHIATRIC)
    browser = login(world.cl)
    page = main_html(browser.get(reverse("spiralen:appointment-types")))
    assert "Psykiatrisk konsultation" in page
    prefix = f"typ-{kind.pk}"
    response = browser.post(reverse("spiralen:appointment-types"),
                            {f"{prefix}-minutes": "50", f"{prefix}-version": kind.version})
    assert response.status_code == 302
    kind.refresh_from_db()
    assert kind.minutes == 50
    stale = browser.post(reverse("spiralen:appointment-types"),
                         {f"{prefix}-minutes": "40", f"{prefix}-version": kind.version - 1})
    assert stale.status_code == 200 and "Någon annan har ändrat" in main_html(stale)

    assert login(world.oa).get(reverse("spiralen:appointment-types")).status_code == 403


def test_the_hours_pages(world, clinic, login):
    browser = login(world.cl)
    page = main_html(browser.get(reverse("spiralen:hours")))
    assert "09:00–12:00" in page and "Greta Gynekolog" in page
    response = browser.post(reverse("spiralen:exception-create"), {
        "clinician": "", "starts_on": clinic.day.isoformat(),
        "ends_on": clinic.day.isoformat(), "reason": "holiday", "note": "Nationaldagen",
    })
    assert response.status_code == 302
    exception = HoursException.objects.get()
    assert "Hela mottagningen" in main_html(browser.get(reverse("spiralen:hours")))
    delete_url = reverse("spiralen:exception-delete", args=[exception.pk])
    assert browser.get(delete_url).status_code == 200
    assert browser.post(delete_url).status_code == 302 and not HoursException.objects.exists()

    row = ConsultationHours.objects.filter(clinician=clinic.gyn).get()
    end_url = reverse("spiralen:hours-end", args=[row.pk])
    assert browser.get(end_url).status_code == 200
    bad = browser.post(end_url, {"last_day": (row.valid_from - timedelta(days=1)).isoformat()})
    assert bad.status_code == 200 and "Sista dagen kan inte vara före" in main_html(bad)

    create = browser.post(reverse("spiralen:hours-create"), {
        "clinician": world.cl.public_id, "weekday": clinic.day.isoweekday(),
        "starts": "11:00", "ends": "14:00", "valid_from": clinic.day.isoformat(),
        "valid_until": "",
    })
    assert create.status_code == 200 and "redan mottagningstid" in main_html(create)

    oa = login(world.oa)
    oa_page = main_html(oa.get(reverse("spiralen:hours")))
    assert "09:00–12:00" in oa_page and "Avsluta" not in oa_page
    assert oa.get(reverse("spiralen:hours-create")).status_code == 403


# --- the office assistant's "Idag" ----------------------------------------------------------------


def test_the_today_panel_shows_the_profession_never_the_type(world, login):
    start = timezone.make_aware(timezone.datetime.combine(timezone.localdate(), time(23)))
    booking = Booking.objects.create(
        unit=UnitCode.SPIRALEN, staff=world.cl, client=world.anna, created_by=world.oa,
        starts_at=start, ends_at=start + timedelta(minutes=30),
    )
    Appointment.objects.create(booking=booking, type=a_type(AppointmentCode.STI_TESTING))
    html = main_html(login(world.oa).get(reverse("start")))
    assert f"{world.cl} (Spiralen – barnmorska)" in html
    assert "Provtagning för STI och hiv" not in html


# --- two people, one slot, one moment (PostgreSQL) ------------------------------------------------

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
)


@postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_slot_give_one_booking(roles_and_units, world, clinic):
    barrier = threading.Barrier(4)
    outcomes = []

    def attempt(client):
        try:
            barrier.wait()
            book(world, clinic, at(clinic.day, 9), client=client)
            outcomes.append("booked")
        except DomainError as error:
            outcomes.append(str(error.message))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,))
               for c in (world.anna, world.petra, world.anna, world.petra)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Booking.objects.filter(unit=UnitCode.SPIRALEN).count() == 1
    assert outcomes.count("booked") == 1
    assert all("bokad" in outcome for outcome in outcomes if outcome != "booked"), outcomes


def test_every_screen_that_books_the_clinic_keeps_to_the_hours(world, clinic):
    """The calendar's generic booking and moving are held to the consultation hours too
    (the clinic's booking rule): 12:00–13:00 is the midwife's lunch, the evening is closed."""
    with pytest.raises(DomainError, match="utanför mottagningstiderna"):
        client_services.book(
            unit=UnitCode.SPIRALEN, staff=world.cl, client=world.anna, by=world.oa,
            starts_at=at(clinic.day, 12), ends_at=at(clinic.day, 12) + timedelta(minutes=30),
        )
    booked = client_services.book(
        unit=UnitCode.SPIRALEN, staff=world.cl, client=world.anna, by=world.cl,
        starts_at=at(clinic.day, 9), ends_at=at(clinic.day, 9) + timedelta(minutes=30),
    )
    with pytest.raises(DomainError, match="utanför mottagningstiderna"):
        client_services.move_booking(
            booked, starts_at=at(clinic.day, 16), ends_at=at(clinic.day, 16) + timedelta(
                minutes=30), by=world.cl,
        )
    other_day = clinic.day + timedelta(days=1)
    while other_day.isoweekday() > 5:  # a weekday without hours, not a weekend
        other_day += timedelta(days=1)
    with pytest.raises(DomainError, match="ingen mottagningstid"):
        client_services.move_booking(
            booked, starts_at=at(other_day, 9), ends_at=at(other_day, 9) + timedelta(
                minutes=30), by=world.cl,
        )
    booked.refresh_from_db()
    assert booked.starts_at == at(clinic.day, 9)
    # Other units' bookings know nothing of the clinic's hours.
    client_services.book(
        unit=UnitCode.COUNSELLING, staff=world.co, client=world.anna, by=world.co,
        starts_at=at(clinic.day, 12), ends_at=at(clinic.day, 13),
    )


def test_women_and_men_are_booked_alike(world, clinic):
    """No appointment type is blocked by gender: that is a clinical decision, not a form
    rule. A man's examination is in the same patient record as everything else of his."""
    man = client_services.register_client(
        unit=UnitCode.SPIRALEN, by=world.cl, alias="Johan", gender=Gender.MAN
    )
    appointment = book(world, clinic, at(clinic.day, 9), client=man, type=clinic.gyn_exam,
                       staff=clinic.gyn, by=world.cl)
    assert appointment.booking.client == man
    assert man.journals.filter(unit=UnitCode.SPIRALEN).count() == 1
