"""Registering a client through the form (DESIGN §6): the identity number is validated and
stored with twelve digits, children are refused with the advice to make a report of concern,
a second client with the same number is refused without revealing a record the user may not
see, similar clients are shown before a possible duplicate is created, and KAST keeps its own
register."""


import pytest
from django.urls import reverse

from clients import services
from clients.models import Client, Quality, Register
from prostenhet.models import AccessLog
from prostenhet.roles import Role, UnitCode
from tests.world import ADULT_NUMBERS, staff

from .helpers import SPARE_NUMBERS, as_post, child_number, create_data, main_html, ten_digits, today

pytestmark = pytest.mark.django_db

CREATE = reverse("clients:client-create")
ANNA_NUMBER = ADULT_NUMBERS[10]


def register(client, unit, alias, **fields):
    return client.post(CREATE, create_data(unit, alias, **fields))


def form_errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- the identity number ---------------------------------------------------------------------


def test_an_identity_number_typed_with_ten_digits_is_stored_with_twelve(world, login):
    number = SPARE_NUMBERS[0]
    response = register(
        login(world.oa), UnitCode.COUNSELLING, "Lina", identity_number=ten_digits(number)
    )

    assert response.status_code == 302
    lina = Client.objects.get(alias="Lina")
    assert lina.identity_number == number
    assert lina.birth_year == int(number[:4])
    assert lina.birth_year_quality == Quality.KNOWN
    assert response.url == reverse("clients:client-detail", args=[lina.public_id])


def test_a_wrong_check_digit_is_refused_in_swedish_and_nothing_is_saved(world, login):
    number = SPARE_NUMBERS[1]
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    before = Client.objects.count()

    response = register(login(world.oa), UnitCode.COUNSELLING, "Lina", identity_number=wrong)

    assert response.status_code == 200
    assert form_errors(response, "identity_number") == ["Kontrollsiffran stämmer inte."]
    assert Client.objects.count() == before


@pytest.mark.parametrize("typed", ["520230-1234", "19520230-1234", "19521301-1234"])
def test_an_impossible_date_is_refused_in_swedish_and_nothing_is_saved(world, login, typed):
    before = Client.objects.count()

    response = register(login(world.oa), UnitCode.COUNSELLING, "Lina", identity_number=typed)

    assert form_errors(response, "identity_number") == ["Datumet finns inte."]
    assert Client.objects.count() == before


def test_a_birth_year_that_contradicts_the_identity_number_is_refused(world, login):
    number = SPARE_NUMBERS[3]

    response = register(
        login(world.oa), UnitCode.COUNSELLING, "Lina",
        identity_number=number, birth_year=int(number[:4]) + 1, birth_year_quality="known",
    )

    assert form_errors(response, "birth_year") == ["Födelseåret stämmer inte med personnumret."]
    assert not Client.objects.filter(alias="Lina").exists()


# --- children ---------------------------------------------------------------------------------


def child_by_number():
    return {"identity_number": ten_digits(child_number())}


def child_by_birth_year():
    return {"birth_year": today().year - 15, "birth_year_quality": Quality.KNOWN}


def child_by_estimated_age():
    return {"estimated_age": 16}


@pytest.mark.parametrize(
    "fields", [child_by_number, child_by_birth_year, child_by_estimated_age],
    ids=["identity number", "birth year", "estimated age"],
)
def test_a_person_under_18_is_refused_with_the_advice_to_report_concern(world, login, fields):
    before = Client.objects.count()

    response = register(login(world.oa), UnitCode.COUNSELLING, "Ung", **fields())

    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["form"].non_field_errors())
    assert "under 18 år" in errors
    assert "orosanmälan" in errors
    assert "orosanmälan" in main_html(response)
    assert Client.objects.count() == before


def test_a_known_birth_year_under_18_is_refused_even_with_an_adult_age_estimate(world, login):
    response = register(
        login(world.oa), UnitCode.COUNSELLING, "Ung",
        birth_year=today().year - 14, birth_year_quality=Quality.KNOWN, estimated_age=25,
    )

    assert response.status_code == 200
    assert not Client.objects.filter(alias="Ung").exists()


def test_changing_a_clients_identity_number_to_a_childs_is_refused(world, login):
    """The register holds adults only: the rule holds for a correction as for a new client."""
    browser = login(world.oa)
    url = reverse("clients:client-update", args=[world.petra.public_id])
    data = as_post(browser.get(url).context["form"].initial)

    response = browser.post(url, {**data, "identity_number": child_number()})

    assert response.status_code == 200
    assert "orosanmälan" in main_html(response)
    world.petra.refresh_from_db()
    assert world.petra.identity_number == ADULT_NUMBERS[20]


