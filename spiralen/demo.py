"""The clinic's demo data (seed_demo, after reception's): the clinicians' consultation hours and
a holiday, this week's clinic bookings as appointments of their types (the midwife's every day,
the gynaecologist's and the physician's on their days), and encounters of the last weeks with
samples in every state — some overdue — so that the follow-up list has something to show."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from clients import services as client_services
from clients.models import Booking, BookingKind, BookingStatus, Client, EntryKind, Room
from prostenhet.roles import Profession, UnitCode

from .models import (
    Appointment,
    AppointmentCode,
    AppointmentType,
    ConsultationHours,
    Encounter,
    EncounterKind,
    ExceptionReason,
    HoursException,
    InformedHow,
    Sample,
    SampleKind,
    SampleResult,
    SampleState,
)

# (demo username, weekdays, from, to)
HOURS = [
    ("barnmorska", [1, 2, 3, 4, 5], time(8, 30), time(16)),
    ("gynekolog", [2, 4], time(9), time(15)),
    ("lakare", [3], time(13), time(16)),
]

MIDWIFE_TYPES = [AppointmentCode.MIDWIFE_VISIT, AppointmentCode.STI_TESTING,
                 AppointmentCode.CONTRACEPTION]

FINDINGS = [
    "Kommer för provtagning efter ny partner. Inga symtom. Informerad om provsvar inom en "
    "till två veckor.",
    "Önskar gynekologisk undersökning men vill vänta till nästa besök. Samtal om oro inför "
    "undersökningen.",
    "Sveda vid miktion sedan en vecka. Provtagning enligt rutin.",
    "Uppföljande besök. Mår bättre. Samtal om preventivmedel och kondomanvändning.",
    "Rutinkontroll. Inga besvär. Önskar provtagning för hiv och syfilis.",
]
ACTIONS = [
    "Prover tagna. Kondomer och information om säkrare sex. Ny tid vid behov.",
    "Undersökningen erbjuden och uppskjuten på patientens begäran. Ny tid bokas.",
    "Prover tagna. Patienten ringer om svar.",
]

# The samples' demo story: (days since taken, kinds, where it is now, result).
SAMPLE_STORIES = [
    (2, [SampleKind.CHLAMYDIA, SampleKind.GONORRHOEA], SampleState.TAKEN, ""),
    (4, [SampleKind.HIV, SampleKind.SYPHILIS], SampleState.SENT, ""),
    # Overdue: sent twelve days ago, no chlamydia result yet.
    (12, [SampleKind.CHLAMYDIA], SampleState.SENT, ""),
    # Overdue: hepatitis sent three weeks ago.
    (21, [SampleKind.HEPATITIS_B, SampleKind.HEPATITIS_C], SampleState.SENT, ""),
    (9, [SampleKind.HIV], SampleState.RESULT, SampleResult.NEGATIVE),
    # Positive, the patient not told, no plan, not notified.
    (11, [SampleKind.CHLAMYDIA], SampleState.RESULT, SampleResult.POSITIVE),
    (16, [SampleKind.GONORRHOEA], SampleState.INFORMED, SampleResult.POSITIVE),
    (30, [SampleKind.CYTOLOGY], SampleState.INFORMED, SampleResult.NEGATIVE),
    (6, [SampleKind.PREGNANCY], SampleState.INFORMED, SampleResult.NEGATIVE),
    (20, [SampleKind.SYPHILIS], SampleState.INFORMED, SampleResult.INCONCLUSIVE),
]


def _weekdays_from(day, count):
    days = []
    while len(days) < count:
        if day.isoweekday() <= 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed_clinic(staff):
    """Once only: hours, appointments, encounters and samples."""
    if ConsultationHours.objects.exists():
        return ""
    rng = random.Random(9)  # noqa: S311 - repeatable demo data, not security
    today = timezone.localdate()
    now = timezone.now()
    midwife, assistant = staff["barnmorska"], staff["assistent"]
    types = {t.code: t for t in AppointmentType.objects.all()}
    for username, weekdays, starts, ends in HOURS:
        for weekday in weekdays:
            ConsultationHours.objects.create(
                clinician=staff[username], weekday=weekday, starts=starts, ends=ends,
                valid_from=today - timedelta(days=365), created_by=midwife,
            )
    # The next public holiday of the demo: a day the clinic is closed, three weeks ahead.
    closed = _weekdays_from(today + timedelta(days=21), 1)[0]
    HoursException.objects.create(
        starts_on=closed, ends_on=closed, reason=ExceptionReason.HOLIDAY,
        note=_("Klämdag, mottagningen stängd"), created_by=midwife,
    )

    # Reception's demo booked the midwife this week: give each booking its appointment type.
    appointments = 0
    for number, booking in enumerate(
        Booking.objects.filter(staff=midwife, unit=UnitCode.SPIRALEN).order_by("starts_at")
    ):
        _appointment(booking, types[MIDWIFE_TYPES[number % len(MIDWIFE_TYPES)]])
        appointments += 1
    patients = list(
        Client.objects.filter(enrollments__unit=UnitCode.SPIRALEN,
                              enrollments__ended_on__isnull=True)
        .order_by("pk").distinct()
    )
    room = Room.objects.filter(unit=UnitCode.SPIRALEN).first()
    week = _weekdays_from(today, 5)
    for username, code, hours in [("gynekolog", AppointmentCode.GYN_EXAMINATION, [10, 13]),
                                  ("lakare", AppointmentCode.PHYSICIAN, [13, 14])]:
        clinician = staff[username]
        weekdays = {w for u, ws, *_ in HOURS if u == username for w in ws}
        for day in week:
            if day.isoweekday() not in weekdays or not patients:
                continue
            for hour in hours:
                starts = _at(day, hour)
                booking = Booking.objects.create(
                    unit=UnitCode.SPIRALEN, kind=BookingKind.VISIT,
                    client=patients[rng.randrange(len(patients))], staff=clinician,
                    room=room if clinician.profession == Profession.GYNAECOLOGIST else None,
                    starts_at=starts, ends_at=starts + timedelta(minutes=types[code].minutes),
                    status=BookingStatus.COMPLETED if starts < now else BookingStatus.BOOKED,
                    created_by=assistant, created_at=now - timedelta(days=10),
                )
                _appointment(booking, types[code])
                appointments += 1

    samples = 0
    for number, (days_ago, kinds, state, result) in enumerate(SAMPLE_STORIES):
        if not patients:
            break
        client = patients[number % len(patients)]
        samples += _encounter(client, midwife, today - timedelta(days=days_ago), kinds, state,
                              result, rng, postponed=number == 1)
    return _("Spiralen: %(appointments)d mottagningsbesök, %(samples)d prover.") % {
        "appointments": appointments, "samples": samples,
    }


def _appointment(booking, appointment_type):
    # Written directly, as reception's demo writes its past bookings: the services refuse
    # times that have passed.
    Appointment.objects.get_or_create(booking=booking, defaults={"type": appointment_type})


def _encounter(client, author, day, kinds, state, result, rng, *, postponed=False):
    """A signed encounter on day with samples of kinds, brought to state as it would have
    happened: sent the day after, the result a week later, the patient told two days after."""
    journal = client.journals.get(unit=UnitCode.SPIRALEN, merged_into__isnull=True)
    written = _at(day, 11, rng.randint(0, 59))
    entry = client_services.save_draft(
        journal=journal, by=author, text=rng.choice(FINDINGS), event_date=day,
        kind=EntryKind.VISIT, written_at=written, updated_at=written,
    )
    kind = EncounterKind.STI_TESTING if kinds != [SampleKind.CYTOLOGY] else (
        EncounterKind.CERVICAL_SCREENING)
    Encounter.objects.create(
        entry=entry, kind=kind, actions=rng.choice(ACTIONS), examination_postponed=postponed,
        sample_kinds=[str(k) for k in kinds],
    )
    client_services.sign_entry(entry, by=author, at=written + timedelta(minutes=30))
    for kind_code in kinds:
        sample, _created = Sample.objects.get_or_create(
            entry=entry, kind=kind_code,
            defaults={"journal": journal, "taken_by": author, "taken_at": written},
        )
        sample.taken_at = written
        at_once = kind_code == SampleKind.PREGNANCY
        if state != SampleState.TAKEN and not at_once:
            sample.sent_at, sample.sent_by = written + timedelta(hours=5), author
        if state in (SampleState.RESULT, SampleState.INFORMED):
            sample.result = result
            sample.result_at = written + (timedelta(minutes=5) if at_once else timedelta(days=7))
            sample.result_by = author
            sample.result_text = {
                SampleResult.POSITIVE: "Påvisad.",
                SampleResult.NEGATIVE: "Ej påvisad.",
                SampleResult.INCONCLUSIVE: "Svårbedömt, nytt prov rekommenderas.",
            }[result]
        if state == SampleState.INFORMED:
            sample.informed_at = sample.result_at + timedelta(days=2 if not at_once else 0)
            sample.informed_by, sample.informed_how = author, InformedHow.PHONE
            if result == SampleResult.POSITIVE:
                sample.follow_up_plan = "Behandling förskriven, smittspårning påbörjad. " \
                    "Nytt prov om fem veckor."
                sample.follow_up_at, sample.follow_up_by = sample.informed_at, author
                sample.notified_on = timezone.localdate(sample.informed_at)
                sample.notified_by = author
        sample.state = state
        sample.save()
    return len(kinds)
