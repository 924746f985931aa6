import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from prostenhet import services
from prostenhet.models import User
from prostenhet.roles import Role

from ..factories import PASSWORD, UserFactory, add_totp_device

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "ett-nytt-langt-losenord-2026"


def create_payload(**overrides):
    data = {
        "username": "ny.barnmorska",
        "first_name": "Nina",
        "last_name": "Nyström",
        "email": "nina@example.org",
        "roles": [Role.CLINICIAN.value],
        "units": ["spiralen"],
        "profession": "midwife",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def test_sysadmin_creates_a_clinician_with_units_and_profession(login, sysadmin):
    client = login(sysadmin)
    response = client.post(reverse("staff:create"), create_payload())
    user = User.objects.get(username="ny.barnmorska")
    assert response.status_code == 302
    assert response.url == reverse("staff:update", args=[user.public_id])
    assert user.roles == [Role.CLINICIAN]
    assert [u.code for u in user.units.all()] == ["spiralen"]
    assert user.profession == "midwife"
    assert user.check_password(NEW_PASSWORD)
    assert user.must_change_password  # the administrator chose it: changed at first login


def test_a_clinician_needs_a_profession(login, sysadmin):
    client = login(sysadmin)
    response = client.post(reverse("staff:create"), create_payload(profession=""))
    assert response.status_code == 200
    assert "Ange yrke för en kliniker." in response.content.decode()
    assert not User.objects.filter(username="ny.barnmorska").exists()


def test_a_short_initial_password_is_refused_in_swedish(login, sysadmin):
    client = login(sysadmin)
    response = client.post(
        reverse("staff:create"), create_payload(password1="kort-1", password2="kort-1")
    )
    assert response.status_code == 200
    assert "minst 12 tecken" in response.content.decode()
    assert not User.objects.filter(username="ny.barnmorska").exists()


def test_a_taken_username_is_refused(login, sysadmin):
    UserFactory(username="ny.barnmorska")
    client = login(sysadmin)
    response = client.post(reverse("staff:create"), create_payload())
    assert response.status_code == 200
    assert "En användare med det användarnamnet finns redan." in response.content.decode()


def test_sysadmin_changes_roles_and_units(login, sysadmin, counsellor):
    client = login(sysadmin)
    response = client.post(
        reverse("staff:update", args=[counsellor.public_id]),
        {
            "first_name": "Berit",
            "last_name": "Behandlare",
            "email": "",
            "roles": [Role.COUNSELLOR.value, Role.OUTREACH_WORKER.value],
            "units": ["counselling", "outreach"],
            "profession": "",
        },
    )
    assert response.status_code == 302
    counsellor = User.objects.get(pk=counsellor.pk)
    assert counsellor.roles == [Role.OUTREACH_WORKER, Role.COUNSELLOR]
    assert {u.code for u in counsellor.units.all()} == {"counselling", "outreach"}


def test_sysadmin_cannot_change_their_own_roles(login, sysadmin):
    client = login(sysadmin)
    response = client.post(
        reverse("staff:update", args=[sysadmin.public_id]),
        {"first_name": "A", "last_name": "B", "email": "", "roles": [Role.MANAGER.value],
         "units": [], "profession": ""},
    )
    assert response.status_code == 200
    assert "Du kan inte ändra dina egna roller." in response.content.decode()
    assert User.objects.get(pk=sysadmin.pk).roles == [Role.SYSADMIN]


def test_resetting_two_factor_removes_the_device_after_confirmation(login, sysadmin, counsellor):
    client = login(sysadmin)
    url = reverse("staff:reset-otp", args=[counsellor.public_id])
    assert client.get(url).status_code == 200  # a GET only asks
    assert TOTPDevice.objects.filter(user=counsellor).exists()
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=counsellor).exists()


def test_deactivation_keeps_the_account_and_blocks_login(login, sysadmin, counsellor, client):
    admin_client = login(sysadmin)
    response = admin_client.post(reverse("staff:deactivate", args=[counsellor.public_id]))
    assert response.status_code == 302
    counsellor.refresh_from_db()
    assert counsellor.is_active is False
    assert User.objects.filter(pk=counsellor.pk).exists()

    from django.test import Client

    other = Client()
    response = other.post(
        reverse("account:login"), {"username": counsellor.username, "password": PASSWORD}
    )
    assert response.status_code == 200  # refused at the password step