def test_an_adult_is_registered_by_estimated_age_with_an_estimated_birth_year(world, login):
    response = register(login(world.ow), UnitCode.OUTREACH, "Gatan", estimated_age=30)

    assert response.status_code == 302
    client = Client.objects.get(alias="Gatan")
    assert client.birth_year == today().year - 30
    assert client.birth_year_quality == Quality.ESTIMATED


# --- duplicates -------------------------------------------------------------------------------


def test_a_second_client_with_the_same_number_is_refused_with_a_link_to_the_first(world, login):
    before = Client.objects.count()

    response = register(
        login(world.co), UnitCode.COUNSELLING, "Annie", identity_number=ten_digits(ANNA_NUMBER)
    )

    assert response.status_code == 200
    assert form_errors(response, "identity_number") == [
        "Det finns redan en klient med det personnumret."
    ]
    page = main_html(response)
    assert reverse("clients:client-detail", args=[world.anna.public_id]) in page
    assert Client.objects.count() == before


def test_a_number_outside_the_users_sight_offers_to_enrol_the_person_revealing_nothing(
    world, login
):
    """The outreach worker does not see Anna (a counselling client and Spiralen patient).
    Registering her number offers to enrol the person in outreach, saying only that the
    person is already in the unit's registry: no name, no other unit, no link."""
    before = Client.objects.count()
    browser = login(world.ow)

    response = register(browser, UnitCode.OUTREACH, "Nattkontakt", identity_number=ANNA_NUMBER)

    assert response.status_code == 302
    offer = browser.get(response.url)
    page = main_html(offer)
    assert "finns redan" in page
    assert "Uppsökande arbete" in page
    for secret in ["Anna", "Andersson", "Spiralen", "samtalsbehandling", "Mottagning",
                   str(world.anna.public_id), ANNA_NUMBER[2:8]]:
        assert secret not in page, secret
    assert Client.objects.count() == before
    assert not world.anna.enrollments.filter(unit=UnitCode.OUTREACH).exists()
    offered = AccessLog.objects.get(user=world.ow, client=world.anna)
    assert offered.flagged and ANNA_NUMBER not in offered.detail

    confirmed = browser.post(response.url, follow=True)

    assert world.anna.enrollments.filter(unit=UnitCode.OUTREACH, ended_on=None).exists()
    assert confirmed.request["PATH_INFO"] == reverse(
        "clients:client-detail", args=[world.anna.public_id]
    )
    detail = main_html(confirmed)
    # Now she is outreach's client too, but her other units stay out of sight.
    assert "Spiralen" not in detail and "Mottagning och samtalsbehandling" not in detail
    assert AccessLog.objects.filter(user=world.ow, client=world.anna, flagged=True).count() == 2
    assert Client.objects.count() == before


def test_the_enrol_offer_is_only_for_the_session_that_got_it(world, login):
    response = register(
        login(world.ow), UnitCode.OUTREACH, "Nattkontakt", identity_number=ANNA_NUMBER
    )
    other = staff(Role.OUTREACH_WORKER, "annan-uppsokare")

    assert login(other).post(response.url).status_code == 404
    assert not world.anna.enrollments.filter(unit=UnitCode.OUTREACH).exists()


def test_a_kast_client_may_have_the_number_of_a_main_register_client(world, login):
    response = register(login(world.kco), UnitCode.KAST, "K-12", identity_number=ANNA_NUMBER)

    assert response.status_code == 302
    assert Client.objects.filter(identity_number=ANNA_NUMBER).count() == 2
    assert Client.objects.get(alias="K-12").register == Register.KAST


def test_a_main_register_client_may_have_the_number_of_a_kast_client(world, login):
    number = SPARE_NUMBERS[2]
    services.register_client(unit=UnitCode.KAST, by=world.kco, alias="K-7", identity_number=number)

    response = register(login(world.oa), UnitCode.COUNSELLING, "Mona", identity_number=number)

    assert response.status_code == 302
    assert Client.objects.get(alias="Mona").register == Register.MAIN


