"""Every outreach page against every role (the rows for tests/test_access_matrix.py), the
reads they log, and the team rule: an outreach worker outside the outreach team, and a
kast counsellor, get nothing."""

import pytest
from django.urls import reverse

from outreach.urls import urlpatterns
from prostenhet import access as staff_access
from prostenhet.models import AccessKind, AccessLog, Unit
from prostenhet.roles import Role, UnitCode
from tests.factories import UserFactory, add_totp_device
from tests.test_autocomplete_off import fields_of, remembered

from .helpers import KWARGS, MATRIX

pytestmark = pytest.mark.django_db

CASES = [(name, role) for name in MATRIX for role in MATRIX[name]]


def test_every_outreach_url_has_a_row():
    assert {f"outreach:{p.name}" for p in urlpatterns} == set(MATRIX)


@pytest.mark.parametrize("name, role", CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_access(login, world, name, role):
    url = reverse(name, kwargs=KWARGS[name](world) if name in KWARGS else None)
    response = login(world.staff_for(role)).get(url)
    assert response.status_code == MATRIX[name][role]


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_users_log_in_first(client, world, name):
    url = reverse(name, kwargs=KWARGS[name](world) if name in KWARGS else None)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account:login") + "?next=")


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_an_outreach_worker_outside_the_team_is_refused(login, world, name):
    url = reverse(name, kwargs=KWARGS[name](world) if name in KWARGS else None)
    other = UserFactory(role=Role.OUTREACH_WORKER, username="trafficking-only")
    other.units.set(Unit.objects.filter(code=UnitCode.TRAFFICKING))
    staff_access.sync_staff_units(other)
    add_totp_device(other)
    assert login(other).get(url).status_code == 403


READ_VIEWS = [
    ("outreach:shift-detail", KWARGS["outreach:shift-detail"], "ow", ["olle"]),
    ("outreach:client", KWARGS["outreach:client"], "ow", ["olle"]),
    ("outreach:support-create", KWARGS["outreach:support-create"], "ow", ["olle"]),
]


@pytest.mark.parametrize("name, kwargs, who, shown", READ_VIEWS,
                         ids=[v[0] for v in READ_VIEWS])
def test_pages_that_show_a_client_log_the_read(world, login, name, kwargs, who, shown):
    url = reverse(name, kwargs=kwargs(world))
    before = set(AccessLog.objects.values_list("pk", flat=True))
    response = login(getattr(world, who)).get(url)
    assert response.status_code == 200
    rows = AccessLog.objects.exclude(pk__in=before)
    assert sorted(rows.values_list("client__alias", flat=True)) == sorted(
        getattr(world, c).alias for c in shown
    )
    assert set(rows.values_list("view", "kind")) == {(name, AccessKind.READ)}


@pytest.mark.parametrize("name", ["outreach:shift-list", "outreach:nickname-list",
                                  "outreach:internet-list", "outreach:talk-list", "start"])
def test_lists_and_the_start_page_log_no_read(world, login, name):
    KWARGS["outreach:shift-detail"](world)
    before = AccessLog.objects.count()
    assert login(world.ow).get(reverse(name)).status_code == 200
    assert AccessLog.objects.count() == before


PAGES = sorted(n for n in MATRIX if MATRIX[n][Role.OUTREACH_WORKER] == 200)


@pytest.mark.parametrize("name", PAGES)
def test_no_field_is_remembered_by_the_browser(world, login, name):
    url = reverse(name, kwargs=KWARGS[name](world) if name in KWARGS else None)
    assert remembered(fields_of(login(world.ow).get(url))) == []
