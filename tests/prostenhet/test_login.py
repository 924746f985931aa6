import re
import time
from base64 import b32decode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from prostenhet import middleware, services
from prostenhet.middleware import LAST_SEEN_KEY
from prostenhet.roles import Role

from ..factories import PASSWORD, UserFactory, add_totp_device, current_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("account:login")
VERIFY = reverse("account:otp-verify")
SETUP = reverse("account:otp-setup")
START = reverse("start")


def password_step(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_password_alone_does_not_reach_the_start_page(client):
    user = UserFactory(role=Role.COUNSELLOR)
    add_totp_device(user)
    response = password_step(client, user.username)
    assert response.status_code == 302
    response = client.get(START)
    assert response.status_code == 302
    assert response.url.startswith(VERIFY)


def test_wrong_code_is_refused_and_right_code_accepted(client):
    user = UserFactory(role=Role.COUNSELLOR)
    device = add_totp_device(user)
    password_step(client, user.username)
    wrong = "%06d" % ((int(current_code(device)) + 1) % 1_000_000)
    response = client.post(VERIFY, {"token": wrong})
    assert response.status_code == 200
    assert "Koden stämmer inte" in response.content.decode()
    assert client.get(START).status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code started django-otp's back-off
    device.save()
    response = client.post(VERIFY, {"token": current_code(device)})
    assert response.status_code == 302
    assert client.get(START).status_code == 200


def test_a_code_works_only_once(client):
    user = UserFactory(role=Role.COUNSELLOR)
    device = add_totp_device(user)
    code = current_code(device)
    password_step(client, user.username)
    assert client.post(VERIFY, {"token": code}).status_code == 302
    client.post(reverse("account:logout"))

    password_step(client, user.username)
    response = client.post(VERIFY, {"token": code})
    assert response.status_code == 200
    assert client.get(START).status_code == 302


def test_session_key_changes_at_login_and_after_second_factor(client):
    user = UserFactory(role=Role.COUNSELLOR)
    device = add_totp_device(user)
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    password_step(client, user.username)
    after_password = client.session.session_key
    client.post(VERIFY, {"token": current_code(device)})
    after_code = client.session.session_key
    assert len({before, after_password, after_code}) == 3


def test_first_login_enrols_a_device_with_a_qr_code(client):
    user = UserFactory(role=Role.COUNSELLOR)
    password_step(client, user.username)
    response = client.get(START)
    assert response.url.startswith(SETUP)

    page = client.get(SETUP)
    html = page.content.decode()
    assert "<svg" in html  # the QR code is drawn on the page, by no outside service
    assert not TOTPDevice.objects.filter(user=user).exists()  # a GET writes no device
    # The key shown for manual entry is the one the app would hold.
    shown = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    app = TOTPDevice(key=b32decode(shown.replace(" ", "")).hex())

    wrong = "%06d" % ((int(current_code(app)) + 1) % 1_000_000)
    assert client.post(SETUP, {"token": wrong}).status_code == 200
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0)

    response = client.post(SETUP, {"token": current_code(app)})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is True
    assert client.get(START).status_code == 200


def test_enrolment_page_is_closed_to_a_user_who_has_a_device(client):
    user = UserFactory(role=Role.COUNSELLOR)
    add_totp_device(user)
    password_step(client, user.username)
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response.url == VERIFY
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_two_factor_can_be_turned_off_by_setting(client, settings):
    settings.TWO_FACTOR_REQUIRED = False
    user = UserFactory(role=Role.COUNSELLOR)
    password_step(client, user.username)
    assert client.get(START).status_code == 200


def test_repeated_failures_lock_the_account_with_a_swedish_message(client, settings):
    user = UserFactory(role=Role.COUNSELLOR)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = password_step(client, user.username, "fel-losenord-123")
    response = password_step(client, user.username)  # even the right password now
    assert response.status_code == 429
    html = response.content.decode()
    assert "För många misslyckade inloggningsförsök" in html
    assert f"Försök igen om {settings.LOGIN_LOCKOUT_MINUTES} minuter" in html
    assert client.get(START).status_code == 302


def test_a_wrong_password_gives_a_swedish_error(client):
    user = UserFactory(role=Role.COUNSELLOR)
    response = password_step(client, user.username, "fel-losenord-123")
    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in response.content.decode()


