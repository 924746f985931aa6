"""Every search form answers its POST with a redirect to a results page that finds the search by
an opaque key kept in the session (Post/Redirect/Get, issue 6): Back, reload and new tabs work,
the identity number never reaches a URL, and the key is worth nothing to another session."""

import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from prostenhet.lib import personnummer
from prostenhet.roles import Role

from .helpers import SPARE_NUMBERS, main_html, ten_digits

pytestmark = pytest.mark.django_db


def every_number_form(number):
    return {
        number, number[2:], personnummer.display(number), ten_digits(number),
        f"{number[:8]}-{number[8:]}",
    }


@dataclass(frozen=True)
class Search:
    """One search form: who uses it, where, what they type, and what a hit looks like."""

    name: str
    role: Role
    who: str  # the world's staff member who searches
    url: object  # world → the form's address
    data: object  # world → the POST
    number: object  # world → the identity number typed (or None)
    hit: object  # (response, world) → whether the results page shows what was searched for


def client_results(response):
    if not response.context.get("searched"):
        return []
    return list(response.context["results"])


SEARCHES = [
    Search(
        name="client search",
        role=Role.COUNSELLOR,
        who="co",
        url=lambda w: reverse("clients:client-search"),
        data=lambda w: {"q": ten_digits(w.anna.identity_number)},
        number=lambda w: w.anna.identity_number,
        hit=lambda r, w: client_results(r) == [w.anna],
    ),
    Search(
        name="merge search",
        role=Role.OFFICE_ASSISTANT,
        who="oa",
        url=lambda w: reverse("clients:merge-search", args=[w.anna.public_id]),
        data=lambda w: {"q": w.petra.identity_number},
        number=lambda w: w.petra.identity_number,
        hit=lambda r, w: list(r.context["candidates"]) == [w.petra],
    ),
    Search(
        name="emergency search",
        role=Role.MANAGER,
        who="ma",
        url=lambda w: reverse("clients:emergency-search"),
        data=lambda w: {"identity_number": personnummer.display(w.anna.identity_number),
                        "reason": "Klienten har svimmat i väntrummet."},
        number=lambda w: w.anna.identity_number,
        hit=lambda r, w: r.context["found"] == w.anna,
    ),
]
IDS = [search.name for search in SEARCHES]


def search_through(browser, search, world, data=None):
    """POST the form; returns the redirect's response."""
    return browser.post(search.url(world), data if data is not None else search.data(world))


def key_of(search, world, response):
    assert response.status_code in (302, 303), response.status_code
    parts = urlsplit(response["Location"])
    assert parts.path == search.url(world)
    query = parse_qs(parts.query)
    assert list(query) == ["s"], parts.query
    (key,) = query["s"]
    return key


def new_session(user):
    """A second browser (its own session) logged in with both factors."""
    browser = Browser()
    browser.force_login(user)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get(confirmed=True).persistent_id
    session.save()
    return browser


# --- Post/Redirect/Get -------------------------------------------------------------------------


@pytest.mark.parametrize("search", SEARCHES, ids=IDS)
def test_a_search_answers_its_post_with_a_redirect_to_an_opaque_key(world, login, search):
    browser = login(getattr(world, search.who))

    response = search_through(browser, search, world)

    key = key_of(search, world, response)
    assert key.strip()
    for form in every_number_form(search.number(world)):
        assert form not in response["Location"], form
        assert form not in key


@pytest.mark.parametrize("search", SEARCHES, ids=IDS)
def test_the_key_is_not_derived_from_the_identity_number(world, login, search):
    """A key computed from the number (a hash, say) could be reversed over the small space of
    identity numbers: the same search twice gives two different keys."""
    browser = login(getattr(world, search.who))

    first = key_of(search, world, search_through(browser, search, world))
    second = key_of(search, world, search_through(browser, search, world))

    assert first != second


@pytest.mark.parametrize("search", SEARCHES, ids=IDS)
def test_the_results_page_shows_the_results_and_survives_reload_and_back(
    world, login, search
):
    browser = login(getattr(world, search.who))
    results_url = search_through(browser, search, world)["Location"]

    shown = browser.get(results_url)
    assert shown.status_code == 200
    assert search.hit(shown, world)

    # The user opens a client and comes Back (or reloads, or opens the results in a new tab):
    # a GET of the same address, with the same results.
    opened = browser.get(reverse("clients:client-detail", args=[world.anna.public_id]))
    assert opened.status_code in (200, 404)
    for _ in range(2):
        again = browser.get(results_url)
        assert again.status_code == 200
        assert search.hit(again, world)


