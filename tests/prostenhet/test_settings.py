"""Production mode (DEBUG off): refuses a missing key, and `check --deploy` is clean; the
database connections' options."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REAL_KEY = "k" * 10 + "Zq8#mP2$vL9!xR4&nT7*wB1^cF6(hJ3)yD5@gS0%uK" + "abcdefghij"


def run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY", "DEBUG", "HTTPS", "DEMO_MODE", "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE", "TWO_FACTOR_REQUIRED", "DATABASE_URL", "ENV_FILE",
        }
    }
    environment["ENV_FILE"] = "/nonexistent"  # a developer's .env must not soften the checks
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_mode_refuses_a_short_secret_key():
    result = run_manage("check", DEBUG="0", SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_demo_mode_cannot_run_in_production():
    result = run_manage("check", DEBUG="0", DEMO_MODE="1", SECRET_KEY=REAL_KEY)
    assert result.returncode != 0
    assert "DEMO_MODE requires DEBUG=1" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY=REAL_KEY, ALLOWED_HOSTS="prostenhet.example.se",
        DATABASE_URL="postgres://prostenhet@db.example.se:5432/prostenhet",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


SAFE_PRODUCTION_DEFAULTS = {
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
    "X_FRAME_OPTIONS": "DENY",
    "TWO_FACTOR_REQUIRED": True,
    "DEMO_MODE": False,
    "SESSION_IDLE_MINUTES": 15,
    "TIME_ZONE": "Europe/Stockholm",
    "LANGUAGE_CODE": "sv",
}


def test_production_defaults_are_safe():
    names = ", ".join(f'"{name}"' for name in SAFE_PRODUCTION_DEFAULTS)
    script = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in [{names}]}}))"
    )
    result = run_manage(
        "shell", "--no-imports", "-c", script,
        DEBUG="0", SECRET_KEY=REAL_KEY, ALLOWED_HOSTS="prostenhet.example.se",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == SAFE_PRODUCTION_DEFAULTS


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT")
def test_postgresql_compiles_no_query_just_in_time():
    # A page's short queries paid more for JIT compiling than for running (settings.py).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
