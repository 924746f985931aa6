"""The client picker of the booking forms (reception's and Spiralen's): a page lists the first
clients by alias and the chosen one, not every client the user may book for; a search finds
the others, among the clients the user may book for only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients import services
from clients.forms.pickers import PICKER_SIZE
from clients.models import Booking
from prostenhet.models import AccessKind, AccessLog
from prostenhet.roles import UnitCode

from .helpers import main_html, next_weekday
from .test_booking_views import form_data

pytestmark = pytest.mark.django_db

BOOKING = "clients:booking-create"
BOOKING_OPTIONS = "clients:booking-client-options"
CLINIC = "spiralen:book"
CLINIC_OPTIONS = "spiralen:book-client-options"


@pytest.fixture
def many(world):
    """More counselling clients than a picker lists, all before "Anna" by alias, and the last
    of them, "Zz …", after."""
    clients = [
        services.register_client(unit=UnitCode.COUNSELLING, by=world.oa, alias=f"Aa {n:03d}")
        for n in range(PICKER_SIZE + 1)
    ]
    clients.append(
        services.register_client(unit=UnitCode.COUNSELLING, by=world.oa, alias="Zz Sist")
    )
    return clients


def options(response):
    """The (value, label) of each <option> of a picker's answer or of a page's client select."""
    html = response.content.decode()
    if "<select" in html:
        html = html[html.index('<select name="client"'):]
        html = html[:html.index("</select>")]
    values = []
    for part in html.split("<option")[1:]:
        value = part.split('value="', 1)[1].split('"', 1)[0]
        label = part.split(">", 1)[1].split("</option>", 1)[0]
        values.append((value, label))
    return values


def test_the_booking_page_lists_the_first_clients_and_says_a_search_finds_the_others(
    world, login, many
):
    response = login(world.oa).get(reverse(BOOKING))

    listed = options(response)
    assert listed[0] == ("", "—")
    assert len(listed) == PICKER_SIZE + 1
    assert [label for _value, label in listed[1:4]] == ["Aa 000", "Aa 001", "Aa 002"]
    assert str(many[-1].public_id) not in main_html(response)
    page = main_html(response)
    assert "sök för att hitta fler" in page
    assert f'data-client-search="{reverse(BOOKING_OPTIONS)}"' in page


def test_a_search_finds_a_client_beyond_the_list_by_the_beginning_of_the_alias(
    world, login, many
):
    browser = login(world.oa)

    response = browser.post(reverse(BOOKING_OPTIONS), {"q": "zz s"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert options(response) == [("", "— 1 träff —"), (str(many[-1].public_id), "Zz Sist")]
    # Folded: case and accents do not matter; too many matches are cut at the picker's size.
    assert options(browser.post(reverse(BOOKING_OPTIONS), {"q": "ÀA"}))[0][1].startswith(
        f"— de {PICKER_SIZE} första träffarna"
    )
    assert options(browser.post(reverse(BOOKING_OPTIONS), {"q": "ingen sådan"})) == [
        ("", "— inga träffar —")
    ]


def test_a_search_never_finds_a_client_out_of_the_users_sight(world, login):
    browser = login(world.oa)

    karl = browser.post(reverse(BOOKING_OPTIONS), {"q": "Karl"})
    anna = browser.post(reverse(BOOKING_OPTIONS), {"q": "Anna"})

    assert options(karl) == [("", "— inga träffar —")]
    assert str(world.anna.public_id) in [value for value, _label in options(anna)]


def test_a_client_beyond_the_list_is_booked_and_stays_chosen_when_the_form_is_refused(
    world, login, many
):
    browser = login(world.oa)
    last = many[-1]

    refused = browser.post(reverse(BOOKING), form_data(
        world, next_weekday(), client=last.public_id, start="11:00", end="10:00",
    ))
    booked = browser.post(reverse(BOOKING), form_data(world, next_weekday(), client=last.public_id))

    assert refused.status_code == 200
    assert f'<option value="{last.public_id}" selected>Zz Sist</option>' in refused.content.decode()
    assert booked.status_code == 302
    assert Booking.objects.get().client == last


def test_the_calendars_link_for_a_client_beyond_the_list_chooses_that_client(world, login, many):
    response = login(world.oa).get(reverse(BOOKING), {"client": many[-1].public_id})
    assert (str(many[-1].public_id), "Zz Sist") in options(response)
    assert 'selected>Zz Sist</option>' in response.content.decode()


def test_the_options_put_back_a_client_beyond_the_list_for_a_kept_form_and_log_no_search(
    world, login, many
):
    """A form kept when the session ended names a client found by a search: the page's script
    asks the picker's address for the options with that client (q empty, selected)."""
    browser = login(world.oa)
    last = many[-1]

    response = browser.post(reverse(BOOKING_OPTIONS), {"q": "", "selected": last.public_id})
    foreign = browser.post(reverse(BOOKING_OPTIONS), {"q": "", "selected": world.karl.public_id})
    malformed = browser.post(reverse(BOOKING_OPTIONS), {"q": "", "selected": "inte-ett-id"})

    assert (str(last.public_id), "Zz Sist") in options(response)
    assert len(options(response)) == PICKER_SIZE + 2  # the first, empty one; the hundred; hers
    for refused in (foreign, malformed):
        assert str(world.karl.public_id) not in refused.content.decode()
        assert len(options(refused)) == PICKER_SIZE + 1
    assert not AccessLog.objects.exists()


