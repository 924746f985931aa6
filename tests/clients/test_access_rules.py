"""Who sees what (DESIGN §3), through the services, the clients.access helpers and the
views: each role against each kind of record, KAST sealed off, consent between units,
substitutes, emergency access, the office assistant and journal text, and URLs that name
someone else's record."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import access, services
from clients.models import Assignment, AssignmentRole, EmergencyAccess
from prostenhet.models import AccessKind, AccessLog
from prostenhet.roles import Role, UnitCode
from tests.world import staff

from .helpers import SPARE_NUMBERS, main_html, today

pytestmark = pytest.mark.django_db

STAFF = ["oa", "ow", "co", "kco", "cl", "ma", "sa"]
CLIENTS = ["anna", "karl", "petra", "olle"]
JOURNALS = [
    ("anna", UnitCode.COUNSELLING),
    ("anna", UnitCode.SPIRALEN),
    ("karl", UnitCode.KAST),
    ("petra", UnitCode.COUNSELLING),
    ("olle", UnitCode.OUTREACH),
]
ENTRIES = ["anna_signed", "anna_draft", "anna_clinic_entry", "karl_entry"]

# Rule 2: a client is visible to the staff of the units the client is enrolled in.
SEES_CLIENTS = {
    "oa": {"anna", "petra"},
    "ow": {"olle"},
    "co": {"anna", "petra"},
    "kco": {"karl"},
    "cl": {"anna"},
    "ma": set(),
    "sa": set(),
}
# Rule 2: counselling and KAST journals to the assigned counsellor, team units' to the team.
READS_JOURNALS = {
    "oa": set(),
    "ow": {("olle", UnitCode.OUTREACH)},
    "co": {("anna", UnitCode.COUNSELLING)},
    "kco": {("karl", UnitCode.KAST)},
    "cl": {("anna", UnitCode.SPIRALEN)},
    "ma": set(),
    "sa": set(),
}
# A signed entry with its journal; a draft only to its author.
READS_ENTRIES = {
    "oa": set(),
    "ow": set(),
    "co": {"anna_signed", "anna_draft"},
    "kco": {"karl_entry"},
    "cl": {"anna_clinic_entry"},
    "ma": set(),
    "sa": set(),
}


def detail_url(client):
    return reverse("clients:client-detail", args=[client.public_id])


def journal_url(client, unit):
    return reverse("clients:journal", args=[client.public_id, unit])


def entry_url(entry):
    return reverse("clients:entry-detail", args=[entry.public_id])


def search(client, term):
    response = client.post(reverse("clients:client-search"), {"q": term}, follow=True)
    assert response.status_code == 200
    return list(response.context["results"])


# --- each role against each kind of record ---------------------------------------------------


@pytest.mark.parametrize("who", STAFF)
def test_each_role_sees_exactly_the_clients_of_its_units(world, login, who):
    user = getattr(world, who)
    expected = {getattr(world, name) for name in SEES_CLIENTS[who]}

    assert set(access.visible_clients(user)) == expected
    browser = login(user)
    if user.has_perm("clients.view_client"):
        listed = browser.get(reverse("clients:client-search")).context["results"]
        assert set(listed) == expected
    for name in CLIENTS:
        client = getattr(world, name)
        status = browser.get(detail_url(client)).status_code
        assert status == (200 if client in expected else 404), f"{who} → {name}"


@pytest.mark.parametrize("who", STAFF)
def test_each_role_reads_exactly_the_journals_its_units_rule_names(world, login, who):
    user = getattr(world, who)
    browser = login(user)
    for name, unit in JOURNALS:
        client = getattr(world, name)
        journal = client.journals.get(unit=unit)
        expected = (name, unit) in READS_JOURNALS[who]
        assert access.can_view_journal(user, journal) == expected, f"{who} → {name}/{unit}"
        status = browser.get(journal_url(client, unit)).status_code
        assert status == (200 if expected else 404), f"{who} → {name}/{unit}"


@pytest.mark.parametrize("who", STAFF)
def test_each_role_reads_exactly_the_entries_of_its_journals(world, login, who):
    browser = login(getattr(world, who))
    for name in ENTRIES:
        status = browser.get(entry_url(getattr(world, name))).status_code
        assert status == (200 if name in READS_ENTRIES[who] else 404), f"{who} → {name}"


def test_only_the_journals_readers_may_write_in_it(world):
    writers = {
        (who, name, unit)
        for who in STAFF
        for name, unit in JOURNALS
        if access.can_write_journal(
            getattr(world, who), getattr(world, name).journals.get(unit=unit)
        )
    }
    assert writers == {
        ("co", "anna", UnitCode.COUNSELLING),
        ("cl", "anna", UnitCode.SPIRALEN),
        ("kco", "karl", UnitCode.KAST),
        ("ow", "olle", UnitCode.OUTREACH),
    }


# --- KAST is sealed off ------------------------------------------------------------------------

NOT_KAST = ["oa", "ow", "co", "cl", "ma"]


@pytest.mark.parametrize("who", NOT_KAST)
def test_nobody_outside_kast_finds_a_kast_client_in_a_search(world, login, who):
    assert search(login(getattr(world, who)), "Karl") == []


def test_the_kast_counsellor_finds_his_client(world, login):
    assert search(login(world.kco), "Karl") == [world.karl]


@pytest.mark.parametrize("who", NOT_KAST)
def test_nobody_outside_kast_opens_a_kast_record(world, login, who):
    browser = login(getattr(world, who))

    assert browser.get(detail_url(world.karl)).status_code == 404
    assert browser.get(journal_url(world.karl, UnitCode.KAST)).status_code == 404
    assert browser.get(entry_url(world.karl_entry)).status_code == 404


def test_a_kast_client_cannot_be_found_or_opened_through_emergency_access(world, login):
    number = SPARE_NUMBERS[3]
    buyer = services.register_client(
        unit=UnitCode.KAST, by=world.kco, alias="K-3", identity_number=number
    )
    browser = login(world.ma)

    response = browser.post(
        reverse("clients:emergency-search"), {"identity_number": number, "reason": "Akut."},
        follow=True,
    )
    assert response.context["found"] is None
    assert "K-3" not in main_html(response)
    response = browser.post(
        reverse("clients:emergency-open", args=[buyer.public_id]),
        {"reason": "Akut", "hours": 1},
    )
    assert response.status_code == 404
    assert not EmergencyAccess.objects.filter(client=buyer).exists()


def kast_reads(world, login, client):
    """The KAST counsellor reads Karl's record; the access log gets a row for Karl."""
    login(world.kco, client=client)
    assert client.get(detail_url(world.karl)).status_code == 200
    assert AccessLog.objects.filter(client=world.karl).exists()


