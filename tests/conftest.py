import importlib
import importlib.util

import pytest
from django.apps import apps
from django.core.management import call_command
from django_otp import DEVICE_ID_SESSION_KEY

from prostenhet.roles import Role

from .factories import UserFactory, add_totp_device

ROLES = list(Role)


@pytest.fixture(scope="session", autouse=True)
def _collected_static(django_db_setup):
    # whitenoise's manifest storage (DEBUG off, as in production) needs collectstatic.
    call_command("collectstatic", interactive=False, verbosity=0)


# The data migrations whose rows (units, roles, their permissions) the tests need.
DATA_MIGRATIONS = [
    ("prostenhet.migrations.0002_create_units_and_roles", "create_units_and_roles"),
    ("clients.migrations.0003_unit_groups_and_role_permissions", "forwards"),
    ("clients.migrations.0012_reception_permissions", "forwards"),
    ("prostenhet.migrations.0011_weeding", "grant_reports"),
    ("clients.migrations.0015_register_extract", "grant_to_roles"),
    ("spiralen.migrations.0002_types_permissions_and_lock", "forwards"),
    ("outreach.migrations.0002_roles_and_lists", "forwards"),
    ("kast.migrations.0002_roles_and_lists", "forwards"),
    ("trafficking.migrations.0002_roles_and_lists", "forwards"),
]


@pytest.fixture
def roles_and_units(transactional_db):
    """A transactional test's flush empties every table, the data migrations' rows too: put
    the units, roles and permissions back before a transactional test uses them."""
    for module, function in DATA_MIGRATIONS:
        if importlib.util.find_spec(module) is None:
            continue  # an app whose data migration is still to be written
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's cost is the point in production and only slowness here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_staff(role, **kwargs):
    user = UserFactory(role=role, **kwargs)
    add_totp_device(user)
    return user


@pytest.fixture
def staff_of():
    """staff_of(Role.COUNSELLOR) → a new active staff member with a confirmed TOTP device."""
    return make_staff


@pytest.fixture
def login(client):
    """login(user) → the test client, logged in with both factors."""

    def _login(user, client=client):
        client.force_login(user)
        device = user.totpdevice_set.filter(confirmed=True).first() or add_totp_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return _login


@pytest.fixture
def sysadmin(db):
    return make_staff(Role.SYSADMIN, username="sysadmin")


@pytest.fixture
def counsellor(db):
    return make_staff(Role.COUNSELLOR, username="behandlare")


@pytest.fixture
def world(db):
    from .world import build_world

    return build_world()
