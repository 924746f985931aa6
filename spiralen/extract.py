"""The clinic's rows in a client's register extract (GDPR art. 15): what each signed
encounter recorded besides its text (kind, actions, samples ordered), the samples with their
results, and the clinic appointments. Registered in registry.extract_parts (provides.py)."""

from django.utils.translation import gettext as _

from clients.models import EntryState
from prostenhet.registry import ExtractItem, ExtractPart
from prostenhet.roles import UnitCode

from .models import Appointment, Encounter, Sample

UNIT = UnitCode.SPIRALEN


def items(client):
    """The client's clinic rows as ExtractItems: three queries, whatever their number."""
    found = []
    encounters = Encounter.objects.filter(
        entry__journal__client=client, entry__journal__unit=UNIT, entry__state=EntryState.SIGNED
    ).select_related("entry").order_by("entry__event_date", "entry__written_at", "pk")
    for encounter in encounters:
        found.append(ExtractItem(
            key=f"spiralen.encounter:{encounter.pk}", unit=UNIT, kind=_("Mottagningsbesök"),
            day=encounter.entry.event_date, title=str(encounter.get_kind_display()),
            fields=(
                (_("Undersökningen erbjöds men sköts upp"), encounter.examination_postponed),
                (_("Prover"), encounter.sample_labels),
            ),
            text=encounter.actions,
        ))
    samples = Sample.objects.filter(journal__client=client, journal__unit=UNIT).select_related(
        "taken_by", "result_by"
    ).order_by("taken_at", "pk")
    for sample in samples:
        found.append(ExtractItem(
            key=f"spiralen.sample:{sample.pk}", unit=UNIT, kind=_("Prov"),
            day=sample.taken_at, title=str(sample.get_kind_display()),
            fields=(
                (_("Status"), sample.get_state_display()),
                (_("Taget"), sample.taken_at),
                (_("Taget av"), str(sample.taken_by)),
                (_("Skickat"), sample.sent_at),
                (_("Svar"), sample.get_result_display()),
                (_("Svar registrerat"), sample.result_at),
                (_("Patienten informerad"), sample.informed_at),
                (_("Hur"), sample.get_informed_how_display()),
                (_("Uppföljningsplan"), sample.follow_up_plan),
                (_("Smittskyddsanmälan gjord"), sample.notified_on),
            ),
            text=sample.result_text,
        ))
    appointments = Appointment.objects.filter(
        booking__client=client, booking__unit=UNIT
    ).select_related("booking", "booking__staff", "type").order_by("booking__starts_at", "pk")
    for appointment in appointments:
        booking = appointment.booking
        found.append(ExtractItem(
            key=f"spiralen.appointment:{appointment.pk}", unit=UNIT, kind=_("Mottagningstid"),
            day=booking.starts_at, title=str(appointment.type),
            fields=(
                (_("Tid"), booking.starts_at),
                (_("Status"), booking.get_status_display()),
                (_("Personal"), str(booking.staff or "")),
            ),
        ))
    return found


PART = ExtractPart(key="spiralen", unit=UNIT, items=items, order=20)