def test_a_manager_outside_kast_sees_no_access_log_rows_about_kast_clients(
    world, login, client
):
    kast_reads(world, login, client)
    browser = login(world.ma)
    log = reverse("audit:access-log")

    for query in [{}, {"client": "Karl"}, {"staff": world.kco.pk}]:
        response = browser.get(log, query)
        assert response.status_code == 200
        assert all(row.client != world.karl for row in response.context["page"]), query
        assert "Karl" not in main_html(response).split('data-testid="access-log"')[1]
    extract = browser.get(reverse("clients:access-log-extract", args=[world.karl.public_id]))
    assert extract.status_code == 404


def test_a_manager_outside_kast_does_not_see_what_kast_staff_searched_for(world, login):
    assert search(login(world.kco), "Karl") == [world.karl]

    response = login(world.ma).get(reverse("audit:access-log"))

    assert "Karl" not in main_html(response).split('data-testid="access-log"')[1]


def test_a_manager_who_works_in_kast_reviews_kasts_rows(world, login, client, staff_of):
    kast_reads(world, login, client)
    kast_manager = staff_of(Role.MANAGER)
    browser = login(kast_manager)

    response = browser.get(reverse("audit:access-log"), {"client": "Karl"})
    assert {row.client for row in response.context["page"]} == {world.karl}
    extract = browser.get(reverse("clients:access-log-extract", args=[world.karl.public_id]))
    assert extract.status_code == 200


def test_the_office_assistant_is_never_placed_in_kast(world):
    assistant = staff(Role.OFFICE_ASSISTANT, "oa-kast", units=[UnitCode.KAST])

    assert UnitCode.KAST not in access.user_units(assistant)
    assert world.karl not in access.visible_clients(assistant)


# --- consent -----------------------------------------------------------------------------------


def consent(world):
    return services.give_consent(
        world.anna, UnitCode.COUNSELLING, UnitCode.SPIRALEN, method="verbal", by=world.co
    )


def test_with_consent_each_unit_reads_the_other_units_journal(world, login):
    consent(world)

    clinician = login(world.cl)
    response = clinician.get(journal_url(world.anna, UnitCode.COUNSELLING))
    assert response.status_code == 200
    assert "Samtal om gränssättning." in main_html(response)
    assert clinician.get(entry_url(world.anna_signed)).status_code == 200

    counsellor = login(world.co)
    response = counsellor.get(journal_url(world.anna, UnitCode.SPIRALEN))
    assert response.status_code == 200
    assert "Provtagning klamydia." in main_html(response)


