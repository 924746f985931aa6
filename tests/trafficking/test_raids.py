"""Police raids (issue 10): counts only, accepted never more than met, never negative, not in
the future, staff from the unit; a change never leaves fewer accepted than cases opened from
the raid; the raid pages are the team's."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from prostenhet.exceptions import DomainError
from prostenhet.models import AccessLog
from trafficking import services
from trafficking.models import Raid

from .helpers import a_case, a_raid, trafficking_team

pytestmark = pytest.mark.django_db


def raid_fields(**changes):
    fields = {"date": timezone.localdate(), "place_kind": "hotel", "persons_met": 2,
              "persons_accepted": 1}
    fields.update(changes)
    return fields


@pytest.mark.parametrize("changes, message", [
    ({"persons_met": -1}, "negativt"),
    ({"persons_accepted": -1, "persons_met": 0}, "negativt"),
    ({"persons_met": 1, "persons_accepted": 2}, "Fler kan inte"),
    ({"date": "tomorrow"}, "framtiden"),
    ({"place_kind": "castle"}, "typ av plats"),
])
def test_raid_rules(world, changes, message):
    if changes.get("date") == "tomorrow":  # the day the test runs, not the day it was collected
        changes = {**changes, "date": timezone.localdate() + timedelta(days=1)}
    ow = trafficking_team(world)
    with pytest.raises(DomainError, match=message):
        services.save_raid(by=ow, **raid_fields(**changes))
    assert not Raid.objects.exists()


def test_the_database_refuses_more_accepted_than_met(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Raid.objects.create(created_by=world.ow, place_kind="club", persons_met=1,
                            persons_accepted=2)


def test_staff_present_work_in_the_unit(world):
    ow = trafficking_team(world)
    with pytest.raises(DomainError, match="Personalen"):
        services.save_raid(by=ow, staff=[ow, world.co], **raid_fields())
    raid = services.save_raid(by=ow, staff=[ow], **raid_fields())
    assert list(raid.staff.all()) == [ow]


def test_a_change_keeps_room_for_the_cases_opened(world):
    case = a_case(world)  # one case of the raid's two accepted
    raid = case.raid
    with pytest.raises(DomainError, match="redan registrerade"):
        services.save_raid(by=world.ow, raid=raid, expected_version=raid.version,
                           **raid_fields(date=raid.date, persons_met=3, persons_accepted=0))
    changed = services.save_raid(by=world.ow, raid=raid, expected_version=raid.version,
                                 **raid_fields(date=raid.date, persons_met=5,
                                               persons_accepted=1))
    assert changed.version == 2
    with pytest.raises(DomainError, match="Någon annan"):
        services.save_raid(by=world.ow, raid=raid, expected_version=1,
                           **raid_fields(date=raid.date))


def test_recording_a_raid_in_the_browser_form(world, login):
    ow = trafficking_team(world)
    browser = login(ow)
    url = reverse("trafficking:raid-create")
    form = {"date": timezone.localdate().isoformat(), "place_kind": "massage_parlour",
            "police_reference": "5000-K1-26", "staff": [str(ow.public_id)],
            "persons_met": "4", "persons_accepted": "5"}

    refused = browser.post(url, form)
    negative = browser.post(url, {**form, "persons_met": "-2", "persons_accepted": "0"})
    saved = browser.post(url, {**form, "persons_accepted": "3"})

    assert refused.status_code == 200 and "Fler kan inte" in refused.content.decode()
    assert 'value="5000-K1-26"' in refused.content.decode()
    assert negative.status_code == 200 and "negativt" in negative.content.decode()
    raid = Raid.objects.get()
    assert saved.url == reverse("trafficking:raid-detail", args=[raid.public_id])
    assert (raid.persons_met, raid.persons_accepted, list(raid.staff.all())) == (4, 3, [ow])


def test_the_raid_pages_are_the_teams(world, login):
    raid = a_raid(world)
    url = reverse("trafficking:raid-detail", args=[raid.public_id])
    assert login(world.ow).get(url).status_code == 200
    assert login(world.co).get(url).status_code == 404
    assert login(world.co).get(reverse("trafficking:raid-list")).status_code == 403
    assert login(world.oa).get(url).status_code == 403
    assert not AccessLog.objects.filter(view__startswith="trafficking:raid").exists()


def test_the_raid_page_lists_its_cases_and_stops_offering_when_all_accepted(world, login):
    case = a_case(world)
    services.register_case(by=world.ow, alias="Ana", country_of_origin="RO",
                           identified_by="raid", identified_on=case.raid.date, raid=case.raid)
    page = login(world.ow).get(
        reverse("trafficking:raid-detail", args=[case.raid.public_id])).content.decode()
    assert "Maria" in page and "Ana" in page
    assert "Registrera ärende från tillslaget" not in page
