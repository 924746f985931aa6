"""Changes to an account's means of access and its rights leave a security event with who did
it to whom, shown on the manager's review page; no administrator gives themselves a way into
the records (security review, finding 2 and 8)."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from prostenhet import access, services
from prostenhet.models import SecurityEvent, SecurityEventKind, Unit, User
from prostenhet.roles import Role, UnitCode
from prostenhet.views.account import SETUP_KEY

from ..factories import PASSWORD, UserFactory, add_totp_device, current_code

pytestmark = pytest.mark.django_db

STRONG = "ett-nytt-langt-losenord-2026"


def events(kind, target):
    return SecurityEvent.objects.filter(kind=kind, target=target)


def profile(**overrides):
    data = {"first_name": "Kim", "last_name": "Berg", "email": "", "profession": "",
            "roles": [Role.COUNSELLOR.value], "units": [UnitCode.COUNSELLING.value]}
    data.update(overrides)
    return data


@pytest.fixture
def kast_counsellor(db):
    user = UserFactory(role=Role.COUNSELLOR, username="kastare")
    user.units.set(Unit.objects.filter(code=UnitCode.KAST))
    access.sync_staff_units(user)
    return user


@pytest.fixture
def manager(staff_of):
    return staff_of(Role.MANAGER)


def test_a_password_set_by_the_administrator_is_recorded(login, sysadmin, kast_counsellor):
    login(sysadmin).post(
        reverse("staff:set-password", args=[kast_counsellor.public_id]),
        {"new_password1": STRONG, "new_password2": STRONG},
    )
    event = events(SecurityEventKind.PASSWORD_SET, kast_counsellor).get()
    assert event.actor == sysadmin
    assert event.address == "127.0.0.1"


def test_a_two_factor_reset_is_recorded(login, sysadmin, kast_counsellor):
    add_totp_device(kast_counsellor)
    login(sysadmin).post(reverse("staff:reset-otp", args=[kast_counsellor.public_id]))
    assert events(SecurityEventKind.OTP_RESET, kast_counsellor).get().actor == sysadmin


def test_the_takeover_path_is_visible_on_the_managers_page(
    login, sysadmin, kast_counsellor, manager
):
    """Reset a colleague's password and device, enrol one's own app: every step shows."""
    admin = login(sysadmin)
    admin.post(reverse("staff:set-password", args=[kast_counsellor.public_id]),
               {"new_password1": STRONG, "new_password2": STRONG})
    admin.post(reverse("staff:reset-otp", args=[kast_counsellor.public_id]))
    intruder = Client()
    intruder.post(reverse("account:login"), {"username": "kastare", "password": STRONG})
    intruder.get(reverse("account:otp-setup"))
    device = TOTPDevice(user=kast_counsellor, key=intruder.session[SETUP_KEY])
    intruder.post(reverse("account:otp-setup"), {"token": current_code(device)})

    enrolled = events(SecurityEventKind.OTP_ENROLLED, kast_counsellor).get()
    assert enrolled.actor == kast_counsellor
    page = login(manager).get(reverse("audit:security-events")).content.decode()
    for label in ("Lösenord satt av administratör", "Tvåfaktor återställd",
                  "Tvåfaktor aktiverad"):
        assert label in page
    assert str(sysadmin) in page and str(kast_counsellor) in page


def test_the_users_own_password_change_is_recorded(login, counsellor):
    login(counsellor).post(reverse("account:password-change"), {
        "old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG,
    })
    assert events(SecurityEventKind.PASSWORD_CHANGED, counsellor).get().actor == counsellor


def test_role_and_unit_changes_are_recorded_with_before_and_after(login, sysadmin, counsellor):
    login(sysadmin).post(
        reverse("staff:update", args=[counsellor.public_id]),
        profile(roles=[Role.OUTREACH_WORKER.value], units=[UnitCode.OUTREACH.value]),
    )
    roles = events(SecurityEventKind.ROLES_CHANGED, counsellor).get()
    assert roles.actor == sysadmin
    assert roles.detail == "Samtalsbehandlare → Uppsökare"
    units = events(SecurityEventKind.UNITS_CHANGED, counsellor).get()
    assert "Uppsökande arbete" in units.detail


def test_deactivation_and_reactivation_are_recorded(sysadmin, counsellor):
    services.set_active(counsellor, False, by=sysadmin)
    services.set_active(counsellor, True, by=sysadmin)
    assert events(SecurityEventKind.DEACTIVATED, counsellor).get().actor == sysadmin
    assert events(SecurityEventKind.REACTIVATED, counsellor).get().actor == sysadmin


def test_a_new_account_is_recorded(login, sysadmin):
    services.create_staff(username="ny", password=STRONG, roles=[Role.COUNSELLOR],
                          units=[UnitCode.COUNSELLING], by=sysadmin)
    event = events(SecurityEventKind.CREATED, User.objects.get(username="ny")).get()
    assert event.actor == sysadmin


def test_a_sysadmin_cannot_give_themselves_units(login, sysadmin):
    response = login(sysadmin).post(
        reverse("staff:update", args=[sysadmin.public_id]),
        profile(roles=[Role.SYSADMIN.value], units=[UnitCode.OUTREACH.value]),
    )
    assert "Du kan inte ändra dina egna verksamhetsdelar." in response.content.decode()
    assert not User.objects.get(pk=sysadmin.pk).units.exists()


@pytest.mark.parametrize("role", [Role.OUTREACH_WORKER, Role.COUNSELLOR, Role.CLINICIAN,
                                  Role.OFFICE_ASSISTANT])
def test_the_sysadmin_role_is_never_combined_with_case_work(login, sysadmin, role):
    other_admin = UserFactory(role=Role.SYSADMIN)
    clinical = {"profession": "midwife"} if role == Role.CLINICIAN else {}
    response = login(sysadmin).post(
        reverse("staff:update", args=[other_admin.public_id]),
        profile(roles=[Role.SYSADMIN.value, role.value], units=[UnitCode.OUTREACH.value],
                **clinical),
    )
    assert "kan inte kombineras med en roll i klientarbetet" in response.content.decode()
    assert User.objects.get(pk=other_admin.pk).roles == [Role.SYSADMIN]
    response = login(sysadmin).post(reverse("staff:create"), {
        **profile(roles=[Role.SYSADMIN.value, role.value], units=[UnitCode.OUTREACH.value],
                  **clinical),
        "username": "dubbelroll", "password1": STRONG, "password2": STRONG,
    })
    assert not User.objects.filter(username="dubbelroll").exists()


def test_wrong_codes_are_recorded_and_lock_the_account(client, settings):
    user = UserFactory(role=Role.COUNSELLOR)
    add_totp_device(user)
    client.post(reverse("account:login"), {"username": user.username, "password": PASSWORD})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("account:otp-verify"), {"token": "000000"})
    assert response.status_code == 429
    assert events(SecurityEventKind.OTP_FAILED, user).count() == settings.AXES_FAILURE_LIMIT
    # The half-finished login has ended, and the password alone no longer opens it.
    assert client.get(reverse("start")).status_code == 302
    again = client.post(reverse("account:login"), {"username": user.username,
                                                   "password": PASSWORD})
    assert again.status_code == 429
