"""Deployment checks: a production configuration (DEBUG off) must not fail open.

`manage.py check --deploy` reports each of these; they are errors, so that it fails even at
its default level. Development (DEBUG on) is not checked: `check --deploy` already warns that
DEBUG is on."""

from django.conf import settings
from django.core.checks import Error, Tags, register

SQLITE = "django.db.backends.sqlite3"

E001 = Error(
    "TWO_FACTOR_REQUIRED is off in production (DEBUG off): every account would log in "
    "with a password alone.",
    hint="Unset TWO_FACTOR_REQUIRED (it defaults to on) or set TWO_FACTOR_REQUIRED=1.",
    id="prostenhet.E001",
)
E002 = Error(
    "The database is SQLite in production (DEBUG off): DATABASE_URL is not set, so the "
    "application would quietly keep its data in a file in the project folder.",
    hint="Set DATABASE_URL to the PostgreSQL database, e.g. postgres://user:pass@host/db.",
    id="prostenhet.E002",
)
E003 = Error(
    "DEMO_MODE is on in production (DEBUG off): two-factor login is off and demo accounts "
    "may be created.",
    hint="Unset DEMO_MODE: demo mode is for `make run` on a developer's machine only.",
    id="prostenhet.E003",
)


@register(Tags.security, deploy=True)
def check_production_does_not_fail_open(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    errors = []
    if not getattr(settings, "TWO_FACTOR_REQUIRED", True):
        errors.append(E001)
    if any(database.get("ENGINE") == SQLITE for database in settings.DATABASES.values()):
        errors.append(E002)
    if getattr(settings, "DEMO_MODE", False):
        errors.append(E003)
    return errors
