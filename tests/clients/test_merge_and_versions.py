"""Merging duplicates (DESIGN §6: "without losing any entry or log row"), undoing a merge,
KAST never merged, and two people editing the same client at once (optimistic concurrency)."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client as Browser
from django.urls import reverse

from clients import services
from clients.models import (
    Client,
    ClientMerge,
    Consent,
    EmergencyAccess,
    Enrollment,
    Journal,
    JournalEntry,
)
from prostenhet.models import AccessLog
from prostenhet.roles import UnitCode
from tests.world import ADULT_NUMBERS, signed_entry

from .helpers import SPARE_NUMBERS, as_post, main_html, today

pytestmark = pytest.mark.django_db


def detail_url(client):
    return reverse("clients:client-detail", args=[client.public_id])


def journal_url(client, unit):
    return reverse("clients:journal", args=[client.public_id, unit])


def merge_url(survivor, duplicate):
    return reverse("clients:merge-confirm", args=[survivor.public_id, duplicate.public_id])


@pytest.fixture
def duplicate(world, login, client):
    """Anna registered a second time, with records in three units: a counselling journal of
    the counsellor, a Spiralen and an outreach journal, a consent, an open emergency access
    and access-log rows."""
    dup = services.register_client(
        unit=UnitCode.COUNSELLING, by=world.oa, alias="Anna D", birth_year=1952
    )
    counselling = dup.journals.get(unit=UnitCode.COUNSELLING)
    services.assign_counsellor(counselling, world.co, by=world.oa)
    signed_entry(counselling, world.co, "Dubblettens samtal.")
    services.enroll(dup, UnitCode.SPIRALEN, by=world.cl)
    signed_entry(dup.journals.get(unit=UnitCode.SPIRALEN), world.cl, "Dubblettens prov.")
    services.enroll(dup, UnitCode.OUTREACH, by=world.ow)
    signed_entry(dup.journals.get(unit=UnitCode.OUTREACH), world.ow, "Dubblettens kontakt.")
    services.give_consent(
        dup, UnitCode.SPIRALEN, UnitCode.OUTREACH, method="verbal", by=world.cl
    )
    services.open_emergency_access(dup, user=world.ma, reason="Akut på natten", hours=2)
    assert login(world.cl, client=client).get(detail_url(dup)).status_code == 200
    assert login(world.ow, client=client).get(detail_url(dup)).status_code == 200
    return dup


def rows_of(client):
    """Every row that belongs to the client, as (model, pk)."""
    return {
        "enrollments": set(Enrollment.objects.filter(client=client).values_list("pk", flat=True)),
        "journals": set(Journal.objects.filter(client=client).values_list("pk", flat=True)),
        "entries": set(
            JournalEntry.objects.filter(journal__client=client).values_list("pk", flat=True)
        ),
        "consents": set(Consent.objects.filter(client=client).values_list("pk", flat=True)),
        "emergency": set(
            EmergencyAccess.objects.filter(client=client).values_list("pk", flat=True)
        ),
        "access_log": set(AccessLog.objects.filter(client=client).values_list("pk", flat=True)),
    }


def snapshot(*clients):
    """The state a merge changes and an undo must restore."""
    pks = [c.pk for c in clients]
    return {
        "enrollments": sorted(
            Enrollment.objects.filter(client__in=pks).values_list("pk", "client", "ended_on")
        ),
        "journals": sorted(
            Journal.objects.filter(client__in=pks).values_list("pk", "client", "merged_into")
        ),
        "consents": sorted(Consent.objects.filter(client__in=pks).values_list("pk", "client")),
        "emergency": sorted(
            EmergencyAccess.objects.filter(client__in=pks).values_list("pk", "client")
        ),
        "access_log": sorted(AccessLog.objects.filter(client__in=pks).values_list("pk", "client")),
        "clients": sorted(
            Client.objects.filter(pk__in=pks).values_list("pk", "merged_into", "identity_number")
        ),
    }


def merge(world, login, duplicate):
    response = login(world.oa).post(merge_url(world.anna, duplicate))
    assert response.status_code == 302
    assert response.url == detail_url(world.anna)
    return ClientMerge.objects.get(survivor=world.anna, merged=duplicate)


# --- merge -------------------------------------------------------------------------------------


def test_the_merge_page_offers_the_duplicate_and_not_the_client_itself(world, login, duplicate):
    response = login(world.oa).post(
        reverse("clients:merge-search", args=[world.anna.public_id]), {"q": "Anna"}, follow=True
    )

    assert response.context["candidates"] == [duplicate]
    assert merge_url(world.anna, duplicate) in main_html(response)


def test_a_merge_moves_every_row_of_the_duplicate_to_the_survivor(world, login, duplicate):
    theirs = rows_of(duplicate)
    assert all(theirs.values()), theirs
    annas = rows_of(world.anna)

    merge(world, login, duplicate)

    assert rows_of(duplicate) == {name: set() for name in theirs}
    after = rows_of(world.anna)
    for name in theirs:
        assert after[name] >= theirs[name] | annas[name], name
    duplicate.refresh_from_db()
    assert duplicate.merged_into == world.anna


def test_after_a_merge_the_duplicates_journals_join_the_survivors(world, login, duplicate):
    journals = {j.unit: j for j in duplicate.journals.all()}

    merge(world, login, duplicate)

    for unit, survivors in [
        (UnitCode.COUNSELLING, world.anna_counselling),
        (UnitCode.SPIRALEN, world.anna_spiralen),
    ]:
        journals[unit].refresh_from_db()
        assert journals[unit].merged_into == survivors
    outreach = Journal.objects.get(pk=journals[UnitCode.OUTREACH].pk)
    assert (outreach.client, outreach.merged_into) == (world.anna, None)
    # One active enrollment per unit: the duplicate's ends where Anna already is a client.
    active = world.anna.enrollments.active()
    assert sorted(active.values_list("unit", flat=True)) == sorted(
        [UnitCode.COUNSELLING, UnitCode.OUTREACH, UnitCode.SPIRALEN]
    )
    assert world.anna.enrollments.filter(ended_on=today()).count() == 2


def test_after_a_merge_each_unit_reads_the_duplicates_entries_in_the_survivors_journal(
    world, login, duplicate
):
    merge(world, login, duplicate)

    for user, unit, text in [
        (world.co, UnitCode.COUNSELLING, "Dubblettens samtal."),
        (world.cl, UnitCode.SPIRALEN, "Dubblettens prov."),
        (world.ow, UnitCode.OUTREACH, "Dubblettens kontakt."),
    ]:
        response = login(user).get(journal_url(world.anna, unit))
        assert response.status_code == 200, user
        assert text in main_html(response)
    assert "Samtal om gränssättning." in main_html(
        login(world.co).get(journal_url(world.anna, UnitCode.COUNSELLING))
    )


def test_the_merge_records_every_move(world, login, duplicate):
    theirs = rows_of(duplicate)

    merged = merge(world, login, duplicate)

    moved = {(row["model"], row["pk"]) for row in merged.moved}
    for label, name in [
        ("clients.enrollment", "enrollments"),
        ("clients.journal", "journals"),
        ("clients.consent", "consents"),
        ("clients.emergencyaccess", "emergency"),
        ("prostenhet.accesslog", "access_log"),
    ]:
        assert {(label, pk) for pk in theirs[name]} <= moved, name
    assert merged.merged_by == world.oa


def test_the_duplicates_url_redirects_to_the_survivor(world, login, duplicate):
    merge(world, login, duplicate)

    response = login(world.cl).get(detail_url(duplicate))

    assert response.status_code == 302
    assert response.url == detail_url(world.anna)


def test_a_tombstone_is_not_found_in_a_search(world, login, duplicate):
    merge(world, login, duplicate)

    response = login(world.oa).post(reverse("clients:client-search"), {"q": "Anna"}, follow=True)

    assert list(response.context["results"]) == [world.anna]


def test_a_duplicate_with_the_identity_number_gives_it_to_a_survivor_without_one(world, login):
    survivor = services.register_client(unit=UnitCode.COUNSELLING, by=world.oa, alias="Lisa")
    number = SPARE_NUMBERS[5]
    dup = services.register_client(
        unit=UnitCode.COUNSELLING, by=world.oa, alias="Lisa P", identity_number=number
    )

    response = login(world.oa).post(merge_url(survivor, dup))

    assert response.status_code == 302
    survivor.refresh_from_db()
    assert survivor.identity_number == number


# --- undo ----------------------------------------------------------------------------------------


def test_a_manager_undoes_a_merge_and_everything_goes_back(world, login, duplicate):
    before = snapshot(world.anna, duplicate)
    change_log = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Client), object_id=duplicate.pk
    )
    change_log_pks = set(change_log.values_list("pk", flat=True))
    assert change_log_pks
    merged = merge(world, login, duplicate)
    assert snapshot(world.anna, duplicate) != before
    manager = login(world.ma)
    assert str(duplicate) in main_html(manager.get(reverse("clients:merge-list")))

    response = manager.post(reverse("clients:merge-undo", args=[merged.pk]))

    assert response.status_code == 302
    assert response.url == reverse("clients:merge-list")
    assert snapshot(world.anna, duplicate) == before
    # The duplicate's change log is back, with the merge's and the undo's own rows.
    assert change_log_pks < set(change_log.values_list("pk", flat=True))
    assert {
        next(iter(row.additional_data)) for row in change_log.exclude(pk__in=change_log_pks)
    } == {"merge", "undo_merge"}
    merged.refresh_from_db()
    assert merged.undone_by == world.ma
    assert merged.undone_at is not None


def test_after_an_undo_each_client_has_its_own_records_again(world, login, duplicate):
    merged = merge(world, login, duplicate)
    login(world.ma).post(reverse("clients:merge-undo", args=[merged.pk]))

    counsellor = login(world.co)
    assert "Dubblettens samtal." not in main_html(
        counsellor.get(journal_url(world.anna, UnitCode.COUNSELLING))
    )
    assert counsellor.get(detail_url(duplicate)).status_code == 200
    assert "Dubblettens samtal." in main_html(
        counsellor.get(journal_url(duplicate, UnitCode.COUNSELLING))
    )
    assert login(world.ow).get(detail_url(world.anna)).status_code == 404


def test_a_merge_is_undone_only_once(world, login, duplicate):
    merged = merge(world, login, duplicate)
    manager = login(world.ma)
    manager.post(reverse("clients:merge-undo", args=[merged.pk]))

    assert manager.post(reverse("clients:merge-undo", args=[merged.pk])).status_code == 404


# --- KAST ----------------------------------------------------------------------------------------


def test_kast_clients_are_never_merged(world, login):
    second = services.register_client(unit=UnitCode.KAST, by=world.kco, alias="Karl 2")

    with pytest.raises(services.DomainError):
        services.merge_clients(world.karl, second, by=world.kco)
    with pytest.raises(services.DomainError):
        services.merge_clients(world.anna, world.karl, by=world.oa)

    assert login(world.oa).post(merge_url(world.anna, world.karl)).status_code == 404
    assert login(world.kco).post(merge_url(world.karl, second)).status_code == 403
    assert not ClientMerge.objects.exists()
    second.refresh_from_db()
    assert second.merged_into is None


def test_only_clients_the_office_assistant_may_change_are_merged(world, login):
    response = login(world.oa).post(merge_url(world.anna, world.olle))

    assert response.status_code == 404
    world.olle.refresh_from_db()
    assert world.olle.merged_into is None


# --- two people editing the same client ----------------------------------------------------------


def update_url(world):
    return reverse("clients:client-update", args=[world.anna.public_id])


@pytest.fixture
def two_forms(world, login):
    """The office assistant and the counsellor each open Anna's form (same version)."""
    first, second = login(world.oa, client=Browser()), login(world.co, client=Browser())
    forms = []
    for browser in [first, second]:
        response = browser.get(update_url(world))
        assert response.status_code == 200
        forms.append(as_post(response.context["form"].initial))
    assert forms[0]["version"] == forms[1]["version"]
    return (first, forms[0]), (second, forms[1])


