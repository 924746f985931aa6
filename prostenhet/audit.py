"""Read-access logging (DESIGN §4): every view that shows personal data records who read which
client's record, in which view, when — before the page is shown. If the row cannot be written
the exception propagates and the page is not shown (fail closed).

This module writes rows; what a row says about a client (sealed, protected identity, under an
emergency access) is decided by the app that shows the record (clients/audit.py)."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from auditlog.context import auditlog_value

from .models import AccessKind, AccessLog, SecurityEvent, SecurityEventKind

__all__ = [
    "AccessKind", "SecurityEventKind", "group_repeated", "may_hold_identity_number", "record",
    "security_event",
]

# Reads of one record by one person this close together are one visit in an extract.
REPEAT_WINDOW = timedelta(minutes=10)


def record(request, *, kind, client=None, detail="", sealed=False, protected_identity=False,
           emergency=None, flagged=False):
    """Write one access-log row for request.user in the current view."""
    return AccessLog.objects.create(
        user=request.user,
        client=client,
        kind=kind,
        view=request.resolver_match.view_name if request.resolver_match else "",
        detail=detail[:200],
        sealed=sealed,
        protected_identity=protected_identity,
        emergency=emergency,
        flagged=flagged,
    )


def security_event(kind, *, target, actor, detail=""):
    """Record a change to target's account, its means of access or its rights, by actor (None:
    the system or a command). The address is the request's, as the change log has it."""
    try:
        address = auditlog_value.get().get("remote_addr")
    except LookupError:  # outside a request (a management command)
        address = None
    return SecurityEvent.objects.create(
        kind=kind, target=target, actor=actor, detail=detail[:200], address=address or None
    )


def may_hold_identity_number(term):
    """Six digits or more could be (part of) an identity number: never log such a term."""
    return len(re.findall(r"\d", term or "")) >= 6


@dataclass
class GroupedRow:
    """Consecutive rows of one person, kind, view and emergency access within REPEAT_WINDOW
    of each other: shown as one row with a count."""

    first: object
    last_at: datetime
    count: int = 1

    def __getattr__(self, name):
        return getattr(self.first, name)


def group_repeated(rows, window=REPEAT_WINDOW):
    """Group rows (in time order) that repeat a read by the same person in the same view
    within `window` of the previous one."""
    groups = []
    open_groups = {}
    for row in rows:
        key = (row.user_id, row.kind, row.view, row.emergency_id)
        group = open_groups.get(key)
        if group is not None and row.at - group.last_at <= window:
            group.count += 1
            group.last_at = row.at
            continue
        group = GroupedRow(first=row, last_at=row.at)
        open_groups[key] = group
        groups.append(group)
    return groups