def test_consent_lets_the_other_unit_read_but_not_write(world, login):
    consent(world)

    assert not access.can_write_journal(world.cl, world.anna_counselling)
    response = login(world.cl).post(
        reverse("clients:entry-create", args=[world.anna.public_id, UnitCode.COUNSELLING])
    )
    assert response.status_code == 404


def test_without_consent_the_other_units_journal_is_not_found(world, login):
    assert login(world.cl).get(
        journal_url(world.anna, UnitCode.COUNSELLING)
    ).status_code == 404
    assert login(world.co).get(journal_url(world.anna, UnitCode.SPIRALEN)).status_code == 404


def test_consent_recorded_and_revoked_through_the_pages(world, login):
    counsellor = login(world.co)
    response = counsellor.post(
        reverse("clients:consent-create", args=[world.anna.public_id]),
        {"unit": UnitCode.COUNSELLING, "other_unit": UnitCode.SPIRALEN, "method": "written"},
    )
    assert response.status_code == 302
    given = world.anna.consents.get()
    clinician = login(world.cl)
    assert clinician.get(journal_url(world.anna, UnitCode.COUNSELLING)).status_code == 200

    response = clinician.post(
        reverse("clients:consent-revoke", args=[world.anna.public_id, given.pk])
    )

    assert response.status_code == 302
    given.refresh_from_db()
    assert given.revoked_by == world.cl
    assert clinician.get(journal_url(world.anna, UnitCode.COUNSELLING)).status_code == 404
    assert clinician.get(entry_url(world.anna_signed)).status_code == 404
    assert login(world.co).get(journal_url(world.anna, UnitCode.SPIRALEN)).status_code == 404


def test_kast_is_never_part_of_a_consent(world):
    with pytest.raises(services.DomainError):
        services.give_consent(
            world.karl, UnitCode.KAST, UnitCode.COUNSELLING, method="verbal", by=world.kco
        )


COUNSELLING_LABEL = "Mottagning och samtalsbehandling"


def test_without_consent_a_clinician_does_not_see_that_anna_is_in_counselling(world, login):
    page = main_html(login(world.cl).get(detail_url(world.anna)))

    assert COUNSELLING_LABEL not in page
    assert "Spiralen" in page


def test_with_consent_a_clinician_sees_annas_counselling_journal_listed(world, login):
    consent(world)

    page = main_html(login(world.cl).get(detail_url(world.anna)))

    assert COUNSELLING_LABEL in page


def test_after_revocation_a_clinician_no_longer_sees_that_anna_is_in_counselling(world, login):
    services.revoke_consent(consent(world), by=world.co)

    page = main_html(login(world.cl).get(detail_url(world.anna)))

    assert COUNSELLING_LABEL not in page


def test_a_clinicians_search_results_do_not_show_that_anna_is_in_counselling(world, login):
    response = login(world.cl).post(reverse("clients:client-search"), {"q": "Anna"}, follow=True)

    assert list(response.context["results"]) == [world.anna]
    results = main_html(response).split('data-testid="client-results"')[1]
    assert COUNSELLING_LABEL not in results


def test_the_consent_form_does_not_tell_a_clinician_where_else_anna_is_enrolled(world, login):
    patient = services.register_client(unit=UnitCode.SPIRALEN, by=world.cl, alias="Bara klinik")
    clinician = login(world.cl)

    def other_unit_choices(client):
        response = clinician.get(reverse("clients:consent-create", args=[client.public_id]))
        assert response.status_code == 200
        return response.context["form"].fields["other_unit"].choices

    assert other_unit_choices(world.anna) == other_unit_choices(patient)


# --- substitutes -------------------------------------------------------------------------------


