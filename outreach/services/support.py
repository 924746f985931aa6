"""Support and coordination (issue 10): what the outreach team does for a registered client —
booking a first clinic time (on Spiralen's booking page, which sends the shared Referral),
contacts with other authorities, accompanying the client to a meeting — is a signed entry in
the client's outreach journal with its date, and a SupportAction row saying which action and
with which authority. The journal pages show it through the registry's EntryDetail."""

from django.db import transaction
from django.db.models.signals import pre_delete
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import access
from clients import services as client_services
from clients.models import EntryKind, JournalEntry
from prostenhet import retention
from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

from ..models import Authority, SupportAction, SupportKind

__all__ = [
    "ENTRY_KIND",
    "record_support_action",
    "refuse_changing_signed_action",
    "support_details",
]

# The journal entry kind of each action.
ENTRY_KIND = {
    SupportKind.CLINIC_BOOKING: EntryKind.NOTE,
    SupportKind.AUTHORITY_CONTACT: EntryKind.CONTACT,
    SupportKind.ACCOMPANYING: EntryKind.VISIT,
    SupportKind.OTHER: EntryKind.NOTE,
}
# Actions that are done with an authority or organisation: it must be named.
WITH_AUTHORITY = frozenset({SupportKind.AUTHORITY_CONTACT, SupportKind.ACCOMPANYING})


@transaction.atomic
def record_support_action(*, journal, by, kind, text, event_date=None, authority=""):
    """Write and sign an entry in the client's outreach journal for a support action of
    `kind` (SupportKind) on event_date (not in the future), with the authority for a contact
    or a meeting. Returns the signed entry."""
    if journal.unit != UnitCode.OUTREACH:
        raise DomainError(_("Stöd och samordning skrivs i klientens journal i uppsökande "
                            "arbetet."))
    if not access.can_write_journal(by, journal):
        raise DomainError(_("Du kan inte skriva i den journalen."))
    if kind not in SupportKind.values:
        raise DomainError(_("Välj vilken stödinsats det gäller."), field="kind")
    if authority and authority not in Authority.values:
        raise DomainError(_("Välj en myndighet eller organisation i listan."), field="authority")
    if kind in WITH_AUTHORITY and not authority:
        raise DomainError(_("Ange vilken myndighet eller organisation det gäller."),
                          field="authority")
    event_date = event_date or timezone.localdate()
    if event_date > timezone.localdate():
        raise DomainError(_("Datumet kan inte vara i framtiden."), field="event_date")
    if not (text or "").strip():
        raise DomainError(_("Skriv kort vad som gjordes."), field="text")
    entry = client_services.save_draft(
        journal=journal, by=by, text=text.strip(), event_date=event_date,
        kind=ENTRY_KIND[SupportKind(kind)],
    )
    SupportAction.objects.create(entry=entry, kind=kind, authority=authority or "")
    return client_services.sign_entry(entry, by=by)


def refuse_changing_signed_action(sender, instance, signal=None, **kwargs):
    """pre_save/pre_delete of SupportAction: a signed entry's action never changes."""
    if instance.pk is None:
        return
    if signal is pre_delete and retention.is_weeding():
        return  # weeding (DESIGN §5): the one lawful delete
    if JournalEntry.objects.filter(pk=instance.entry_id).signed().exists():
        raise DomainError(_("Anteckningen är signerad: stödinsatsen kan inte ändras."))


def support_details(entries):
    """{entry pk: {"action": SupportAction}} for a page of outreach entries, one query
    (registry.journal_entry_details)."""
    return {
        action.entry_id: {"action": action}
        for action in SupportAction.objects.filter(entry__in=[e.pk for e in entries])
    }


def support_print_fields(detail):
    """The printed journal's lines of an entry's support action (as its _entry_detail.html)."""
    action = detail["action"]
    fields = [(_("Stödinsats"), action.get_kind_display())]
    if action.authority:
        fields.append((_("Myndighet eller organisation"), action.get_authority_display()))
    return fields
