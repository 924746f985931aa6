"""A counsellor's notes in the browser: saving or signing right after typing (while the page's
own autosave is on its way) never meets "saved from another window"; Back after a search shows
the results again; a draft can be thrown away."""

import re

import pytest

from clients import services
from clients.models import EntryState, JournalEntry
from prostenhet.roles import Role, UnitCode

from ..factories import UserFactory, add_totp_device
from .test_journal_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

OTHER_WINDOW = "annat fönster"


@pytest.fixture
def counsellor_page(page):
    counsellor = UserFactory(role=Role.COUNSELLOR, username="e2e-skrivare")
    device = add_totp_device(counsellor)
    client = services.register_client(unit=UnitCode.COUNSELLING, by=counsellor, alias="Mira")
    page.goto(f"/klienter/{client.public_id}/journal/counselling/")
    log_in(page, counsellor, device)
    page.wait_for_url(re.compile(r"/journal/counselling/$"))
    page.journal_url = page.url
    return page


def type_and_click_at_once(page, text, button):
    """Type a note and click the button straight away: leaving the text field sends the
    page's autosave at the same moment as the form."""
    page.goto(page.journal_url)
    page.get_by_test_id("new-entry").click()
    page.wait_for_url(re.compile(r"/ny/$"))
    field = page.get_by_label("Anteckning", exact=True)
    field.click()
    page.keyboard.type(text, delay=5)
    # The autosave may rename the address to the draft's before the form's page arrives:
    # wait for the submitted form's own page to load, not for an address.
    with page.expect_event("load"):
        page.get_by_role("button", name=button).click()


@pytest.mark.parametrize("attempt", range(3))
def test_signing_right_after_typing_signs_exactly_what_was_typed(counsellor_page, attempt):
    page = counsellor_page
    text = f"Samtal {attempt}: om gränser och skam, och om vad som hjälper."

    type_and_click_at_once(page, text, "Signera…")

    page.wait_for_url(re.compile(r"/signera/$"))
    assert OTHER_WINDOW not in page.content()
    page.get_by_role("button", name="Signera", exact=True).click()
    page.wait_for_url(re.compile(r"/journal/counselling/$"))
    assert OTHER_WINDOW not in page.content()
    entry = JournalEntry.objects.get(text=text)
    assert entry.state == EntryState.SIGNED
    assert JournalEntry.objects.filter(text__startswith=f"Samtal {attempt}").count() == 1
    assert page.console_errors == []


@pytest.mark.parametrize("attempt", range(3))
def test_saving_right_after_typing_keeps_the_text_and_one_draft(counsellor_page, attempt):
    page = counsellor_page
    text = f"Utkast {attempt}: klienten vill prata om sin mamma nästa gång."

    type_and_click_at_once(page, text, "Spara utkast")

    page.wait_for_url(re.compile(r"/redigera/$"))
    assert "Utkastet är sparat." in page.content()
    assert OTHER_WINDOW not in page.content()
    assert page.get_by_label("Anteckning", exact=True).input_value() == text
    # Typing on and saving again from the same page is no conflict either.
    page.get_by_label("Anteckning", exact=True).press("End")
    page.keyboard.type(" Och om pappa.")
    with page.expect_event("load"):
        page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_url(re.compile(r"/redigera/$"))
    assert OTHER_WINDOW not in page.content()
    assert JournalEntry.objects.get(text__startswith=f"Utkast {attempt}").text == (
        text + " Och om pappa."
    )


def test_a_real_second_window_still_gets_the_conflict(counsellor_page):
    page = counsellor_page
    type_and_click_at_once(page, "Första fönstret.", "Spara utkast")
    page.wait_for_url(re.compile(r"/redigera/$"))
    second = page.context.new_page()
    second.goto(page.url)
    second.get_by_label("Anteckning", exact=True).fill("Andra fönstret.")
    with second.expect_event("load"):
        second.get_by_role("button", name="Spara utkast").click()

    page.get_by_label("Anteckning", exact=True).fill("Första fönstret, mer.")
    with page.expect_event("load"):
        page.get_by_role("button", name="Spara utkast").click()

    assert OTHER_WINDOW in page.content()
    assert JournalEntry.objects.get(author__username="e2e-skrivare").text == "Andra fönstret."


def test_a_draft_is_thrown_away_after_a_confirmation(counsellor_page):
    page = counsellor_page
    type_and_click_at_once(page, "Fel klient, skrivet av misstag.", "Spara utkast")
    page.wait_for_url(re.compile(r"/redigera/$"))

    page.get_by_test_id("discard-draft").click()
    page.get_by_role("button", name="Kasta utkastet").click()

    page.wait_for_url(re.compile(r"/journal/counselling/$"))
    assert "Utkastet är kastat." in page.content()
    assert not JournalEntry.objects.filter(author__username="e2e-skrivare").exists()


def test_a_new_note_left_empty_stores_nothing(counsellor_page):
    page = counsellor_page
    page.get_by_test_id("new-entry").click()
    page.wait_for_url(re.compile(r"/ny/$"))
    page.get_by_label("Anteckning", exact=True).click()
    page.get_by_label("Händelsedatum").click()  # leaving the empty field
    page.goto(page.journal_url)

    assert not JournalEntry.objects.exists()
    assert page.get_by_test_id("drafts").count() == 0


def test_back_after_a_search_shows_the_results_again(counsellor_page):
    page = counsellor_page
    page.goto("/klienter/")
    page.get_by_label("Sök klient").fill("Mir")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.wait_for_url(re.compile(r"/klienter/\?s="))
    results_url = page.url
    page.get_by_test_id("client-results").get_by_role("link", name="Mira").click()
    page.wait_for_url(re.compile(r"/klienter/[0-9a-f-]+/$"))

    page.go_back()

    assert page.url == results_url
    assert page.get_by_test_id("client-results").get_by_role("link", name="Mira").is_visible()
    page.reload()
    assert page.get_by_test_id("client-results").get_by_role("link", name="Mira").is_visible()
    assert "Mir" not in results_url
    assert page.console_errors == []
