"""KAST is sealed (DESIGN §3.4, issue 10): no KAST datum — a call's topic text, a caller code, a
KAST client's alias, a KAST session — reaches anyone outside KAST, on any page: the start page
(the office assistant's today panel, the counsellors' "my day"), the navigation, the client list
and search, the calendars (a KAST time is only "Upptagen"), the KAST pages and record URLs (the
same answer whether the record exists or not), the client pages, the access log and the error
pages. The counsellor `co` holds the same role as `kco`: only the unit differs."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Room
from kast import services
from kast.models import CallOutcome, HeardVia
from prostenhet.roles import UnitCode

from .helpers import call, next_weekday_at

pytestmark = pytest.mark.django_db

OUTSIDE = ["oa", "ow", "co", "cl", "ma", "sa"]
TOPIC = "Zetaärende om hemlig resa"
CODE = "Uppringare 77"
ALIAS = "Bertil Kastsson"


@pytest.fixture
def kast_world(world):
    """A call with a caller code, the caller registered (alias) and a first session booked
    for the next weekday at 10 in KAST's room, and today's call; Karl is kco's client too."""
    Room.objects.create(name="Rum K", unit=UnitCode.KAST)
    first = call(world.kco, caller_code=CODE, summary=TOPIC, outcome=CallOutcome.BOOKED,
                 heard_via=HeardVia.POLICE)
    services.register_caller(first, by=world.kco, alias=ALIAS)
    first.refresh_from_db()
    booking = services.book_first_session(first, by=world.kco, starts_at=next_weekday_at(10),
                                          room=Room.objects.get(name="Rum K"))
    services.record_buyer_outreach(by=world.kco, kind="police_letters", period="month",
                                   day=timezone.localdate(), count=4711)
    world.kast_call, world.kast_booking = first, booking
    world.kast_client = first.client
    return world


def secrets_in(html):
    return [s for s in (TOPIC, CODE, ALIAS, ">Karl<", "Karl ", ">4711<", "KAST-samtal",
                        "KAST-klienter", "Nå köpare", "/kast/")
            if s in html]


def test_the_kast_counsellor_sees_it_all(kast_world, login):
    w = kast_world
    browser = login(w.kco)
    start = browser.get(reverse("start")).content.decode()
    assert ALIAS in start and "KAST-samtal" in start
    day = timezone.localdate(w.kast_booking.starts_at)
    calendar = browser.get(reverse("clients:calendar-day") + f"?date={day}").content.decode()
    assert ALIAS in calendar


@pytest.mark.parametrize("who", OUTSIDE)
def test_nothing_of_kast_on_the_pages_of_those_outside(kast_world, login, who):
    w = kast_world
    user = getattr(w, who)
    browser = login(user)
    day = timezone.localdate(w.kast_booking.starts_at)
    pages = {
        "start": reverse("start"),
        "client list": reverse("clients:client-search"),
        "calendar day": reverse("clients:calendar-day") + f"?date={day}",
        "calendar day of kco": reverse("clients:calendar-day")
        + f"?date={day}&staff={w.kco.public_id}",
        "calendar week of kco": reverse("clients:calendar-week")
        + f"?date={day}&staff={w.kco.public_id}",
        "reception today": reverse("clients:reception-today"),
        "referrals": reverse("clients:referral-list"),
        "access log": reverse("audit:access-log"),
        "access log review": reverse("audit:access-log-review"),
    }
    for label, url in pages.items():
        response = browser.get(url)
        assert response.status_code in (200, 403), label
        assert secrets_in(response.content.decode()) == [], label
    # A search for the alias, the code or Karl finds nothing.
    for term in (ALIAS, CODE, "Karl"):
        response = browser.post(reverse("clients:client-search"), {"q": term}, follow=True)
        assert response.status_code in (200, 403)
        html = response.content.decode()
        assert ALIAS not in html.replace(f'value="{ALIAS}"', "")
        assert "/klienter/" + str(w.karl.public_id) not in html
        assert "/klienter/" + str(w.kast_client.public_id) not in html


@pytest.mark.parametrize("who", OUTSIDE)
def test_kast_addresses_answer_the_same_whether_or_not_the_record_exists(kast_world, login,
                                                                        who):
    w = kast_world
    browser = login(getattr(w, who))
    # A KAST page: 403, revealing nothing.
    for name in ("kast:call-list", "kast:call-create", "kast:client-list",
                 "kast:outreach-list", "kast:outreach-create"):
        response = browser.get(reverse(name) + f"?code={CODE}")
        assert response.status_code == 403, name
        assert secrets_in(response.content.decode().replace("/kast/", "")) == [], name
    # A record's address: 404, exactly as for one that does not exist.
    for name, real in [
        ("kast:call-detail", {"call_id": w.kast_call.public_id}),
        ("kast:call-book", {"call_id": w.kast_call.public_id}),
        ("kast:client-detail", {"client_id": w.kast_client.public_id}),
        ("kast:client-referral", {"client_id": w.karl.public_id}),
        ("clients:client-detail", {"public_id": w.kast_client.public_id}),
        ("clients:journal", {"public_id": w.kast_client.public_id, "unit": "kast"}),
        ("clients:contract-list", {"public_id": w.kast_client.public_id, "unit": "kast"}),
    ]:
        for kwargs in (real, {k: uuid.uuid4() if k != "unit" else v for k, v in real.items()}):
            response = browser.get(reverse(name, kwargs=kwargs))
            assert response.status_code in (404, 403), name
            assert secrets_in(response.content.decode().replace("/kast/", "")) == [], name
    # The KAST booking: 404 like any unknown booking, for everyone outside.
    for booking_id in (w.kast_booking.public_id, uuid.uuid4()):
        response = browser.get(reverse("clients:booking-move", args=[booking_id]))
        assert response.status_code in (403, 404)


def test_on_shared_calendars_a_kast_time_is_only_busy(kast_world, login):
    w = kast_world
    day = timezone.localdate(w.kast_booking.starts_at)
    room = Room.objects.get(name="Rum K")
    for user in (w.oa, w.co):
        html = login(user).get(
            reverse("clients:calendar-day") + f"?date={day}&room={room.pk}"
        ).content.decode()
        assert "Upptagen" in html
        assert secrets_in(html.replace("/kast/", "")) == []


def test_kast_reads_are_sealed_in_the_access_log(kast_world, login):
    w = kast_world
    login(w.kco).get(reverse("kast:call-detail", args=[w.kast_call.public_id]))
    html = login(w.ma).get(reverse("audit:access-log-review")).content.decode()
    assert ALIAS not in html and "KAST, samtal" not in html