def test_sysadmin_cannot_deactivate_themselves(login, sysadmin):
    client = login(sysadmin)
    response = client.post(reverse("staff:deactivate", args=[sysadmin.public_id]))
    assert response.status_code == 200
    assert "Du kan inte avaktivera ditt eget konto." in response.content.decode()
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


def test_sysadmin_sets_a_new_password(login, sysadmin, counsellor):
    client = login(sysadmin)
    response = client.post(
        reverse("staff:set-password", args=[counsellor.public_id]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    counsellor.refresh_from_db()
    assert counsellor.check_password(NEW_PASSWORD)
    assert counsellor.must_change_password


def test_staff_list_is_paginated_and_searchable(login, sysadmin, django_assert_max_num_queries):
    for i in range(60):
        user = UserFactory(username=f"anst{i:02d}", role=Role.COUNSELLOR)
        add_totp_device(user)
    client = login(sysadmin)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("staff:list"))
    assert response.status_code == 200
    assert "Sida 1 av 2" in response.content.decode()
    response = client.get(reverse("staff:list"), {"q": "anst07"})
    html = response.content.decode()
    assert "anst07" in html and "anst08" not in html


def test_staff_changes_are_in_the_audit_log(login, sysadmin, counsellor):
    from auditlog.models import LogEntry

    client = login(sysadmin)
    client.post(
        reverse("staff:update", args=[counsellor.public_id]),
        {"first_name": "Bettan", "last_name": "B", "email": "", "roles": [Role.COUNSELLOR.value],
         "units": [], "profession": ""},
    )
    entries = [e for e in LogEntry.objects.get_for_object(counsellor) if e.actor == sysadmin]
    changed = {field for entry in entries for field in entry.changes_dict}
    assert "first_name" in changed and "units" in changed
    assert "password" not in changed


def _password_help_texts(html):
    return re.findall(r'id="[^"]*password[12]_helptext"[^>]*>(.*?)</div>', html, re.S)


@pytest.mark.parametrize("page", ["create", "set-password"])
def test_the_password_help_text_speaks_of_the_person_not_to_the_administrator(
    login, sysadmin, counsellor, page
):
    client = login(sysadmin)
    url = (
        reverse("staff:create")
        if page == "create"
        else reverse("staff:set-password", args=[counsellor.public_id])
    )
    html = client.get(url).content.decode()
    help_texts = " ".join(_password_help_texts(html))
    assert "minst 12 tecken" in help_texts
    assert "personens namn" in help_texts
    assert "Ditt" not in help_texts and "ditt" not in help_texts


def test_a_refused_initial_password_is_shown_again_in_both_fields(login, sysadmin):
    client = login(sysadmin)
    response = client.post(
        reverse("staff:create"), create_payload(password1="kort-1", password2="kort-1")
    )
    html = response.content.decode()
    assert "minst 12 tecken" in html
    assert re.search(r'name="password1"[^>]*value="kort-1"|value="kort-1"[^>]*name="password1"',
                     html)
    assert re.search(r'name="password2"[^>]*value="kort-1"|value="kort-1"[^>]*name="password2"',
                     html)


def test_a_refused_new_password_is_shown_again_in_both_fields(login, sysadmin, counsellor):
    client = login(sysadmin)
    response = client.post(
        reverse("staff:set-password", args=[counsellor.public_id]),
        {"new_password1": "123456789012345", "new_password2": "123456789012345"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('value="123456789012345"') == 2
    counsellor.refresh_from_db()
    assert not counsellor.must_change_password  # nothing was set


def test_the_password_fields_start_empty(login, sysadmin):
    html = login(sysadmin).get(reverse("staff:create")).content.decode()
    assert not re.search(r'name="password[12]"[^>]*value=', html)


def test_create_staff_and_set_password_demand_a_change_at_first_login(sysadmin):
    user = services.create_staff(
        username="ny", password=NEW_PASSWORD, roles=[Role.COUNSELLOR], units=[], by=sysadmin
    )
    assert user.must_change_password
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    services.set_password(user, "ytterligare-ett-losenord", by=sysadmin)
    assert User.objects.get(pk=user.pk).must_change_password
