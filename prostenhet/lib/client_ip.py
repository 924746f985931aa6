"""The address a request came from, behind exactly settings.PROXY_COUNT reverse proxies.

Each proxy appends the address of the peer it heard from to X-Forwarded-For, and the nearest
proxy is the connecting address (REMOTE_ADDR). Behind N proxies the client is therefore the
N-th entry counted from the right: entries further left were written by the client itself and
are never trusted. With fewer entries than proxies (a request that bypassed a proxy, or a
misconfiguration), or an entry that is not an address, the connecting address is used.
Never returns nothing: the login lock-out counts per address, and an empty address would put
everybody in one bucket.
"""

import ipaddress

from django.conf import settings

UNKNOWN = "0.0.0.0"  # noqa: S104 (to count by, never to bind to)  # nosec B104


def _address(value):
    """The IP address in an X-Forwarded-For entry ("1.2.3.4", "1.2.3.4:5678", "[::1]:80",
    "::1"), or None."""
    value = (value or "").strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request):
    """The client's address as the proxies in front of us saw it (see the module's text)."""
    remote = _address(request.META.get("REMOTE_ADDR")) or UNKNOWN
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry for entry in header.split(",") if entry.strip()]
    if len(entries) < proxies:
        return remote
    return _address(entries[-proxies]) or remote
