"""Security review finding 10: on a shared workstation the browser must not remember what was
typed into a field that can hold personal data (a search term, a client's name, identity
number, phone, e-mail, address, a journal note, a filter on an alias) and offer it to the next
person. Every such field says autocomplete="off"; password and one-time-code fields keep
their own tokens."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

REMEMBERED_TYPES = {"text", "search", "email", "tel", "url", "number"}
OWN_TOKENS = {"new-password", "current-password", "one-time-code", "username"}


class Fields(HTMLParser):
    """The text inputs, text areas and password inputs of a page, with their attributes."""

    def __init__(self):
        super().__init__()
        self.fields = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "textarea" or (
            tag == "input" and attrs.get("type", "text") in REMEMBERED_TYPES | {"password"}
        ):
            self.fields.append((tag, attrs))


def fields_of(response):
    assert response.status_code == 200, response.status_code
    parser = Fields()
    parser.feed(response.content.decode())
    return parser.fields


def remembered(fields):
    """The fields whose content the browser would keep in its form history."""
    return [
        attrs.get("name") or attrs.get("id")
        for tag, attrs in fields
        if attrs.get("type") != "password" and attrs.get("autocomplete", "on") == "on"
    ]


# (url name, who opens it, its URL arguments from the world)
PAGES = [
    ("clients:client-search", "oa", lambda w: {}),
    ("clients:client-create", "oa", lambda w: {}),
    ("clients:client-update", "co", lambda w: {"public_id": w.anna.public_id}),
    ("clients:merge-search", "oa", lambda w: {"public_id": w.anna.public_id}),
    ("clients:emergency-search", "ow", lambda w: {}),
    ("clients:emergency-open", "ow", lambda w: {"public_id": w.anna.public_id}),
    ("clients:entry-edit", "co", lambda w: {"entry_id": w.anna_draft.public_id}),
    ("audit:access-log", "ma", lambda w: {}),
    ("audit:access-log-review", "ma", lambda w: {}),
    ("staff:list", "sa", lambda w: {}),
    ("staff:create", "sa", lambda w: {}),
    ("staff:update", "sa", lambda w: {"public_id": w.co.public_id}),
]


@pytest.mark.parametrize(("name", "who", "kwargs"), PAGES, ids=[page[0] for page in PAGES])
def test_no_field_with_personal_data_is_remembered_by_the_browser(
    world, login, name, who, kwargs
):
    client = login(getattr(world, who))
    fields = fields_of(client.get(reverse(name, kwargs=kwargs(world))))
    assert fields, "the page has no text field: the test looks at the wrong page"
    assert remembered(fields) == []


def test_the_client_form_fields_named_in_the_review_say_off(world, login):
    fields = fields_of(login(world.oa).get(reverse("clients:client-create")))
    by_name = {attrs.get("name"): attrs for _tag, attrs in fields}
    for name in ("alias", "legal_name", "identity_number", "phone", "email", "address"):
        assert by_name[name].get("autocomplete") == "off", name


def test_the_search_box_says_off(world, login):
    fields = fields_of(login(world.oa).get(reverse("clients:client-search")))
    by_name = {attrs.get("name"): attrs for _tag, attrs in fields}
    assert by_name["q"].get("autocomplete") == "off"


def test_password_and_code_fields_keep_their_own_tokens(world, login, client):
    page = fields_of(login(world.sa).get(
        reverse("staff:set-password", kwargs={"public_id": world.co.public_id})
    ))
    passwords = [attrs for _tag, attrs in page if attrs.get("type") == "password"]
    assert passwords and {attrs.get("autocomplete") for attrs in passwords} == {"new-password"}

    client.logout()
    login_page = fields_of(client.get(reverse("account:login")))
    tokens = {attrs.get("name"): attrs.get("autocomplete") for _tag, attrs in login_page}
    assert tokens == {"username": "username", "password": "current-password"}
    assert set(tokens.values()) <= OWN_TOKENS
