"""Query counts of the pages with personal data stay bounded as the data grows (DESIGN §9)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients import services
from prostenhet.roles import UnitCode

pytestmark = pytest.mark.django_db


def grow(world, n):
    """n more counselling clients of the counsellor, each with a signed entry, and n more
    signed entries in Anna's journal."""
    for i in range(n):
        client = services.register_client(
            unit=UnitCode.COUNSELLING, by=world.co, alias=f"Klient {i}"
        )
        services.enroll(client, UnitCode.SPIRALEN, by=world.cl)
        services.give_consent(client, "counselling", "spiralen", method="verbal", by=world.co)
        journal = client.journals.get(unit=UnitCode.COUNSELLING)
        draft = services.save_draft(journal=journal, by=world.co, text="x")
        services.sign_entry(draft, by=world.co)
    for _ in range(n):
        draft = services.save_draft(journal=world.anna_counselling, by=world.co, text="y")
        entry = services.sign_entry(draft, by=world.co)
        services.save_draft(
            journal=world.anna_counselling, by=world.co, text="Rättelse", corrects=entry
        )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


PAGES = [
    ("start", lambda w: {}),
    ("clients:client-search", lambda w: {}),
    ("clients:client-detail", lambda w: {"public_id": w.anna.public_id}),
    ("clients:journal", lambda w: {"public_id": w.anna.public_id, "unit": "counselling"}),
    ("clients:entry-detail", lambda w: {"entry_id": w.anna_signed.public_id}),
    ("clients:entry-edit", lambda w: {"entry_id": w.anna_draft.public_id}),
]


# What a page may cost, the request itself included: session, user with their groups,
# second-factor device (one query each; the groups' permissions are read once a process), the
# lapsed-access check, the page's own reads and the access-log row.
MAX_QUERIES = {
    # + 1: the practitioner's arrivals panel (today's visits for the user's bookings).
    # + 4: the counsellor's "My day" (today's sessions, drafts, goals due, from the queue).
    "start": 10,
    "clients:client-search": 7,
    "clients:client-detail": 13,
    "clients:journal": 13,
    "clients:entry-detail": 8,
    "clients:entry-edit": 7,
}


@pytest.mark.parametrize("name, kwargs", PAGES, ids=[name for name, _ in PAGES])
def test_page_queries_do_not_grow_with_the_data(login, world, name, kwargs):
    client = login(world.co)
    url = reverse(name, kwargs=kwargs(world))
    small = count_queries(client, url)
    grow(world, 30)
    large = count_queries(client, url)
    assert large <= small, f"{name}: {small} queries with little data, {large} with more"
    assert large <= MAX_QUERIES[name], f"{name}: {large} queries"


def test_access_log_page_queries_are_bounded(login, world):
    from prostenhet.models import AccessLog

    AccessLog.objects.bulk_create(
        [AccessLog(user=world.co, client=world.anna, kind="read", view="x", local_weekday=1,
                   local_hour=10) for _ in range(80)]
    )
    client = login(world.ma)
    assert count_queries(client, reverse("audit:access-log")) <= 15


def test_security_events_page_queries_are_bounded(login, world):
    from prostenhet import services

    for _ in range(30):
        services.reset_two_factor(world.co, by=world.sa)
    client = login(world.ma)
    assert count_queries(client, reverse("audit:security-events")) <= 12


def test_ending_other_sessions_queries_are_bounded(login, world, django_assert_max_num_queries):
    # A rare POST: the user row locked and saved, the session key cycled (delete, insert).
    client = login(world.co)
    with django_assert_max_num_queries(20):
        response = client.post(reverse("account:end-other-sessions"))
    assert response.status_code == 302
