"""The client picker of the booking forms (reception's and Spiralen's) and KAST's call form:
every client a user may book for is 6,000 in the reference data and ten times that in a few
more years, too many to list in a page (6,000 options were 450 kB and 85 ms a page). The
select lists the first PICKER_SIZE by alias, and the chosen client; a search field above it
(static/js/app.js) asks the form's options address (views.pickers.client_options_response)
for the clients whose alias begins with what is typed, and those replace the options. The
field's queryset, not the options shown, decides which client a form accepts."""

import uuid

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from prostenhet.forms import LongSelect

__all__ = ["PICKER_SIZE", "ClientPicker", "client_options", "use_client_picker"]

PICKER_SIZE = 100


def _label(alias, birth_year):
    return f"{alias} ({birth_year})" if birth_year else alias


def _public_id(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def client_options(clients, text="", selected=None, *, birth_year=True):
    """Up to PICKER_SIZE of `clients` (a Client queryset: those the user may pick) whose alias
    begins with `text` (folded: "åsa" finds "Åsa"), by alias, as (public id, label); the one
    `selected` names as well when it is one of `clients`. And whether more than those match.
    birth_year: whether a label gives the birth year after the alias (KAST's give the alias
    only)."""
    rows = clients.alias_prefix(text) if text.strip() else clients
    found = list(
        rows.order_by("alias_folded", "pk").values_list("public_id", "alias", "birth_year")
        [:PICKER_SIZE + 1]
    )
    more = len(found) > PICKER_SIZE
    found = found[:PICKER_SIZE]
    chosen = _public_id(selected) if selected else None
    if chosen and all(public_id != chosen for public_id, _alias, _year in found):
        found[:0] = clients.filter(public_id=chosen).values_list(
            "public_id", "alias", "birth_year"
        )
    return [
        (str(public_id), _label(alias, year if birth_year else None))
        for public_id, alias, year in found
    ], more


class ClientPicker(LongSelect):
    """A select of the first clients and the chosen one, with a search field that finds the
    others (use_client_picker sets which clients and where to search)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.clients = None
        self.search_url = ""
        self.empty_label = "—"
        self.birth_year = True

    def render(self, name, value, attrs=None, renderer=None):
        selected = next(iter(self.format_value(value)), "")
        options, more = client_options(self.clients, selected=selected,
                                       birth_year=self.birth_year)
        self.choices = [("", self.empty_label), *options]
        select = super().render(name, value, attrs, renderer)
        select_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        search_id = f"{select_id}_search"
        hint = _("Listan visar de %(count)s första i bokstavsordning: sök för att hitta fler.") % {
            "count": PICKER_SIZE
        } if more else _("Skriv början av ett alias för att korta listan.")
        return format_html(
            '<input type="search" id="{search_id}" class="form-control form-control-sm mb-1" '
            'autocomplete="off" spellcheck="false" maxlength="100" aria-label="{search_label}" '
            'placeholder="{placeholder}" aria-describedby="{search_id}_hint" '
            'aria-controls="{select_id}" data-client-search="{url}" '
            'data-client-select="{select_id}" data-client-search-failed="{failed}">'
            '{select}'
            '<div id="{search_id}_hint" class="form-text">{hint}</div>'
            '<div id="{search_id}_status" class="visually-hidden" role="status"></div>',
            search_id=search_id, select_id=select_id, url=self.search_url, select=select,
            search_label=_("Sök på alias"), placeholder=_("Sök på alias …"), hint=hint,
            failed=_("Sökningen gick inte att göra. Ladda om sidan och försök igen."),
        )


def use_client_picker(field, clients, search_url, *, empty_label="—", birth_year=True):
    """Set which `clients` a field's ClientPicker lists and where it searches them."""
    widget = field.widget
    if not isinstance(widget, ClientPicker):
        raise TypeError(f"{field!r} has no ClientPicker")
    widget.clients = clients
    widget.search_url = search_url
    widget.empty_label = empty_label
    widget.birth_year = birth_year
