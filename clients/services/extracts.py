"""The client's register extract (registerutdrag, GDPR art. 15; issue 12): what the units
hold about one client, produced within the producer's rights (access.extract_units), reviewed
for secrecy item by item and passage by passage, then released. What is released is kept as
printed (RegisterExtract.content, the withheld parts already out), so that the printable page
and the PDF show exactly what the client was given and nothing changes after the release.

The content is a list of ExtractSection: the registry data (client row, enrollments,
consents), then one section per covered unit with the signed journal entries (each correction
under what it corrects), bookings, visits, referrals, the counselling queue, session contracts
and goals, and what the unit apps register in prostenhet.registry.extract_parts; last the
client's access-log extract when the producer may review the access log. One or a few
queries per kind, whatever the size of the record."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet import pdf, registry
from prostenhet.exceptions import DomainError
from prostenhet.lib import personnummer
from prostenhet.registry import ExtractItem
from prostenhet.roles import UnitCode
from prostenhet.templatetags.prostenhet import when

from .. import access, audit
from ..models import (
    Booking,
    Consent,
    ExtractWithholding,
    Goal,
    JournalEntry,
    QueueEntry,
    Referral,
    RegisterExtract,
    SessionContract,
    Visit,
    WithholdingReason,
)
from .printing import profession_of

__all__ = [
    "ExtractSection", "build_extract", "create_extract", "pdf_filename", "release",
    "released_document", "undo_withholding", "withhold",
]

PASSAGE_MARK = "[…]"


@dataclass
class ExtractSection:
    """A part of the extract: the registry data (unit ""), a unit's record, the access log.
    indented: keys of items shown under the item before them (a correction)."""

    key: str
    heading: str
    unit: str = ""
    items: list = field(default_factory=list)
    indented: set = field(default_factory=set)
    note: str = ""


# --- producing, reviewing, releasing ---------------------------------------------------------


def _ordered_units(units):
    return [unit.value for unit in UnitCode if unit in units]


@transaction.atomic
def create_extract(user, client, requested_on):
    """A new register extract of client by user, covering the units access.extract_units
    gives (refused when none). requested_on: the day the client asked (not in the future)."""
    units = access.extract_units(user, client)
    if not units:
        raise DomainError(_("Du kan inte ta fram ett registerutdrag för den här klienten."))
    if requested_on > timezone.localdate():
        raise DomainError(_("Dagen då klienten begärde utdraget kan inte ligga i framtiden."),
                          field="requested_on")
    return RegisterExtract.objects.create(
        client=client, units=_ordered_units(units), requested_on=requested_on,
        created_by=user, with_access_log=user.has_perm("prostenhet.review_access_log"),
    )


def _locked_unreleased(extract):
    """The extract's row, locked for the change; refused once it is released."""
    locked = RegisterExtract.objects.select_for_update().get(pk=extract.pk)
    if locked.is_released:
        raise DomainError(_("Utdraget är frisläppt och kan inte längre ändras."))
    return locked


@transaction.atomic
def withhold(user, extract, item_key, passage, reason, note=""):
    """Withhold an item of the extract (passage blank) or a passage of it (the exact text, as
    it stands in the item) from the client, for reason (WithholdingReason; OTHER needs a
    note). Refused once the extract is released."""
    extract = _locked_unreleased(extract)
    passage = (passage or "").strip()
    note = (note or "").strip()
    if reason not in WithholdingReason.values:
        raise DomainError(_("Välj ett skäl."), field="reason")
    if reason == WithholdingReason.OTHER and not note:
        raise DomainError(_("Skriv vilket skäl det är."), field="note")
    item = next((i for s in build_extract(extract) for i in s.items if i.key == item_key), None)
    if item is None:
        raise DomainError(_("Uppgiften finns inte i utdraget."))
    if passage and passage not in _searchable(item):
        raise DomainError(
            _("Texten finns inte i uppgiften. Klistra in exakt den text som ska undantas."),
            field="passage",
        )
    if ExtractWithholding.objects.filter(extract=extract, item_key=item_key, passage="").exists():
        raise DomainError(_("Hela uppgiften är redan undantagen."))
    return ExtractWithholding.objects.create(
        extract=extract, item_key=item_key, passage=passage, reason=reason, note=note, by=user,
    )


