"""KAST's pages (issue 10): every page for the KAST counsellor; the access of every role to
every page (403 for a KAST page, 404 for a record's URL — the same for a record that does not
exist); forms refusing impossible input in Swedish without losing what was typed; read-log rows
for pages that show a named client's record, none for anonymous calls and lists."""

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Booking
from kast import services
from kast.models import BuyerOutreach, Call, CallOutcome
from prostenhet.models import AccessLog

from .helpers import call, next_weekday_at

pytestmark = pytest.mark.django_db

ROLES = ["oa", "ow", "co", "cl", "ma", "sa"]
PAGES = ["kast:call-list", "kast:call-create", "kast:client-list", "kast:outreach-list",
         "kast:outreach-create"]


def without_tokens(response):
    """The page without its per-request CSRF token, request id and the URL's own id."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    page = re.sub(r'request-id">[0-9a-f]+<', "", page)
    # The language switch names the page's own address.
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "", page)


def records(world):
    """{url name: kwargs} of the record pages, on the world's data (Karl is kco's)."""
    anonymous = call(world.kco, outcome=CallOutcome.OFFERED)
    karls = call(world.kco, client=world.karl, outcome=CallOutcome.OFFERED)
    row = services.record_buyer_outreach(by=world.kco, kind="street_contacts", period="shift",
                                         day=timezone.localdate(), count=4)
    return {
        "kast:call-detail": {"call_id": anonymous.public_id},
        "kast:call-edit": {"call_id": anonymous.public_id},
        "kast:call-register": {"call_id": anonymous.public_id},
        "kast:call-book": {"call_id": karls.public_id},
        "kast:client-detail": {"client_id": world.karl.public_id},
        "kast:client-referral": {"client_id": world.karl.public_id},
        "kast:outreach-edit": {"outreach_id": row.public_id},
    }


def test_the_kast_counsellor_opens_every_page(world, login):
    browser = login(world.kco)
    for name in PAGES:
        assert browser.get(reverse(name)).status_code == 200, name
    for name, kwargs in records(world).items():
        assert browser.get(reverse(name, kwargs=kwargs)).status_code == 200, name


@pytest.mark.parametrize("who", ROLES)
def test_nobody_outside_kast_gets_in(world, login, who):
    browser = login(getattr(world, who))
    for name in PAGES:
        assert browser.get(reverse(name)).status_code == 403, name
    for name, kwargs in records(world).items():
        real = browser.get(reverse(name, kwargs=kwargs))
        missing = browser.get(reverse(name, kwargs={k: uuid.uuid4() for k in kwargs}))
        assert real.status_code == missing.status_code == 404, name
        assert without_tokens(real) == without_tokens(missing), name
        assert browser.post(reverse(name, kwargs=kwargs), {}).status_code == 404, name


def test_another_kast_counsellor_gets_404_for_karl(world, login):
    from .helpers import second_kast_counsellor

    urls = records(world)
    browser = login(second_kast_counsellor())
    for name in ("kast:call-book", "kast:client-detail", "kast:client-referral"):
        assert browser.get(reverse(name, kwargs=urls[name])).status_code == 404, name
    # The anonymous call is the team's.
    assert browser.get(reverse("kast:call-detail", kwargs=urls["kast:call-detail"])
                       ).status_code == 200


def call_data(**fields):
    data = {
        "occurred_at": (timezone.localtime() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "minutes": "20", "channel": "phone", "heard_via": "police",
        "summary": "Förhördes av polisen, vill prata.", "topics": ["after_arrest"],
        "outcome": "offered", "caller_code": "Uppringare 5", "client": "",
    }
    data.update(fields)
    return data


def test_a_call_is_recorded_from_the_form(world, login):
    browser = login(world.kco)
    response = browser.post(reverse("kast:call-create"), call_data())
    recorded = Call.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("kast:call-detail", args=[recorded.public_id])
    assert recorded.caller_code == "Uppringare 5" and recorded.topics == ["after_arrest"]
    assert recorded.counsellor == world.kco and recorded.client is None


@pytest.mark.parametrize("fields, message", [
    ({"minutes": "-5"}, "Ett samtal är minst en minut."),
    ({"minutes": "999"}, "Ett samtal är högst 240 minuter."),
    ({"minutes": "tio"}, "Fyll i ett heltal."),
    ({"occurred_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
     "Samtalet kan inte ha ägt rum i framtiden."),
    ({"heard_via": ""}, "Detta fält måste fyllas i."),
    ({"client": str(uuid.uuid4())}, "Du kan inte koppla samtalet till den klienten."),
])
def test_impossible_calls_are_refused_in_swedish(world, login, fields, message):
    browser = login(world.kco)
    response = browser.post(reverse("kast:call-create"), call_data(**fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    # What was typed is still there.
    assert "Förhördes av polisen, vill prata." in response.content.decode()
    assert not Call.objects.exists()


def test_anna_cannot_be_picked_as_a_caller(world, login):
    browser = login(world.kco)
    response = browser.post(reverse("kast:call-create"),
                            call_data(client=str(world.anna.public_id)))
    assert response.status_code == 200 and not Call.objects.exists()
    assert ">Anna<" not in response.content.decode()


def test_register_and_book_from_the_call_page(world, login):
    browser = login(world.kco)
    recorded = call(world.kco, caller_code="Uppringare 9", outcome=CallOutcome.BOOKED)
    page = browser.get(reverse("kast:call-detail", args=[recorded.public_id])).content.decode()
    assert reverse("kast:call-register", args=[recorded.public_id]) in page
    response = browser.post(reverse("kast:call-register", args=[recorded.public_id]), {
        "alias": "Uppringare 9", "birth_year": "", "gender": "man",
        "referral_source": "police", "version": recorded.version,
    })
    assert response.status_code == 302
    recorded.refresh_from_db()
    client = recorded.client
    assert client.alias == "Uppringare 9"
    page = browser.get(reverse("kast:call-detail", args=[recorded.public_id])).content.decode()
    assert reverse("kast:call-book", args=[recorded.public_id]) in page
    assert reverse("clients:contract-list", args=[client.public_id, "kast"]) in page
    starts = timezone.localtime(next_weekday_at(10))
    response = browser.post(reverse("kast:call-book", args=[recorded.public_id]), {
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"), "minutes": "60", "room": "",
        "token": "t1",
    })
    assert response.status_code == 302
    booking = Booking.objects.get(client=client)
    assert booking.starts_at == starts and booking.staff == world.kco
    # Counselling's screens work for the KAST client.
    for url in (reverse("clients:contract-list", args=[client.public_id, "kast"]),
                reverse("clients:contract-create", args=[client.public_id, "kast"]),
                reverse("clients:journal", args=[client.public_id, "kast"])):
        assert browser.get(url).status_code == 200, url
    # The session is on the counsellor's calendar of that day.
    day = browser.get(reverse("clients:calendar-day") + f"?date={starts.date()}"
                      f"&staff={world.kco.public_id}").content.decode()
    assert "Uppringare 9" in day


def test_a_refused_booking_keeps_the_form(world, login):
    browser = login(world.kco)
    recorded = call(world.kco, client=world.karl)
    past = timezone.localtime() - timedelta(days=1)
    response = browser.post(reverse("kast:call-book", args=[recorded.public_id]), {
        "starts_at": past.strftime("%Y-%m-%dT%H:%M"), "minutes": "60", "token": "t2",
    })
    assert response.status_code == 200
    assert "Tiden har redan varit" in response.content.decode()
    assert not Booking.objects.filter(client=world.karl, kind="session").exists()


def test_an_under_age_caller_is_refused_on_the_form(world, login):
    browser = login(world.kco)
    recorded = call(world.kco)
    response = browser.post(reverse("kast:call-register", args=[recorded.public_id]), {
        "alias": "Ung", "birth_year": str(timezone.localdate().year - 15), "gender": "man",
        "referral_source": "police", "version": recorded.version,
    })
    assert response.status_code == 200
    assert "orosanmälan" in response.content.decode()


@pytest.mark.parametrize("fields, message", [
    ({"count": "-1"}, "Antalet kan inte vara negativt."),
    ({"count": "99999"}, "Antalet är orimligt stort."),
    ({"day": (timezone.localdate() + timedelta(days=3)).isoformat()},
     "Datumet har inte varit än."),
])
def test_impossible_counts_are_refused(world, login, fields, message):
    browser = login(world.kco)
    data = {"kind": "police_letters", "period": "month",
            "day": timezone.localdate().isoformat(), "count": "12", "note": "Brev skickade."}
    data.update(fields)
    response = browser.post(reverse("kast:outreach-create"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not BuyerOutreach.objects.exists()


def test_the_start_panel(world, login):
    call(world.kco, caller_code="Uppringare 4", outcome=CallOutcome.OFFERED)
    call(world.kco, occurred_at=timezone.now() - timedelta(days=2))
    page = login(world.kco).get(reverse("start")).content.decode()
    assert 'data-testid="kast-panel"' in page
    assert reverse("kast:call-create") in page
    assert "Uppringare 4" in page
    for user in (world.co, world.oa):
        assert 'data-testid="kast-panel"' not in login(user).get(reverse("start")).content.decode()


def test_read_log_rows(world, login):
    browser = login(world.kco)
    anonymous = call(world.kco)
    karls = call(world.kco, client=world.karl)
    before = AccessLog.objects.count()
    browser.get(reverse("kast:call-detail", args=[anonymous.public_id]))
    browser.get(reverse("kast:call-list"))
    browser.get(reverse("kast:client-list"))
    assert AccessLog.objects.count() == before
    for name, kwargs in [("kast:call-detail", {"call_id": karls.public_id}),
                         ("kast:call-edit", {"call_id": karls.public_id}),
                         ("kast:call-book", {"call_id": karls.public_id}),
                         ("kast:client-detail", {"client_id": world.karl.public_id}),
                         ("kast:client-referral", {"client_id": world.karl.public_id})]:
        browser.get(reverse(name, kwargs=kwargs))
        row = AccessLog.objects.order_by("-pk").first()
        assert row.client_id == world.karl.pk and row.user_id == world.kco.pk, name
        assert row.sealed, name


# --- the call form's client picker -------------------------------------------------------------


def test_the_call_forms_picker_finds_the_counsellors_own_clients_by_alias(world, login):
    """The form lists the KAST counsellor's clients by alias (the first hundred); its search
    finds them by the beginning of the alias, never anyone else's, and is logged sealed."""
    from .helpers import second_kast_counsellor

    browser = login(world.kco)
    form = browser.get(reverse("kast:call-create")).content.decode()
    found = browser.post(reverse("kast:call-client-options"), {"q": "kar"}).content.decode()
    other = login(second_kast_counsellor()).post(
        reverse("kast:call-client-options"), {"q": "kar"}
    ).content.decode()
    anna = browser.post(reverse("kast:call-client-options"), {"q": "ann"}).content.decode()

    assert f'<option value="{world.karl.public_id}">Karl</option>' in form
    assert 'data-client-search="' + reverse("kast:call-client-options") in form
    assert f'<option value="{world.karl.public_id}">Karl</option>' in found
    assert str(world.karl.public_id) not in other
    assert str(world.anna.public_id) not in anna
    search = AccessLog.objects.filter(view="kast:call-client-options").order_by("pk").first()
    assert (search.user, search.detail, search.sealed) == (world.kco, "kar", True)


def test_a_call_is_linked_to_the_client_picked(world, login):
    response = login(world.kco).post(
        reverse("kast:call-create"), call_data(client=str(world.karl.public_id))
    )
    assert response.status_code == 302
    assert Call.objects.get().client == world.karl


def test_the_pickers_search_runs_few_queries(world, login, django_assert_max_num_queries):
    browser = login(world.kco)
    browser.post(reverse("kast:call-client-options"), {"q": "k"})
    with django_assert_max_num_queries(12):
        assert browser.post(
            reverse("kast:call-client-options"), {"q": "k"}
        ).status_code == 200
