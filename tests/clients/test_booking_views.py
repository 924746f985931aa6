"""The calendars and the booking screens (issue 8): what a calendar shows to whom, booking,
moving, cancelling and marking no-shows through the views, their refusals, a double click
that books once, and two people booking one slot at the same moment (PostgreSQL)."""

import threading
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import (
    Booking,
    BookingKind,
    BookingStatus,
    EntryKind,
    JournalEntry,
    term_of,
)
from prostenhet.models import AccessLog
from prostenhet.roles import Role, UnitCode
from tests.world import staff

from .helpers import at, book, main_html, next_weekday

pytestmark = pytest.mark.django_db



def calendar(browser, name="clients:calendar-day", **query):
    response = browser.get(reverse(name), query)
    assert response.status_code == 200
    return response


def form_data(world, on, **fields):
    """What the booking form posts for Anna with her counsellor, 10–11 on the day `on`."""
    data = {
        "unit": UnitCode.COUNSELLING, "staff": world.co.public_id, "room": "",
        "client": world.anna.public_id, "kind": BookingKind.SESSION,
        "day": on.isoformat(), "start": "10:00", "end": "11:00", "length": "",
        "interpreter_language": "", "request_token": "a" * 32,
    }
    data.update(fields)
    return data


# --- what the calendars show -------------------------------------------------------------------


def test_the_day_calendar_shows_time_status_kind_interpreter_and_the_clients_alias(
    world, login
):
    day = next_weekday()
    book(world, at(day, 10), kind=BookingKind.SESSION, interpreter_language="arabiska")

    page = main_html(calendar(login(world.oa), staff=world.co.public_id, date=day))

    assert "10:00–11:00" in page
    assert "Anna" in page and "Samtal" in page and "Bokad" in page
    assert "Tolk: arabiska" in page


def test_the_week_calendar_shows_the_weeks_bookings_of_everyone_in_the_users_units(
    world, login
):
    day = next_weekday(7)
    monday = day - timedelta(days=day.weekday())
    book(world, at(monday, 9))
    book(world, at(monday + timedelta(days=4), 14), client=world.petra)
    book(world, at(monday + timedelta(days=7), 9))  # the week after: not shown

    response = calendar(login(world.oa), "clients:calendar-week", date=day)

    rows = {row.owner: row for row in response.context["rows"]}
    assert world.co in rows and world.cl not in rows  # the clinician works elsewhere
    cells = rows[world.co].cells
    assert [len(cell.entries) for cell in cells] == [1, 0, 0, 0, 1]
    assert [cell.entries[0].client for cell in (cells[0], cells[4])] == [world.anna, world.petra]


def test_a_client_the_user_may_not_see_shows_as_booked_only(world, login, room):
    day = next_weekday()
    book(world, at(day, 10), room=room)

    # The outreach worker sees the room's calendar but not Anna (no consent, not theirs).
    page = main_html(calendar(login(world.ow), room=room.pk, date=day))

    assert "10:00–11:00" in page and "Bokad" in page
    assert "Anna" not in page


def test_kast_time_shows_as_busy_with_nothing_else_outside_kast(world, login, room):
    day = next_weekday()
    book(world, at(day, 13), unit=UnitCode.KAST, staff=world.kco, client=world.karl,
         by=world.kco, room=room, kind=BookingKind.SESSION, interpreter_language="ryska")

    outside = calendar(login(world.oa), room=room.pk, date=day)
    page = main_html(outside)
    assert "13:00–14:00" in page and "Upptagen" in page
    # The alias as shown (">Karl<"): a generated staff name elsewhere may contain "Karl".
    for secret in [">Karl<", "Samtal", "ryska", str(world.kco), "Bokad"]:
        assert secret not in page
    (entry,) = outside.context["rows"][0].cells[0].entries
    assert entry.busy and entry.booking is None and entry.client is None

    inside = main_html(calendar(login(world.kco), staff=world.kco.public_id, date=day))
    assert "Karl" in inside and "ryska" in inside and "Upptagen" not in inside