@transaction.atomic
def undo_withholding(user, withholding):
    """Take back a withholding (the item or passage is shown again). Refused once the
    extract is released."""
    _locked_unreleased(withholding.extract)
    withholding.delete()


@transaction.atomic
def release(user, extract, reviewed=None):
    """Release the reviewed extract: its content is kept as printed, with every withheld
    item and passage out, with who reviewed it and who released it when. Nothing of it
    changes after; a second release is refused. reviewed: the digest of what the reviewer
    saw; the release is refused if the extract has changed since."""
    locked = RegisterExtract.objects.select_for_update().get(pk=extract.pk)
    if locked.is_released:
        raise DomainError(_("Utdraget är redan frisläppt."))
    sections = build_extract(locked)
    if reviewed is not None and reviewed != digest(sections):
        raise DomainError(_("Utdraget har ändrats sedan du granskade det (nya uppgifter har "
                            "tillkommit). Granska det igen innan det frisläpps."))
    now = timezone.now()
    locked.released_by = user
    locked.released_at = now
    locked.content = _released_content(locked, sections, user=user, at=now)
    locked.version += 1
    locked.save(update_fields=["released_by", "released_at", "content", "version"])
    return locked


def digest(sections):
    """A digest of every item of the record the extract shows (key and text), to tell
    whether it changed between the review and the release. The access log is left out: it
    grows with every read, the review's own included."""
    hashed = hashlib.sha256()
    for section in sections:
        if section.key == "access-log":
            continue
        for item in section.items:
            fields = "\x00".join(f"{label}={value}" for label, value in item.fields)
            hashed.update(f"{item.key}\x00{item.text}\x00{fields}\x01".encode())
    return hashed.hexdigest()


def _reviewers(extract, releaser):
    names = []
    for withholding in extract.withholdings.select_related("by"):
        if str(withholding.by) not in names:
            names.append(str(withholding.by))
    if str(releaser) not in names:
        names.append(str(releaser))
    return names


def _released_content(extract, sections, *, user, at):
    withholdings = list(extract.withholdings.all())
    whole = {w.item_key: w for w in withholdings if not w.passage}
    passages = {}
    for withholding in withholdings:
        if withholding.passage:
            passages.setdefault(withholding.item_key, []).append(withholding.passage)
    printed = []
    for section in sections:
        items = []
        for item in section.items:
            indent = item.key in section.indented
            if item.key in whole:
                items.append({
                    "heading": withheld_notice(whole[item.key]), "meta": [], "text": "",
                    "indent": indent, "withheld": True,
                })
                continue
            cut = passages.get(item.key, [])
            items.append({
                "heading": _redact(item_heading(item), cut),
                "meta": [[label, _redact(value, cut)] for label, value in item_fields(item)],
                "text": _redact(item.text, cut),
                "indent": indent,
                "withheld": bool(cut),
            })
        printed.append({"heading": section.heading, "note": section.note, "items": items,
                        "unit": section.unit})
    client = extract.client
    return {
        "title": _("Registerutdrag"),
        "subtitle": client.alias,
        "meta": [
            [_("Klient (alias)"), client.alias],
            [_("Verksamhetsdelar"), ", ".join(str(UnitCode(u).label) for u in extract.units)],
            [_("Begärt av klienten"), when(extract.requested_on)],
            [_("Framtaget av"), f"{extract.created_by} {when(extract.created_at)}"],
            [_("Sekretessprövat av"), ", ".join(_reviewers(extract, user))],
            [_("Frisläppt av"), f"{user} {when(at)}"],
        ],
        "sections": printed,
        "footer": _("Registerutdrag för %(alias)s · frisläppt %(at)s") % {
            "alias": client.alias, "at": when(at, "date")},
    }


