"""Every outreach page runs a bounded number of queries (DESIGN §9: about 20 at most), whatever
the data: each is opened by the outreach worker with the arguments of helpers.KWARGS, once with
little data and once with a season more (shifts, contacts, nicknames, sessions, talks,
templates), and may not cost more."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach import services
from outreach.models import Contact, Nickname, Shift

from .helpers import KWARGS, MATRIX, OW

PAGES = sorted(name for name in MATRIX if MATRIX[name][OW] == 200)
MAX_QUERIES = 20

pytestmark = pytest.mark.django_db


def more_outreach_data(world, shifts=12):
    now = timezone.now()
    today = timezone.localdate()
    for number in range(shifts):
        start = now - timedelta(days=3 * number + 2)
        shift = services.open_shift(starts_at=start, ends_at=start + timedelta(hours=4),
                                    staff=[world.ow], by=world.ow)
        for contact in range(4):
            services.add_contact(shift, by=world.ow, first_contact=False,
                                 nickname=f"Person {number}-{contact}")
        services.add_contact(shift, by=world.ow, first_contact=False)
    # More contacts on the open shift of the page too (anonymous and nicknames).
    for shift in Shift.objects.open():
        for number in range(10):
            services.add_contact(shift, by=world.ow, first_contact=False,
                                 nickname=f"Ny {number}" if number % 2 else "")
    for number in range(5):
        services.save_internet_session(by=world.ow, date=today - timedelta(days=number),
                                       staff=[world.ow], ads_reviewed=number)
        services.save_email_template(by=world.ow, name=f"Mall {number}", language="en",
                                     subject="Hi", body="Text")
        services.record_talk(by=world.ow, date=today, audience="public", attendees=10,
                             staff=[world.ow])
    services.check_addresses("\n".join(f"a{n}@example.com" for n in range(30)), by=world.ow)
    journal = world.olle.journals.get(unit="outreach")
    for _ in range(5):
        services.record_support_action(journal=journal, by=world.ow, kind="other", text="Stöd.")
    assert Contact.objects.count() > 60 and Nickname.objects.count() > 40


def count(client, url, django_assert_max_num_queries, bound):
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.parametrize("name", [*PAGES, "start"])
def test_every_outreach_page_is_bounded(login, world, name, django_assert_max_num_queries):
    make = KWARGS.get(name)
    url = reverse(name, kwargs=make(world) if make else {})
    browser = login(world.ow)
    few = count(browser, url, django_assert_max_num_queries, MAX_QUERIES)
    more_outreach_data(world)
    count(browser, url, django_assert_max_num_queries, few)