def test_idle_session_expires_and_user_logs_in_again(login, counsellor, settings):
    client = login(counsellor)
    assert client.get(START).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 - 1
    session.save()
    response = client.get(START, follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "inte har varit aktiv" in response.content.decode()
    assert client.get(START).status_code == 302


def test_activity_keeps_the_session_alive(login, counsellor, settings):
    client = login(counsellor)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 + 30
    session.save()
    assert client.get(START).status_code == 200
    assert client.get(START).status_code == 200


def test_sessions_end_when_the_browser_closes(client, counsellor):
    password_step(client, counsellor.username)
    cookie = client.cookies["prostenhet_session"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_logout_is_one_click_from_every_page(login, counsellor):
    client = login(counsellor)
    page = client.get(START).content.decode()
    assert f'action="{reverse("account:logout")}"' in page
    response = client.post(reverse("account:logout"))
    assert response.status_code == 302
    assert client.get(START).status_code == 302


def test_deactivating_an_account_ends_its_sessions_at_once(login, counsellor, sysadmin, client):
    login(counsellor)
    assert client.get(START).status_code == 200
    services.set_active(counsellor, False, by=sysadmin)
    assert client.get(START).status_code == 302


def test_changing_roles_ends_the_sessions(login, counsellor, sysadmin, client):
    login(counsellor)
    services.update_staff(
        counsellor, roles=[Role.OFFICE_ASSISTANT], units=[], by=sysadmin
    )
    assert client.get(START).status_code == 302


def test_saving_a_profile_without_role_change_keeps_the_sessions(
    login, counsellor, sysadmin, client
):
    login(counsellor)
    services.update_staff(
        counsellor, roles=[Role.COUNSELLOR], units=[], first_name="Ny", by=sysadmin
    )
    assert client.get(START).status_code == 200


def test_passwords_shorter_than_twelve_characters_are_refused(login, counsellor):
    client = login(counsellor)
    response = client.post(
        reverse("account:password-change"),
        {"old_password": PASSWORD, "new_password1": "kort-ord-1", "new_password2": "kort-ord-1"},
    )
    assert response.status_code == 200
    assert "minst 12 tecken" in response.content.decode()


def test_a_long_passphrase_is_accepted(login, counsellor):
    client = login(counsellor)
    phrase = "en lång lösenfras om hästar och batterier som ingen gissar " * 2
    response = client.post(
        reverse("account:password-change"),
        {"old_password": PASSWORD, "new_password1": phrase, "new_password2": phrase},
    )
    assert response.status_code == 302
    counsellor.refresh_from_db()
    assert counsellor.check_password(phrase)


def test_failures_on_many_accounts_lock_the_address(client, settings):
    user = UserFactory(role=Role.COUNSELLOR)
    for i in range(settings.AXES_FAILURE_LIMIT):
        password_step(client, f"gissning{i}", "fel-losenord-123")
    response = password_step(client, user.username)
    assert response.status_code == 429


def test_a_successful_login_clears_the_failures(client, settings):
    user = UserFactory(role=Role.COUNSELLOR)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        password_step(client, user.username, "fel-losenord-123")
    assert password_step(client, user.username).status_code == 302
    client.post(reverse("account:logout"))
    password_step(client, user.username, "fel-losenord-123")
    assert password_step(client, user.username).status_code == 302


def test_a_session_ends_a_fixed_time_after_login_however_active(
    login, counsellor, settings, monkeypatch
):
    """48 requests 14 minutes apart (never idle): the session ends after SESSION_MAX_HOURS."""
    client = login(counsellor)
    start = time.time()
    answers = []
    for i in range(48):
        monkeypatch.setattr(middleware.time, "time", lambda i=i: start + i * 14 * 60)
        answers.append((i * 14 / 60, client.get(START).status_code))
    within = [code for hours, code in answers if hours <= settings.SESSION_MAX_HOURS]
    after = [code for hours, code in answers if hours > settings.SESSION_MAX_HOURS]
    assert set(within) == {200}
    assert after[0] == 302
    assert client.get(START).url.startswith(reverse("account:login"))


def test_a_user_logs_out_their_other_sessions_and_stays_logged_in_here(login, counsellor):
    """ASVS 7.5.2: a login left open on another computer can be ended by its owner."""
    here, elsewhere = login(counsellor, client=Client()), login(counsellor, client=Client())
    assert elsewhere.get(START).status_code == 200

    response = here.post(reverse("account:end-other-sessions"))

    assert response.status_code == 302
    assert here.get(START).status_code == 200
    assert elsewhere.get(START).status_code == 302


def test_a_panel_refreshing_itself_does_not_keep_an_idle_session_alive(
    login, world, settings, monkeypatch
):
    """The office assistant's "Idag" panel asks every 10 s; a page left open still logs out
    after SESSION_IDLE_MINUTES, and the panel then shows that the session has ended."""
    client = login(world.oa)
    start = time.time()
    assert client.get(START).status_code == 200
    refresh = reverse("clients:reception-today")
    minutes = settings.SESSION_IDLE_MINUTES + 1
    for second in range(0, minutes * 60 + 1, 60):
        monkeypatch.setattr(middleware.time, "time", lambda s=second: start + s)
        response = client.get(refresh, HTTP_HX_REQUEST="true", HTTP_X_BACKGROUND_REFRESH="1")
    assert response.status_code == 200
    assert 'data-testid="logged-out"' in response.content.decode()
    monkeypatch.setattr(middleware.time, "time", lambda: start + minutes * 60 + 1)
    assert client.get(START).status_code == 302
