"""What the client views write to the read-access log (DESIGN §4), through the base's
prostenhet.audit: the rows know whether the client is sealed (KAST), has a protected identity,
or is read under an emergency access."""

from prostenhet import audit
from prostenhet.models import AccessKind, AccessLog
from prostenhet.roles import UnitCode

from . import access
from .models import Register

group_repeated = audit.group_repeated

# Fixed details of log rows (stored in English, shown in the user's language: provides.py).
PROTECTED_IDENTITY_SHOWN = "protected identity shown"
EMERGENCY_ACCESS_OPENED = "emergency access opened"
NUMBER_FOUND_AT_REGISTRATION = "identity number found outside the user's sight at registration"
NUMBER_FOUND_AT_EDIT = "identity number of another client given when editing"
ENROLLED_EXISTING = "enrolled a person found in the registry"
JOURNAL_PRINTED = "journal printed"


def log_read(request, client, *, detail=""):
    """Record that request.user is being shown client's record in the current view. While the
    user holds an open emergency access to the client, the read is logged as emergency access
    with its reason, for the manager's review."""
    emergency = access.open_emergency_access(request.user, client)
    return audit.record(
        request,
        kind=AccessKind.EMERGENCY if emergency else AccessKind.READ,
        client=client,
        detail=detail,
        sealed=client.register == Register.KAST,
        protected_identity=client.protected_identity,
        emergency=emergency,
    )


def log_emergency_opened(request, emergency):
    """Record the opening of an emergency access, with its reason: it is reviewed even if
    nothing is read under it."""
    return audit.record(
        request,
        kind=AccessKind.EMERGENCY,
        client=emergency.client,
        detail=EMERGENCY_ACCESS_OPENED,
        sealed=emergency.client.register == Register.KAST,
        protected_identity=emergency.client.protected_identity,
        emergency=emergency,
    )


def log_search(request, term, *, client=None, flagged=False, registers=None):
    """Record a search (and the client it showed, if one). The term is kept unless it may be
    an identity number (which never goes into a log).

    The row is sealed for KAST only when it could tell of a KAST client: it names one, or it
    is a search that looked in KAST's register (registers: the registers searched; by default
    those the user sees, KAST's for KAST staff). An emergency look-up in the main register by
    someone who also works in KAST is reviewed like anyone's."""
    term = (term or "").strip()
    if client is not None:
        sealed = client.register == Register.KAST
    elif registers is not None:
        sealed = Register.KAST in registers
    else:
        sealed = UnitCode.KAST in access.user_units(request.user)
    return audit.record(
        request,
        kind=AccessKind.SEARCH,
        client=client,
        detail="" if audit.may_hold_identity_number(term) else term,
        protected_identity=bool(client and client.protected_identity),
        sealed=sealed,
        flagged=flagged,
    )


# The most rows a client's log extract shows.
EXTRACT_LIMIT = 5000


def _client_log(user, client):
    """The rows of the client and of the duplicates merged into it, as `user` may review
    them (KAST's sealed rows only for a manager who works in KAST)."""
    ids = [client.pk, *client.tombstones.values_list("pk", flat=True)]
    return AccessLog.objects.reviewable_by(user).filter(client_id__in=ids)


def access_log_years(user, client):
    """The years, newest first, in which the client's record was read (as `user` may review
    the log): an index range per client, however large the log."""
    return [day.year for day in _client_log(user, client).dates("at", "year", order="DESC")]


def access_log_extract(user, client, *, limit=EXTRACT_LIMIT, year=None):
    """The client's access-log extract as `user` may review it: (rows, truncated). Rows are
    the reads of the client and of the duplicates merged into it, oldest first, repeated
    reads grouped (group_repeated); KAST's sealed rows only for a manager who works in KAST;
    of one (local) year, or of all. truncated: there were more than `limit` rows."""
    rows = _client_log(user, client)
    if year is not None:
        rows = rows.filter(at__year=year)
    rows = rows.select_related("user", "emergency").order_by("at")
    fetched = list(rows[: limit + 1])
    return group_repeated(fetched[:limit]), len(fetched) > limit
