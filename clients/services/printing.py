"""The printed journal (DESIGN §5, issue 12): one client's journal in one unit, every signed
entry in date order with its event date, date written, author, profession and signature, what
the unit's app records with it, and each correction directly under the entry it corrects.
Drafts are not part of the record and are never printed. The same content makes the printable
page and the PDF (prostenhet.pdf)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet import pdf, registry, retention
from prostenhet.lib import personnummer
from prostenhet.templatetags.prostenhet import when

from ..models import JournalEntry


@dataclass
class PrintedEntry:
    entry: JournalEntry
    heading: str
    fields: list = field(default_factory=list)  # [(label, value)], already translated
    corrects: JournalEntry | None = None  # the original, when this is a correction
    corrected: bool = False
    indent: bool = False

    @property
    def status(self):
        if self.corrects is not None:
            return _("Rättar anteckning från %(date)s") % {"date": when(self.corrects.event_date)}
        return _("Rättad") if self.corrected else ""


@dataclass
class PrintedJournal:
    client: object
    journal: object
    header: list  # [(label, value)]
    entries: list  # [PrintedEntry] in print order
    printed_by: object
    printed_at: object

    @property
    def title(self):
        return _("Journal: %(unit)s") % {"unit": self.journal.get_unit_display()}

    def filename(self):
        return f"journal-{self.journal.unit}-{when(self.printed_at, 'date')}.pdf"

    def document(self):
        """The journal as a prostenhet.pdf.Document."""
        items = [
            pdf.Item(
                heading=" – ".join(part for part in (printed.heading, printed.status) if part),
                meta=printed.fields, text=printed.entry.text, indent=printed.indent,
            )
            for printed in self.entries
        ]
        note = "" if items else _("Inga signerade anteckningar.")
        return pdf.Document(
            title=self.title, subtitle=self.client.alias, meta=self.header,
            sections=[pdf.Section(_("Signerade anteckningar"), items=items, note=note)],
            footer=_("%(title)s · %(alias)s · utskriven %(at)s · innehåller uppgifter som "
                     "omfattas av sekretess") % {
                "title": self.title, "alias": self.client.alias, "at": when(self.printed_at)},
        )


def profession_of(staff):
    """What the author is, as the app shows it: the clinician's profession, else the roles."""
    if staff.profession:
        return str(staff.get_profession_display())
    return ", ".join(str(role.label) for role in staff.roles)


def print_journal(client, journal, *, by, show_identity):
    """The printed journal of client in journal's unit, for `by` (who may read the journal:
    the caller checked it). show_identity: whether legal name and identity number print."""
    entries = list(
        JournalEntry.objects.signed()
        .filter(journal__client=client, journal__unit=journal.unit)
        .select_related("author", "signed_by", "corrects")
        .prefetch_related(Prefetch("author__groups"))
        .order_by("event_date", "written_at", "pk")
    )
    details = [d for d in registry.journal_entry_details if d.unit == journal.unit]
    loaded = [(d, d.load(entries)) for d in details] if entries else []
    signed = {entry.pk for entry in entries}
    corrections = {}
    for entry in entries:
        if entry.corrects_id in signed:
            corrections.setdefault(entry.corrects_id, []).append(entry)

    printed = []

    def add(entry, depth):
        extra = []
        for detail, found in loaded:
            if entry.pk in found and detail.print_fields:
                extra += detail.print_fields(found[entry.pk])
        printed.append(PrintedEntry(
            entry=entry,
            heading=f"{entry.get_kind_display()} {when(entry.event_date)}",
            fields=_entry_fields(entry) + extra,
            corrects=entry.corrects if entry.corrects_id else None,
            corrected=entry.pk in corrections,
            indent=depth > 0,
        ))
        for correction in corrections.get(entry.pk, []):
            add(correction, depth + 1)

    for entry in entries:
        if entry.corrects_id not in signed:
            add(entry, 0)
    now = timezone.now()
    return PrintedJournal(
        client=client, journal=journal, entries=printed, printed_by=by, printed_at=now,
        header=_header(client, journal, by=by, at=now, show_identity=show_identity),
    )


def _entry_fields(entry):
    fields = [
        (_("Händelsedatum"), when(entry.event_date)),
        (_("Skriven"), when(entry.written_at)),
        (_("Författare"), str(entry.author)),
    ]
    if profession := profession_of(entry.author):
        fields.append((_("Yrke"), profession))
    fields.append((_("Signerad"), _("%(at)s av %(by)s") % {
        "at": when(entry.signed_at), "by": entry.signed_by or entry.author}))
    if entry.themes:
        fields.append((_("Teman"), ", ".join(str(t) for t in entry.theme_labels)))
    if entry.methods:
        fields.append((_("Metod"), ", ".join(str(m) for m in entry.method_labels)))
    return fields


def _header(client, journal, *, by, at, show_identity):
    header = [(_("Klient (alias)"), client.alias)]
    if client.protected_identity and not show_identity:
        header.append((_("Skyddade personuppgifter"), _("namn och personnummer skrivs inte ut")))
    else:
        if client.legal_name:
            header.append((_("Namn"), client.legal_name))
        if client.identity_number:
            header.append((_("Personnummer"), personnummer.display(client.identity_number)))
    header += [
        (_("Verksamhetsdel"), str(journal.get_unit_display())),
        (_("Journalens art"), retention.record_kind_label(journal.unit)),
        (_("Utskriven av"), str(by)),
        (_("Utskriven"), when(at)),
    ]
    return header

