"""Every KAST page runs a bounded number of queries (DESIGN §9: about 20 at most), whatever
the data: each is opened by the KAST counsellor with little data and again with a season of
calls, clients and counts more, and may not cost more."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kast import services
from kast.models import CallOutcome

from .helpers import call
from .test_views import PAGES, records

MAX_QUERIES = 20

pytestmark = pytest.mark.django_db


def more_kast_data(world, clients=8, calls=40):
    for number in range(clients):
        first = call(world.kco, caller_code=f"Uppringare {number}", outcome=CallOutcome.OFFERED)
        client = services.register_caller(first, by=world.kco, alias=f"Köpare {number}")
        call(world.kco, client=client, outcome=CallOutcome.OFFERED)
    for number in range(calls):
        call(world.kco, caller_code=f"Uppringare {number % 5}",
             occurred_at=timezone.now() - timedelta(hours=number),
             outcome=CallOutcome.OFFERED if number % 3 else CallOutcome.BOOKED)
        call(world.kco, client=world.karl)
    for number in range(12):
        services.record_buyer_outreach(by=world.kco, kind="street_contacts", period="shift",
                                       day=timezone.localdate() - timedelta(days=number * 9),
                                       count=number)


def count(browser, url, django_assert_max_num_queries, bound):
    with django_assert_max_num_queries(bound, info=url) as captured:
        response = browser.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def urls(world):
    made = [reverse(name) for name in PAGES]
    made += [reverse(name, kwargs=kwargs) for name, kwargs in records(world).items()]
    made.append(reverse("start"))
    # A filter that finds something (an empty page skips its one select).
    call(world.kco, caller_code="Uppringare 1", outcome=CallOutcome.OFFERED)
    made.append(reverse("kast:call-list") + "?code=Uppringare+1&outcome=offered")
    return made


def test_every_kast_page_is_bounded(login, world, django_assert_max_num_queries):
    browser = login(world.kco)
    pages = urls(world)
    few = {url: count(browser, url, django_assert_max_num_queries, MAX_QUERIES)
           for url in pages}
    more_kast_data(world)
    for url in pages:
        count(browser, url, django_assert_max_num_queries, few[url])
