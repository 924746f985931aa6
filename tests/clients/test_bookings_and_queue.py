"""Bookings, arrivals and the counselling queue (issue 8): the shared Booking and Visit, and
the queue's services, with their bad inputs and their races."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clients import access, services
from clients.models import (
    AgeBand,
    Booking,
    BookingStatus,
    Gender,
    QueueEntry,
    QueueMove,
    QueueRemoval,
    QueueSource,
    Visit,
    VisitPurpose,
)
from prostenhet.exceptions import DomainError
from prostenhet.roles import Role, UnitCode
from tests.world import staff

from .helpers import at, book, next_weekday

pytestmark = pytest.mark.django_db



# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case, message", [
    ("past", "redan varit"),
    ("end_before_start", "Sluttiden"),
    ("weekend", "öppettiderna"),
    ("evening", "öppettiderna"),
    ("nobody", "person eller ett rum"),
])
def test_a_bad_time_is_refused_with_a_clear_message(world, case, message):
    day = next_weekday()
    saturday = day + timedelta(days=(6 - day.isoweekday()) % 7)
    start, minutes, extra = {
        "past": (timezone.now() - timedelta(hours=2), 60, {}),
        "end_before_start": (at(day, 10), -30, {}),
        "weekend": (at(saturday, 10), 60, {}),
        "evening": (at(day, 19), 60, {}),
        "nobody": (at(day, 10), 60, {"staff": None}),
    }[case]
    with pytest.raises(DomainError, match=message):
        book(world, start, minutes, **extra)
    assert not Booking.objects.exists()


def test_a_client_out_of_sight_cannot_be_booked(world):
    with pytest.raises(DomainError, match="den klienten"):
        book(world, at(next_weekday(), 10), client=world.karl)  # KAST: sealed


def test_a_staff_member_is_booked_only_in_their_unit(world):
    with pytest.raises(DomainError, match="arbetar inte"):
        book(world, at(next_weekday(), 10), staff=world.cl)  # a clinician in counselling


# --- no double booking ---------------------------------------------------------------------------


def test_an_overlapping_time_with_the_same_counsellor_is_refused(world):
    day = next_weekday()
    book(world, at(day, 10))
    with pytest.raises(DomainError, match="redan bokad"):
        book(world, at(day, 10, 30), client=world.petra)
    assert Booking.objects.count() == 1
    book(world, at(day, 11), client=world.petra)  # back to back is fine
    assert Booking.objects.count() == 2


def test_an_overlapping_time_in_the_same_room_is_refused(world, room):
    day = next_weekday()
    book(world, at(day, 10), room=room)
    other = staff(Role.COUNSELLOR, "co2")
    with pytest.raises(DomainError, match="Rummet"):
        book(world, at(day, 10, 15), staff=other, room=room, client=world.petra)


def test_a_cancelled_time_can_be_booked_again(world):
    day = next_weekday()
    first = book(world, at(day, 10))
    services.set_booking_status(first, BookingStatus.CANCELLED_BY_CLIENT, by=world.oa)
    assert book(world, at(day, 10), client=world.petra).status == BookingStatus.BOOKED


def test_a_double_click_books_once(world):
    start = at(next_weekday(), 10)
    first = book(world, start, request_token="form-123")
    again = book(world, start, request_token="form-123")
    assert first == again
    assert Booking.objects.count() == 1


def test_moving_a_booking_checks_the_new_time_and_a_stale_form(world):
    day = next_weekday()
    first = book(world, at(day, 10))
    book(world, at(day, 13), client=world.petra)
    with pytest.raises(DomainError, match="redan bokad"):
        services.move_booking(first, starts_at=at(day, 13), ends_at=at(day, 14), by=world.oa)
    moved = services.move_booking(first, starts_at=at(day, 14), ends_at=at(day, 15),
                                  by=world.oa, expected_version=1)
    assert moved.version == 2
    with pytest.raises(DomainError, match="Någon annan"):
        services.move_booking(first, starts_at=at(day, 15), ends_at=at(day, 16), by=world.oa,
                              expected_version=1)


# --- on PostgreSQL: the database itself refuses two winners --------------------------------------

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
)


@postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_slot_give_one_booking_and_clear_messages(
    roles_and_units, world
):
    start = at(next_weekday(), 10)
    barrier = threading.Barrier(4)
    outcomes = []

    def attempt(client):
        try:
            barrier.wait()
            book(world, start, client=client)
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

    assert Booking.objects.count() == 1
    assert outcomes.count("booked") == 1
    assert all("bokad" in outcome for outcome in outcomes if outcome != "booked"), outcomes


@postgresql
def test_the_exclusion_constraint_refuses_an_overlap_written_past_the_services(world):
    first = book(world, at(next_weekday(), 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            unit=first.unit, staff=first.staff, client=world.petra, created_by=world.oa,
            starts_at=first.starts_at + timedelta(minutes=15),
            ends_at=first.ends_at + timedelta(minutes=15),
        )


# --- arrivals ------------------------------------------------------------------------------------


def booked_today(world, hour=10):
    """A booking for today (written directly: the hour may have passed already)."""
    start = at(timezone.localdate(), hour)
    return Booking.objects.create(
        unit=UnitCode.COUNSELLING, staff=world.co, client=world.anna, created_by=world.oa,
        starts_at=start, ends_at=start + timedelta(hours=1),
    )


def test_a_booked_client_arrives_once_and_the_visit_closes_when_completed(world):
    booking = booked_today(world)
    visit = services.register_arrival(booking, by=world.oa)
    assert services.register_arrival(booking, by=world.oa) == visit  # a second click
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ARRIVED
    assert list(Visit.objects.waiting()) == [visit]
    services.take_in(visit, by=world.co)
    services.set_booking_status(booking, BookingStatus.COMPLETED, by=world.co)
    visit.refresh_from_db()
    assert visit.taken_in_by == world.co and visit.closed_at is not None
    with pytest.raises(DomainError, match="redan avslutat"):
        services.take_in(visit, by=world.co)


def test_an_arrival_is_registered_only_on_the_bookings_day(world):
    booking = book(world, at(next_weekday(), 10))
    with pytest.raises(DomainError, match="inte i dag"):
        services.register_arrival(booking, by=world.oa)
    assert not Visit.objects.exists()


def test_an_anonymous_visitor_is_counted_with_no_personal_data(world):
    visit = services.register_drop_in(
        unit=UnitCode.COUNSELLING, purpose=VisitPurpose.INFORMATION, by=world.oa,
        gender=Gender.WOMAN, age_band=AgeBand.FROM_25,
    )
    assert visit.is_anonymous and visit.age_band == "25-34"


def test_kast_visits_are_not_registered_at_reception(world):
    with pytest.raises(DomainError, match="KAST"):
        services.register_drop_in(unit=UnitCode.KAST, purpose=VisitPurpose.DROP_IN,
                                  by=world.oa)


def test_a_no_show_can_be_undone_but_a_cancelled_booking_cannot_arrive(world):
    booking = book(world, at(next_weekday(), 10))
    services.set_booking_status(booking, BookingStatus.CANCELLED_BY_UNIT, by=world.oa)
    with pytest.raises(DomainError, match="inte längre bokad"):
        services.register_arrival(booking, by=world.oa)


# --- the queue -----------------------------------------------------------------------------------


def queue(world, *clients):
    return [services.add_to_queue(c, source=QueueSource.RECEPTION, by=world.oa)
            for c in clients]


def test_the_queue_keeps_the_order_added_and_a_client_once(world):
    anna, petra = queue(world, world.anna, world.petra)
    assert list(QueueEntry.objects.waiting()) == [anna, petra]
    with pytest.raises(DomainError, match="redan i kön"):
        queue(world, world.anna)


def test_a_move_needs_a_reason_and_is_recorded(world):
    anna, petra = queue(world, world.anna, world.petra)
    with pytest.raises(DomainError, match="skäl"):
        services.move_in_queue(petra, to_place=1, reason=" ", by=world.oa)
    services.move_in_queue(petra, to_place=1, reason="Akut hemlös", by=world.oa)
    assert list(QueueEntry.objects.waiting()) == [petra, anna]
    move = QueueMove.objects.get()
    assert (move.from_position, move.to_position, move.reason) == (2, 1, "Akut hemlös")


def test_a_queue_change_on_a_stale_page_is_refused(world):
    (anna,) = queue(world, world.anna)
    services.remove_from_queue(anna, reason=QueueRemoval.NO_CONTACT, by=world.oa,
                               expected_version=1)
    with pytest.raises(DomainError, match="inte längre i kön"):
        services.move_in_queue(anna, to_place=1, reason="x", by=world.oa, expected_version=1)


def test_offering_a_place_assigns_the_counsellor_who_then_reads_the_journal(world):
    (petra,) = queue(world, world.petra)
    other = staff(Role.COUNSELLOR, "co2")
    journal = world.petra.journals.get(unit=UnitCode.COUNSELLING)
    assert not access.can_view_journal(other, journal)
    services.offer_place(petra, counsellor=other, by=world.oa)
    petra.refresh_from_db()
    assert petra.left_reason == QueueRemoval.OFFERED and petra.offered_to == other
    assert access.can_view_journal(other, journal)
    assert not QueueEntry.objects.waiting().exists()


def test_two_records_both_in_the_queue_merge_into_one_place(world):
    duplicate = services.register_client(unit=UnitCode.COUNSELLING, by=world.oa, alias="Anna B")
    anna, dup = queue(world, world.anna, duplicate)
    services.merge_clients(world.anna, duplicate, by=world.oa)
    assert list(QueueEntry.objects.waiting()) == [anna]
