"""Security review findings 11 and 12: a production configuration cannot fail open, a .env
is read only in a developer's checkout, and with HTTPS the cookies carry the __Host- prefix."""

import re
import runpy
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import override_settings
from django.urls import reverse

from prostenhet.roles import Role

from ..factories import PASSWORD, UserFactory, add_totp_device
from .test_settings import REAL_KEY, run_manage

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "prostenhet",
        "HOST": "db.example.se",
        "USER": "prostenhet",
        "PASSWORD": "",
    }
}
SQLITE = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
SAFE_PRODUCTION = {
    "DEBUG": False, "TWO_FACTOR_REQUIRED": True, "DEMO_MODE": False, "DATABASES": POSTGRES,
}
# Overriding DATABASES only changes what the checks read; no connection is made.
databases_overridden = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def deploy_check_ids(**overrides):
    with override_settings(**{**SAFE_PRODUCTION, **overrides}):
        return {message.id for message in run_checks(include_deployment_checks=True)}


OUR_CHECKS = {"prostenhet.E001", "prostenhet.E002", "prostenhet.E003"}


# --- finding 11: system checks -------------------------------------------------------------


@databases_overridden
def test_a_safe_production_configuration_passes_the_checks():
    assert deploy_check_ids() & OUR_CHECKS == set()


@databases_overridden
def test_check_deploy_fails_when_two_factor_is_off_in_production():
    assert "prostenhet.E001" in deploy_check_ids(TWO_FACTOR_REQUIRED=False)


@databases_overridden
def test_check_deploy_fails_when_production_uses_sqlite():
    assert "prostenhet.E002" in deploy_check_ids(DATABASES=SQLITE)


@databases_overridden
def test_check_deploy_fails_when_demo_mode_is_on_in_production():
    assert "prostenhet.E003" in deploy_check_ids(DEMO_MODE=True)


@databases_overridden
def test_development_is_not_held_to_the_production_checks():
    ids = deploy_check_ids(DEBUG=True, TWO_FACTOR_REQUIRED=False, DATABASES=SQLITE)
    assert ids & OUR_CHECKS == set()


def test_manage_check_deploy_fails_without_database_url_or_with_two_factor_off():
    production = {
        "DEBUG": "0", "SECRET_KEY": REAL_KEY, "ALLOWED_HOSTS": "prostenhet.example.se",
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert result.returncode != 0
    assert "prostenhet.E002" in result.stderr

    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", **production,
        DATABASE_URL="postgres://prostenhet@db.example.se:5432/prostenhet",
        TWO_FACTOR_REQUIRED="0",
    )
    assert result.returncode != 0
    assert "prostenhet.E001" in result.stderr
    assert "prostenhet.E002" not in result.stderr


# --- finding 11: .env only in a developer's checkout ----------------------------------------

PRINT_DEBUG = "from django.conf import settings; print('DEBUG', settings.DEBUG)"


def debug_with_env_file(path):
    result = run_manage(
        "shell", "--no-imports", "-c", PRINT_DEBUG,
        ENV_FILE=str(path), SECRET_KEY=REAL_KEY, ALLOWED_HOSTS="prostenhet.example.se",
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_env_file_without_the_dev_marker_is_ignored(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\n")
    assert debug_with_env_file(env_file) == "DEBUG False"


def test_a_developers_env_file_is_read(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# written by make\nDEV=1\nDEBUG=1\n")
    assert debug_with_env_file(env_file) == "DEBUG True"


def test_make_writes_the_dev_marker_into_the_env_file():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"DEV=1\\n", makefile)


# --- finding 12: __Host- cookies with HTTPS ------------------------------------------------

COOKIE_SETTINGS = [
    f"{cookie}_COOKIE_{attribute}"
    for cookie in ("SESSION", "CSRF", "LANGUAGE")
    for attribute in ("NAME", "SECURE", "PATH", "DOMAIN")
]


def settings_under(monkeypatch, **environment):
    """The settings module evaluated afresh in another environment."""
    monkeypatch.setenv("ENV_FILE", "/nonexistent")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "prostenhet" / "settings.py"))


def log_in_and_choose_english(client, secure):
    user = UserFactory(role=Role.COUNSELLOR)
    add_totp_device(user)
    client.get(reverse("account:login"), secure=secure)
    login = client.post(
        reverse("account:login"), {"username": user.username, "password": PASSWORD},
        secure=secure,
    )
    assert login.status_code == 302
    language = client.post(reverse("set_language"), {"language": "en"}, secure=secure)
    return login.cookies, language.cookies


@pytest.mark.django_db
def test_with_https_the_cookies_set_at_login_carry_the_host_prefix(
    client, settings, monkeypatch
):
    production = settings_under(monkeypatch, HTTPS="1")
    for name in COOKIE_SETTINGS:
        setattr(settings, name, production[name])
    login_cookies, language_cookies = log_in_and_choose_english(client, secure=True)

    assert {"__Host-sessionid", "__Host-csrftoken"} <= set(login_cookies)
    assert "__Host-prostenhet_language" in language_cookies
    cookies = [login_cookies["__Host-sessionid"], login_cookies["__Host-csrftoken"],
               language_cookies["__Host-prostenhet_language"]]
    for cookie in cookies:
        # What a browser demands of a __Host- cookie.
        assert cookie["secure"] is True, cookie.key
        assert cookie["path"] == "/", cookie.key
        assert cookie["domain"] == "", cookie.key
    assert not {"prostenhet_session", "csrftoken"} & set(login_cookies)


@pytest.mark.django_db
def test_without_https_the_cookies_have_plain_names(client, settings, monkeypatch):
    development = settings_under(monkeypatch, HTTPS="0")
    assert development["SESSION_COOKIE_NAME"] == settings.SESSION_COOKIE_NAME
    assert development["CSRF_COOKIE_NAME"] == settings.CSRF_COOKIE_NAME
    login_cookies, language_cookies = log_in_and_choose_english(client, secure=False)
    assert {"prostenhet_session", "csrftoken"} <= set(login_cookies)
    assert "prostenhet_language" in language_cookies
    assert not [name for name in [*login_cookies, *language_cookies] if name.startswith("__")]


@pytest.mark.django_db
def test_the_page_tells_its_script_the_csrf_cookie_name(client, settings):
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    page = client.get(reverse("account:login")).content.decode()
    assert '<body data-csrf-cookie="__Host-csrftoken">' in page

    script = (ROOT / "static" / "js" / "app.js").read_text()
    assert "data-csrf-cookie" in script
    assert "csrftoken=" not in script  # no cookie name of its own