def test_a_similar_alias_and_birth_year_shows_candidates_and_asks_for_confirmation(world, login):
    client = login(world.oa)
    data = {"birth_year": world.anna.birth_year, "birth_year_quality": Quality.ESTIMATED}

    response = register(client, UnitCode.COUNSELLING, "anna", **data)

    assert response.status_code == 200
    assert not Client.objects.filter(alias="anna").exists()
    page = main_html(response)
    assert 'data-testid="candidates"' in page
    assert reverse("clients:client-detail", args=[world.anna.public_id]) in page
    assert "bekräfta" in " ".join(response.context["form"].non_field_errors())

    response = register(client, UnitCode.COUNSELLING, "anna", confirm_not_duplicate="on", **data)

    assert response.status_code == 302
    assert Client.objects.filter(alias="anna", register=Register.MAIN).count() == 1


def test_similar_clients_the_user_may_not_see_are_not_shown(world, login):
    """Anna is not the outreach worker's client: a similar alias registers without a hint."""
    response = register(
        login(world.ow), UnitCode.OUTREACH, "Anna",
        birth_year=world.anna.birth_year, birth_year_quality=Quality.ESTIMATED,
    )

    assert response.status_code == 302
    assert Client.objects.filter(alias="Anna").count() == 2


def test_a_similar_kast_client_is_not_shown_to_main_register_staff(world, login):
    response = register(
        login(world.co), UnitCode.COUNSELLING, "Karl",
        birth_year=world.karl.birth_year, birth_year_quality=Quality.ESTIMATED,
    )

    assert response.status_code == 302  # registered at once: no warning naming Karl
    assert Client.objects.get(register=Register.MAIN, alias="Karl").created_by == world.co


# --- where the new client goes ----------------------------------------------------------------


def test_kast_registration_puts_the_client_in_kasts_register(world, login):
    response = register(login(world.kco), UnitCode.KAST, "Köparen", birth_year=1980)

    assert response.status_code == 302
    buyer = Client.objects.get(alias="Köparen")
    assert buyer.register == Register.KAST
    assert list(buyer.enrollments.values_list("unit", flat=True)) == [UnitCode.KAST]
    assert login(world.oa).get(
        reverse("clients:client-detail", args=[buyer.public_id])
    ).status_code == 404


def test_staff_can_enrol_a_new_client_only_in_their_own_units(world, login):
    response = register(login(world.ow), UnitCode.COUNSELLING, "Fel enhet")

    assert response.status_code == 200
    assert form_errors(response, "unit")
    assert not Client.objects.filter(alias="Fel enhet").exists()


@pytest.mark.parametrize(
    "who, unit",
    [
        ("oa", UnitCode.COUNSELLING),
        ("co", UnitCode.COUNSELLING),
        ("ow", UnitCode.OUTREACH),
        ("cl", UnitCode.SPIRALEN),
        ("kco", UnitCode.KAST),
    ],
)
def test_the_registrant_sees_the_new_client(world, login, who, unit):
    client = login(getattr(world, who))

    response = register(client, unit, "Nyregistrerad", birth_year=1990)

    assert response.status_code == 302
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Nyregistrerad" in main_html(page)


def test_a_counsellor_who_registers_becomes_the_responsible_counsellor(world, login, staff_of):
    register(login(world.co), UnitCode.COUNSELLING, "Egen klient", birth_year=1990)

    new = Client.objects.get(alias="Egen klient")
    journal = new.journals.get(unit=UnitCode.COUNSELLING)
    assert [a.counsellor for a in journal.assignments.current()] == [world.co]
    colleague = staff_of(Role.COUNSELLOR)
    assert login(colleague).get(
        reverse("clients:journal", args=[new.public_id, UnitCode.COUNSELLING])
    ).status_code == 404


def test_a_name_typed_into_the_new_form_as_it_stands_is_registered_as_known(world, login):
    """The qualities start at "Enligt uppgiften", as their help text says; they started at the
    model's default "Inte efterfrågad", so that a typed name was refused until its quality
    was changed by hand."""
    client = login(world.oa)
    form = client.get(CREATE).context["form"]
    data = as_post({name: form[name].value() for name in form.fields})
    data.update(unit=UnitCode.COUNSELLING, alias="Mira", legal_name="Mira Lind")
    response = client.post(CREATE, data)
    assert response.status_code == 302, form_errors(response, "legal_name_quality")
    mira = Client.objects.get(alias="Mira")
    assert (mira.legal_name_quality, mira.birth_year_quality) == (
        Quality.KNOWN, Quality.NOT_ASKED
    )
