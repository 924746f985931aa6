"""A form sent after the session ended is kept: the user logs in again, finds what they typed
back in the form with a message, checks it and sends it again (prostenhet/keptforms.py)."""

import json
import logging
import re
import time
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from clients import services
from clients.models import Client as ClientRecord
from clients.models import Goal, Referral
from prostenhet import keptforms
from prostenhet.middleware import LAST_SEEN_KEY
from trafficking.models import TraffickingCase

from ..factories import PASSWORD, current_code
from ..test_access_matrix import ALL_ROLES, KWARGS, MATRIX
from ..trafficking.helpers import in_trafficking_team

pytestmark = pytest.mark.django_db

LOGIN = reverse("account:login")
KEPT_MESSAGE = "Du loggades ut innan det du skrev hann sparas."
KEPT_BLOCK = re.compile(r'<script id="kept-form" type="application/json">(.*?)</script>', re.S)


class FormParser(HTMLParser):
    """The POST forms inside <main> of a page, with the values a browser would send as the
    page stands (no button): [{"action": path, "fields": [[name, value], ...]}]."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.form = page, [], None
        self.in_main = self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        elif tag == "form" and self.in_main and attrs.get("method", "").lower() == "post":
            self.form = {"action": attrs.get("action") or self.page, "fields": []}
            self.forms.append(self.form)
        elif self.form is None or "name" in attrs and "disabled" in attrs:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.form["fields"].append([attrs["name"], attrs.get("value", "on" if kind in (
                "checkbox", "radio") else "")])
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = [attrs["name"], ""]
            self.form["fields"].append(self.textarea)
        elif tag == "select" and attrs.get("name"):
            self.select = {"name": attrs["name"], "multiple": "multiple" in attrs,
                           "first": None, "chosen": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["chosen"].append(value)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        elif tag == "form":
            self.form = None
        elif tag == "textarea":
            if self.textarea is not None and self.textarea[1].startswith("\n"):
                self.textarea[1] = self.textarea[1][1:]  # as a browser reads it
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"] or (
                [] if self.select["multiple"] or self.select["first"] is None
                else [self.select["first"]]
            )
            self.form["fields"] += [[self.select["name"], value] for value in chosen]
            self.select = None


def post_forms(response):
    parser = FormParser(response.request["PATH_INFO"])
    parser.feed(response.content.decode())
    return parser.forms


def expire(client):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 3600
    session.save()


def kept_block(response):
    """What the page gives its script to put back ({action, fields}), or None."""
    found = KEPT_BLOCK.search(response.content.decode())
    return json.loads(found.group(1)) if found else None


def kept_fields(response):
    """The fields the page gives its script to put back, or None."""
    block = kept_block(response)
    return block["fields"] if block else None


def next_of(response):
    """The address the login page will lead back to."""
    return parse_qs(urlsplit(response.url).query)["next"][0]


def log_in_again(client, user, next_url):
    """The user's two steps on the login page they were sent to: password, then a code.
    Returns the page they land on."""
    client.post(LOGIN, {"username": user.username, "password": PASSWORD, "next": next_url})
    device = user.totpdevice_set.get()
    response = client.post(
        reverse("account:otp-verify"), {"token": current_code(device), "next": next_url}
    )
    assert response.status_code == 302, "the second factor was not accepted"
    assert response.url == next_url
    return client.get(response.url)


def post_after_timeout(client, url, data, page=None):
    """The user sends a form of `page` (by default the address it posts to) after the idle
    timeout: they are sent to the login page."""
    expire(client)
    response = client.post(url, data, headers={"referer": f"http://testserver{page or url}"})
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    return response


def goal_url(world):
    return reverse("clients:goal-create", kwargs=KWARGS["clients:goal-create"](world))


def referral_url(world):
    return reverse("clients:referral-create", kwargs={"public_id": world.anna.public_id})


def case_url(world):
    return reverse("trafficking:case-create", kwargs=in_trafficking_team(world))


# A long form of each kind: (its address, who writes it, what they typed, the model a saved
# form adds a row to).
LONG_FORMS = {
    "client registration": (
        lambda w: reverse("clients:client-create"), "oa",
        [["unit", "counselling"], ["alias", "Maja"], ["legal_name", "Maja Svensson"],
         ["gender", "woman"], ["languages", "svenska, polska"],
         ["interpreter_needed", "on"], ["phone", "070-123 45 67"],
         ["address", "Storgatan 1\r\nMalmö"]],
        ClientRecord,
    ),
    "counselling goal": (
        goal_url, "co", [["text", "Sätta gränser mot sin partner utan att skämmas."]], Goal,
    ),
    "referral": (
        referral_url, "co",
        [["from_unit", "counselling"], ["to_unit", "spiralen"],
         ["message", "Anna vill testa sig och behöver en tid i veckan."],
         ["consent_method", "verbal"]],
        Referral,
    ),
    "trafficking case": (
        case_url, "ow",
        [["alias", "Ioana"], ["gender", "woman"], ["birth_year", "1999"],
         ["languages", "rumänska"], ["country_of_origin", "RO"],
         ["identified_on", "2025-03-01"], ["identified_by", "police"]],
        TraffickingCase,
    ),
}


@pytest.mark.parametrize("form", LONG_FORMS)
def test_a_long_form_sent_after_the_timeout_is_back_after_logging_in_again(
    client, login, world, form, caplog
):
    make_url, who, fields, model = LONG_FORMS[form]
    user = getattr(world, who)
    url = make_url(world)
    login(user)
    rows = model.objects.count()

    with caplog.at_level(logging.DEBUG):
        response = post_after_timeout(client, url, fields_as_data(fields))
        assert next_of(response) == url
        login_page = client.get(response.url)
        assert "inte har varit aktiv" in login_page.content.decode()
        page = log_in_again(client, user, url)

    assert page.status_code == 200
    assert KEPT_MESSAGE in page.content.decode()
    assert kept_fields(page) == fields
    assert model.objects.count() == rows, "the POST after the timeout saved something"
    assert not any(value in caplog.text for _name, value in fields), "a kept field was logged"
    # Once: the next visit shows the form as new.
    again = client.get(url)
    assert kept_fields(again) is None
    assert KEPT_MESSAGE not in again.content.decode()


def fields_as_data(fields):
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def test_a_kept_client_update_keeps_its_version_and_cannot_overwrite_a_later_change(
    client, login, world
):
    url = reverse("clients:client-update", kwargs={"public_id": world.anna.public_id})
    login(world.oa)
    (form,) = post_forms(client.get(url))
    typed = [[n, "Anna S" if n == "alias" else v] for n, v in form["fields"]
             if n != "csrfmiddlewaretoken"]
    read_version = dict(typed)["version"]
    post_after_timeout(client, url, fields_as_data(typed))
    # While the office assistant logs in again, the counsellor saves Anna's record.
    anna = ClientRecord.objects.get(pk=world.anna.pk)
    services.update_client(anna, expected_version=anna.version, by=world.co, alias="Anna K")

    page = log_in_again(client, world.oa, url)
    kept = kept_fields(page)
    assert kept == typed
    assert dict(kept)["version"] == read_version  # the version the user read, not the new one
    # Sent again as kept, it meets the conflict check instead of overwriting Anna K.
    response = client.post(url, fields_as_data(kept))
    assert response.status_code == 200
    assert "Anna K" in response.content.decode()
    assert ClientRecord.objects.get(pk=world.anna.pk).alias == "Anna K"


def test_another_user_logging_in_on_the_same_computer_gets_nothing(client, login, world):
    url = reverse("clients:client-create")
    login(world.oa)
    post_after_timeout(client, url, {"unit": "counselling", "alias": "Hemlig klient"})
    assert keptforms.SESSION_KEY in client.session

    page = log_in_again(client, world.co, url)
    assert page.status_code == 200
    assert kept_fields(page) is None
    assert KEPT_MESSAGE not in page.content.decode()
    assert "Hemlig klient" not in page.content.decode()
    assert keptforms.SESSION_KEY not in client.session  # dropped, not kept for later
    client.post(reverse("account:logout"))
    assert kept_fields(log_in_again(client, world.oa, url)) is None


def test_a_kept_form_is_dropped_when_the_first_page_after_logging_in_is_another(
    client, login, world
):
    url = reverse("clients:client-create")
    login(world.oa)
    post_after_timeout(client, url, {"unit": "counselling", "alias": "Maja"})
    start = log_in_again(client, world.oa, reverse("start"))
    assert kept_fields(start) is None and KEPT_MESSAGE not in start.content.decode()
    assert kept_fields(client.get(url)) is None


def test_a_panel_refreshing_itself_in_another_tab_leaves_the_kept_form(client, login, world):
    url = goal_url(world)
    login(world.co)
    post_after_timeout(client, url, {"text": "Sätta gränser"})
    client.force_login(world.co)
    log_in_with_code(client, world.co)
    client.get(reverse("start"), headers={"HX-Request": "true", "X-Background-Refresh": "1"})
    assert kept_fields(client.get(url)) == [["text", "Sätta gränser"]]


def test_without_two_factor_the_password_alone_gives_the_kept_form_back(client, login, world,
                                                                        settings):
    settings.TWO_FACTOR_REQUIRED = False
    url = goal_url(world)
    login(world.co)
    post_after_timeout(client, url, {"text": "Sätta gränser"})
    response = client.post(LOGIN, {"username": "co", "password": PASSWORD, "next": url})
    assert response.url == url
    assert kept_fields(client.get(url)) == [["text", "Sätta gränser"]]


def test_a_form_posting_elsewhere_is_kept_for_the_page_it_was_on(client, login, world):
    """A form may post to an address that answers only POSTs (a contact on the shift's page):
    the login leads back to the page with the form (the Referer), not to that address."""
    shift = KWARGS["outreach:shift-detail"](world)
    page_url = reverse("outreach:shift-detail", kwargs=shift)
    forms = post_forms(login(world.ow).get(page_url))
    target = reverse("outreach:contact-create", kwargs=shift)
    (form,) = [f for f in forms if f["action"] == target]
    response = post_after_timeout(client, target, {"note": "Pratade länge."}, page=page_url)
    assert next_of(response) == page_url
    page = log_in_again(client, world.ow, page_url)
    assert kept_fields(page) == [["note", "Pratade länge."]]
    assert form  # the page shows the form the fields go back into


def test_a_form_with_a_wrong_csrf_token_is_not_kept(world):
    browser = Client(enforce_csrf_checks=True)
    url = reverse("clients:client-create")
    browser.force_login(world.oa)
    log_in_with_code(browser, world.oa)
    browser.get(url)
    token = browser.cookies["csrftoken"].value

    post_after_timeout(browser, url, {"alias": "Maja", "csrfmiddlewaretoken": "x" * 32})
    assert keptforms.SESSION_KEY not in browser.session

    # The same form with the page's token is kept (the check does not refuse everything).
    browser.force_login(world.oa)
    log_in_with_code(browser, world.oa)
    post_after_timeout(browser, url, {"alias": "Maja", "csrfmiddlewaretoken": token})
    assert browser.session[keptforms.SESSION_KEY]["fields"] == [["alias", "Maja"]]


def log_in_with_code(client, user):
    """The second factor, given (for a client logged in with force_login)."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()


def test_passwords_tokens_and_codes_are_never_kept(client, login, world):
    login(world.sa)
    url = reverse("staff:create")
    post_after_timeout(client, url, {
        "username": "ny", "password1": "Hemligt-lösen-123", "new_password2": "Hemligt-lösen-123",
        "otp_code": "123456", "token": "abc", "first_name": "Ny",
    })
    kept = client.session[keptforms.SESSION_KEY]
    assert kept["fields"] == [["username", "ny"], ["first_name", "Ny"]]
    assert "Hemligt" not in json.dumps(dict(client.session))


def test_a_form_with_only_secrets_or_nothing_is_not_kept(client, login, world):
    login(world.co)
    response = post_after_timeout(client, reverse("account:password-change"), {
        "old_password": PASSWORD, "new_password1": "x" * 20, "new_password2": "x" * 20,
    })
    assert keptforms.SESSION_KEY not in client.session
    assert next_of(response) == reverse("account:password-change")


def test_too_much_text_is_not_kept(client, login, world):
    login(world.co)
    post_after_timeout(client, goal_url(world), {"text": "x" * (keptforms.MAX_CHARS + 1)})
    assert keptforms.SESSION_KEY not in client.session


def test_an_autosave_after_the_timeout_keeps_nothing_and_the_page_stays(client, login, world):
    login(world.co)
    url = reverse("clients:entry-autosave", kwargs={"entry_id": world.anna_draft.public_id})
    expire(client)
    response = client.post(url, {"text": "Mer text."}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Reswap"] == "innerHTML"
    assert keptforms.SESSION_KEY not in client.session


def test_the_language_switch_after_the_timeout_keeps_nothing(client, login, world):
    login(world.co)
    post_after_timeout(client, reverse("set_language"), {"language": "en", "next": "/"})
    assert keptforms.SESSION_KEY not in client.session


def test_a_kept_form_older_than_the_session_could_live_is_dropped(client, login, world,
                                                                   settings):
    url = goal_url(world)
    login(world.co)
    post_after_timeout(client, url, {"text": "Gammalt"})
    session = client.session
    session[keptforms.SESSION_KEY]["saved_at"] -= settings.SESSION_COOKIE_AGE + 1
    session.save()
    assert kept_fields(log_in_again(client, world.co, url)) is None


# Every form of the project: each page a role may open (the access matrix's rows and URL
# arguments), each POST form on it, sent as it stands with a note in its first text field.
KAST_COUNSELLOR = "kco"
NOT_PAGES = {
    # The login's own steps and a confirmation reached only through the registration.
    "account:login", "account:otp-verify", "account:otp-setup", "clients:client-enrol-existing",
    # Files, not pages.
    "clients:journal-pdf", "clients:extract-pdf", "statistics:export",
    # The client pickers' searches: POSTed by a script, answering options, not a page.
    "clients:booking-client-options", "spiralen:book-client-options",
    "kast:call-client-options",
}


def writer_of(name):
    """Who may open the page: the first role the matrix gives a 200 (the KAST counsellor for
    KAST's pages); None for a page nobody opens with a plain GET."""
    if name.startswith("kast:"):
        return KAST_COUNSELLOR
    return next((role.value for role in ALL_ROLES if MATRIX[name][role.value] == 200), None)


PAGES = sorted(name for name in MATRIX if name not in NOT_PAGES and writer_of(name))
NOTE = "Kvar efter utloggningen"


@pytest.mark.parametrize("name", PAGES)
def test_every_form_is_kept_after_the_timeout(client, login, world, name):
    who = writer_of(name)
    user = world.kco if who == KAST_COUNSELLOR else world.staff_for(who)
    url = reverse(name, kwargs=KWARGS[name](world) if name in KWARGS else None)
    login(user)
    page = client.get(url)
    assert page.status_code == 200
    for form in post_forms(page):
        fields = [field for field in form["fields"] if field[0] != "csrfmiddlewaretoken"]
        text = next((field for field in fields if field[1] == "" and field[0] not in (
            "version", "seq")), None)
        if text is not None:
            text[1] = NOTE
        kept = [field for field in fields if not keptforms.NOT_KEPT.search(field[0])
                and field[0] not in keptforms.PAGE_LOAD_FIELDS]

        login(user)
        response = post_after_timeout(client, form["action"], fields_as_data(fields), url)
        if not kept:
            assert keptforms.SESSION_KEY not in client.session, form["action"]
            continue
        assert next_of(response) == url, form["action"]
        client.force_login(user)  # logging in keeps the session's data
        log_in_with_code(client, user)
        again = client.get(url)
        assert kept_fields(again) == kept, form["action"]
        assert kept_block(again)["action"] == urlsplit(form["action"]).path
        assert KEPT_MESSAGE in again.content.decode()


def test_a_kept_draft_sent_again_from_the_new_page_is_saved(client, login, world):
    """A journal draft's page has its own editor token and save numbers: they are not kept, so
    that the page after logging in saves the kept text as its own (with the old page's token a
    save would look like a late one of the old page and be dropped)."""
    journal = world.anna_counselling
    entry = services.save_draft(journal=journal, by=world.co, editor="a" * 32, seq=5,
                                text="Början.")
    url = reverse("clients:entry-edit", args=[entry.public_id])
    login(world.co)
    data = {"kind": entry.kind, "event_date": entry.event_date.isoformat(),
            "text": "Början. Och allt som skrevs sedan.", "editor": "a" * 32, "seq": "9",
            "version": str(entry.version)}
    post_after_timeout(client, url, data)
    client.force_login(world.co)  # logging in keeps the session's data
    log_in_with_code(client, world.co)
    again = client.get(url)
    kept = dict(kept_fields(again))
    assert "editor" not in kept and "seq" not in kept
    assert kept["text"] == "Början. Och allt som skrevs sedan."
    # The page's script puts the kept fields into the new page's form and the user saves.
    form = again.context["form"]
    sent = {**{name: form[name].value() for name in ("kind", "event_date", "editor", "seq")},
            **kept}
    response = client.post(url, sent)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.text == "Början. Och allt som skrevs sedan."
