"""The manager's weeding page: the last dry run, a new dry run, the executed weedings."""

from datetime import timedelta

import pytest
from django.urls import reverse

from clients.services import weeding
from prostenhet.models import WeedingRun
from prostenhet.roles import Role, UnitCode

from .test_weeding import FIVE, LAST, Data, ref

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    data = Data()
    counselling = data.client("Mottagning")
    data.record(counselling, UnitCode.COUNSELLING)
    kast = data.client("Köpare")
    data.record(kast, UnitCode.KAST)
    return counselling, kast


def manager_in(staff_of, *units):
    from prostenhet.models import Unit

    manager = staff_of(Role.MANAGER)
    manager.units.set(Unit.objects.filter(code__in=units))
    return manager


def test_the_page_shows_the_last_dry_run_by_opaque_id(login, staff_of, records):
    counselling, kast = records
    weeding.run(execute=False, as_of=FIVE)
    manager = manager_in(staff_of, UnitCode.COUNSELLING, UnitCode.SPIRALEN)
    page = login(manager).get(reverse("clients:weeding")).content.decode()
    assert ref(counselling) in page
    assert LAST.isoformat() in page and FIVE.isoformat() in page
    assert "Mottagning" not in page.split("<main", 1)[1].split("Mottagning och")[0]
    # KAST is sealed: its records only for a manager who works in KAST.
    assert ref(kast) not in page
    kast_manager = login(manager_in(staff_of, UnitCode.KAST))
    page = kast_manager.get(reverse("clients:weeding")).content.decode()
    assert ref(kast) in page


def test_a_dry_run_from_the_page_changes_nothing(login, staff_of, records):
    counselling, _kast = records
    manager = staff_of(Role.MANAGER)
    response = login(manager).post(reverse("clients:weeding-dry-run"), follow=True)
    assert "Provkörningen är klar" in response.content.decode()
    run = WeedingRun.objects.get()
    assert not run.executed and run.run_by == manager
    from clients.models import Client

    assert Client.objects.count() == 2


def test_the_history_lists_executed_weedings_with_their_report(login, staff_of, records):
    manager = staff_of(Role.MANAGER)
    done = weeding.run(execute=True, as_of=FIVE + timedelta(days=1), by=manager)
    page = login(manager).get(reverse("clients:weeding")).content.decode()
    assert reverse("clients:weeding-run", args=[done.pk]) in page
    report = login(manager).get(reverse("clients:weeding-run", args=[done.pk]))
    assert "Gallrad" in report.content.decode()


def test_others_than_managers_are_refused(login, staff_of, records):
    for role in (Role.COUNSELLOR, Role.OFFICE_ASSISTANT, Role.SYSADMIN, Role.CLINICIAN):
        client = login(staff_of(role))
        assert client.get(reverse("clients:weeding")).status_code == 403
        assert client.post(reverse("clients:weeding-dry-run")).status_code == 403
    assert not WeedingRun.objects.exists()


def test_the_pages_query_counts_do_not_grow_with_the_report(
    login, staff_of, django_assert_max_num_queries
):
    data = Data()
    for index in range(60):
        data.record(data.client(f"K{index}"), UnitCode.OUTREACH)
    manager = staff_of(Role.MANAGER)
    done = weeding.run(execute=False, as_of=FIVE)
    for _ in range(3):
        weeding.run(execute=True, as_of=LAST, by=manager)
    client = login(manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("clients:weeding")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("clients:weeding-run", args=[done.pk]) + "?page=2"
                          ).status_code == 200


def test_a_record_past_its_deadline_is_marked_late(login, staff_of, records):
    counselling, _kast = records
    manager = manager_in(staff_of, UnitCode.COUNSELLING)
    weeding.run(execute=False, as_of=FIVE)  # due, within its deadline
    page = login(manager).get(reverse("clients:weeding")).content.decode()
    assert "försenad" not in page
    weeding.run(execute=False, as_of=FIVE.replace(year=FIVE.year + 2))
    page = login(manager).get(reverse("clients:weeding")).content.decode()
    assert "försenad" in page
