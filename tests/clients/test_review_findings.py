"""Regression tests for the holes a security review of the access model found."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from clients import services
from clients.models import Assignment, AssignmentRole, Client, Consent
from prostenhet import services as staff_services
from prostenhet.exceptions import DomainError
from prostenhet.models import AccessKind, AccessLog
from prostenhet.roles import Role, UnitCode
from tests.world import staff

from .helpers import SPARE_NUMBERS, as_post, create_data, main_html

pytestmark = pytest.mark.django_db


def test_a_form_made_for_a_merged_client_does_not_land_on_the_survivor(world, login):
    duplicate = services.register_client(unit="counselling", by=world.oa, alias="Dubblett")
    browser = login(world.oa)
    url = reverse("clients:client-update", args=[duplicate.public_id])
    stale = as_post(browser.get(url).context["form"].initial)
    services.merge_clients(world.anna, duplicate, by=world.oa)

    response = browser.post(url, {**stale, "alias": "Fel person"})

    assert response.status_code == 404
    world.anna.refresh_from_db()
    assert world.anna.alias == "Anna" and world.anna.identity_number


def test_a_merge_never_removes_protected_identity(world):
    survivor = services.register_client(unit="counselling", by=world.oa, alias="Oskyddad")
    services.merge_clients(survivor, world.petra, by=world.oa)
    survivor.refresh_from_db()
    assert survivor.protected_identity is True


def test_undoing_the_merge_gives_back_the_survivors_own_protection_flag(world):
    survivor = services.register_client(unit="counselling", by=world.oa, alias="Oskyddad")
    merge = services.merge_clients(survivor, world.petra, by=world.oa)
    services.undo_merge(merge, by=world.ma)
    survivor.refresh_from_db()
    assert survivor.protected_identity is False


def test_a_refused_duplicate_number_from_another_unit_is_on_record(world, login):
    # The outreach worker may not see Anna, but the refusal tells the number is known.
    login(world.ow).post(
        reverse("clients:client-create"),
        create_data("outreach", "Ny", identity_number=world.anna.identity_number),
    )
    row = AccessLog.objects.get(user=world.ow, client=world.anna)
    assert (row.kind, row.flagged) == (AccessKind.SEARCH, True)
    assert world.anna.identity_number not in row.detail


def test_emergency_access_cannot_be_made_lasting_by_enrolling_or_consenting(world, login):
    services.open_emergency_access(world.olle, user=world.co, reason="Akut")
    browser = login(world.co)
    enrol = reverse("clients:enrollment-create", args=[world.olle.public_id])
    consent = reverse("clients:consent-create", args=[world.olle.public_id])
    assert browser.get(reverse("clients:client-detail", args=[world.olle.public_id])).status_code \
        == 200
    assert browser.post(enrol, {"unit": "counselling"}).status_code == 404
    assert browser.post(consent, {"unit": "outreach", "other_unit": "counselling",
                                  "method": "verbal"}).status_code == 404
    assert not world.olle.enrollments.filter(unit="counselling").exists()


def test_a_counsellor_cannot_assign_themselves_to_another_counsellors_client(world, login):
    colleague = staff(Role.COUNSELLOR, "kollega")
    url = reverse("clients:assignment-create", args=[world.anna.public_id, "counselling"])
    response = login(colleague).post(url, {"counsellor": colleague.pk})
    assert response.status_code == 200
    assert "Bara byråassistenten eller klientens ansvariga behandlare" in main_html(response)
    assert not world.anna_counselling.assignments.filter(counsellor=colleague).exists()
    with pytest.raises(DomainError):
        services.name_substitute(
            world.anna_counselling, colleague, ends_on=world.anna.created_at.date(), by=colleague
        )


def test_the_responsible_counsellor_names_a_substitute(world):
    colleague = staff(Role.COUNSELLOR, "kollega")
    from django.utils import timezone

    services.name_substitute(
        world.anna_counselling, colleague, ends_on=timezone.localdate(), by=world.co
    )
    assert world.anna_counselling.assignments.current().filter(counsellor=colleague).exists()


def test_a_counsellor_who_changes_role_loses_the_assigned_journals(world, login):
    staff_services.update_staff(world.co, roles=[Role.MANAGER], units=[], by=world.sa)
    assert not Assignment.objects.current().filter(counsellor=world.co).exists()
    response = login(Client_user(world.co)).get(
        reverse("clients:journal", args=[world.anna.public_id, "counselling"])
    )
    assert response.status_code == 404


def test_a_deactivated_counsellor_keeps_no_assignments(world):
    staff_services.set_active(world.co, False, by=world.sa)
    assert not Assignment.objects.current().filter(counsellor=world.co).exists()


def Client_user(user):  # noqa: N802 - a fresh copy, without the request-level caches
    from prostenhet.models import User

    return User.objects.get(pk=user.pk)


def test_the_database_allows_one_active_consent_per_pair_of_units(world):
    services.give_consent(world.anna, "counselling", "spiralen", method="verbal", by=world.co)
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(
            client=world.anna, unit_a="counselling", unit_b="spiralen", method="verbal",
            recorded_by=world.co,
        )


def test_the_database_allows_one_responsible_counsellor_per_journal(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            journal=world.anna_counselling, counsellor=world.oa,
            role=AssignmentRole.RESPONSIBLE, created_by=world.oa,
        )


def test_a_duplicate_number_racing_past_the_check_is_a_form_error_not_a_500(world, monkeypatch):
    number = SPARE_NUMBERS[0]
    services.register_client(unit="counselling", by=world.oa, alias="Först",
                             identity_number=number)
    # The other registration checked before the first was saved.
    monkeypatch.setattr(services.records, "find_duplicate", lambda number, register: None)
    with pytest.raises(services.DuplicateClientError):
        services.register_client(unit="counselling", by=world.oa, alias="Sen",
                                 identity_number=number)
    assert Client.objects.filter(alias="Sen").count() == 0


def test_searches_by_kast_staff_stay_sealed_after_they_leave_kast(world, login):
    login(world.kco).post(reverse("clients:client-search"), {"q": "Karl"}, follow=True)
    staff_services.update_staff(world.kco, roles=[Role.COUNSELLOR],
                                units=[UnitCode.COUNSELLING], by=world.sa)
    page = main_html(login(world.ma).get(reverse("audit:access-log")))
    table = page.split('data-testid="access-log"')[1]
    assert "Karl" not in table
