"""Read-access logging (DESIGN §4): every view that shows a client, a journal or an entry
records who read which client's record, in which view, when — before the page is shown.
If the row cannot be written the exception propagates and the page is not shown (fail
closed)."""

import re

from .models import AccessKind, AccessLog


def log_read(request, client, *, detail=""):
    """Record that request.user is being shown client's record in the current view."""
    from prostenhet import access

    # While the user holds an open emergency access to the client, every read of the client
    # is logged as emergency access with its reason, for the manager's review.
    emergency = access.open_emergency_access(request.user, client)
    kind = AccessKind.EMERGENCY if emergency else AccessKind.READ
    return AccessLog.objects.create(
        user=request.user,
        client=client,
        kind=kind,
        sealed=client.register == "kast",
        view=request.resolver_match.view_name if request.resolver_match else "",
        detail=detail[:200],
        protected_identity=client.protected_identity,
        emergency=emergency if kind == AccessKind.EMERGENCY else None,
    )


def log_emergency_opened(request, emergency):
    """Record the opening of an emergency access, with its reason: it is reviewed even if
    nothing is read under it."""
    return AccessLog.objects.create(
        user=request.user,
        client=emergency.client,
        kind=AccessKind.EMERGENCY,
        view=request.resolver_match.view_name if request.resolver_match else "",
        detail="emergency access opened",
        protected_identity=emergency.client.protected_identity,
        sealed=emergency.client.register == "kast",
        emergency=emergency,
    )


def log_search(request, term, *, client=None):
    """Record a search (and the client it showed, if one). The term is kept unless it may be
    an identity number (which never goes into a log)."""
    from prostenhet import access
    from prostenhet.roles import UnitCode

    term = (term or "").strip()
    return AccessLog.objects.create(
        user=request.user,
        client=client,
        kind=AccessKind.SEARCH,
        view=request.resolver_match.view_name if request.resolver_match else "",
        detail="" if _may_hold_identity_number(term) else term[:200],
        protected_identity=bool(client and client.protected_identity),
        sealed=UnitCode.KAST in access.user_units(request.user)
        or bool(client and client.register == "kast"),
    )


def _may_hold_identity_number(term):
    # Six digits or more could be (part of) an identity number: never log such a term.
    return len(re.findall(r"\d", term)) >= 6