@pytest.fixture
def substitute(world, login, staff_of):
    """A second counsellor, named by Anna's counsellor as substitute for a week."""
    colleague = staff_of(Role.COUNSELLOR)
    response = login(world.co).post(
        reverse("clients:assignment-create", args=[world.anna.public_id, UnitCode.COUNSELLING]),
        {
            "counsellor": colleague.pk,
            "substitute": "on",
            "ends_on": (today() + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    return colleague


def test_a_named_substitute_reads_the_journal_until_the_end_date(world, login, substitute):
    browser = login(substitute)
    assert browser.get(journal_url(world.anna, UnitCode.COUNSELLING)).status_code == 200
    assert browser.get(entry_url(world.anna_signed)).status_code == 200

    Assignment.objects.filter(counsellor=substitute).update(ends_on=today())
    assert browser.get(journal_url(world.anna, UnitCode.COUNSELLING)).status_code == 200


def test_after_the_end_date_the_substitute_loses_the_journal(world, login, substitute):
    assignment = Assignment.objects.get(counsellor=substitute, role=AssignmentRole.SUBSTITUTE)
    Assignment.objects.filter(pk=assignment.pk).update(
        ends_on=today() - datetime.timedelta(days=1)
    )
    browser = login(substitute)

    assert browser.get(journal_url(world.anna, UnitCode.COUNSELLING)).status_code == 404
    assert browser.get(entry_url(world.anna_signed)).status_code == 404
    assignment.refresh_from_db()
    assert assignment.ended_at is not None
    assert not access.can_view_journal(substitute, world.anna_counselling)
    # The responsible counsellor keeps it.
    assert login(world.co).get(
        journal_url(world.anna, UnitCode.COUNSELLING)
    ).status_code == 200


def test_a_substitute_must_work_in_the_unit(world, staff_of):
    outsider = staff(Role.COUNSELLOR, "kast-only", units=[UnitCode.KAST])

    with pytest.raises(services.DomainError):
        services.name_substitute(
            world.anna_counselling, outsider, ends_on=today(), by=world.co
        )


# --- emergency access --------------------------------------------------------------------------


def open_emergency(world, login, user, reason="Klienten sökte akut och behandlaren är sjuk."):
    browser = login(user)
    found = browser.post(
        reverse("clients:emergency-search"), {"identity_number": world.anna.identity_number,
                                              "reason": "Akut."},
        follow=True,
    )
    assert found.context["found"] == world.anna
    response = browser.post(
        reverse("clients:emergency-open", args=[world.anna.public_id]),
        {"reason": reason, "hours": 2},
    )
    assert response.status_code == 302
    assert response.url == detail_url(world.anna)
    return browser


def test_before_emergency_access_the_manager_sees_nothing_of_anna(world, login):
    browser = login(world.ma)

    assert browser.get(detail_url(world.anna)).status_code == 404
    assert browser.get(journal_url(world.anna, UnitCode.COUNSELLING)).status_code == 404


def test_emergency_access_opens_the_client_and_all_journals_and_logs_each_read(world, login):
    browser = open_emergency(world, login, world.ma)
    emergency = EmergencyAccess.objects.get(user=world.ma, client=world.anna)
    assert emergency.expires_at > timezone.now()

    response = browser.get(detail_url(world.anna))
    assert response.status_code == 200
    assert 'data-testid="emergency-banner"' in main_html(response)
    for unit in [UnitCode.COUNSELLING, UnitCode.SPIRALEN]:
        assert browser.get(journal_url(world.anna, unit)).status_code == 200
    assert browser.get(entry_url(world.anna_signed)).status_code == 200

    rows = AccessLog.objects.filter(user=world.ma, client=world.anna)
    reads = rows.exclude(view__in=["clients:emergency-open", "clients:emergency-search"])
    assert sorted(reads.values_list("view", flat=True)) \
        == ["clients:client-detail", "clients:entry-detail", "clients:journal", "clients:journal"]
    assert set(reads.values_list("kind", "emergency")) == {(AccessKind.EMERGENCY, emergency.pk)}


def test_emergency_access_needs_a_reason(world, login):
    response = login(world.ma).post(
        reverse("clients:emergency-open", args=[world.anna.public_id]),
        {"reason": "   ", "hours": 2},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not EmergencyAccess.objects.exists()


def test_emergency_access_is_limited_in_time(world, login, settings):
    response = login(world.ma).post(
        reverse("clients:emergency-open", args=[world.anna.public_id]),
        {"reason": "Akut", "hours": settings.EMERGENCY_ACCESS_HOURS + 1},
    )

    assert response.status_code == 200
    assert not EmergencyAccess.objects.exists()


def test_after_expiry_emergency_access_is_closed_and_the_record_not_found(world, login):
    browser = open_emergency(world, login, world.ma)
    emergency = EmergencyAccess.objects.get(user=world.ma)
    EmergencyAccess.objects.filter(pk=emergency.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert browser.get(detail_url(world.anna)).status_code == 404
    emergency.refresh_from_db()
    assert emergency.closed_at == emergency.expires_at
    assert browser.get(journal_url(world.anna, UnitCode.SPIRALEN)).status_code == 404
    assert browser.get(entry_url(world.anna_clinic_entry)).status_code == 404


def test_after_expiry_the_managers_search_no_longer_lists_the_client(world, login):
    browser = open_emergency(world, login, world.ma)
    assert search(browser, "Anna") == [world.anna]
    EmergencyAccess.objects.filter(user=world.ma).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert search(browser, "Anna") == []


def test_a_clinicians_emergency_read_of_the_counselling_journal_is_logged_as_emergency(
    world, login
):
    browser = open_emergency(world, login, world.cl)
    emergency = EmergencyAccess.objects.get(user=world.cl)

    assert browser.get(journal_url(world.anna, UnitCode.COUNSELLING)).status_code == 200

    row = AccessLog.objects.filter(user=world.cl, view="clients:journal").get()
    assert (row.kind, row.emergency) == (AccessKind.EMERGENCY, emergency)


# --- the office assistant ----------------------------------------------------------------------


def test_the_office_assistant_never_reads_journal_text_even_where_the_client_is_enrolled(
    world, login
):
    assistant = staff(
        Role.OFFICE_ASSISTANT, "oa-klinik", units=[UnitCode.COUNSELLING, UnitCode.SPIRALEN]
    )
    browser = login(assistant)

    page = browser.get(detail_url(world.anna))
    assert page.status_code == 200
    assert 'href="' + journal_url(world.anna, UnitCode.SPIRALEN) not in main_html(page)
    for unit in [UnitCode.COUNSELLING, UnitCode.SPIRALEN]:
        assert not access.can_view_journal(assistant, world.anna.journals.get(unit=unit))
        assert browser.get(journal_url(world.anna, unit)).status_code == 404
    for entry in [world.anna_signed, world.anna_clinic_entry]:
        assert browser.get(entry_url(entry)).status_code == 404


# --- URLs that name someone else's record ------------------------------------------------------


def test_urls_of_records_outside_the_users_scope_answer_404(world, login):
    browser = login(world.co)

    # Anna's Spiralen journal and entry, Karl's entry, Petra's journal (not assigned to co),
    # and a journal unit that Olle is not enrolled in.
    assert browser.get(journal_url(world.anna, UnitCode.SPIRALEN)).status_code == 404
    assert browser.get(entry_url(world.anna_clinic_entry)).status_code == 404
    assert browser.get(entry_url(world.karl_entry)).status_code == 404
    assert browser.get(journal_url(world.petra, UnitCode.COUNSELLING)).status_code == 404
    assert browser.get(journal_url(world.anna, UnitCode.TRAFFICKING)).status_code == 404
    assert browser.get(journal_url(world.anna, "nonsense")).status_code == 404
    for name in ["clients:entry-edit", "clients:entry-sign", "clients:entry-correct"]:
        url = reverse(name, args=[world.anna_clinic_entry.public_id])
        assert browser.get(url).status_code == 404, name


def test_writing_into_someone_elses_entry_answers_404_and_changes_nothing(world, login):
    browser = login(world.cl)

    response = browser.post(
        reverse("clients:entry-autosave", args=[world.anna_draft.public_id]),
        {"kind": "note", "event_date": today().isoformat(), "text": "Inte min"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 404
    world.anna_draft.refresh_from_db()
    assert world.anna_draft.text == "Utkast pågår."


# --- enrollments and merges --------------------------------------------------------------------


def test_ending_an_enrollment_removes_the_units_access(world, login):
    counsellor = login(world.co)
    response = counsellor.post(
        reverse("clients:enrollment-end", args=[world.anna.public_id, UnitCode.COUNSELLING])
    )
    assert response.status_code == 302

    assert counsellor.get(detail_url(world.anna)).status_code == 404
    assert counsellor.get(journal_url(world.anna, UnitCode.COUNSELLING)).status_code == 404
    assert counsellor.get(entry_url(world.anna_signed)).status_code == 404
    assert login(world.oa).get(detail_url(world.anna)).status_code == 404
    assert login(world.cl).get(detail_url(world.anna)).status_code == 200


def test_a_merged_clients_url_redirects_to_the_survivor(world, login):
    duplicate = services.register_client(unit=UnitCode.COUNSELLING, by=world.oa, alias="Anna 2")
    services.merge_clients(world.anna, duplicate, by=world.oa)

    for user in [world.oa, world.co]:
        response = login(user).get(detail_url(duplicate))
        assert response.status_code == 302
        assert response.url == detail_url(world.anna)