@pytest.mark.parametrize("search", SEARCHES, ids=IDS)
def test_the_results_page_never_shows_the_identity_number(world, login, search):
    browser = login(getattr(world, search.who))
    results_url = search_through(browser, search, world)["Location"]

    page = browser.get(results_url).content.decode()

    for form in every_number_form(search.number(world)):
        assert form not in page, form


@pytest.mark.parametrize("search", SEARCHES, ids=IDS)
def test_the_session_keeps_the_result_not_the_identity_number(world, login, search):
    browser = login(getattr(world, search.who))
    search_through(browser, search, world)

    kept = json.dumps(browser.session.get("searches"), default=str)

    assert kept != "null"
    for form in every_number_form(search.number(world)):
        assert form not in kept, form


@pytest.mark.parametrize("search", SEARCHES, ids=IDS)
@pytest.mark.parametrize("other", ["another user", "same user, another session"])
def test_another_session_cannot_use_the_key(world, login, staff_of, search, other):
    results_url = search_through(login(getattr(world, search.who)), search, world)["Location"]
    user = staff_of(search.role) if other == "another user" else getattr(world, search.who)
    if search.name == "merge search":
        # The other office assistant may open the merge page of Anna too.
        assert login(user, client=Browser()).get(search.url(world)).status_code == 200

    response = new_session(user).get(results_url)

    assert response.status_code == 200
    assert not search.hit(response, world)
    assert not response.context["form"].is_bound
    assert not response.context["form"].errors


@pytest.mark.parametrize("search", SEARCHES, ids=IDS)
def test_an_unknown_key_shows_an_empty_form(world, login, search):
    browser = login(getattr(world, search.who))

    response = browser.get(search.url(world), {"s": "finns-inte-123"})

    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound and not form.errors
    assert not any(form.initial.get(name) for name in form.fields)
    assert not search.hit(response, world)
    assert 'class="invalid-feedback' not in main_html(response)


def test_a_key_from_one_search_form_is_no_key_for_another(world, login):
    client_search, _merge_search, emergency_search = SEARCHES
    browser = login(world.co)
    key = key_of(client_search, world, search_through(browser, client_search, world))

    response = browser.get(emergency_search.url(world), {"s": key})

    assert response.status_code == 200
    assert response.context["found"] is None


def test_a_merge_search_key_belongs_to_the_client_it_was_made_for(world, login):
    merge_search = SEARCHES[1]
    browser = login(world.oa)
    key = key_of(merge_search, world, search_through(browser, merge_search, world))

    # The same key on the merge page of another client finds nothing.
    response = browser.get(
        reverse("clients:merge-search", args=[world.petra.public_id]), {"s": key}
    )

    assert response.status_code == 200
    assert list(response.context["candidates"]) == []


def test_an_alias_search_is_shown_again_with_its_term(world, login):
    client_search = SEARCHES[0]
    browser = login(world.co)
    results_url = search_through(browser, client_search, world, {"q": "Ann"})["Location"]

    response = browser.get(results_url)

    assert client_results(response) == [world.anna]
    assert response.context["form"].initial["q"] == "Ann"
    assert "Ann" not in results_url


def test_a_search_without_hits_is_a_results_page_too(world, login):
    client_search = SEARCHES[0]
    browser = login(world.co)
    response = search_through(browser, client_search, world, {"q": SPARE_NUMBERS[0]})
    key_of(client_search, world, response)

    page = browser.get(response["Location"])

    assert page.context["searched"]
    assert list(page.context["results"]) == []
    assert "Inga klienter hittades." in main_html(page)


def test_an_emergency_search_without_a_hit_answers_with_a_redirect_too(world, login):
    emergency_search = SEARCHES[2]
    browser = login(world.ma)

    response = search_through(
        browser, emergency_search, world, {"identity_number": SPARE_NUMBERS[0], "reason": "Akut."}
    )

    key_of(emergency_search, world, response)
    page = browser.get(response["Location"])
    assert "Ingen klient hittades." in main_html(page)
    for form in every_number_form(SPARE_NUMBERS[0]):
        assert form not in response["Location"]
