"""Outreach's rows in a client's register extract (GDPR art. 15): the street contacts with the
client (also those noted under the team's nickname once it was linked to the client) and the
support actions recorded with the outreach journal's signed entries. Registered in
registry.extract_parts (provides.py)."""

from django.db.models import Q
from django.utils.translation import gettext as _

from clients.models import EntryState
from prostenhet.registry import ExtractItem, ExtractPart
from prostenhet.roles import UnitCode

from .models import Contact, SupportAction

UNIT = UnitCode.OUTREACH


def items(client):
    """The client's outreach rows as ExtractItems: two queries, whatever their number."""
    found = []
    contacts = Contact.objects.filter(
        Q(client=client) | Q(client__isnull=True, nickname__client=client)
    ).select_related("shift").order_by("at", "pk")
    for contact in contacts:
        found.append(ExtractItem(
            key=f"outreach.contact:{contact.pk}", unit=UNIT, kind=_("Kontakt i uppsökande arbete"),
            day=contact.at, title=_("Första kontakt") if contact.first_contact else _("Kontakt"),
            fields=(
                (_("Tid"), contact.at),
                (_("Språk"), contact.language),
                (_("Erbjudet"), contact.offered_labels),
                (_("Utfall"), contact.get_outcome_display()),
            ),
            text=contact.note,
        ))
    actions = SupportAction.objects.filter(
        entry__journal__client=client, entry__journal__unit=UNIT, entry__state=EntryState.SIGNED
    ).select_related("entry").order_by("entry__event_date", "pk")
    for action in actions:
        found.append(ExtractItem(
            key=f"outreach.support:{action.pk}", unit=UNIT, kind=_("Stöd och samordning"),
            day=action.entry.event_date, title=str(action.get_kind_display()),
            fields=((_("Myndighet eller organisation"), action.get_authority_display()),),
        ))
    return found


PART = ExtractPart(key="outreach", unit=UNIT, items=items, order=30)
