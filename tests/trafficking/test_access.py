"""Each role's access to each trafficking page (the rows tests/test_access_matrix.py takes),
and the unit's walls: staff outside the unit get 403 on its pages and 404 on its records."""

import pytest
from django.urls import reverse

from prostenhet.models import AccessKind, AccessLog
from tests.factories import UserFactory

from .helpers import KWARGS, NOT_A_RECORD_READ, READ_VIEWS, client_case_kwargs, matrix_rows

pytestmark = pytest.mark.django_db

ROWS = matrix_rows()
CASES = [(name, who) for name in ROWS for who in ROWS[name]]


@pytest.mark.parametrize("name, who", CASES, ids=[f"{n}-{w}" for n, w in CASES])
def test_access(client, login, world, name, who):
    from tests.test_access_matrix import LOGIN, OTP

    expected = ROWS[name][who]
    url = reverse(name, kwargs=KWARGS[name](world))
    if who == "half":
        from prostenhet.roles import Role
        from tests.factories import PASSWORD, add_totp_device

        user = UserFactory(role=Role.COUNSELLOR)
        add_totp_device(user)
        client.post(reverse("account:login"), {"username": user.username, "password": PASSWORD})
    elif who != "anonymous":
        login(world.staff_for(who))
    response = client.get(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account:login") + "?next=")
    elif expected == OTP:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account:otp-verify"))
    else:
        assert response.status_code == expected


def test_every_trafficking_url_has_a_row():
    from tests.test_access_matrix import url_pattern_names

    names = {n for n in url_pattern_names() if n.startswith("trafficking:")}
    assert names == set(ROWS) == set(KWARGS)


@pytest.mark.parametrize("name, kwargs, who, shown", READ_VIEWS,
                         ids=[f"{v[0]}-{v[2]}" for v in READ_VIEWS])
def test_every_page_that_shows_a_case_logs_the_read(world, login, name, kwargs, who, shown):
    url = reverse(name, kwargs=kwargs(world))
    user = getattr(world, who)
    before = set(AccessLog.objects.values_list("pk", flat=True))

    response = login(user).get(url)

    assert response.status_code == 200
    rows = AccessLog.objects.exclude(pk__in=before)
    assert sorted(rows.values_list("client__alias", flat=True)) == sorted(
        getattr(world, c).alias for c in shown)
    assert set(rows.values_list("user", "view", "kind")) == {(user.pk, name, AccessKind.READ)}


def test_the_pages_without_a_read_row_show_no_record(world, login):
    url = reverse("trafficking:client-case", kwargs=client_case_kwargs(world))
    before = AccessLog.objects.count()
    response = login(world.ow).get(url)
    assert response.status_code == 302 and AccessLog.objects.count() == before
    assert set(NOT_A_RECORD_READ) == {"trafficking:client-case"}
