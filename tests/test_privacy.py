"""Identity numbers never reach a URL, a log line or a page that should not show them."""

import logging
import re

import pytest
from django.urls import reverse

from prostenhet.lib import personnummer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name, kwargs, who",
    [
        ("clients:client-search", lambda w: {}, "co"),
        ("clients:emergency-search", lambda w: {}, "cl"),
        ("clients:merge-search", lambda w: {"public_id": w.anna.public_id}, "oa"),
    ],
)
def test_search_forms_post_so_the_term_never_reaches_a_url(login, world, name, kwargs, who):
    html = login(getattr(world, who)).get(reverse(name, kwargs=kwargs(world))).content.decode()
    forms = re.findall(r"<form[^>]*>", html)
    search_forms = [f for f in forms if "set_language" not in f and "logga-ut" not in f]
    assert search_forms and all('method="post"' in f for f in search_forms), search_forms


def test_search_by_identity_number_in_any_form_finds_the_client(login, world):
    client = login(world.co)
    number = world.anna.identity_number
    for written in [number, personnummer.display(number), number[2:8] + "-" + number[8:]]:
        response = client.post(reverse("clients:client-search"), {"q": written}, follow=True)
        assert "Anna" in response.content.decode(), written


def test_search_by_alias_is_case_and_diacritic_insensitive(login, world):
    from clients import services

    services.register_client(unit="counselling", by=world.co, alias="Åsa Öberg")
    client = login(world.co)
    for term in ["åsa", "ASA", "asa ob"]:
        html = client.post(
            reverse("clients:client-search"), {"q": term}, follow=True
        ).content.decode()
        assert "Åsa Öberg" in html, term


def test_search_by_phone_number(login, world):
    client = login(world.co)
    html = client.post(
        reverse("clients:client-search"), {"q": "070-123 45 67"}, follow=True
    ).content.decode()
    assert "Anna" in html


def test_identity_numbers_are_not_in_log_lines(login, world, caplog):
    client = login(world.co)
    with caplog.at_level(logging.DEBUG):
        client.post(
            reverse("clients:client-search"), {"q": world.anna.identity_number}, follow=True
        )
        client.get(reverse("clients:client-detail", args=[world.anna.public_id]))
    assert world.anna.identity_number not in caplog.text
    assert world.anna.identity_number[2:] not in caplog.text
