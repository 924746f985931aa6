"""The options of a client picker (clients/forms/pickers.py): the clients whose alias begins
with what was typed, as <option>s for the picker's select. Each form's own view answers for
it, with its permission and its clients (bookings.booking_client_options, Spiralen's
book_client_options, KAST's call_client_options). Aliases (and birth years), as the picker
showed them: no read of a record; a search for something typed is logged as the client
list's searches are. POSTed, as the client list's searches are: what is typed may be an
identity number, which never goes into a URL."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import audit
from ..forms.pickers import PICKER_SIZE, client_options

# An alias is at most 100 characters: more searches for nothing.
MAX_SEARCH = 100


def client_options_response(request, clients, *, registers=None, birth_year=True):
    """The options of `clients` (those the user may pick) that match the search, and a first,
    empty one that says how many. registers: those `clients` are in, when not all the user
    sees (audit.log_search). `selected` (a public id) adds that client when the user may pick
    them: a form kept when the session ended puts back a client found by a search, who is
    not among the options the page starts with (static/js/app.js)."""
    text = request.POST.get("q", "")[:MAX_SEARCH]
    options, more = client_options(
        clients, text, selected=request.POST.get("selected"), birth_year=birth_year
    )
    if text.strip():
        audit.log_search(request, text, registers=registers)
    if more:
        first = _("— de %(count)s första träffarna: skriv mer för att hitta fler —") % {
            "count": PICKER_SIZE
        }
    elif options:
        first = ngettext("— %(count)s träff —", "— %(count)s träffar —", len(options)) % {
            "count": len(options)
        }
    else:
        first = _("— inga träffar —")
    return render(request, "clients/_client_options.html", {"first": first, "options": options})
