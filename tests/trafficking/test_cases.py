"""Trafficking cases (issue 10): registering a case (a new person, a client already seen,
from a raid), the rules of each model and the refused inputs (Swedish messages, never a 500,
nothing saved lost), the case page (read logged, booking with the interpreter language), the
case list, the start-page panel of deadlines, and the team's walls."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from clients.models import Enrollment
from prostenhet.exceptions import DomainError
from prostenhet.models import AccessKind, AccessLog
from prostenhet.roles import Role, UnitCode
from tests.world import staff
from trafficking import services
from trafficking.models import (
    Deadline,
    HousingPlacement,
    HousingProvider,
    ReturnHome,
    TraffickingCase,
)

from .helpers import a_case, a_raid, trafficking_team

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def provider():
    return HousingProvider.objects.order_by("order").first()


def new_case(by, alias="Sara", **kwargs):
    fields = {"country_of_origin": "NG", "identified_by": "outreach"}
    fields.update(kwargs)
    return services.register_case(by=by, alias=alias, **fields)


# --- the data migration ------------------------------------------------------------------------


def test_the_lists_and_permissions_are_seeded():
    assert HousingProvider.objects.filter(active=True).count() >= 4
    ow = staff(Role.OUTREACH_WORKER, "ow2")
    assert ow.has_perm("trafficking.add_traffickingcase")
    assert ow.has_perm("trafficking.change_raid")
    oa = staff(Role.OFFICE_ASSISTANT, "oa2")
    assert not oa.has_perm("trafficking.view_traffickingcase")


def test_no_address_is_stored_anywhere():
    for model in apps.get_app_config("trafficking").get_models():
        names = {field.name for field in model._meta.get_fields()}
        assert not {n for n in names if "address" in n or "adress" in n}, model


# --- registering a case ------------------------------------------------------------------------


def test_a_case_from_a_raid_enrols_the_person_in_the_unit(world):
    case = a_case(world)

    assert case.client.register == "main"
    assert Enrollment.objects.active().filter(client=case.client, unit="trafficking").exists()
    assert case.journal.unit == UnitCode.TRAFFICKING and case.journal.client == case.client
    assert case.identified_by == "raid" and case.raid.persons_accepted == 2
    # The client's own fields hold the languages and the interpreter need.
    assert case.client.languages == "rumänska, engelska" and case.client.interpreter_needed


def test_a_raid_gives_no_more_cases_than_persons_accepted(world):
    case = a_case(world)
    new_case(world.ow, "Ana", identified_by="raid", raid=case.raid,
             identified_on=case.raid.date)

    with pytest.raises(DomainError, match="redan ett ärende"):
        new_case(world.ow, "Tredje", identified_by="raid", raid=case.raid,
                 identified_on=case.raid.date)
    # Nothing of the refused registration is left (the client neither).
    assert not TraffickingCase.objects.filter(client__alias="Tredje").exists()
    assert not apps.get_model("clients", "Client").objects.filter(alias="Tredje").exists()


def test_case_rules(world):
    ow = trafficking_team(world)
    raid = a_raid(world)
    with pytest.raises(DomainError, match="framtiden"):
        new_case(ow, identified_on=TODAY() + timedelta(days=1))
    with pytest.raises(DomainError, match="Sverige"):
        new_case(ow, country_of_origin="RO", domestic=True)
    with pytest.raises(DomainError, match="tillslaget"):
        new_case(ow, raid=raid, identified_by="outreach")
    with pytest.raises(DomainError, match="före tillslagets datum"):
        new_case(ow, raid=raid, identified_by="raid", identified_on=raid.date - timedelta(1))
    with pytest.raises(DomainError, match="under 18"):
        new_case(ow, birth_year=TODAY().year - 15)
    domestic = new_case(ow, "Lina", country_of_origin="SE", domestic=True,
                        identified_by="organisation")
    assert domestic.domestic


def test_one_open_case_per_client(world):
    case = a_case(world)
    with pytest.raises(DomainError, match="öppet ärende"):
        services.open_case(case.client, by=world.ow, country_of_origin="RO",
                           identified_by="self")
    with pytest.raises(IntegrityError), transaction.atomic():
        TraffickingCase.objects.create(
            client=case.client, journal=case.journal, identified_by="self",
            created_by=world.ow,
        )
    services.close_case(case, by=world.ow, expected_version=case.version)
    again = services.open_case(case.client, by=world.ow, country_of_origin="RO",
                               identified_by="self")
    assert again.is_open


def test_an_existing_client_is_enrolled_when_the_case_opens(world):
    ow = trafficking_team(world)
    case = services.open_case(world.olle, by=ow, country_of_origin="HU",
                              identified_by="outreach")
    assert Enrollment.objects.active().filter(client=world.olle, unit="trafficking").exists()
    assert case.journal.unit == "trafficking"


def test_staff_outside_the_unit_cannot_register(world):
    with pytest.raises(DomainError, match="Bara personal"):
        new_case(world.ow)


def test_a_stale_edit_is_refused(world):
    case = a_case(world)
    services.update_case(case, by=world.ow, expected_version=case.version,
                         country_of_origin="BG", identified_by="raid",
                         identified_on=case.identified_on, raid=case.raid)
    with pytest.raises(DomainError, match="Någon annan"):
        services.update_case(case, by=world.ow, expected_version=case.version,
                             country_of_origin="RO", identified_by="raid",
                             identified_on=case.identified_on, raid=case.raid)


def test_closing_rules(world):
    case = a_case(world)
    with pytest.raises(DomainError, match="i förväg"):
        services.close_case(case, by=world.ow, expected_version=case.version,
                            closed_on=TODAY() + timedelta(days=1))
    with pytest.raises(DomainError, match="före den dag"):
        services.close_case(case, by=world.ow, expected_version=case.version,
                            closed_on=case.opened_on - timedelta(days=1))
    closed = services.close_case(case, by=world.ow, expected_version=case.version)
    with pytest.raises(DomainError, match="avslutat"):
        services.add_contact(closed, by=world.ow, authority="police", date=TODAY(),
                             purpose="Förhör")


# --- housing, contacts, deadlines, return ------------------------------------------------------


def test_housing_rules(world):
    case = a_case(world)  # placed from the raid's day, open-ended
    with pytest.raises(DomainError, match="överlappar"):
        services.add_placement(case, by=world.ow, provider=provider(), starts_on=TODAY())
    placement = case.placements.get()
    with pytest.raises(DomainError, match="sluta före"):
        services.end_placement(placement, by=world.ow,
                               ends_on=placement.starts_on - timedelta(days=1))
    services.end_placement(placement, by=world.ow, ends_on=placement.starts_on)
    with pytest.raises(DomainError, match="sluta före"):
        services.add_placement(case, by=world.ow, provider=provider(), starts_on=TODAY(),
                               ends_on=TODAY() - timedelta(days=1))
    with pytest.raises(DomainError, match="före identifieringen"):
        services.add_placement(case, by=world.ow, provider=provider(),
                               starts_on=case.identified_on - timedelta(days=3),
                               ends_on=case.identified_on - timedelta(days=2))
    with pytest.raises(IntegrityError), transaction.atomic():
        HousingPlacement.objects.create(case=case, provider=provider(), starts_on=TODAY(),
                                        ends_on=TODAY() - timedelta(days=1),
                                        created_by=world.ow)
    later = services.add_placement(case, by=world.ow, provider=provider(),
                                   starts_on=TODAY() + timedelta(days=1))
    assert later.ends_on is None


def test_contacts_are_not_in_the_future(world):
    case = a_case(world)
    with pytest.raises(DomainError, match="framtiden"):
        services.add_contact(case, by=world.ow, authority="prosecutor",
                             date=TODAY() + timedelta(days=1), purpose="Förhör")
    with pytest.raises(DomainError, match="syfte"):
        services.add_contact(case, by=world.ow, authority="prosecutor", date=TODAY(),
                             purpose="  ")
    contact = services.add_contact(case, by=world.ow, authority="migration_agency",
                                   date=TODAY(), purpose="Uppehållstillstånd",
                                   outcome="Beviljat")
    assert contact.get_authority_display() == "Migrationsverket"


def test_a_return_is_never_before_the_identification(world):
    case = a_case(world)
    with pytest.raises(DomainError, match="före identifieringen"):
        services.save_return(case, by=world.ow, state="planned",
                             date=case.identified_on - timedelta(days=1), country="RO",
                             arranged_by="iom")
    with pytest.raises(DomainError, match="framtiden"):
        services.save_return(case, by=world.ow, state="completed",
                             date=TODAY() + timedelta(days=3), country="RO",
                             arranged_by="iom")
    planned = services.save_return(case, by=world.ow, state="planned",
                                   date=TODAY() + timedelta(days=3), country="RO",
                                   arranged_by="iom", receiving_organisation="ADPARE")
    done = services.save_return(case, by=world.ow, state="completed",
                                date=case.identified_on, country="RO", arranged_by="iom",
                                expected_version=planned.version)
    assert (ReturnHome.objects.get(), done.version) == (done, 2)
    with pytest.raises(DomainError, match="Någon annan"):
        services.save_return(case, by=world.ow, state="completed", date=TODAY(),
                             country="RO", arranged_by="iom", expected_version=1)
    # Moving the identification after the return is refused too.
    with pytest.raises(DomainError, match="Återvändandet"):
        services.update_case(case, by=world.ow, expected_version=case.version,
                             country_of_origin="RO", identified_by="raid",
                             identified_on=TODAY(), raid=case.raid)


def test_deadlines_and_the_panel(world, login, settings):
    settings.TRAFFICKING_DEADLINE_DAYS = 14
    case = a_case(world)  # a reflection period ending in ten days
    services.add_deadline(case, by=world.ow, kind="temporary_permit",
                          ends_on=TODAY() + timedelta(days=15))
    passed = services.add_deadline(case, by=world.ow, kind="other",
                                   ends_on=TODAY() - timedelta(days=1), note="Svar")
    with pytest.raises(DomainError, match="före identifieringen"):
        services.add_deadline(case, by=world.ow, kind="other",
                              ends_on=case.identified_on - timedelta(days=1))

    shown = services.upcoming_deadlines(world.ow)
    assert [d.kind for d in shown] == ["other", "reflection_period"]

    services.mark_deadline_done(passed, by=world.ow)
    with pytest.raises(DomainError, match="redan"):
        services.mark_deadline_done(passed, by=world.ow)
    page = login(world.ow).get(reverse("start")).content.decode()
    assert 'data-testid="trafficking-deadlines-panel"' in page
    assert "Betänketid" in page and "Maria" in page
    assert "Tidsbegränsat uppehållstillstånd" not in page  # fifteen days away
    # Not for staff outside the unit.
    page = login(world.co).get(reverse("start")).content.decode()
    assert "trafficking-deadlines-panel" not in page and "Maria" not in page


def test_a_closed_cases_deadlines_leave_the_panel(world):
    case = a_case(world)
    services.close_case(case, by=world.ow, expected_version=case.version)
    assert services.upcoming_deadlines(world.ow) == []
    assert Deadline.objects.count() == 1


# --- pages -------------------------------------------------------------------------------------


def test_the_case_page_logs_the_read_and_offers_a_booking_with_the_interpreter(world, login):
    case = a_case(world)
    before = AccessLog.objects.count()

    response = login(world.ow).get(reverse("trafficking:case-detail", args=[case.public_id]))

    assert response.status_code == 200
    row = AccessLog.objects.latest("pk")
    assert AccessLog.objects.count() == before + 1
    assert (row.client, row.user, row.view, row.kind) == (
        case.client, world.ow, "trafficking:case-detail", AccessKind.READ)
    page = response.content.decode()
    assert "Rumänien" in page and "Polisens tillslag" in page and "behöver tolk" in page
    assert "interpreter_language=rum%C3%A4nska" in page and "unit=trafficking" in page
    assert reverse("clients:journal", args=[case.client.public_id, "trafficking"]) in page
    assert "Betänketid" in page and str(case.placements.get().provider) in page


def test_registering_a_case_from_the_raid_page(world, login):
    raid = a_raid(world)
    browser = login(world.ow)
    page = browser.get(reverse("trafficking:raid-detail", args=[raid.public_id]))
    assert "Registrera ärende från tillslaget" in page.content.decode()
    url = reverse("trafficking:case-create") + f"?raid={raid.public_id}"

    response = browser.post(url, {
        "alias": "Elena", "gender": "woman", "languages": "rumänska",
        "interpreter_needed": "on", "country_of_origin": "RO",
        "identified_on": raid.date.isoformat(), "identified_by": "outreach",
    })

    case = TraffickingCase.objects.get(client__alias="Elena")
    assert response.status_code == 302
    assert response.url == reverse("trafficking:case-detail", args=[case.public_id])
    assert (case.raid, case.identified_by) == (raid, "raid")


@pytest.mark.parametrize("data, message", [
    ({"identified_on": "2099-01-01"}, "framtiden"),
    ({"birth_year": "2999"}, "framtiden"),
    ({"country_of_origin": "RO", "domestic": "on"}, "Sverige"),
    ({"country_of_origin": "QQ"}, "Välj"),
    ({"birth_year": str(timezone.localdate().year - 16)}, "under 18"),
])
def test_bad_case_input_is_refused_in_swedish(world, login, data, message):
    trafficking_team(world)
    form = {"alias": "Nora", "gender": "woman", "country_of_origin": "NG",
            "identified_on": TODAY().isoformat(), "identified_by": "self", **data}

    response = login(world.ow).post(reverse("trafficking:case-create"), form)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'value="Nora"' in response.content.decode()  # what was typed is kept
    assert not TraffickingCase.objects.exists()


def test_bad_step_input_is_refused(world, login):
    case = a_case(world)
    browser = login(world.ow)
    url = reverse("trafficking:housing-create", args=[case.public_id])
    response = browser.post(url, {"provider": provider().pk, "starts_on": "2026-02-10",
                                  "ends_on": "2026-02-01"})
    assert response.status_code == 200 and "sluta före" in response.content.decode()
    url = reverse("trafficking:return-edit", args=[case.public_id])
    response = browser.post(url, {"state": "planned", "country": "RO", "arranged_by": "iom",
                                  "date": (case.identified_on - timedelta(1)).isoformat(),
                                  "version": 0})
    assert response.status_code == 200 and "före identifieringen" in response.content.decode()
    url = reverse("trafficking:contact-create", args=[case.public_id])
    response = browser.post(url, {"authority": "court", "purpose": "Rättegång",
                                  "date": (TODAY() + timedelta(2)).isoformat()})
    assert response.status_code == 200 and "framtiden" in response.content.decode()


def test_the_steps_save(world, login):
    case = a_case(world)
    browser = login(world.ow)
    deadline = case.deadlines.get()
    steps = [
        ("trafficking:contact-create", [case.public_id],
         {"authority": "police", "purpose": "Förhör", "date": TODAY().isoformat()}),
        ("trafficking:deadline-create", [case.public_id],
         {"kind": "temporary_permit", "ends_on": (TODAY() + timedelta(90)).isoformat()}),
        ("trafficking:deadline-done", [case.public_id, deadline.pk],
         {"version": deadline.version}),
        ("trafficking:housing-end", [case.public_id, case.placements.get().pk],
         {"ends_on": TODAY().isoformat()}),
        ("trafficking:return-edit", [case.public_id],
         {"state": "completed", "country": "RO", "arranged_by": "unit",
          "date": TODAY().isoformat(), "version": 0}),
        ("trafficking:case-edit", [case.public_id],
         {"country_of_origin": "BG", "identified_on": case.identified_on.isoformat(),
          "version": case.version}),
        ("trafficking:case-close", [case.public_id],
         {"closed_on": TODAY().isoformat(), "version": case.version + 1}),
    ]
    for name, args, data in steps:
        response = browser.post(reverse(name, args=args), data)
        assert response.status_code == 302, (name, response.content.decode()[-3000:])
    case.refresh_from_db()
    assert (case.country_of_origin, case.identified_by, case.is_open) == ("BG", "raid", False)
    assert case.authority_contacts.count() == 1 and case.deadlines.filter(done=True).count() == 1
    assert case.return_home.state == "completed"


def test_the_case_list_is_the_teams_and_paginates(world, login):
    a_case(world)
    for number in range(30):
        new_case(world.ow, f"Person {number:02d}")
    browser = login(world.ow)

    first = browser.get(reverse("trafficking:case-list"))
    second = browser.get(reverse("trafficking:case-list") + "?page=2")

    assert first.status_code == second.status_code == 200
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 6
    # No read rows for a list of aliases.
    assert not AccessLog.objects.filter(view="trafficking:case-list").exists()


def test_a_case_out_of_the_team_is_404(world, login):
    case = a_case(world)
    # A counsellor in the unit sees it; one outside it does not; the client's enrollment
    # ended, the team no longer does.
    member = staff(Role.COUNSELLOR, "co-trafficking", units=[UnitCode.TRAFFICKING])
    url = reverse("trafficking:case-detail", args=[case.public_id])
    assert login(member).get(url).status_code == 200
    assert login(world.co).get(url).status_code == 404
    enrollment = Enrollment.objects.get(client=case.client, unit="trafficking")
    client_services.end_enrollment(enrollment, by=world.ow)
    assert login(member).get(url).status_code == 404


def test_the_journal_links_back_to_the_case(world, login):
    case = a_case(world)
    browser = login(world.ow)
    journal = browser.get(reverse("clients:journal", args=[case.client.public_id,
                                                           "trafficking"]))
    link = reverse("trafficking:client-case", args=[case.client.public_id])
    assert link in journal.content.decode()
    assert browser.get(link).url == reverse("trafficking:case-detail", args=[case.public_id])
