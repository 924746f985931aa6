"""The booking form's client picker in the browser: with more clients than the list shows, the
office assistant finds one by typing the beginning of the alias, picks her and books; Enter in
the search field searches, and does not send the form."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients import services
from clients.forms.pickers import PICKER_SIZE
from clients.models import Booking
from prostenhet.roles import Role, UnitCode

from ..factories import UserFactory, add_totp_device
from .test_journal_browser import log_in
from .test_kept_forms_browser import idle_out

pytestmark = pytest.mark.django_db(transaction=True)


def next_weekday(days=1):
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def reception():
    """An office assistant, a counsellor, more clients than the picker lists (all before her
    by alias) and Zelda, the last."""
    assistant = UserFactory(role=Role.OFFICE_ASSISTANT, username="e2e-reception")
    counsellor = UserFactory(role=Role.COUNSELLOR, username="e2e-behandlare")
    for n in range(PICKER_SIZE + 1):
        services.register_client(unit=UnitCode.COUNSELLING, by=assistant, alias=f"Aa {n:03d}")
    zelda = services.register_client(unit=UnitCode.COUNSELLING, by=assistant, alias="Zelda")
    return SimpleNamespace(assistant=assistant, device=add_totp_device(assistant),
                           counsellor=counsellor, zelda=zelda)


def open_booking_form(page, reception):
    page.goto("/klienter/bokning/ny/")
    log_in(page, reception.assistant, reception.device)
    page.wait_for_url(re.compile(r"/bokning/ny/$"))
    return page.get_by_label("Klient", exact=True)


def fill_the_rest(page, reception):
    """Everything but the client: a counselling hour with the counsellor."""
    page.get_by_label("Verksamhetsdel").select_option(value=UnitCode.COUNSELLING)
    page.get_by_label("Personal").select_option(label=str(reception.counsellor))
    page.get_by_label("Datum").fill(next_weekday().isoformat())
    page.get_by_label("Börjar").fill("10:00")
    page.get_by_label("Slutar").fill("11:00")


def book_and_check(page, reception):
    page.get_by_role("button", name="Boka").click()
    page.get_by_text("Tiden är bokad").wait_for()
    booking = Booking.objects.get()
    assert (booking.client, booking.staff) == (reception.zelda, reception.counsellor)
    assert not page.console_errors


def test_the_office_assistant_finds_a_client_beyond_the_list_and_books(
    page, screenshot, reception
):
    zelda = reception.zelda
    picker = open_booking_form(page, reception)
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
    fill_the_rest(page, reception)
    book_and_check(page, reception)


def test_a_booking_sent_after_the_timeout_gets_back_the_client_found_by_a_search(
    page, screenshot, reception
):
    """The kept form (prostenhet/keptforms.py) names a client who is not among the options
    the page starts with: the script asks the picker for them, and the choice is back."""
    picker = open_booking_form(page, reception)
    page.get_by_label("Sök på alias").fill("zel")
    expect(picker.locator("option")).to_have_count(2)
    picker.select_option(label="Zelda")
    fill_the_rest(page, reception)

    # Away longer than the idle timeout, then sends the form.
    idle_out(page)
    page.get_by_role("button", name="Boka").click()
    page.wait_for_url(re.compile(r"/logga-in/"))
    assert not Booking.objects.exists()

    # The next code: each code works once.
    log_in(page, reception.assistant, reception.device, drift=1)
    page.wait_for_url(re.compile(r"/bokning/ny/$"))
    expect(picker).to_have_value(str(reception.zelda.public_id))
    expect(page.get_by_label("Börjar")).to_have_value("10:00")
    screenshot(page, "client-picker-kept-form")

    book_and_check(page, reception)
