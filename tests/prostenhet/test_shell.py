"""The UI shell: navigation by role, start pages, language, security headers, error pages."""

import pytest
from django.urls import reverse

from prostenhet.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_start_page(login, staff_of, role):
    client = login(staff_of(role))
    response = client.get(reverse("account:login"), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("start")
    assert f'data-testid="start-{role.value}"' in html
    assert str(role.label) in html


def test_only_the_sysadmin_sees_staff_administration_in_the_navigation(login, staff_of):
    staff_url = reverse("staff:list")
    for role in Role:
        html = login(staff_of(role)).get(reverse("start")).content.decode()
        assert (f'href="{staff_url}"' in html) == (role == Role.SYSADMIN), role


def test_half_logged_in_user_sees_no_navigation(client, counsellor):
    from ..factories import PASSWORD

    client.post(
        reverse("account:login"), {"username": counsellor.username, "password": PASSWORD}
    )
    html = client.get(reverse("account:otp-verify")).content.decode()
    assert "nav-link" not in html  # no sections until the second factor is given
    assert reverse("account:logout") in html


def test_language_switch_to_english_and_back(login, counsellor):
    client = login(counsellor)
    assert "Välkommen" in client.get(reverse("start")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("start")})
    html = client.get(reverse("start")).content.decode()
    assert "Welcome" in html and 'lang="en"' in html
    client.post(reverse("set_language"), {"language": "sv", "next": reverse("start")})
    assert "Välkommen" in client.get(reverse("start")).content.decode()


def test_login_page_is_swedish_by_default(client):
    html = client.get(reverse("account:login")).content.decode()
    assert 'lang="sv"' in html and "Logga in" in html and "Lösenord" in html


def test_demo_banner_shows_in_demo_mode_only(login, counsellor, settings):
    client = login(counsellor)
    assert 'data-testid="demo-banner"' not in client.get(reverse("start")).content.decode()
    settings.DEMO_MODE = True
    assert 'data-testid="demo-banner"' in client.get(reverse("start")).content.decode()


def test_pages_behind_login_are_not_stored_and_policy_is_strict(login, counsellor):
    response = login(counsellor).get(reverse("start"))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_pages_have_no_inline_scripts_or_styles(login, sysadmin):
    client = login(sysadmin)
    for name in ["start", "staff:list", "staff:create", "account:password-change"]:
        html = client.get(reverse(name)).content.decode()
        assert "<script>" not in html and "<style" not in html and " style=" not in html, name
        assert "http://" not in html.replace("http://www.w3.org", ""), name


def test_not_found_page_is_swedish_with_a_request_id(login, counsellor):
    response = login(counsellor).get("/finns-inte/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Sidan finns inte" in html
    assert response["X-Request-ID"] in html
    assert "Traceback" not in html


def test_forbidden_page_is_swedish_with_a_request_id(login, counsellor):
    response = login(counsellor).get(reverse("staff:list"))
    assert response.status_code == 403
    assert "Åtkomst nekad" in response.content.decode()
    assert response["X-Request-ID"] in response.content.decode()


def test_server_error_page_is_swedish_without_traceback(login, counsellor, monkeypatch):
    from prostenhet.views import core

    monkeypatch.setattr(core, "ROLE_DESCRIPTIONS", None)
    client = login(counsellor)
    client.raise_request_exception = False
    response = client.get(reverse("start"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Ett fel uppstod" in html
    assert response["X-Request-ID"] in html
    assert "Traceback" not in html and "ROLE_DESCRIPTIONS" not in html


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    from django.db import OperationalError, connection

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_an_english_browser_still_gets_swedish_until_the_user_switches(client):
    html = client.get(reverse("account:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="sv"' in html.content.decode()
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(reverse("account:login"), HTTP_ACCEPT_LANGUAGE="sv-SE")
    assert 'lang="en"' in html.content.decode()


def test_readyz_answers_when_every_migration_is_applied(client, monkeypatch):
    from prostenhet.views import core

    monkeypatch.setattr(core, "_MIGRATED", core.threading.Event())
    response = client.get("/readyz")
    assert response.status_code == 200 and response.content == b"ready\n"
    assert core._MIGRATED.is_set()


def test_readyz_is_503_while_migrations_are_missing_or_the_database_is_down(client,
                                                                           monkeypatch):
    from django.db import OperationalError, connection

    from prostenhet.views import core

    monkeypatch.setattr(core, "_MIGRATED", core.threading.Event())
    monkeypatch.setattr(core, "unapplied_migrations", lambda: ["clients.0099_next"])
    response = client.get("/readyz")
    assert response.status_code == 503 and b"1 migrations not applied" in response.content
    assert not core._MIGRATED.is_set()

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    assert client.get("/readyz").status_code == 503


def test_the_migration_check_finds_what_the_database_lacks(db):
    from prostenhet.views import core

    assert core.unapplied_migrations() == []
