"""A password the administrator set (a new account, a reset) must be replaced by the user's own
at the next login before anything else."""

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prostenhet import services
from prostenhet.models import User
from prostenhet.roles import Role

from ..factories import PASSWORD, add_totp_device, current_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("account:login")
VERIFY = reverse("account:otp-verify")
START = reverse("start")
CHANGE = reverse("account:password-change")
ADMIN_PASSWORD = "av-administratoren-valt-2026"
OWN_PASSWORD = "mitt-eget-langa-losenord-2026"
NOTICE = "Ditt lösenord har satts av en administratör."


@pytest.fixture
def reset_counsellor(counsellor, sysadmin):
    """A counsellor whose password the system administrator has just set."""
    return services.set_password(counsellor, ADMIN_PASSWORD, by=sysadmin)


def log_in(client, user, password):
    """The real two-step login: password, then a code from the user's device."""
    client.post(LOGIN, {"username": user.username, "password": password})
    device = user.totpdevice_set.get(confirmed=True)
    response = client.post(VERIFY, {"token": current_code(device)})
    assert response.status_code == 302
    return response


def change_password(client, old=ADMIN_PASSWORD, new=OWN_PASSWORD, url=CHANGE):
    return client.post(url, {"old_password": old, "new_password1": new, "new_password2": new})


def test_the_first_login_after_a_reset_leads_to_the_password_change(client, reset_counsellor):
    response = log_in(client, reset_counsellor, ADMIN_PASSWORD)
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url == f"{CHANGE}?next={START}"
    page = client.get(response.url)
    assert page.status_code == 200
    assert NOTICE in page.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        reverse("start"),
        reverse("clients:client-search"),
        reverse("clients:client-create"),
        reverse("audit:access-log"),
    ],
)
def test_every_page_leads_to_the_password_change_until_it_is_done(login, reset_counsellor, url):
    client = login(reset_counsellor)
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 302
        assert response.url.startswith(CHANGE + "?next=")


def test_an_htmx_request_is_sent_to_the_password_change_as_a_whole_page(login, reset_counsellor):
    client = login(reset_counsellor)
    response = client.post(reverse("clients:client-search"), {}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == CHANGE


def test_logout_language_and_health_check_stay_open(login, reset_counsellor):
    client = login(reset_counsellor)
    assert client.get(reverse("healthz")).status_code == 200
    response = client.post(reverse("set_language"), {"language": "en", "next": CHANGE})
    assert response.status_code == 302 and response.url == CHANGE
    response = client.post(reverse("account:logout"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert client.get(START).url.startswith(LOGIN)  # logged out, not sent to the change


def test_after_the_change_the_user_goes_on_to_where_they_were_going(client, reset_counsellor):
    log_in(client, reset_counsellor, ADMIN_PASSWORD)
    response = change_password(client, url=f"{CHANGE}?next={reverse('clients:client-search')}")
    assert response.status_code == 302
    assert response.url == reverse("clients:client-search")
    user = User.objects.get(pk=reset_counsellor.pk)
    assert not user.must_change_password
    assert user.check_password(OWN_PASSWORD)
    assert client.get(START).status_code == 200  # same session, still logged in
    page = client.get(CHANGE).content.decode()
    assert NOTICE not in page


def test_the_password_set_by_the_administrator_cannot_be_kept(client, reset_counsellor):
    log_in(client, reset_counsellor, ADMIN_PASSWORD)
    response = change_password(client, new=ADMIN_PASSWORD)
    assert response.status_code == 200
    assert "Välj ett annat lösenord än det nuvarande." in response.content.decode()
    assert User.objects.get(pk=reset_counsellor.pk).must_change_password
    assert client.get(START).status_code == 302


def test_a_new_account_changes_its_password_at_first_login(client, login, sysadmin):
    login(sysadmin).post(
        reverse("staff:create"),
        {
            "username": "ny.behandlare", "first_name": "Nora", "last_name": "Ny", "email": "",
            "roles": [Role.COUNSELLOR.value], "units": ["counselling"], "profession": "",
            "password1": ADMIN_PASSWORD, "password2": ADMIN_PASSWORD,
        },
    )
    user = User.objects.get(username="ny.behandlare")
    add_totp_device(user)
    newcomer = Client()
    response = log_in(newcomer, user, ADMIN_PASSWORD)
    assert newcomer.get(response.url).url.startswith(CHANGE)
    assert change_password(newcomer).status_code == 302
    assert newcomer.get(START).status_code == 200


def test_the_second_factor_comes_before_the_password_change(client, reset_counsellor):
    client.post(LOGIN, {"username": reset_counsellor.username, "password": ADMIN_PASSWORD})
    response = client.get(START)
    assert response.url.startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200  # not sent on to the password change


def test_the_demand_costs_no_query(login, counsellor, settings):
    """The flag is on the user the request loads anyway."""
    cookies = login(counsellor).cookies

    def queries():
        client = Client()  # a new client loads the middleware as the settings are now
        client.cookies = cookies
        client.get(START)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(START).status_code == 200
        return len(captured)

    with_check = queries()
    settings.MIDDLEWARE = [
        m for m in django_settings.MIDDLEWARE
        if m != "prostenhet.middleware.PasswordChangeRequiredMiddleware"
    ]
    assert queries() == with_check


def test_a_user_who_changes_an_own_password_is_not_asked_again(login, counsellor):
    client = login(counsellor)
    response = change_password(client, old=PASSWORD)
    assert response.status_code == 302 and response.url == START
    assert not User.objects.get(pk=counsellor.pk).must_change_password
    assert client.get(START).status_code == 200