def test_a_malformed_or_foreign_chosen_client_is_left_out_of_the_list(world, login):
    browser = login(world.oa)
    for chosen in ("inte-ett-id", world.karl.public_id):
        response = browser.get(reverse(BOOKING), {"client": chosen})
        assert response.status_code == 200
        assert str(world.karl.public_id) not in response.content.decode()


def test_the_clinics_picker_searches_the_main_register_the_user_may_book_for(
    world, login, many
):
    browser = login(world.cl)
    services.enroll(many[-1], UnitCode.SPIRALEN, by=world.cl)

    found = options(browser.post(reverse(CLINIC_OPTIONS), {"q": "z"}))
    page = browser.get(reverse(CLINIC))

    assert (str(many[-1].public_id), "Zz Sist") in found
    assert f'data-client-search="{reverse(CLINIC_OPTIONS)}"' in page.content.decode()
    assert len(options(page)) <= PICKER_SIZE + 1
    assert str(world.karl.public_id) not in browser.post(
        reverse(CLINIC_OPTIONS), {"q": "k"}
    ).content.decode()


@pytest.mark.parametrize("name", [BOOKING_OPTIONS, CLINIC_OPTIONS])
def test_the_search_is_refused_to_those_who_do_not_book_and_runs_few_queries(
    world, login, many, name, django_assert_max_num_queries
):
    assert login(world.ma).post(reverse(name), {"q": "a"}).status_code == 403
    browser = login(world.oa)
    browser.post(reverse(name), {"q": "a"})
    with django_assert_max_num_queries(12):
        response = browser.post(reverse(name), {"q": "a" * 500})
    assert response.status_code == 200
    assert browser.get(reverse(name), {"q": "a"}).status_code == 405  # POSTed: no URL query


def test_the_booking_page_runs_as_many_queries_with_many_clients_as_with_few(
    world, login, django_assert_num_queries
):
    browser = login(world.oa)
    browser.get(reverse(BOOKING))
    with CaptureQueriesContext(connection) as few:
        browser.get(reverse(BOOKING))
    for n in range(PICKER_SIZE + 5):
        services.register_client(unit=UnitCode.COUNSELLING, by=world.oa, alias=f"Bb {n:03d}")

    with django_assert_num_queries(len(few)):
        response = browser.get(reverse(BOOKING))

    assert len(options(response)) == PICKER_SIZE + 1


def test_a_search_is_logged_with_what_was_typed_and_an_empty_one_is_not(world, login):
    browser = login(world.oa)

    browser.post(reverse(BOOKING_OPTIONS), {"q": ""})
    browser.post(reverse(BOOKING_OPTIONS), {"q": "Ann"})
    browser.post(reverse(BOOKING_OPTIONS), {"q": world.anna.identity_number})

    rows = AccessLog.objects.order_by("pk")
    assert [(row.kind, row.user, row.view, row.detail, row.client) for row in rows] == [
        (AccessKind.SEARCH, world.oa, BOOKING_OPTIONS, "Ann", None),
        # An identity number never goes into a log.
        (AccessKind.SEARCH, world.oa, BOOKING_OPTIONS, "", None),
    ]