def test_cancelled_bookings_stay_in_the_calendar_marked_as_cancelled(world, login):
    day = next_weekday()
    booking = book(world, at(day, 10))
    services.set_booking_status(booking, BookingStatus.CANCELLED_BY_CLIENT, by=world.oa)

    page = main_html(calendar(login(world.oa), staff=world.co.public_id, date=day))

    assert "Avbokad av klienten" in page and "text-decoration-line-through" in page
    assert reverse("clients:booking-move", args=[booking.public_id]) not in page


def test_a_colleague_outside_the_users_units_is_not_offered_as_a_calendar(world, login):
    response = calendar(login(world.oa), staff=world.kco.public_id)

    assert "staff" in response.context["form"].errors
    assert world.kco not in [row.owner for row in response.context["rows"]]


def test_the_calendar_is_in_the_navigation_of_those_who_book(world, login):
    for user in [world.oa, world.co, world.cl, world.ow]:
        nav = login(user).get(reverse("start")).content.decode()
        assert reverse("clients:calendar-day") in nav, user
    assert reverse("clients:calendar-day") not in login(world.ma).get(
        reverse("start")
    ).content.decode()


def test_a_calendar_writes_no_read_rows_like_the_list_of_clients(world, login):
    """A calendar lists aliases and times as the client list does: no read of a record."""
    day = next_weekday()
    book(world, at(day, 10))
    calendar(login(world.oa), "clients:calendar-week", date=day)
    assert not AccessLog.objects.exists()


# --- bounded queries ---------------------------------------------------------------------------


