"""Searches that survive Back, reload and new tabs without putting a term in a URL.

A search form POSTs (a term may be an identity number, which must never reach a URL, the
browser history or a server log). The view keeps what it found in the session under an opaque
key and redirects to a results page that names only the key (Post/Redirect/Get). What is kept
is the result (record ids) and, unless it could be an identity number, the term to show again.
"""

import secrets

from prostenhet.audit import may_hold_identity_number

SESSION_KEY = "searches"
KEEP = 20  # searches remembered per session, newest first


def remember(request, scope, **data):
    """Keep data for the scope's results page; returns the key to put in its URL."""
    key = secrets.token_urlsafe(9)
    kept = request.session.get(SESSION_KEY, {})
    kept[key] = {"scope": scope, **data}
    # Dicts keep insertion order: drop the oldest beyond KEEP.
    for old in list(kept)[:-KEEP]:
        del kept[old]
    request.session[SESSION_KEY] = kept
    return key


def recall(request, scope, key):
    """The data kept under key for this scope, or None (expired, another session's, forged)."""
    data = request.session.get(SESSION_KEY, {}).get(key or "")
    if not data or data.get("scope") != scope:
        return None
    return data


def shown_term(term):
    """The term as it may be kept and shown again: never one that may be an identity number."""
    term = (term or "").strip()
    return "" if may_hold_identity_number(term) else term
