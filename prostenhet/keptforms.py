"""A form the user was sending when their session ended: kept for them, and put back into the
form on the page they come back to after logging in again, instead of being lost.

IdleTimeoutMiddleware calls keep() when a POST arrives just after it ended the session; the
fields wait in the new (logged-out) session, which logging in keeps (Django's login() cycles
the key of a session without a user; so does the second factor). KeptFormMiddleware calls
take() on the first request of the user once fully logged in again; the layout gives the fields
to static/js/app.js, which fills the form. Nothing is sent again without the user.

Kept: the posted fields of a form whose CSRF token is valid, not files, not the CSRF token, not
fields named like a password, a token or a one-time code; nothing over MAX_CHARS. The fields
are never logged."""

import re
import time
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib import messages
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .audit import may_hold_identity_number

SESSION_KEY = "kept_form"
# A form with more text than this is not kept (the session is no store for documents).
MAX_CHARS = 100_000
NOT_KEPT = re.compile("password|token|otp", re.IGNORECASE)
CSRF_FIELD = "csrfmiddlewaretoken"
# Fields that belong to one load of a page, not to what was written: a draft page's editor
# token and its saves' numbers (the page after logging in has its own; the old ones would make
# its saves look like late saves of the old page, and be dropped).
PAGE_LOAD_FIELDS = {"editor", "seq"}


class _CsrfCheck(CsrfViewMiddleware):
    """Django's CSRF check, answering whether a request passes it: a refusal here shows no
    failure page and writes no log line (the request goes to the login page either way)."""

    def _reject(self, request, reason):
        return reason or "rejected"


_csrf_check = _CsrfCheck(lambda request: None)


def keep(request, user):
    """Keep the fields of the form `user` posted in `request`, whose session has just ended
    (logout() done), in the new session. Returns the address of the page the form was on, for
    the login to lead back to; None when nothing was kept: not a form a logged-in user sends,
    a CSRF token that does not pass, no fields, or too much text."""
    if request.method != "POST" or not _is_logged_in_view(request.path_info):
        return None
    if _csrf_check.process_view(request, None, (), {}) is not None:
        return None
    fields = [
        [name, value]
        for name, values in request.POST.lists()
        if name != CSRF_FIELD and name not in PAGE_LOAD_FIELDS and not NOT_KEPT.search(name)
        for value in values
    ]
    if not fields or sum(len(name) + len(value) for name, value in fields) > MAX_CHARS:
        return None
    path, page = _page_of(request)
    request.session[SESSION_KEY] = {
        "path": path, "action": request.path, "user": str(user.pk),
        "saved_at": int(time.time()), "fields": fields,
    }
    return page


def take(request):
    """The form kept for the logged-in user of `request` on this page ({action, fields}),
    once: a GET of the page the form was on. Any other request but a fragment's (htmx: a
    panel refreshing itself in another tab) takes the kept form out of the session too:
    another user's (a shared computer) is never shown, and one not taken on the first page
    after logging in is dropped. Adds a message that says what happened."""
    if request.htmx:
        return None
    kept = request.session.pop(SESSION_KEY, None)
    if (
        not kept
        or kept["user"] != str(request.user.pk)
        or request.method != "GET"
        or request.path != kept["path"]
        or time.time() - kept["saved_at"] > settings.SESSION_COOKIE_AGE
    ):
        return None
    messages.warning(request, _(
        "Du loggades ut innan det du skrev hann sparas. Det står kvar i formuläret nedan – "
        "kontrollera och spara igen."
    ))
    # The script fills only a form that sends to the same address (a page may have a form
    # per row: another row's must not get this one's fields).
    return {"action": kept.get("action", kept["path"]), "fields": kept["fields"]}


def _is_logged_in_view(path):
    """Whether the address is a view for logged-in users (not the language switch or the
    login, whose POSTs are no work to keep)."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return getattr(match.func, "login_required", True)


def _page_of(request):
    """(path, full address) of the page the form was on: the Referer when it is of this site
    (a form may post to another address than its page's, one that answers only POSTs), else
    the address posted to. A query that may hold an identity number is left out."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        path, address, query = unquote(parts.path), parts.path, parts.query
    else:
        path, address = request.path, request.path
        query = request.META.get("QUERY_STRING", "")
    if query and not may_hold_identity_number(query):
        return path, f"{address}?{query}"
    return path, address