def fill_week(world, monday, staff_count, per_staff, room):
    """staff_count counsellors with per_staff bookings each in the week of monday; some with
    visible clients, some without a client, some KAST (busy)."""
    people = [staff(Role.COUNSELLOR, f"bench{staff_count}-{i}") for i in range(staff_count)]
    bookings = []
    for person in people:
        for n in range(per_staff):
            start = at(monday + timedelta(days=n % 5), 8 + (n // 5) % 9, 0)
            kast = n % 7 == 0
            bookings.append(Booking(
                unit=UnitCode.KAST if kast else UnitCode.COUNSELLING, staff=person,
                client=None if kast else [world.anna, world.petra, None][n % 3],
                # One person's times never overlap: the room is theirs alone here.
                room=room if person == people[0] and n % 4 == 0 else None, starts_at=start,
                ends_at=start + timedelta(minutes=10 + n % 30), created_by=world.oa,
                interpreter_language="arabiska" if n % 5 == 0 else "",
                kind=BookingKind.SESSION,
            ))
    Booking.objects.bulk_create(bookings)
    return people


CALENDAR_QUERIES = 15


def test_the_week_calendar_of_ten_staff_with_300_bookings_runs_a_bounded_number_of_queries(
    world, login, room, django_assert_max_num_queries
):
    browser = login(world.oa)
    monday = next_weekday(7)
    monday -= timedelta(days=monday.weekday())
    fill_week(world, monday, staff_count=2, per_staff=3, room=None)
    with django_assert_max_num_queries(CALENDAR_QUERIES):
        small = calendar(browser, "clients:calendar-week", date=monday)
    assert sum(len(c.entries) for r in small.context["rows"] for c in r.cells) == 6

    fill_week(world, monday, staff_count=8, per_staff=37, room=room)
    assert Booking.objects.count() == 302
    with django_assert_max_num_queries(CALENDAR_QUERIES):
        large = calendar(browser, "clients:calendar-week", date=monday)
    assert len(large.context["rows"]) >= 10
    assert sum(len(c.entries) for r in large.context["rows"] for c in r.cells) == 302
    with django_assert_max_num_queries(CALENDAR_QUERIES):
        calendar(browser, "clients:calendar-week", date=monday, room=room.pk)


@pytest.mark.parametrize("name", ["clients:booking-move", "clients:booking-status"])
def test_the_booking_pages_run_a_bounded_number_of_queries(
    world, login, name, django_assert_max_num_queries
):
    booking = book(world, at(next_weekday(), 10))
    kwargs = {"booking_id": booking.public_id}
    if name == "clients:booking-status":
        kwargs["action"] = "avbokad-av-enheten"
    browser = login(world.oa)
    with django_assert_max_num_queries(12):
        assert browser.get(reverse(name, kwargs=kwargs)).status_code == 200


def test_the_booking_form_runs_a_bounded_number_of_queries(
    world, login, django_assert_max_num_queries
):
    browser = login(world.oa)
    with django_assert_max_num_queries(12):
        assert browser.get(reverse("clients:booking-create")).status_code == 200


# --- booking -----------------------------------------------------------------------------------


def test_booking_through_the_form(world, login):
    browser = login(world.oa)
    form = browser.get(reverse("clients:booking-create")).context["form"]
    token = form["request_token"].value()
    assert len(token) == 32
    day = next_weekday()

    response = browser.post(reverse("clients:booking-create"), form_data(
        world, day, request_token=token, interpreter_language="tigrinja", end="",
        length="45",
    ))

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response.url.startswith(reverse("clients:calendar-day"))
    assert str(world.co.public_id) in response.url
    assert (booking.staff, booking.client, booking.kind, booking.interpreter_language) == (
        world.co, world.anna, BookingKind.SESSION, "tigrinja"
    )
    assert (booking.starts_at, booking.ends_at) == (at(day, 10), at(day, 10, 45))
    assert booking.created_by == world.oa and booking.request_token == token


def test_a_double_click_or_a_resubmitted_form_books_once(world, login):
    browser = login(world.oa)
    data = form_data(world, next_weekday())

    first = browser.post(reverse("clients:booking-create"), data)
    again = browser.post(reverse("clients:booking-create"), data)

    assert first.status_code == again.status_code == 302
    assert Booking.objects.count() == 1


def test_each_showing_of_the_form_has_its_own_token(world, login):
    browser = login(world.oa)
    tokens = {
        browser.get(reverse("clients:booking-create")).context["form"]["request_token"].value()
        for _ in range(2)
    }
    assert len(tokens) == 2


def test_the_form_is_prefilled_from_the_calendars_booking_link(world, login):
    day = next_weekday()
    response = login(world.oa).get(
        reverse("clients:booking-create"), {"staff": world.co.public_id, "date": day}
    )
    form = response.context["form"]
    assert str(form["staff"].value()) == str(world.co.public_id)
    assert str(form["day"].value()) == day.isoformat()


def test_only_visible_clients_are_offered(world, login):
    page = main_html(login(world.oa).get(reverse("clients:booking-create")))
    assert str(world.anna.public_id) in page and str(world.petra.public_id) in page
    # (Not the bare word: a staff member's generated name may contain it.)
    assert str(world.karl.public_id) not in page and ">Karl<" not in page


def refusal_cases(world, room):
    day = next_weekday()
    saturday = day + timedelta(days=(6 - day.isoweekday()) % 7)
    yesterday = timezone.localdate() - timedelta(days=1)
    return {
        "past": ({"day": yesterday.isoformat()}, "redan varit"),
        "end_before_start": ({"start": "11:00", "end": "10:00"}, "Sluttiden"),
        "weekend": ({"day": saturday.isoformat()}, "öppettiderna"),
        "evening": ({"start": "18:00", "end": "19:00"}, "öppettiderna"),
        "client_out_of_sight": ({"client": world.karl.public_id}, "den klienten"),
        "unknown_client": ({"client": "00000000-0000-0000-0000-000000000000"},
                           "den klienten"),
        "nobody": ({"staff": ""}, "person eller ett rum"),
        "no_end": ({"end": ""}, "sluttid eller välj en längd"),
        "taken": ({}, "redan bokad"),
        "room_taken": ({"staff": "", "room": room.pk}, "redan bokat"),
    }


@pytest.mark.parametrize("case", [
    "past", "end_before_start", "weekend", "evening", "client_out_of_sight", "unknown_client",
    "nobody", "no_end", "taken", "room_taken",
])
def test_a_refused_booking_says_why_and_keeps_what_was_typed(world, login, room, case):
    day = next_weekday()
    if case in ("taken", "room_taken"):
        book(world, at(day, 10, 30), room=room, client=world.petra)
    before = Booking.objects.count()
    fields, message = refusal_cases(world, room)[case]

    response = login(world.oa).post(reverse("clients:booking-create"), form_data(
        world, day, interpreter_language="somaliska", **fields
    ))

    assert response.status_code == 200
    assert message in main_html(response)
    assert Booking.objects.count() == before
    assert response.context["form"]["interpreter_language"].value() == "somaliska"
    assert 'value="somaliska"' in main_html(response)


def test_a_unit_the_user_does_not_work_in_is_refused(world, login):
    response = login(world.oa).post(
        reverse("clients:booking-create"), form_data(world, next_weekday(), unit="spiralen")
    )
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    assert not Booking.objects.exists()


# --- moving, cancelling, no-shows --------------------------------------------------------------


def test_moving_a_booking_and_a_stale_form(world, login):
    day = next_weekday()
    booking = book(world, at(day, 10))
    browser = login(world.oa)
    url = reverse("clients:booking-move", args=[booking.public_id])
    form = browser.get(url).context["form"]
    assert form["version"].value() == 1 and str(form["start"].value()) == "10:00:00"

    response = browser.post(url, {"day": day.isoformat(), "start": "13:00", "end": "14:00",
                                  "version": 1})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.starts_at, booking.version) == (at(day, 13), 2)

    stale = browser.post(url, {"day": day.isoformat(), "start": "15:00", "end": "16:00",
                               "version": 1})
    assert stale.status_code == 200 and "Någon annan" in main_html(stale)
    booking.refresh_from_db()
    assert booking.starts_at == at(day, 13)


def test_moving_onto_a_taken_time_is_refused_on_the_form(world, login):
    day = next_weekday()
    booking = book(world, at(day, 10))
    book(world, at(day, 13), client=world.petra)

    response = login(world.oa).post(
        reverse("clients:booking-move", args=[booking.public_id]),
        {"day": day.isoformat(), "start": "13:30", "end": "14:30", "version": 1},
    )

    assert response.status_code == 200 and "redan bokad" in main_html(response)
    assert response.context["form"]["start"].value() == "13:30"
    booking.refresh_from_db()
    assert booking.starts_at == at(day, 10)


@pytest.mark.parametrize("action, status", [
    ("avbokad-av-klienten", BookingStatus.CANCELLED_BY_CLIENT),
    ("avbokad-av-enheten", BookingStatus.CANCELLED_BY_UNIT),
])
def test_cancelling_asks_first_and_frees_the_time(world, login, action, status):
    booking = book(world, at(next_weekday(), 10))
    browser = login(world.oa)
    url = reverse("clients:booking-status", args=[booking.public_id, action])

    page = browser.get(url)
    assert page.status_code == 200 and "Anna" in main_html(page)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED  # a GET changes nothing

    assert browser.post(url, {"version": 1}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == status
    assert book(world, booking.starts_at, client=world.petra).status == BookingStatus.BOOKED


def test_a_no_show_is_marked_once_the_time_has_begun_not_before(world, login):
    browser = login(world.oa)
    future = book(world, at(next_weekday(), 10))
    refused = browser.post(
        reverse("clients:booking-status", args=[future.public_id, "uteblev"]), {"version": 1}
    )
    assert refused.status_code == 200 and "inte börjat" in main_html(refused)

    start = timezone.now() - timedelta(hours=2)
    past = Booking.objects.create(
        unit=UnitCode.COUNSELLING, staff=world.co, client=world.anna, created_by=world.oa,
        starts_at=start, ends_at=start + timedelta(hours=1),
    )
    browser.post(reverse("clients:booking-status", args=[past.public_id, "uteblev"]),
                 {"version": 1})
    past.refresh_from_db()
    assert past.status == BookingStatus.NO_SHOW


def test_a_contracted_sessions_no_show_marked_in_the_calendar_leaves_its_journal_entry(
    world, login
):
    first = services.next_term_start(timezone.localdate())
    last = term_of(first)[3]
    contract = services.create_contract(
        world.anna_counselling, by=world.co, weekday=2, start_time=time(10),
        starts_on=last - timedelta(days=13),
    ).contract
    session = contract.bookings.first()
    begun = timezone.now() - timedelta(minutes=30)
    Booking.objects.filter(pk=session.pk).update(starts_at=begun,
                                                 ends_at=begun + timedelta(hours=1))

    response = login(world.oa).post(
        reverse("clients:booking-status", args=[session.public_id, "uteblev"]), {"version": 1}
    )

    assert response.status_code == 302
    entry = JournalEntry.objects.get(booking=session)
    assert (entry.kind, entry.author) == (EntryKind.NO_SHOW, world.oa)


def test_a_stale_cancellation_is_refused_with_a_message(world, login):
    booking = book(world, at(next_weekday(), 10))
    services.move_booking(booking, starts_at=booking.starts_at + timedelta(hours=1),
                          ends_at=booking.ends_at + timedelta(hours=1), by=world.co)
    response = login(world.oa).post(
        reverse("clients:booking-status", args=[booking.public_id, "avbokad-av-enheten"]),
        {"version": 1},
    )
    assert response.status_code == 200 and "Någon annan" in main_html(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_another_units_booking_is_seen_but_not_changed(world, login, room):
    booking = book(world, at(next_weekday(), 10), room=room)
    browser = login(world.ow)
    page = main_html(calendar(browser, room=room.pk, date=next_weekday()))
    assert reverse("clients:booking-move", args=[booking.public_id]) not in page
    assert browser.post(
        reverse("clients:booking-status", args=[booking.public_id, "avbokad-av-enheten"]),
        {"version": 1},
    ).status_code == 403


def test_a_kast_booking_does_not_exist_outside_kast(world, login):
    booking = book(world, at(next_weekday(), 10), unit=UnitCode.KAST, staff=world.kco,
                   client=world.karl, by=world.kco)
    browser = login(world.co)
    assert browser.get(reverse("clients:booking-move", args=[booking.public_id])).status_code \
        == 404


def test_an_unknown_status_action_is_not_found(world, login):
    booking = book(world, at(next_weekday(), 10))
    response = login(world.oa).get(
        reverse("clients:booking-status", args=[booking.public_id, "genomford"])
    )
    assert response.status_code == 404


# --- two people, one slot, one moment (PostgreSQL) ---------------------------------------------

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
)


@postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_of_one_slot_through_the_form_give_one_booking(
    roles_and_units, world, login
):
    day = next_weekday()
    assistants = [world.oa] + [staff(Role.OFFICE_ASSISTANT, f"oa{i}") for i in range(3)]
    browsers = [login(user, client=Browser()) for user in assistants]
    barrier = threading.Barrier(len(browsers))
    responses = []

    def attempt(browser, n):
        try:
            barrier.wait()
            responses.append(browser.post(reverse("clients:booking-create"), form_data(
                world, day, request_token=f"{n:032d}",
                client=[world.anna, world.petra][n % 2].public_id,
            )))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(b, n)) for n, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Booking.objects.count() == 1
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 302]
    for response in responses:
        if response.status_code == 200:
            errors = str(response.context["form"].errors)
            assert "redan bokad" in errors or "Tiden blev just bokad" in errors, errors
