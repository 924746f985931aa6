"""The office assistant's day (issue 8, "Office assistant"): the "Idag" start panel with
today's bookings, the waiting room and the queue, refreshed through htmx; arrivals in one
click; drop-in visitors found by alias or anonymous; and the practitioner's side, who takes
the visitor in and completes the booking."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import (
    AgeBand,
    Booking,
    BookingKind,
    BookingStatus,
    Client,
    Gender,
    QueueEntry,
    QueueSource,
    Visit,
    VisitPurpose,
)
from prostenhet.models import AccessKind, AccessLog
from prostenhet.roles import Role, UnitCode
from tests.factories import UserFactory
from tests.world import staff

from .helpers import main_html

pytestmark = pytest.mark.django_db

TODAY_URL = "clients:reception-today"
ARRIVALS_URL = "clients:reception-arrivals"


def today_at(hour, minute=0):
    return timezone.make_aware(datetime.combine(timezone.localdate(), time(hour, minute)))


def booking_today(world, *, staff, client, hour, minute=0, unit=UnitCode.COUNSELLING,
                  kind=BookingKind.SESSION, **fields):
    """A booking today (written directly: the services refuse a time already past, and
    the tests run at any hour)."""
    start = today_at(hour, minute)
    return Booking.objects.create(
        unit=unit, kind=kind, staff=staff, client=client, starts_at=start,
        ends_at=start + timedelta(minutes=45), created_by=world.oa, **fields,
    )


def panel(browser):
    """The "Idag" panel's content as the htmx refresh fetches it."""
    response = browser.get(reverse(TODAY_URL), headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def arrivals(browser):
    response = browser.get(reverse(ARRIVALS_URL), headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


# --- the "Idag" panel ------------------------------------------------------------------------


def test_the_start_page_shows_todays_bookings_per_staff_member(world, login):
    colleague = staff(Role.COUNSELLOR, "co2")
    booking_today(world, staff=world.co, client=world.anna, hour=9)
    booking_today(world, staff=colleague, client=world.petra, hour=10, minute=30,
                  interpreter_language="arabiska")
    tomorrow = booking_today(world, staff=world.co, client=world.petra, hour=12)
    Booking.objects.filter(pk=tomorrow.pk).update(
        starts_at=tomorrow.starts_at + timedelta(days=1),
        ends_at=tomorrow.ends_at + timedelta(days=1),
    )

    html = main_html(login(world.oa).get(reverse("start")))

    assert 'data-testid="reception-today"' in html
    days = {
        part.split("</h4>")[0].split(">")[-1]: part
        for part in html.split('data-testid="staff-day"')[1:]
    }
    assert set(days) == {str(world.co), str(colleague)}
    assert "09:00–09:45" in days[str(world.co)] and "Anna" in days[str(world.co)]
    assert "10:30–11:15" in days[str(colleague)] and "Petra" in days[str(colleague)]
    assert "Tolk: arabiska" in days[str(colleague)]
    # Tomorrow's booking is not today's work.
    assert html.count('data-testid="booking"') == 2


def test_the_panel_names_only_clients_the_office_assistant_may_see(world, login):
    sara = services.register_client(unit=UnitCode.SPIRALEN, by=world.cl, alias="Sara")
    booking_today(world, staff=world.cl, client=sara, hour=11, unit=UnitCode.SPIRALEN,
                  kind=BookingKind.VISIT)

    html = panel(login(world.oa))

    assert "Sara" not in html
    assert "11:00–11:45" in html and "Klient" in html


def test_a_kast_booking_is_never_in_the_office_assistants_panel(world, login):
    booking_today(world, staff=world.kco, client=world.karl, hour=13, unit=UnitCode.KAST)

    html = panel(login(world.oa))

    assert "Karl" not in html
    assert str(world.kco) not in html
    assert "13:00" not in html
    assert "Inga bokningar i dag." in html


def test_the_panel_refreshes_itself_every_ten_seconds_without_reloading_the_page(world, login):
    browser = login(world.oa)
    start = main_html(browser.get(reverse("start")))
    # The refreshing element replaces only its own content.
    assert f'hx-get="{reverse(TODAY_URL)}"' in start
    assert 'hx-trigger="every 10s"' in start
    assert 'hx-swap="innerHTML"' in start
    assert "<script" not in start

    booking_today(world, staff=world.co, client=world.anna, hour=15)
    fragment = panel(browser)

    # A fragment, not a page: no layout, the new booking in it.
    assert "<html" not in fragment and "<nav" not in fragment
    assert "15:00–15:45" in fragment and "Anna" in fragment


def test_the_panel_is_the_office_assistants(world, login):
    for user in [world.co, world.ow, world.cl, world.ma, world.sa]:
        assert login(user).get(reverse(TODAY_URL)).status_code == 403
        assert 'data-testid="reception-today"' not in main_html(
            login(user).get(reverse("start"))
        )


def test_the_waiting_room_shows_who_has_arrived_and_since_when(world, login):
    booking = booking_today(world, staff=world.co, client=world.anna, hour=9)
    visit = services.register_arrival(booking, by=world.oa)
    Visit.objects.filter(pk=visit.pk).update(arrived_at=timezone.now() - timedelta(minutes=12))
    services.register_drop_in(unit=UnitCode.COUNSELLING, purpose=VisitPurpose.INFORMATION,
                              by=world.oa, gender=Gender.WOMAN)

    html = panel(login(world.oa))

    waiting = html[html.index('data-testid="waiting"'):]
    assert "Anna" in waiting and f"till {world.co}" in waiting
    arrived = timezone.localtime(timezone.now() - timedelta(minutes=12))
    assert f"sedan {arrived:%H:%M} (12 minuter)" in waiting
    assert "Anonym besökare" in waiting and "Information och rådgivning" in waiting
    # Taken in: no longer waiting.
    services.take_in(visit, by=world.co)
    waiting = panel(login(world.oa))
    waiting = waiting[waiting.index('data-testid="waiting"'):]
    assert "Anna" not in waiting


def test_the_panel_shows_the_queues_length_and_longest_wait(world, login):
    today = timezone.localdate()
    for client, days in [(world.anna, 40), (world.petra, 3)]:
        QueueEntry.objects.create(client=client, source=QueueSource.RECEPTION,
                                  added_on=today - timedelta(days=days), added_by=world.oa)
    QueueEntry.objects.create(client=world.olle, source=QueueSource.OUTREACH,
                              added_on=today - timedelta(days=90), added_by=world.oa,
                              left_at=timezone.now())

    html = panel(login(world.oa))

    summary = html[html.index('data-testid="queue-summary"'):]
    # Olle left the queue: two wait, the longest for 40 days.
    assert "2 väntar, längst väntat 40 dagar" in summary


def test_the_panel_never_shows_journal_text(world, login):
    booking_today(world, staff=world.co, client=world.anna, hour=9)
    html = panel(login(world.oa))
    assert "Anna" in html
    assert world.anna_signed.text not in html
    assert world.anna_draft.text not in html


def test_the_panel_lists_aliases_without_read_rows_like_the_client_list(world, login):
    booking_today(world, staff=world.co, client=world.anna, hour=9)
    before = AccessLog.objects.count()
    panel(login(world.oa))
    login(world.oa).get(reverse("start"))
    assert AccessLog.objects.count() == before


# --- arrivals ----------------------------------------------------------------------------------


def test_a_booked_client_arrives_in_one_click(world, login):
    booking = booking_today(world, staff=world.co, client=world.anna, hour=9)
    browser = login(world.oa)
    html = panel(browser)
    assert 'data-testid="arrived-button"' in html
    # The button's form posts to this booking's arrival, with the CSRF field.
    form = html[html.index('<form method="post" action="'):html.index("</form>")]
    url = reverse("clients:reception-arrival", args=[booking.public_id])
    assert f'action="{url}"' in form
    assert 'name="csrfmiddlewaretoken"' in form

    response = browser.post(url, follow=True)

    assert "Ankomsten är registrerad." in response.content.decode()
    visit = Visit.objects.get()
    assert (visit.client, visit.booking, visit.registered_by) == (world.anna, booking, world.oa)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ARRIVED
    # The booking now shows its arrival instead of the button.
    assert 'data-testid="arrived-button"' not in panel(browser)


def test_a_double_click_registers_one_visit(world, login):
    booking = booking_today(world, staff=world.co, client=world.anna, hour=9)
    browser = login(world.oa)
    url = reverse("clients:reception-arrival", args=[booking.public_id])

    first = browser.post(url)
    second = browser.post(url, follow=True)

    assert first.status_code == 302
    assert "Ankomsten är registrerad." in second.content.decode()
    assert Visit.objects.count() == 1


def test_getting_the_arrival_link_only_asks(world, login):
    booking = booking_today(world, staff=world.co, client=world.anna, hour=9)
    response = login(world.oa).get(
        reverse("clients:reception-arrival", args=[booking.public_id])
    )
    assert response.status_code == 200
    assert "Anna" in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.parametrize("status", [
    BookingStatus.CANCELLED_BY_CLIENT, BookingStatus.CANCELLED_BY_UNIT, BookingStatus.NO_SHOW,
])
def test_an_arrival_for_a_booking_no_longer_booked_is_refused_with_a_message(
    world, login, status
):
    booking = booking_today(world, staff=world.co, client=world.anna, hour=9, status=status)
    browser = login(world.oa)
    assert 'data-testid="arrived-button"' not in panel(browser)

    response = browser.post(reverse("clients:reception-arrival", args=[booking.public_id]),
                            follow=True)

    assert "Bokningen är inte längre bokad." in response.content.decode()
    assert not Visit.objects.exists()
    booking.refresh_from_db()
    assert booking.status == status


def test_a_kast_booking_cannot_be_marked_arrived_by_the_office_assistant(world, login):
    booking = booking_today(world, staff=world.kco, client=world.karl, hour=9,
                            unit=UnitCode.KAST)
    response = login(world.oa).post(
        reverse("clients:reception-arrival", args=[booking.public_id])
    )
    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_only_those_who_register_visits_mark_arrivals(world, login):
    booking = booking_today(world, staff=world.co, client=world.anna, hour=9)
    response = login(world.co).post(
        reverse("clients:reception-arrival", args=[booking.public_id])
    )
    assert response.status_code == 403
    assert not Visit.objects.exists()


# --- drop-ins ----------------------------------------------------------------------------------


DROP_IN = "clients:reception-drop-in"


def test_a_drop_in_client_is_found_by_alias_and_registered(world, login):
    browser = login(world.oa)

    found = browser.get(reverse(DROP_IN), {"alias": "ann"})

    html = main_html(found)
    assert 'value="%s"' % world.anna.public_id in html
    assert "Petra" not in html
    search = AccessLog.objects.get()
    assert (search.kind, search.detail, search.view) == (AccessKind.SEARCH, "ann", DROP_IN)

    response = browser.post(reverse(DROP_IN), {
        "alias": "ann", "client": str(world.anna.public_id), "unit": UnitCode.COUNSELLING,
        "purpose": VisitPurpose.PRACTICAL, "register_client": "",
    }, follow=True)

    assert "Besöket är registrerat." in response.content.decode()
    visit = Visit.objects.get()
    assert (visit.client, visit.purpose, visit.unit, visit.booking) == (
        world.anna, VisitPurpose.PRACTICAL, UnitCode.COUNSELLING, None,
    )
    # The visitor is in the waiting room.
    assert "Anna" in panel(browser)[panel(browser).index('data-testid="waiting"'):]


@pytest.mark.parametrize("who", ["karl", "olle"])
def test_a_drop_in_for_a_client_out_of_sight_is_refused(world, login, who):
    client = getattr(world, who)
    response = login(world.oa).post(reverse(DROP_IN), {
        "alias": client.alias, "client": str(client.public_id),
        "unit": UnitCode.COUNSELLING, "purpose": VisitPurpose.DROP_IN, "register_client": "",
    })
    assert response.status_code == 200
    assert "Välj en klient i listan." in response.content.decode()
    assert client.alias not in main_html(response).replace(f'value="{client.alias}"', "")
    assert not Visit.objects.exists()


def test_a_drop_in_without_a_chosen_client_says_what_is_missing(world, login):
    response = login(world.oa).post(reverse(DROP_IN), {
        "alias": "ann", "unit": UnitCode.COUNSELLING, "purpose": VisitPurpose.DROP_IN,
        "register_client": "",
    })
    assert "Välj vem som har kommit." in response.content.decode()
    assert not Visit.objects.exists()


def test_the_drop_in_search_refuses_an_identity_number(world, login):
    response = login(world.oa).get(reverse(DROP_IN), {"alias": world.anna.identity_number})
    html = main_html(response)
    assert "inte på personnummer" in html
    assert str(world.anna.public_id) not in html
    assert not AccessLog.objects.exists()


def test_a_search_that_finds_nobody_says_so(world, login):
    html = main_html(login(world.oa).get(reverse(DROP_IN), {"alias": "Xerxes"}))
    assert 'data-testid="no-candidates"' in html


def test_an_anonymous_visit_stores_no_client(world, login):
    response = login(world.oa).post(reverse(DROP_IN), {
        "anon-unit": UnitCode.COUNSELLING, "anon-purpose": VisitPurpose.INFORMATION,
        "anon-gender": Gender.TRANS_NONBINARY, "anon-age_band": AgeBand.FROM_25,
        "register_anonymous": "",
    }, follow=True)

    assert "Besöket är registrerat." in response.content.decode()
    visit = Visit.objects.get()
    assert visit.client is None and visit.booking is None
    assert (visit.unit, visit.purpose, visit.gender, visit.age_band) == (
        UnitCode.COUNSELLING, VisitPurpose.INFORMATION, Gender.TRANS_NONBINARY, AgeBand.FROM_25,
    )


@pytest.mark.parametrize("field, value", [
    ("anon-unit", UnitCode.KAST),
    ("anon-purpose", VisitPurpose.BOOKED),
    ("anon-age_band", "12-17"),
    ("anon-gender", ""),
])
def test_an_anonymous_visit_with_bad_input_is_refused(world, login, field, value):
    data = {
        "anon-unit": UnitCode.COUNSELLING, "anon-purpose": VisitPurpose.INFORMATION,
        "anon-gender": Gender.WOMAN, "anon-age_band": AgeBand.UNKNOWN,
        "register_anonymous": "", field: value,
    }
    response = login(world.oa).post(reverse(DROP_IN), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "giltigt alternativ" in html or "Detta fält måste fyllas i." in html
    assert not Visit.objects.exists()


def test_only_those_who_register_visits_open_the_drop_in_page(world, login):
    for user in [world.co, world.cl, world.ow]:
        assert login(user).get(reverse(DROP_IN)).status_code == 403


# --- the practitioner's side -----------------------------------------------------------------


def arrived(world, *, staff, client, hour):
    return services.register_arrival(
        booking_today(world, staff=staff, client=client, hour=hour), by=world.oa
    )


def test_the_counsellor_sees_arrivals_for_own_bookings_only(world, login):
    colleague = staff(Role.COUNSELLOR, "co2")
    arrived(world, staff=world.co, client=world.anna, hour=9)
    arrived(world, staff=colleague, client=world.petra, hour=9)

    own = main_html(login(world.co).get(reverse("start")))
    other = arrivals(login(colleague))

    assert 'data-testid="reception-arrivals"' in own
    mine = own[own.index('data-testid="arrivals"'):]
    assert "Anna" in mine and "Petra" not in mine
    assert own.count('data-testid="arrival"') == 1
    assert "Petra" in other and "Anna" not in other
    assert other.count('data-testid="arrival"') == 1


def test_the_arrivals_panel_refreshes_itself(world, login):
    browser = login(world.co)
    start = main_html(browser.get(reverse("start")))
    assert f'hx-get="{reverse(ARRIVALS_URL)}"' in start
    assert "Ingen har kommit till dig ännu i dag." in start

    arrived(world, staff=world.co, client=world.anna, hour=9)

    fragment = arrivals(browser)
    assert "<html" not in fragment and "Anna" in fragment and "väntar sedan" in fragment


def test_the_counsellor_takes_the_visitor_in(world, login):
    visit = arrived(world, staff=world.co, client=world.anna, hour=9)
    browser = login(world.co)

    response = browser.post(reverse("clients:reception-take-in", args=[visit.public_id]),
                            follow=True)

    assert "Besökaren är mottagen." in response.content.decode()
    visit.refresh_from_db()
    assert visit.taken_in_by == world.co and visit.taken_in_at is not None
    html = arrivals(browser)
    assert "mottagen" in html and 'data-testid="take-in-button"' not in html


def test_another_counsellor_cannot_take_in_or_complete(world, login):
    colleague = staff(Role.COUNSELLOR, "co2")
    visit = arrived(world, staff=world.co, client=world.anna, hour=9)
    browser = login(colleague)

    assert browser.post(reverse("clients:reception-take-in",
                                args=[visit.public_id])).status_code == 404
    assert browser.post(reverse("clients:reception-complete",
                                args=[visit.public_id])).status_code == 404
    visit.refresh_from_db()
    assert visit.taken_in_at is None and visit.closed_at is None


def test_completing_the_booking_closes_the_visit(world, login):
    visit = arrived(world, staff=world.co, client=world.anna, hour=9)
    services.take_in(visit, by=world.co)
    browser = login(world.co)

    response = browser.post(reverse("clients:reception-complete", args=[visit.public_id]),
                            follow=True)

    assert "Bokningen är genomförd och besöket avslutat." in response.content.decode()
    visit.refresh_from_db()
    assert visit.closed_at is not None
    assert visit.booking.status == BookingStatus.COMPLETED
    assert "Anna" not in arrivals(browser)
    oa_panel = panel(login(world.oa))
    assert "Anna" not in oa_panel[oa_panel.index('data-testid="waiting"'):]


def test_the_clinician_has_the_same_panel(world, login):
    sara = services.register_client(unit=UnitCode.SPIRALEN, by=world.cl, alias="Sara")
    booking = booking_today(world, staff=world.cl, client=sara, hour=9,
                            unit=UnitCode.SPIRALEN, kind=BookingKind.VISIT)
    services.register_arrival(booking, by=world.oa)

    html = main_html(login(world.cl).get(reverse("start")))

    assert "Sara" in html[html.index('data-testid="arrivals"'):]


# --- query counts ------------------------------------------------------------------------------


def a_busy_day(world, *, staff_count=10, per_staff=30):
    """staff_count counsellors with per_staff bookings each today (15 minutes apart, so
    no staff member is double-booked), a third of them arrived, and clients in and out of
    the office assistant's sight."""
    visible = [services.register_client(unit=UnitCode.COUNSELLING, by=world.oa,
                                        alias=f"Synlig {i}") for i in range(3)]
    hidden = services.register_client(unit=UnitCode.SPIRALEN, by=world.cl, alias="Dold")
    clients = [*visible, hidden, world.anna]
    bookings = []
    for s in range(staff_count):
        member = UserFactory(role=Role.COUNSELLOR)
        for i in range(per_staff):
            start = today_at(7) + timedelta(minutes=15 * i)
            bookings.append(Booking(
                unit=UnitCode.COUNSELLING, staff=member, client=clients[(s + i) % len(clients)],
                starts_at=start, ends_at=start + timedelta(minutes=15), created_by=world.oa,
                status=BookingStatus.ARRIVED if i % 3 == 0 else BookingStatus.BOOKED,
            ))
    Booking.objects.bulk_create(bookings)
    Visit.objects.bulk_create([
        Visit(unit=b.unit, purpose=VisitPurpose.BOOKED, client=b.client, booking=b,
              registered_by=world.oa)
        for b in Booking.objects.filter(status=BookingStatus.ARRIVED, visit__isnull=True)
    ])
    for i in range(20):
        QueueEntry.objects.create(
            client=Client.objects.create(alias=f"Kö {i}", created_by=world.oa),
            source=QueueSource.SELF, added_by=world.oa,
        )


def count_queries(browser, url):
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
    assert response.status_code == 200
    return len(queries), response


# What the "Idag" fragment costs: session, user, second factor, permissions and groups (one
# query each); then today's bookings (with staff, room, client and arrival), the waiting
# room, the lapsed-access check and the visible clients of both lists, and the queue.
MAX_TODAY_QUERIES = 10
# The start page carries the panels of every app for the user's roles: bounded as a page
# (DESIGN §9, about 20), and not growing with the day's bookings.
MAX_START_QUERIES = 20


@pytest.mark.parametrize("url_name, bound", [
    (TODAY_URL, MAX_TODAY_QUERIES), ("start", MAX_START_QUERIES),
])
def test_the_today_panel_runs_a_fixed_number_of_queries(
    world, login, url_name, bound, django_assert_max_num_queries
):
    browser = login(world.oa)
    arrived(world, staff=world.co, client=world.anna, hour=6)
    few, _ = count_queries(browser, reverse(url_name))

    a_busy_day(world)  # 10 staff members with 30 bookings each, a third of them arrived
    with django_assert_max_num_queries(min(few, bound)):
        response = browser.get(reverse(url_name))
    assert response.content.decode().count('data-testid="booking"') == 301
    assert response.content.decode().count('data-testid="waiting-visit"') == 101


def test_the_arrivals_panel_runs_a_fixed_number_of_queries(
    world, login, django_assert_max_num_queries
):
    browser = login(world.co)
    arrived(world, staff=world.co, client=world.anna, hour=6)
    few, _ = count_queries(browser, reverse(ARRIVALS_URL))
    for i in range(30):
        client = services.register_client(unit=UnitCode.COUNSELLING, by=world.oa,
                                          alias=f"Besök {i}")
        booking = Booking.objects.create(
            unit=UnitCode.COUNSELLING, staff=world.co, client=client,
            starts_at=today_at(7) + timedelta(minutes=15 * i),
            ends_at=today_at(7) + timedelta(minutes=15 * i + 10), created_by=world.oa,
        )
        services.register_arrival(booking, by=world.oa)

    # The request's own five, the visits, the lapsed-access check and the visible clients.
    with django_assert_max_num_queries(min(few, 8)):
        response = browser.get(reverse(ARRIVALS_URL))
    assert response.content.decode().count('data-testid="arrival"') == 31


def test_the_drop_in_page_keeps_nothing_typed_in_the_browsers_history(world, login):
    from tests.test_autocomplete_off import fields_of, remembered

    response = login(world.oa).get(reverse(DROP_IN), {"alias": "ann"})
    assert remembered(fields_of(response)) == []