def released_document(extract):
    """The released extract as a prostenhet.pdf.Document (what the printable page shows)."""
    content = extract.content
    return pdf.Document(
        title=content["title"], subtitle=content["subtitle"],
        meta=[tuple(pair) for pair in content["meta"]],
        sections=[
            pdf.Section(
                heading=section["heading"], note=section["note"],
                items=[
                    pdf.Item(heading=item["heading"], meta=[tuple(pair) for pair in item["meta"]],
                             text=item["text"], indent=item["indent"])
                    for item in section["items"]
                ],
            )
            for section in content["sections"]
        ],
        footer=content["footer"],
    )


def pdf_filename(extract):
    return f"registerutdrag-{when(extract.released_at, 'date')}.pdf"


def _redact(value, passages):
    for passage in passages:
        value = value.replace(passage, PASSAGE_MARK)
    return value


def withheld_notice(withholding):
    return _("Uppgift undantagen enligt sekretess (%(reason)s)") % {
        "reason": withholding.get_reason_display()}


# --- how an item reads ------------------------------------------------------------------------


def display(value):
    """A field's value as printed."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    if isinstance(value, datetime | date):
        return when(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "–"
    return str(value)


def item_heading(item):
    day = when(item.day, "date") if isinstance(item.day, datetime) else when(item.day)
    title = str(item.title)
    kind = str(item.kind)
    name = title if not kind or title == kind else f"{kind}: {title}"
    return f"{day} {name}".strip() if day else name


def item_fields(item):
    return [(str(label), display(value)) for label, value in item.fields]


def _searchable(item):
    return "\n".join([item_heading(item), item.text, *(v for _l, v in item_fields(item))])


# --- the content -------------------------------------------------------------------------------


def build_extract(extract):
    """The extract's content as it stands now: [ExtractSection], only of extract.client and
    only of the units in extract.units."""
    client = extract.client
    units = [UnitCode(u) for u in extract.units]
    sections = [_registry_section(client, units)]
    by_unit = {
        unit: ExtractSection(key=f"unit:{unit}", heading=str(unit.label), unit=unit)
        for unit in units
    }
    _entries(client, units, by_unit)
    _bookings_and_visits(client, units, by_unit)
    _referrals(client, units, by_unit)
    _queue(client, units, by_unit)
    _contracts(client, units, by_unit)
    for part in registry.extract_parts:
        if part.unit in by_unit:
            by_unit[part.unit].items += part.items(client)
    for section in by_unit.values():
        if not section.items:
            section.note = _("Inga uppgifter.")
    sections += by_unit.values()
    sections.append(_access_log_section(extract))
    return sections


def _registry_section(client, units):
    protected = client.protected_identity
    masked = _("skyddad")

    def identifying(value):
        return masked if protected and value else value

    fields = [
        (_("Alias"), client.alias),
        (_("Namn"), identifying(client.legal_name)),
        (_("Personnummer"), identifying(
            personnummer.display(client.identity_number) if client.identity_number else "")),
        (_("Födelseår"), client.birth_year),
        (_("Kön"), client.get_gender_display()),
        (_("Född i Sverige"), client.get_born_in_sweden_display()),
        (_("Födelseland"), client.country_of_birth),
        (_("Språk"), client.languages),
        (_("Behöver tolk"), client.interpreter_needed),
        (_("Telefon"), identifying(client.phone)),
        (_("E-post"), identifying(client.email)),
        (_("Adress"), identifying(client.address)),
        (_("Skyddade personuppgifter"), client.protected_identity),
        (_("Registrerad"), client.created_at),
    ]
    items = [ExtractItem(
        key=f"clients.client:{client.pk}", unit="", kind=_("Registeruppgifter"),
        day=None, title=_("Registeruppgifter"), fields=tuple(fields),
    )]
    for enrollment in client.enrollments.filter(unit__in=units).order_by("started_on", "pk"):
        items.append(ExtractItem(
            key=f"clients.enrollment:{enrollment.pk}", unit=enrollment.unit,
            kind=_("Inskrivning"), day=enrollment.started_on,
            title=str(enrollment.get_unit_display()),
            fields=((_("Start"), enrollment.started_on), (_("Slut"), enrollment.ended_on)),
        ))
    # A consent names two units: only when the extract covers both.
    for consent in Consent.objects.filter(client=client, unit_a__in=units, unit_b__in=units):
        items.append(ExtractItem(
            key=f"clients.consent:{consent.pk}", unit="", kind=_("Samtycke"),
            day=consent.given_at, title=str(consent),
            fields=((_("Hur samtycket gavs"), consent.get_method_display()),
                    (_("Givet"), consent.given_at), (_("Återkallat"), consent.revoked_at)),
        ))
    return ExtractSection(key="registry", heading=_("Registeruppgifter"), items=items)


def _entries(client, units, by_unit):
    entries = list(
        JournalEntry.objects.signed()
        .filter(journal__client=client, journal__unit__in=units)
        .select_related("journal", "author", "signed_by", "corrects")
        .prefetch_related("author__groups")
        .order_by("event_date", "written_at", "pk")
    )
    signed = {entry.pk for entry in entries}
    corrections = {}
    for entry in entries:
        if entry.corrects_id in signed:
            corrections.setdefault(entry.corrects_id, []).append(entry)

    def add(entry, section, indent):
        fields = [
            (_("Händelsedatum"), entry.event_date),
            (_("Skriven"), entry.written_at),
            (_("Författare"), str(entry.author)),
            (_("Yrke"), profession_of(entry.author)),
            (_("Signerad"), _("%(at)s av %(by)s") % {
                "at": when(entry.signed_at), "by": entry.signed_by or entry.author}),
        ]
        if entry.themes:
            fields.append((_("Teman"), entry.theme_labels))
        if entry.methods:
            fields.append((_("Metod"), entry.method_labels))
        if entry.corrects_id:
            fields.append((_("Rättar"), _("anteckningen från %(date)s") % {
                "date": when(entry.corrects.event_date)}))
        item = ExtractItem(
            key=f"clients.entry:{entry.pk}", unit=entry.journal.unit,
            kind=_("Journalanteckning"), day=entry.event_date,
            title=str(entry.get_kind_display()), fields=tuple(fields), text=entry.text,
        )
        section.items.append(item)
        if indent:
            section.indented.add(item.key)
        for correction in corrections.get(entry.pk, []):
            add(correction, section, True)

    for entry in entries:
        if entry.corrects_id not in signed:
            add(entry, by_unit[entry.journal.unit], False)


def _bookings_and_visits(client, units, by_unit):
    bookings = Booking.objects.filter(client=client, unit__in=units).select_related(
        "staff", "room"
    ).order_by("starts_at", "pk")
    for booking in bookings:
        by_unit[booking.unit].items.append(ExtractItem(
            key=f"clients.booking:{booking.pk}", unit=booking.unit, kind=_("Bokning"),
            day=booking.starts_at, title=str(booking.get_kind_display()),
            fields=(
                (_("Tid"), f"{when(booking.starts_at)}–{when(booking.ends_at, 'time')}"),
                (_("Status"), booking.get_status_display()),
                (_("Personal"), str(booking.staff or "")),
                (_("Rum"), str(booking.room or "")),
                (_("Tolk, språk"), booking.interpreter_language),
            ),
        ))
    for visit in Visit.objects.filter(client=client, unit__in=units).order_by("arrived_at", "pk"):
        by_unit[visit.unit].items.append(ExtractItem(
            key=f"clients.visit:{visit.pk}", unit=visit.unit, kind=_("Besök"),
            day=visit.arrived_at, title=str(visit.get_purpose_display()),
            fields=((_("Kom"), visit.arrived_at), (_("Togs emot"), visit.taken_in_at),
                    (_("Avslutat"), visit.closed_at)),
        ))


def _referrals(client, units, by_unit):
    referrals = Referral.objects.filter(client=client).filter(
        Q(from_unit__in=units) | Q(to_unit__in=units)
    ).order_by("sent_at", "pk")
    for referral in referrals:
        unit = referral.from_unit if referral.from_unit in by_unit else referral.to_unit
        by_unit[unit].items.append(ExtractItem(
            key=f"clients.referral:{referral.pk}", unit=unit, kind=_("Remiss"),
            day=referral.sent_at, title=str(referral),
            fields=((_("Status"), referral.get_state_display()),
                    (_("Skickad"), referral.sent_at), (_("Besvarad"), referral.handled_at),
                    (_("Skäl"), referral.decline_reason), (_("Avslutad"), referral.closed_at)),
            text=referral.message,
        ))


def _queue(client, units, by_unit):
    if UnitCode.COUNSELLING not in by_unit:
        return
    for entry in QueueEntry.objects.filter(client=client).order_by("added_on", "pk"):
        by_unit[UnitCode.COUNSELLING].items.append(ExtractItem(
            key=f"clients.queue:{entry.pk}", unit=UnitCode.COUNSELLING,
            kind=_("Kö till bearbetande samtal"), day=entry.added_on, title=_("Köplats"),
            fields=((_("Satt i kö"), entry.added_on),
                    (_("Kommer från"), entry.get_source_display()),
                    (_("Språk"), entry.language), (_("Behöver tolk"), entry.interpreter_needed),
                    (_("Önskar behandlare"), entry.get_counsellor_gender_display()),
                    (_("Lämnade kön"), entry.left_at),
                    (_("Skäl"), entry.get_left_reason_display())),
        ))


def _contracts(client, units, by_unit):
    contracts = SessionContract.objects.filter(
        journal__client=client, journal__unit__in=units
    ).select_related("journal", "counsellor", "room").order_by("starts_on", "pk")
    goals = {}
    for goal in Goal.objects.filter(
        contract__journal__client=client, contract__journal__unit__in=units
    ).order_by("created_at", "pk"):
        goals.setdefault(goal.contract_id, []).append(goal)
    for contract in contracts:
        section = by_unit[contract.journal.unit]
        section.items.append(ExtractItem(
            key=f"clients.contract:{contract.pk}", unit=contract.journal.unit,
            kind=_("Samtalskontrakt"), day=contract.starts_on,
            title=f"{contract.get_term_half_display()} {contract.term_year}",
            fields=((_("Behandlare"), str(contract.counsellor)),
                    (_("Tid"), f"{contract.get_weekday_display()} {contract.start_time:%H:%M}"),
                    (_("Rum"), str(contract.room or "")), (_("Från"), contract.starts_on),
                    (_("Till och med"), contract.ends_on), (_("Avslutat"), contract.ended_on),
                    (_("Skäl"), contract.end_reason)),
        ))
        for goal in goals.get(contract.pk, []):
            section.items.append(ExtractItem(
                key=f"clients.goal:{goal.pk}", unit=contract.journal.unit, kind=_("Mål"),
                day=goal.created_at, title=_("Mål"),
                fields=((_("Status"), goal.get_status_display()),
                        (_("Utvärdering"), goal.get_outcome_display()),
                        (_("Utvärderat"), goal.evaluated_at), (_("Kommentar"), goal.comment)),
                text=goal.text,
            ))
            section.indented.add(f"clients.goal:{goal.pk}")


def _access_log_section(extract):
    section = ExtractSection(key="access-log", heading=_("Loggutdrag"))
    if not extract.with_access_log:
        section.note = _("Loggutdraget (vilka i personalen som har läst uppgifterna) tas fram "
                         "av enhetschefen.")
        return section
    rows, truncated = audit.access_log_extract(extract.created_by, extract.client)
    for row in rows:
        what = f"{row.get_kind_display()}: {registry.view_labels.label(row.view)}"
        fields = [(_("Vad"), what), (_("Antal"), row.count)]
        if row.count > 1:
            fields.append((_("Till"), row.last_at))
        section.items.append(ExtractItem(
            key=f"prostenhet.accesslog:{row.first.pk}", unit="", kind="",
            day=row.at, title=f"{when(row.at, 'time')} {row.user}", fields=tuple(fields),
            text=row.emergency.reason if row.emergency else "",
        ))
    if truncated:
        section.note = _("Utdraget visar de första 5 000 raderna.")
    elif not rows:
        section.note = _("Ingen har läst uppgifterna.")
    return section
