"""The access matrix: every URL pattern of the project against every role.

A new view without a row here fails `test_every_url_pattern_has_a_row`. Expectations:
an HTTP status for a GET, LOGIN (redirected to the login page) or OTP (redirected to the
second factor). "half" is a user who gave the password but not yet the code."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from prostenhet.roles import Role

from .factories import UserFactory

LOGIN, OTP = "login", "otp"
OA, OW, CO, CL, MA, SA = (
    Role.OFFICE_ASSISTANT, Role.OUTREACH_WORKER, Role.COUNSELLOR,
    Role.CLINICIAN, Role.MANAGER, Role.SYSADMIN,
)
ALL_ROLES = list(Role)


def row(anonymous, half, **by_role):
    """A row: what anonymous, a half-logged-in user and each role get."""
    expected = {"anonymous": anonymous, "half": half}
    default = by_role.pop("default", None)
    for role in ALL_ROLES:
        expected[role.value] = by_role.get(role.value, default)
    return expected


def sysadmin_only():
    return row(LOGIN, OTP, default=403, sysadmin=200)


MATRIX = {
    "home": row(LOGIN, OTP, default=302),
    "start": row(LOGIN, OTP, default=200),
    "healthz": row(200, 200, default=200),
    "set_language": row(302, 302, default=302),
    "account:login": row(200, 302, default=302),
    "account:otp-verify": row(LOGIN, 200, default=302),
    "account:otp-setup": row(LOGIN, 302, default=302),
    "account:logout": row(LOGIN, 405, default=405),
    "account:password-change": row(LOGIN, OTP, default=200),
    "staff:list": sysadmin_only(),
    "staff:create": sysadmin_only(),
    "staff:update": sysadmin_only(),
    "staff:set-password": sysadmin_only(),
    "staff:reset-otp": sysadmin_only(),
    "staff:deactivate": sysadmin_only(),
    "staff:reactivate": sysadmin_only(),
}


def staff_target():
    return {"public_id": UserFactory(role=Role.COUNSELLOR).public_id}


# URL arguments for patterns that take them: made fresh for each test.
KWARGS = {
    "staff:update": staff_target,
    "staff:set-password": staff_target,
    "staff:reset-otp": staff_target,
    "staff:deactivate": staff_target,
    "staff:reactivate": staff_target,
}


def url_pattern_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_pattern_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern}>"


def test_every_url_pattern_has_a_row():
    names = set(url_pattern_names())
    assert names - set(MATRIX) == set(), "views without an access-matrix row"
    assert set(MATRIX) - names == set(), "rows for views that no longer exist"


def test_every_pattern_with_arguments_knows_how_to_make_them():
    for name in MATRIX:
        if name in KWARGS:
            continue
        try:
            reverse(name)
        except NoReverseMatch:
            pytest.fail(f"{name} takes arguments: add it to KWARGS")


CASES = [(name, who) for name in MATRIX for who in MATRIX[name]]


@pytest.mark.django_db
@pytest.mark.parametrize("name, who", CASES, ids=[f"{n}-{w}" for n, w in CASES])
def test_access(client, login, staff_of, name, who):
    expected = MATRIX[name][who]
    url = reverse(name, kwargs=KWARGS[name]() if name in KWARGS else None)
    if who == "half":
        from .factories import PASSWORD, add_totp_device

        user = UserFactory(role=Role.COUNSELLOR)
        add_totp_device(user)
        client.post(reverse("account:login"), {"username": user.username, "password": PASSWORD})
    elif who != "anonymous":
        login(staff_of(Role(who)))
    response = client.get(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account:login") + "?next=")
    elif expected == OTP:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account:otp-verify"))
    else:
        assert response.status_code == expected
