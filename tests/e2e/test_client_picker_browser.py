"""The booking form's client picker in the browser: with more clients than the list shows, the
office assistant finds one by typing the beginning of the alias, picks her and books; Enter in
the search field searches, and does not send the form."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import expect

from clients import services
from clients.forms.pickers import PICKER_SIZE
from clients.models import Booking
from prostenhet.middleware import LAST_SEEN_KEY
from prostenhet.roles import Role, UnitCode

from ..factories import UserFactory, add_totp_device
from .test_journal_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def next_weekday(days=1):
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_the_office_assistant_finds_a_client_beyond_the_list_and_books(page, screenshot):
    assistant = UserFactory(role=Role.OFFICE_ASSISTANT, username="e2e-reception")
    device = add_totp_device(assistant)
    counsellor = UserFactory(role=Role.COUNSELLOR, username="e2e-behandlare")
    for n in range(PICKER_SIZE + 1):
        services.register_client(unit=UnitCode.COUNSELLING, by=assistant, alias=f"Aa {n:03d}")
    zelda = services.register_client(unit=UnitCode.COUNSELLING, by=assistant, alias="Zelda")

    page.goto("/klienter/bokning/ny/")
    log_in(page, assistant, device)
    page.wait_for_url(re.compile(r"/bokning/ny/$"))
    picker = page.get_by_label("Klient", exact=True)
    expect(picker.locator("option")).to_have_count(PICKER_SIZE + 1)
    expect(picker.locator(f'option[value="{zelda.public_id}"]')).to_have_count(0)

    expect(page.get_by_text("sök för att hitta fler")).to_be_visible()

    search = page.get_by_label("Sök på alias")
    search.fill("zel")
    search.press("Enter")
    expect(picker.locator("option")).to_have_count(2)
    expect(picker.locator("option").first).to_have_text("— 1 träff —")
    assert page.url.endswith("/bokning/ny/")  # Enter searched: nothing was sent
    expect(page.get_by_text("sök för att hitta fler")).to_be_hidden()
    screenshot(page, "client-picker-search")

    picker.select_option(label="Zelda")
    page.get_by_label("Verksamhetsdel").select_option(value=UnitCode.COUNSELLING)
    page.get_by_label("Personal").select_option(label=str(counsellor))
    page.get_by_label("Datum").fill(next_weekday().isoformat())
    page.get_by_label("Börjar").fill("10:00")
    page.get_by_label("Slutar").fill("11:00")
    page.get_by_role("button", name="Boka").click()
    page.get_by_text("Tiden är bokad").wait_for()

    booking = Booking.objects.get()
    assert (booking.client, booking.staff) == (zelda, counsellor)
    assert not page.console_errors


def test_a_booking_sent_after_the_timeout_gets_back_the_client_found_by_a_search(
    page, screenshot
):
    """The kept form (prostenhet/keptforms.py) names a client who is not among the options
    the page starts with: the script asks the picker for them, and the choice is back."""
    assistant = UserFactory(role=Role.OFFICE_ASSISTANT, username="e2e-reception")
    device = add_totp_device(assistant)
    counsellor = UserFactory(role=Role.COUNSELLOR, username="e2e-behandlare")
    for n in range(PICKER_SIZE + 1):
        services.register_client(unit=UnitCode.COUNSELLING, by=assistant, alias=f"Aa {n:03d}")
    zelda = services.register_client(unit=UnitCode.COUNSELLING, by=assistant, alias="Zelda")

    page.goto("/klienter/bokning/ny/")
    log_in(page, assistant, device)
    page.wait_for_url(re.compile(r"/bokning/ny/$"))
    picker = page.get_by_label("Klient", exact=True)
    page.get_by_label("Sök på alias").fill("zel")
    expect(picker.locator("option")).to_have_count(2)
    picker.select_option(label="Zelda")
    page.get_by_label("Verksamhetsdel").select_option(value=UnitCode.COUNSELLING)
    page.get_by_label("Personal").select_option(label=str(counsellor))
    page.get_by_label("Datum").fill(next_weekday().isoformat())
    page.get_by_label("Börjar").fill("10:00")
    page.get_by_label("Slutar").fill("11:00")

    # Away longer than the idle timeout, then sends the form.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    session = SessionStore(cookies["prostenhet_session"])
    session[LAST_SEEN_KEY] = 0
    session.save()
    page.get_by_role("button", name="Boka").click()
    page.wait_for_url(re.compile(r"/logga-in/"))
    assert not Booking.objects.exists()

    log_in(page, assistant, device, drift=1)  # the next code: each code works once
    page.wait_for_url(re.compile(r"/bokning/ny/$"))
    expect(picker).to_have_value(str(zelda.public_id))
    expect(page.get_by_label("Börjar")).to_have_value("10:00")
    screenshot(page, "client-picker-kept-form")

    page.get_by_role("button", name="Boka").click()
    page.get_by_text("Tiden är bokad").wait_for()
    assert (Booking.objects.get().client, Booking.objects.get().staff) == (zelda, counsellor)
    assert not page.console_errors
