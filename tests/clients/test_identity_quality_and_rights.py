"""Identity data that never contradicts itself, and actions shown only to those who may take
them (issue 6): a typed value is "known" unless the user says otherwise, an empty one "not
asked"; "not asked" with a value is refused; a unit never shares with itself; the client page
shows a link only if it works for the user (clients.access.client_rights)."""

import re

import pytest
from django.urls import reverse

from clients import access, services
from clients.models import Client, Consent, Quality
from prostenhet.exceptions import DomainError
from prostenhet.roles import Role, UnitCode
from tests.world import staff

from .helpers import SPARE_NUMBERS, as_post, create_data, main_html

pytestmark = pytest.mark.django_db

CREATE = reverse("clients:client-create")
CONTRADICTION = "Uppgiften är ifylld"
MISSING = "Uppgiften saknas"


def register(browser, alias, **fields):
    return browser.post(CREATE, create_data(UnitCode.COUNSELLING, alias, **fields))


def form_errors(response, field):
    return " ".join(str(e) for e in response.context["form"].errors.get(field, []))


def detail_url(client):
    return reverse("clients:client-detail", args=[client.public_id])


def update_url(client):
    return reverse("clients:client-update", args=[client.public_id])


def shown_quality(page, label):
    """The quality shown after a field on the client page: "Namn" → "Känd"."""
    match = re.search(
        rf"<dt[^>]*>{label}</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S
    )
    assert match, label
    quality = re.search(r"\(([^()]*)\)\s*</small>", match[1])
    return quality[1] if quality else None


# --- registration --------------------------------------------------------------------------------


def test_a_typed_name_with_the_quality_left_blank_is_known(world, login):
    browser = login(world.oa)

    response = register(browser, "Testa", legal_name="Testa Testsson")

    assert response.status_code == 302
    client = Client.objects.get(alias="Testa")
    assert client.legal_name == "Testa Testsson"
    assert client.legal_name_quality == Quality.KNOWN
    page = main_html(browser.get(response.url))
    assert shown_quality(page, "Namn") == "Känd"
    assert "Testa Testsson" in page


def test_blank_values_with_blank_qualities_are_not_asked(world, login):
    browser = login(world.oa)

    response = register(browser, "Tom")

    assert response.status_code == 302
    client = Client.objects.get(alias="Tom")
    assert (
        client.legal_name_quality, client.identity_number_quality, client.birth_year_quality
    ) == (Quality.NOT_ASKED, Quality.NOT_ASKED, Quality.NOT_ASKED)
    assert shown_quality(main_html(browser.get(response.url)), "Namn") == "Inte efterfrågad"


def test_a_typed_identity_number_and_birth_year_are_known(world, login):
    number = SPARE_NUMBERS[3]

    response = register(login(world.oa), "Nummer", identity_number=number)

    assert response.status_code == 302
    client = Client.objects.get(alias="Nummer")
    assert (client.identity_number, client.identity_number_quality) == (number, Quality.KNOWN)
    assert (client.birth_year, client.birth_year_quality) == (int(number[:4]), Quality.KNOWN)


def test_a_value_the_user_calls_estimated_stays_estimated(world, login):
    response = register(
        login(world.oa), "Uppskattad", birth_year="1990", birth_year_quality=Quality.ESTIMATED
    )

    assert response.status_code == 302
    client = Client.objects.get(alias="Uppskattad")
    assert (client.birth_year, client.birth_year_quality) == (1990, Quality.ESTIMATED)


def test_a_person_who_declined_keeps_an_empty_value_marked_declined(world, login):
    response = register(login(world.oa), "Avböjde", legal_name_quality=Quality.DECLINED)

    assert response.status_code == 302
    assert Client.objects.get(alias="Avböjde").legal_name_quality == Quality.DECLINED


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"legal_name": "Testa Testsson", "legal_name_quality": Quality.NOT_ASKED},
         "legal_name_quality", CONTRADICTION),
        ({"legal_name": "Testa Testsson", "legal_name_quality": Quality.DECLINED},
         "legal_name_quality", CONTRADICTION),
        ({"identity_number": SPARE_NUMBERS[4], "identity_number_quality": Quality.NOT_ASKED},
         "identity_number_quality", CONTRADICTION),
        ({"birth_year": "1980", "birth_year_quality": Quality.NOT_ASKED},
         "birth_year_quality", CONTRADICTION),
        ({"legal_name_quality": Quality.KNOWN}, "legal_name_quality", MISSING),
    ],
    ids=["name not asked", "name declined", "number not asked", "year not asked",
         "known but empty"],
)
def test_a_contradiction_is_refused_in_swedish_and_nothing_is_saved(
    world, login, fields, field, message
):
    before = Client.objects.count()

    response = register(login(world.oa), "Motsägelse", **fields)

    assert response.status_code == 200
    assert message in form_errors(response, field)
    assert message in main_html(response)
    assert Client.objects.count() == before
    assert not Client.objects.filter(alias="Motsägelse").exists()


