"""Every trafficking page runs a bounded number of queries (DESIGN §9: about 20 at most),
whatever the data: each is opened by the team's outreach worker, with the arguments the access
matrix makes, once with little data and once with many more cases, raids, placements,
contacts and deadlines, and may not cost more. The start page with its deadline panel too."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from trafficking import services
from trafficking.models import HousingProvider, TraffickingCase

from .helpers import KWARGS

TRAFFICKING_VIEWS = sorted(KWARGS)
MAX_QUERIES = 20

pytestmark = pytest.mark.django_db


def more_trafficking_data(world, cases=12):
    ow = world.ow
    today = timezone.localdate()
    providers = list(HousingProvider.objects.all())
    for number in range(cases):
        raid = services.save_raid(by=ow, date=today - timedelta(days=30), place_kind="club",
                                  staff=[ow], persons_met=3, persons_accepted=2)
        case = services.register_case(
            by=ow, alias=f"Person {number}", country_of_origin="NG", identified_by="raid",
            identified_on=raid.date, raid=raid, languages="engelska",
        )
        services.add_placement(case, by=ow, provider=providers[number % len(providers)],
                               starts_on=raid.date, ends_on=raid.date + timedelta(days=5))
        services.add_placement(case, by=ow, provider=providers[0],
                               starts_on=raid.date + timedelta(days=6))
        for day in range(3):
            services.add_contact(case, by=ow, authority="police", date=today - timedelta(day),
                                 purpose="Förhör", outcome="Klart")
            services.add_deadline(case, by=ow, kind="reflection_period",
                                  ends_on=today + timedelta(days=day))
        services.save_return(case, by=ow, state="planned", date=today, country="NG",
                             arranged_by="iom")


def count(client, url, django_assert_max_num_queries, bound):
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code in (200, 302), url
    return len(captured.captured_queries)


@pytest.mark.parametrize("name", [*TRAFFICKING_VIEWS, "start"])
def test_every_trafficking_page_is_bounded(login, world, name, django_assert_max_num_queries):
    make = KWARGS.get(name, KWARGS["trafficking:case-list"])
    kwargs = make(world)
    url = reverse(name, kwargs=kwargs or None)
    browser = login(world.ow)
    few = count(browser, url, django_assert_max_num_queries, MAX_QUERIES)
    more_trafficking_data(world)
    # The case of the URL gets more too.
    if "case_id" in kwargs:
        case = TraffickingCase.objects.get(public_id=kwargs["case_id"])
        for day in range(4):
            services.add_contact(case, by=world.ow, authority="court",
                                 date=timezone.localdate() - timedelta(day), purpose="Mål")
    count(browser, url, django_assert_max_num_queries, few)
