"""The client's address behind 0, 1 and 2 reverse proxies, honest and forged headers: one
function serves the login lock-out and the change log (security review, finding 1 and 5)."""

import pytest
from auditlog.models import LogEntry
from django.test import RequestFactory
from django.urls import reverse

from prostenhet.lib.client_ip import UNKNOWN, client_ip
from prostenhet.roles import Role

from ..factories import PASSWORD, UserFactory

LOGIN = reverse("account:login")
CLIENT, OTHER, FORGED = "198.51.100.7", "198.51.100.99", "203.0.113.66"
PROXY_1, PROXY_2 = "10.0.0.2", "10.0.0.3"


def request_with(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


# (proxies, REMOTE_ADDR, X-Forwarded-For as it reaches the app, the address we must use)
MATRIX = [
    # no proxy: the connecting address, whatever the client writes
    (0, CLIENT, None, CLIENT),
    (0, CLIENT, FORGED, CLIENT),
    # one proxy (nginx appends $remote_addr): the last entry
    (1, PROXY_1, CLIENT, CLIENT),
    (1, PROXY_1, f"{FORGED}, {CLIENT}", CLIENT),
    (1, PROXY_1, f"{FORGED},{CLIENT}", CLIENT),
    # two proxies: the load balancer's entry, counted second from the right
    (2, PROXY_2, f"{CLIENT}, {PROXY_1}", CLIENT),
    (2, PROXY_2, f"{FORGED}, {CLIENT}, {PROXY_1}", CLIENT),
    # entries with ports, IPv6
    (1, PROXY_1, "198.51.100.7:51234", CLIENT),
    (1, PROXY_1, "[2001:db8::7]:443", "2001:db8::7"),
    (1, PROXY_1, "2001:db8::7", "2001:db8::7"),
    # a request that did not pass the proxies, or rubbish: the connecting address
    (1, CLIENT, None, CLIENT),
    (2, PROXY_2, CLIENT, PROXY_2),
    (1, PROXY_1, "unknown", PROXY_1),
    (1, PROXY_1, "", PROXY_1),
]


@pytest.mark.parametrize("proxies,remote,forwarded,expected", MATRIX)
def test_the_client_address_is_counted_from_the_right(
    settings, proxies, remote, forwarded, expected
):
    settings.PROXY_COUNT = proxies
    assert client_ip(request_with(remote, forwarded)) == expected


@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_an_address_is_never_missing(settings, proxies):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) == UNKNOWN
    assert client_ip(request_with("not an address")) == UNKNOWN


def behind_one_proxy(client_address, forged=None):
    """What an honest proxy in front sends for a browser at client_address (which may itself
    have sent a forged X-Forwarded-For)."""
    chain = f"{forged}, {client_address}" if forged else client_address
    return {"REMOTE_ADDR": PROXY_1, "HTTP_X_FORWARDED_FOR": chain}


@pytest.mark.django_db
def test_behind_a_proxy_failures_lock_only_the_failing_address(client, settings):
    settings.PROXY_COUNT = 1
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN, {"username": f"gissning{i}", "password": "fel-losenord-123"},
            **behind_one_proxy(CLIENT),
        )
    user = UserFactory(role=Role.COUNSELLOR)
    locked = client.post(
        LOGIN, {"username": user.username, "password": PASSWORD}, **behind_one_proxy(CLIENT)
    )
    assert locked.status_code == 429
    # Another member of staff, behind the same proxy, is not locked out.
    other = client.post(
        LOGIN, {"username": user.username, "password": PASSWORD}, **behind_one_proxy(OTHER)
    )
    assert other.status_code == 302


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_lock_out(client, settings):
    settings.PROXY_COUNT = 1
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN, {"username": f"gissning{i}", "password": "fel-losenord-123"},
            **behind_one_proxy(CLIENT, forged=f"203.0.113.{i}"),
        )
    response = client.post(
        LOGIN, {"username": "gissning-ny", "password": "fel-losenord-123"},
        **behind_one_proxy(CLIENT, forged="203.0.113.200"),
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_the_change_log_records_the_same_address(login, sysadmin, counsellor, settings):
    settings.PROXY_COUNT = 1
    client = login(sysadmin)
    client.post(
        reverse("staff:deactivate", args=[counsellor.public_id]),
        **behind_one_proxy(CLIENT, forged=FORGED),
    )
    entry = LogEntry.objects.get_for_object(counsellor).latest("timestamp")
    assert entry.remote_addr == CLIENT
