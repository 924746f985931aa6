"""The clinic's share of `manage.py benchmark` (registered in provides.py): ten years of the
clinic at the reference scale — a third of the clients are patients, with encounters, clinic
bookings of their types and samples, most long since answered and told, a few hundred waiting —
and the clinic's main pages to time."""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from clients.models import (
    Booking,
    BookingKind,
    BookingStatus,
    EntryKind,
    EntryState,
    Journal,
    JournalEntry,
)
from prostenhet import access as staff_access
from prostenhet.models import Unit, User
from prostenhet.roles import Profession, Role, UnitCode
from prostenhet.services import assign_roles

from .models import (
    Appointment,
    AppointmentType,
    ConsultationHours,
    Encounter,
    EncounterKind,
    InformedHow,
    Sample,
    SampleKind,
    SampleResult,
    SampleState,
)

# Ten years of the clinic (DESIGN §9 names no clinic figures: these are the unit's scale).
REFERENCE = {"patients": 2000, "encounters": 25_000, "samples": 40_000, "appointments": 20_000}
PENDING_SHARE = 0.01  # of the samples, still waiting for a result or to be told


def _clinician(username, profession):
    user = User.objects.create(username=username, first_name=username, profession=profession)
    assign_roles(user, [Role.CLINICIAN])
    user.units.set(Unit.objects.filter(code=UnitCode.SPIRALEN))
    staff_access.sync_staff_units(user)
    return user


def generate(scale, *, clients, login):
    """Write the clinic's rows for `scale` of the reference and return the pages to time:
    (label, method, url, data, browser)."""
    midwife = _clinician("bench-barnmorska", Profession.MIDWIFE)
    gynaecologist = _clinician("bench-gynekolog", Profession.GYNAECOLOGIST)
    today = timezone.localdate()
    now = timezone.now()
    for clinician, weekdays in [(midwife, [1, 2, 3, 4, 5]), (gynaecologist, [2, 4])]:
        for weekday in weekdays:
            ConsultationHours.objects.create(
                clinician=clinician, weekday=weekday, starts=time(8, 30), ends=time(16),
                valid_from=today - timedelta(days=3650), created_by=midwife,
            )
    n_patients = max(int(REFERENCE["patients"] * scale), 5)
    patients = clients[:n_patients]
    for client in patients:
        client_services.enroll(client, UnitCode.SPIRALEN, by=midwife)
    journals = {
        journal.client_id: journal
        for journal in Journal.objects.filter(unit=UnitCode.SPIRALEN, client__in=patients)
    }
    n_encounters = max(int(REFERENCE["encounters"] * scale), 10)
    entries = JournalEntry.objects.bulk_create(
        [
            JournalEntry(
                journal=journals[patients[i % n_patients].pk], unit=UnitCode.SPIRALEN,
                kind=EntryKind.VISIT, author=midwife, text="Provtagning enligt rutin. " * 8,
                state=EntryState.SIGNED, signed_by=midwife, signed_at=now,
                event_date=today - timedelta(days=(i * 3650) // n_encounters),
            )
            for i in range(n_encounters)
        ],
        batch_size=2000,
    )
    Encounter.objects.bulk_create(
        [Encounter(entry=entry, kind=EncounterKind.STI_TESTING, actions="Prover tagna.",
                   sample_kinds=[SampleKind.CHLAMYDIA, SampleKind.HIV]) for entry in entries],
        batch_size=2000,
    )
    n_samples = max(int(REFERENCE["samples"] * scale), 20)
    pending_every = max(int(1 / PENDING_SHARE), 1)
    kinds = [SampleKind.CHLAMYDIA, SampleKind.HIV]
    samples = []
    for i in range(n_samples):
        entry = entries[(i // 2) % n_encounters]
        taken = timezone.make_aware(datetime.combine(entry.event_date, time(11)))
        waiting = i % pending_every == 0
        # The waiting ones are recent: taken in the last six weeks.
        if waiting:
            taken = now - timedelta(days=(i // pending_every) % 42)
        answered = not waiting
        samples.append(Sample(
            journal_id=entry.journal_id, entry=entry, kind=kinds[i % 2], taken_by=midwife,
            taken_at=taken,
            state=SampleState.INFORMED if answered else (
                SampleState.SENT if i % 3 else SampleState.RESULT),
            sent_at=taken + timedelta(hours=4), sent_by=midwife,
            result=SampleResult.NEGATIVE if answered else (
                "" if i % 3 else SampleResult.POSITIVE),
            result_at=taken + timedelta(days=6) if answered or i % 3 == 0 else None,
            result_by=midwife if answered or i % 3 == 0 else None,
            informed_at=taken + timedelta(days=8) if answered else None,
            informed_by=midwife if answered else None,
            informed_how=InformedHow.PHONE if answered else "",
        ))
    # One sample of each kind per encounter (the unique constraint): the i // 2 pairing
    # above gives each encounter a chlamydia and an HIV sample until the encounters run out.
    seen, unique = set(), []
    for sample in samples:
        key = (sample.entry_id, sample.kind)
        if key not in seen:
            seen.add(key)
            unique.append(sample)
    Sample.objects.bulk_create(unique, batch_size=5000)

    types = list(AppointmentType.objects.filter(profession=Profession.MIDWIFE))
    n_appointments = max(int(REFERENCE["appointments"] * scale), 10)
    bookings, day = [], today + timedelta(days=14)
    while len(bookings) < n_appointments:
        if day.isoweekday() <= 5:
            for hour in (9, 10, 11, 13, 14, 15):
                starts = timezone.make_aware(datetime.combine(day, time(hour)))
                bookings.append(Booking(
                    unit=UnitCode.SPIRALEN, kind=BookingKind.VISIT,
                    client=patients[len(bookings) % n_patients], staff=midwife,
                    starts_at=starts, ends_at=starts + timedelta(minutes=30),
                    created_by=midwife,
                    status=BookingStatus.COMPLETED if starts < now else BookingStatus.BOOKED,
                ))
        day -= timedelta(days=1)
    bookings = Booking.objects.bulk_create(bookings[:n_appointments], batch_size=5000)
    Appointment.objects.bulk_create(
        [Appointment(booking=b, type=types[i % len(types)]) for i, b in enumerate(bookings)],
        batch_size=5000,
    )

    clinician_browser = login(midwife)
    patient = patients[0]
    return [
        ("start (clinician: follow-up)", "get", reverse("start"), None, clinician_browser),
        ("follow-up list", "get", reverse("spiralen:follow-up"), None, clinician_browser),
        ("patient record (Spiralen)", "get",
         reverse("spiralen:patient", args=[patient.public_id]), None, clinician_browser),
        ("clinic schedule, today", "get", reverse("spiralen:schedule"), None,
         clinician_browser),
        ("book: the form", "get", reverse("spiralen:book"), None, clinician_browser),
        ("book: first free times", "get", reverse("spiralen:book") + "?" + "&".join([
            f"type={types[0].pk}", f"client={patient.public_id}",
        ]), None, clinician_browser),
    ]