# --- editing -------------------------------------------------------------------------------------


def edit_form(browser, client):
    return as_post(browser.get(update_url(client)).context["form"].initial)


def test_editing_a_typed_name_with_a_blank_quality_stores_known(world, login):
    browser = login(world.ow)
    data = {**edit_form(browser, world.olle), "legal_name": "Olle Olsson",
            "legal_name_quality": ""}

    response = browser.post(update_url(world.olle), data)

    assert response.status_code == 302
    world.olle.refresh_from_db()
    assert (world.olle.legal_name, world.olle.legal_name_quality) == (
        "Olle Olsson", Quality.KNOWN
    )
    assert shown_quality(main_html(browser.get(detail_url(world.olle))), "Namn") == "Känd"


def test_editing_away_a_value_with_a_blank_quality_stores_not_asked(world, login):
    browser = login(world.co)
    data = {**edit_form(browser, world.anna), "legal_name": "", "legal_name_quality": ""}

    response = browser.post(update_url(world.anna), data)

    assert response.status_code == 302
    world.anna.refresh_from_db()
    assert (world.anna.legal_name, world.anna.legal_name_quality) == ("", Quality.NOT_ASKED)


def test_an_edit_that_contradicts_itself_is_refused_and_nothing_changes(world, login):
    browser = login(world.ow)
    version = world.olle.version
    data = {**edit_form(browser, world.olle), "legal_name": "Olle Olsson",
            "legal_name_quality": Quality.NOT_ASKED, "languages": "svenska"}

    response = browser.post(update_url(world.olle), data)

    assert response.status_code == 200
    assert CONTRADICTION in form_errors(response, "legal_name_quality")
    world.olle.refresh_from_db()
    assert (world.olle.legal_name, world.olle.languages, world.olle.version) == ("", "", version)


def test_typing_a_name_on_the_edit_form_as_it_is_shown_stores_known(world, login):
    browser = login(world.ow)
    data = {**edit_form(browser, world.olle), "legal_name": "Olle Olsson"}

    response = browser.post(update_url(world.olle), data)

    assert response.status_code == 302
    world.olle.refresh_from_db()
    assert world.olle.legal_name_quality == Quality.KNOWN


# --- consent ------------------------------------------------------------------------------------


def consent_url(client):
    return reverse("clients:consent-create", args=[client.public_id])


def test_the_consent_form_does_not_offer_the_users_only_unit_as_the_other(world, login):
    browser = login(world.co)

    form = browser.get(consent_url(world.anna)).context["form"]

    assert [value for value, _ in form.fields["unit"].choices] == [UnitCode.COUNSELLING]
    assert UnitCode.COUNSELLING not in [value for value, _ in form.fields["other_unit"].choices]


def test_a_unit_sharing_with_itself_is_refused_for_a_single_unit_user(world, login):
    response = login(world.co).post(consent_url(world.anna), {
        "unit": UnitCode.COUNSELLING, "other_unit": UnitCode.COUNSELLING, "method": "verbal",
    })

    assert response.status_code == 200
    assert response.context["form"].errors["other_unit"]
    assert not Consent.objects.filter(client=world.anna).exists()


def test_a_unit_sharing_with_itself_is_refused_with_a_swedish_error(world, login):
    """A counsellor who works in two units is offered both as "the other": choosing the
    same one twice is refused."""
    both = staff(Role.COUNSELLOR, "tva-enheter", units=[UnitCode.COUNSELLING,
                                                        UnitCode.SPIRALEN])
    browser = login(both)
    assert UnitCode.SPIRALEN in dict(
        browser.get(consent_url(world.anna)).context["form"].fields["other_unit"].choices
    )

    response = browser.post(consent_url(world.anna), {
        "unit": UnitCode.SPIRALEN, "other_unit": UnitCode.SPIRALEN, "method": "written",
    })

    assert response.status_code == 200
    assert form_errors(response, "other_unit") == "Välj en annan verksamhetsdel än den egna."
    assert not Consent.objects.filter(client=world.anna).exists()


