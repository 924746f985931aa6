"""A long form sent after the session ended (issue 13): the user logs in again, finds what they
typed back in the form with a message, and sends it: the record is saved once."""

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from clients.models import Client
from prostenhet.middleware import LAST_SEEN_KEY
from prostenhet.roles import Role

from ..factories import UserFactory, add_totp_device
from .test_journal_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def idle_out(page):
    """The browser's session has seen no activity for longer than the idle timeout: its next
    request ends it (IdleTimeoutMiddleware)."""
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    session = SessionStore(cookies["prostenhet_session"])
    session[LAST_SEEN_KEY] = 0
    session.save()


def test_a_registration_sent_after_the_timeout_is_filled_in_again_and_saved_once(
    page, screenshot
):
    assistant = UserFactory(role=Role.OFFICE_ASSISTANT, username="e2e-assistent")
    device = add_totp_device(assistant)

    page.goto("/klienter/ny/")
    log_in(page, assistant, device)
    page.wait_for_url(re.compile(r"/klienter/ny/$"))
    page.get_by_label("Alias").fill("Mira")
    page.get_by_label("Namn", exact=True).fill("Mira Lind")
    page.get_by_label("Kön").select_option(value="woman")
    page.get_by_label("Född i Sverige").select_option(value="no")
    page.get_by_label("Födelseland").fill("Polen")
    page.get_by_role("textbox", name="Språk").fill("polska, engelska")
    page.get_by_label("Behöver tolk").check()
    page.get_by_label("Telefon").fill("070-123 45 67")
    page.get_by_label("Adress").fill("Storgatan 1, Malmö")

    # The assistant is away longer than the idle timeout, then sends the form.
    idle_out(page)
    page.get_by_role("button", name="Registrera").click()
    page.wait_for_url(re.compile(r"/logga-in/"))
    expect(page.get_by_text("inte har varit aktiv")).to_be_visible()
    assert Client.objects.filter(alias="Mira").count() == 0

    # They log in again and find the form as they left it, with a message; nothing is sent.
    log_in(page, assistant, device, drift=1)  # the next code: each code works once
    page.wait_for_url(re.compile(r"/klienter/ny/$"))
    expect(page.get_by_text("Du loggades ut innan det du skrev hann sparas")).to_be_visible()
    expect(page.get_by_label("Alias")).to_have_value("Mira")
    expect(page.get_by_label("Namn", exact=True)).to_have_value("Mira Lind")
    expect(page.get_by_label("Kön")).to_have_value("woman")
    expect(page.get_by_label("Född i Sverige")).to_have_value("no")
    expect(page.get_by_label("Födelseland")).to_have_value("Polen")
    expect(page.get_by_role("textbox", name="Språk")).to_have_value("polska, engelska")
    expect(page.get_by_label("Behöver tolk")).to_be_checked()
    expect(page.get_by_label("Skyddade personuppgifter")).not_to_be_checked()
    expect(page.get_by_label("Telefon")).to_have_value("070-123 45 67")
    expect(page.get_by_label("Adress")).to_have_value("Storgatan 1, Malmö")
    assert Client.objects.filter(alias="Mira").count() == 0
    screenshot(page, "kept-form-restored")

    page.get_by_role("button", name="Registrera").click()
    page.get_by_text("Klienten är registrerad").wait_for()
    client = Client.objects.get(alias="Mira")
    assert (client.legal_name, client.gender, client.country_of_birth, client.languages) == (
        "Mira Lind", "woman", "Polen", "polska, engelska"
    )
    assert client.interpreter_needed and client.phone == "070-123 45 67"
    # The form is not filled again on a later visit.
    page.goto("/klienter/ny/")
    expect(page.get_by_label("Alias")).to_have_value("")
    assert page.console_errors == []
