import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django_otp.oath import totp

from clients import services
from prostenhet.middleware import LAST_SEEN_KEY
from prostenhet.roles import Role, UnitCode

from ..factories import PASSWORD, UserFactory, add_totp_device

pytestmark = pytest.mark.django_db(transaction=True)


def code(device, drift=0):
    return "%06d" % totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift
    )


def log_in(page, user, device, *, drift=0):
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_label("Engångskod").fill(code(device, drift))
    page.get_by_role("button", name="Verifiera").click()


def test_a_note_survives_an_expired_session_then_is_signed_and_corrected(page, screenshot):
    counsellor = UserFactory(role=Role.COUNSELLOR, username="e2e-behandlare")
    device = add_totp_device(counsellor)
    client = services.register_client(unit=UnitCode.COUNSELLING, by=counsellor, alias="Lina")

    page.goto(f"/klienter/{client.public_id}/journal/counselling/")
    log_in(page, counsellor, device)
    page.wait_for_url(re.compile(r"/journal/counselling/$"))
    page.get_by_test_id("new-entry").click()
    page.wait_for_url(re.compile(r"/ny/$"))

    page.get_by_label("Anteckning", exact=True).fill("Samtal om gränssättning och skam.")
    page.get_by_test_id("autosave-status").get_by_text(re.compile("Sparat")).wait_for()
    # The first autosave stored the draft, and the address bar now names it.
    page.wait_for_url(re.compile(r"/redigera/$"))
    entry_url = page.url

    # The counsellor is away longer than the idle timeout: the session ends.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    session = SessionStore(cookies["prostenhet_session"])
    session[LAST_SEEN_KEY] = 0
    session.save()
    page.get_by_label("Anteckning", exact=True).press("End")
    page.keyboard.type(" Mer text.")
    page.get_by_test_id("logged-out").wait_for()
    screenshot(page, "entry-logged-out")

    # They log in again and find the draft as it was last saved.
    page.goto(entry_url)
    page.wait_for_url(re.compile(r"/logga-in/"))
    log_in(page, counsellor, device, drift=1)  # the next code: each code works once
    page.wait_for_url(entry_url)
    assert "Samtal om gränssättning och skam." in page.get_by_label(
        "Anteckning", exact=True
    ).input_value()

    page.get_by_role("button", name="Signera…").click()
    page.wait_for_url(re.compile(r"/signera/$"))
    page.get_by_role("button", name="Signera", exact=True).click()
    page.wait_for_url(re.compile(r"/journal/counselling/$"))
    page.get_by_test_id("entry").get_by_role("link").first.click()
    assert page.get_by_test_id("entry-state").inner_text() == "Signerad"
    assert page.get_by_test_id("edit-entry").count() == 0
    screenshot(page, "entry-signed")

    page.get_by_test_id("correct-entry").click()
    page.wait_for_url(re.compile(r"/ratta/$"))
    assert page.get_by_role("heading", name=re.compile("Rättelse")).is_visible()
    # The original's text beside the editor.
    assert "Samtal om gränssättning och skam." in page.get_by_test_id(
        "corrected-original"
    ).inner_text()
    assert page.console_errors == []
