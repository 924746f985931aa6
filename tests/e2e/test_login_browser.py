import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from prostenhet.roles import Role

from ..factories import PASSWORD, UserFactory, add_totp_device, current_code

pytestmark = pytest.mark.django_db(transaction=True)


def log_in_with_password(page, username):
    page.goto("/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_logs_in_with_two_factor_and_lands_on_its_start_page(
    page, screenshot, role
):
    user = UserFactory(role=role, username=f"e2e-{role.value}")
    device = add_totp_device(user)

    log_in_with_password(page, user.username)
    page.wait_for_url(re.compile(r"/logga-in/verifiera/"))
    page.get_by_label("Engångskod").fill(current_code(device))
    page.get_by_role("button", name="Verifiera").click()

    page.wait_for_url(re.compile(r"/start/$"))
    section = page.get_by_test_id(f"start-{role.value}")
    assert section.is_visible()
    assert section.get_by_role("heading", name=str(role.label)).is_visible()
    assert page.get_by_test_id("logout").is_visible()
    screenshot(page, f"start-{role.value}")
    assert page.console_errors == []  # nothing blocked by the Content-Security-Policy


def test_first_login_enrols_an_authenticator_from_the_page(page, screenshot):
    user = UserFactory(role=Role.COUNSELLOR, username="e2e-ny")
    log_in_with_password(page, user.username)
    page.wait_for_url(re.compile(r"/logga-in/aktivera/"))
    assert page.locator(".qr-code svg").is_visible()
    screenshot(page, "otp-setup")

    # The key shown for manual entry is the device's: compute the code as the app would.
    secret = page.get_by_test_id("otp-secret").inner_text().replace(" ", "")
    from base64 import b32decode

    code = "%06d" % totp(b32decode(secret), step=30, t0=0, digits=6)
    page.get_by_label("Engångskod").fill(code)
    page.get_by_role("button", name="Aktivera").click()
    page.wait_for_url(re.compile(r"/start/$"))
    assert page.get_by_test_id("start-counsellor").is_visible()
    assert TOTPDevice.objects.get(user=user).bin_key == b32decode(secret)


def test_logout_and_language_switch_in_the_browser(page):
    user = UserFactory(role=Role.SYSADMIN, username="e2e-admin")
    device = add_totp_device(user)
    log_in_with_password(page, user.username)
    page.get_by_label("Engångskod").fill(current_code(device))
    page.get_by_role("button", name="Verifiera").click()
    page.wait_for_url(re.compile(r"/start/$"))

    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", name=re.compile("Welcome")).is_visible()
    page.get_by_role("button", name="Svenska").click()
    assert page.get_by_role("heading", name=re.compile("Välkommen")).is_visible()

    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/logga-in/"))
    page.goto("/start/")
    assert "/logga-in/" in page.url