def test_the_second_of_two_concurrent_saves_is_refused_and_the_first_kept(world, two_forms):
    (first, first_data), (second, second_data) = two_forms

    response = first.post(update_url(world), {**first_data, "phone": "070-555 55 55"})
    assert response.status_code == 302
    response = second.post(update_url(world), {**second_data, "languages": "arabiska"})

    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Någon annan har sparat klientens uppgifter" in errors
    assert "Någon annan har sparat klientens uppgifter" in main_html(response)
    world.anna.refresh_from_db()
    assert world.anna.phone == "070-555 55 55"
    assert world.anna.languages == ""


def test_the_refusal_lists_what_the_other_person_changed(world, two_forms):
    (first, first_data), (second, second_data) = two_forms
    first.post(update_url(world), {**first_data, "phone": "070-555 55 55"})

    response = second.post(update_url(world), {**second_data, "languages": "arabiska"})

    page = main_html(response)
    assert 'data-testid="conflict"' in page
    conflict = page.split('data-testid="conflict"')[1]
    assert "Telefon" in conflict
    assert "070-555 55 55" in conflict
    assert "arabiska" in page  # her own change is not lost from view


def test_saving_again_after_a_refusal_does_not_revert_the_other_persons_change(
    world, two_forms
):
    (first, first_data), (second, second_data) = two_forms
    first.post(update_url(world), {**first_data, "phone": "070-555 55 55"})
    refused = second.post(update_url(world), {**second_data, "languages": "arabiska"})

    # The counsellor makes her change again on the form as it came back, and saves.
    form = refused.context["form"]
    shown = as_post({name: form[name].value() for name in form.fields})
    second.post(update_url(world), {**shown, "languages": "arabiska"})

    world.anna.refresh_from_db()
    assert world.anna.phone == "070-555 55 55"
    assert world.anna.languages == "arabiska"


def test_a_save_records_the_change_in_the_change_log_with_the_actor(world, login, two_forms):
    (first, first_data), _ = two_forms

    first.post(update_url(world), {**first_data, "languages": "engelska"})

    entry = LogEntry.objects.get_for_object(world.anna).filter(actor=world.oa).latest("timestamp")
    assert entry.changes_dict["languages"] == ["", "engelska"]


def test_changing_the_identity_number_to_another_clients_is_refused_on_the_form(world, login):
    browser = login(world.oa)
    browser.raise_request_exception = False
    url = reverse("clients:client-update", args=[world.petra.public_id])
    data = as_post(browser.get(url).context["form"].initial)

    response = browser.post(url, {**data, "identity_number": world.anna.identity_number})

    assert response.status_code == 200
    assert response.context["form"].errors["identity_number"]
    world.petra.refresh_from_db()
    assert world.petra.identity_number == ADULT_NUMBERS[20]