def test_the_service_refuses_a_unit_sharing_with_itself(world):
    with pytest.raises(DomainError, match="två olika"):
        services.give_consent(
            world.anna, UnitCode.COUNSELLING, UnitCode.COUNSELLING, method="verbal", by=world.co
        )
    assert not Consent.objects.filter(client=world.anna).exists()


# --- actions shown only to those who may take them ----------------------------------------------


@pytest.fixture
def consent(world):
    """Anna's counselling–Spiralen consent: each unit now reads the other's journal."""
    return services.give_consent(
        world.anna, UnitCode.COUNSELLING, UnitCode.SPIRALEN, method="verbal", by=world.co
    )


def end_url(client, unit):
    return reverse("clients:enrollment-end", args=[client.public_id, unit])


def client_links(page):
    """The addresses of the client registry the page links to."""
    return sorted(set(re.findall(r'href="(/klienter/[^"]*)"', page)))


def rights_of(user, client):
    return access.client_rights(
        user, client,
        active_units=set(client.enrollments.active().values_list("unit", flat=True)),
    )


def test_a_counsellor_does_not_see_spiralens_end_link(world, login, consent):
    page = main_html(login(world.co).get(detail_url(world.anna)))
    links = client_links(page)

    assert "Spiralen" in page  # the consent makes the clinic's enrolment visible …
    assert end_url(world.anna, UnitCode.SPIRALEN) not in links  # … not its "Avsluta"
    assert end_url(world.anna, UnitCode.COUNSELLING) in links
    assert rights_of(world.co, world.anna).end_enrollment_units == {UnitCode.COUNSELLING}


def test_a_clinician_does_not_see_counsellings_end_link(world, login, consent):
    links = client_links(main_html(login(world.cl).get(detail_url(world.anna))))

    assert end_url(world.anna, UnitCode.COUNSELLING) not in links
    assert end_url(world.anna, UnitCode.SPIRALEN) in links
    assert rights_of(world.cl, world.anna).end_enrollment_units == {UnitCode.SPIRALEN}


@pytest.fixture
def manager_in_emergency(world):
    services.open_emergency_access(world.anna, user=world.ma, reason="Akut, behandlaren sjuk.")
    return world.ma


@pytest.mark.parametrize("who", ["co", "cl", "oa", "ma"])
def test_every_link_on_the_client_page_works_for_its_reader(
    world, login, consent, manager_in_emergency, who
):
    user = getattr(world, who)
    browser = login(user)
    page = main_html(browser.get(detail_url(world.anna)))
    links = client_links(page)
    assert links, "the page links to nothing"

    for url in links:
        status = browser.get(url).status_code
        assert status not in (403, 404) and status < 500, f"{who}: {url} answers {status}"


@pytest.mark.parametrize("who", ["co", "cl", "oa", "ma"])
def test_the_client_page_shows_the_actions_client_rights_grants(
    world, login, consent, manager_in_emergency, who
):
    user = getattr(world, who)
    rights = rights_of(user, world.anna)
    links = client_links(main_html(login(user).get(detail_url(world.anna))))
    anna = [world.anna.public_id]

    assert (update_url(world.anna) in links) == rights.change
    assert (reverse("clients:merge-search", args=anna) in links) == rights.merge
    assert (consent_url(world.anna) in links) == rights.record_consent
    assert (reverse("clients:enrollment-create", args=anna) in links) == bool(
        rights.enroll_units
    )
    for unit in UnitCode:
        assert (end_url(world.anna, unit) in links) == (unit in rights.end_enrollment_units), unit


def test_a_manager_reading_under_emergency_access_is_offered_no_changes(
    world, login, manager_in_emergency
):
    rights = rights_of(world.ma, world.anna)

    assert not rights.change and not rights.end_enrollment_units
    links = client_links(main_html(login(world.ma).get(detail_url(world.anna))))
    assert update_url(world.anna) not in links
    assert not [url for url in links if url.endswith("/avsluta/")]
