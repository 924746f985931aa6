"""The clinic's demo data (seed_demo, after reception's): the clinicians' consultation hours and
a holiday, this week's clinic bookings as appointments of their types (the midwife's every day,
the gynaecologist's and the physician's on their days), and encounters of the last weeks with
samples in every state — some overdue — so that the follow-up list has something to show.

Behind that, the clinic's history from 1 January two years ago until yesterday (for the
statistics page): some 350 to 500 held appointments a year, busier some years and months than
others, with their no-shows and cancellations; each held one has its signed encounter and the
samples taken at it, answered and told (positives with their plan and notification), so that
none of it is on the follow-up list. The patients are the clinic's own, registered under a code
(as anonymous testing is) at their first booking or walk-in."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from clients import services as client_services
from clients.models import (
    Booking,
    BookingKind,
    BookingStatus,
    BornInSweden,
    Client,
    ClientGroupObjectPermission,
    ClientUserObjectPermission,
    Enrollment,
    EntryKind,
    EntryState,
    Gender,
    Journal,
    JournalEntry,
    JournalGroupObjectPermission,
    JournalUserObjectPermission,
    Quality,
    Room,
)
from prostenhet.lib.text import fold
from prostenhet.roles import Profession, UnitCode

from .models import (
    AT_ONCE,
    NOTIFIABLE,
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
    """Once only: hours, appointments, encounters and samples, and the clinic's history."""
    if ConsultationHours.objects.exists():
        return ""
    rng = random.Random(9)  # noqa: S311 - repeatable demo data, not security
    today = timezone.localdate()
    now = timezone.now()
    midwife, assistant = staff["barnmorska"], staff["assistent"]
    types = {t.code: t for t in AppointmentType.objects.all()}
    history_from = date(today.year - 2, 1, 1)
    for username, weekdays, starts, ends in HOURS:
        for weekday in weekdays:
            ConsultationHours.objects.create(
                clinician=staff[username], weekday=weekday, starts=starts, ends=ends,
                valid_from=history_from, created_by=midwife,
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
    history = History(staff, types, room, history_from, now).seed()
    return _("Spiralen: %(appointments)d mottagningsbesök, %(samples)d prover; sedan "
             "%(since)s %(held)d genomförda besök av %(patients)d patienter, %(taken)d "
             "prover.") % {
        "appointments": appointments, "samples": samples, "since": history_from.isoformat(),
        "held": history["held"], "patients": history["patients"], "taken": history["samples"],
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


# --- the clinic's history ----------------------------------------------------------------------

# Each clinician's appointment starts on their days (within their hours above, an hour apart so
# that no two overlap whatever the type's length) and the share of them booked in an ordinary
# month.
HISTORY_SLOTS = {
    "barnmorska": ([time(8, 30), time(9, 30), time(10, 30), time(13), time(14), time(15)], 0.27),
    "gynekolog": ([time(9), time(10), time(11), time(13), time(14)], 0.16),
    "lakare": ([time(13), time(14), time(15)], 0.3),
}
# The type each clinician's appointments are of; the midwife's by this mix, year by year (the
# year before last, last year, this year: more testing the year of a campaign).
OWN_TYPE = {"gynekolog": AppointmentCode.GYN_EXAMINATION, "lakare": AppointmentCode.PHYSICIAN}
MIDWIFE_MIX = {
    AppointmentCode.STI_TESTING: [30, 37, 33],
    AppointmentCode.MIDWIFE_VISIT: [26, 22, 24],
    AppointmentCode.CONTRACEPTION: [18, 16, 20],
    AppointmentCode.CERVICAL_SCREENING: [14, 12, 12],
    AppointmentCode.ABORTION_COUNSELLING: [6, 5, 5],
}
# How busy each year (the year before last, last year, this year) and each month was.
YEAR_FACTOR = [0.85, 1.15, 1.0]
MONTH_FACTOR = {1: 1.0, 2: 1.05, 3: 1.1, 4: 1.0, 5: 1.0, 6: 0.85, 7: 0.3, 8: 0.8, 9: 1.15,
                10: 1.1, 11: 1.05, 12: 0.8}
# (month, day) the clinic is closed; midsummer eve too.
CLOSED_ON = {(1, 1), (1, 6), (5, 1), (6, 6), (12, 24), (12, 25), (12, 26), (12, 31)}
# How a booked time ended, in percent.
OUTCOMES = {BookingStatus.COMPLETED: 83, BookingStatus.NO_SHOW: 7,
            BookingStatus.CANCELLED_BY_CLIENT: 8, BookingStatus.CANCELLED_BY_UNIT: 2}
# Types that men do not book.
NOT_FOR_MEN = {AppointmentCode.CERVICAL_SCREENING, AppointmentCode.ABORTION_COUNSELLING,
               AppointmentCode.GYN_EXAMINATION}
# The patients: mostly women, as the unit meets (percent).
PATIENT_GENDERS = {Gender.WOMAN: 75, Gender.MAN: 9, Gender.TRANS_NONBINARY: 8, Gender.OTHER: 2,
                   Gender.NOT_STATED: 6}
NEW_PATIENT_SHARE = 0.2  # of the bookings (0.6 in the history's first three months)
RETURNING_FROM = 400  # a returning patient is one of the latest bookings' patients
WALK_IN_SHARE = 0.15  # of the midwife's days: an anonymous test or a talk without a booking
# The samples taken at each kind of encounter, each with its probability.
ORDERED = {
    EncounterKind.STI_TESTING: {
        SampleKind.CHLAMYDIA: 0.95, SampleKind.GONORRHOEA: 0.85, SampleKind.HIV: 0.6,
        SampleKind.SYPHILIS: 0.5, SampleKind.HEPATITIS_B: 0.2, SampleKind.HEPATITIS_C: 0.2,
    },
    EncounterKind.MIDWIFE_VISIT: {SampleKind.CHLAMYDIA: 0.4, SampleKind.GONORRHOEA: 0.3,
                                  SampleKind.HIV: 0.15, SampleKind.PREGNANCY: 0.2},
    EncounterKind.CONTRACEPTION: {SampleKind.CHLAMYDIA: 0.2, SampleKind.PREGNANCY: 0.35},
    EncounterKind.CERVICAL_SCREENING: {SampleKind.CHLAMYDIA: 0.2, SampleKind.CYTOLOGY: 1.0},
    EncounterKind.ABORTION_COUNSELLING: {SampleKind.CHLAMYDIA: 0.5, SampleKind.PREGNANCY: 0.9},
    EncounterKind.GYN_EXAMINATION: {SampleKind.CHLAMYDIA: 0.5, SampleKind.GONORRHOEA: 0.4,
                                    SampleKind.CYTOLOGY: 0.3},
    EncounterKind.PHYSICIAN: {SampleKind.HIV: 0.3, SampleKind.SYPHILIS: 0.2,
                              SampleKind.HEPATITIS_B: 0.3, SampleKind.HEPATITIS_C: 0.3},
}
NOT_FOR_MEN_SAMPLES = {SampleKind.CYTOLOGY, SampleKind.PREGNANCY}
POSITIVE_SHARE = {
    SampleKind.HIV: 0.005, SampleKind.SYPHILIS: 0.015, SampleKind.HEPATITIS_B: 0.01,
    SampleKind.HEPATITIS_C: 0.03, SampleKind.CHLAMYDIA: 0.07, SampleKind.GONORRHOEA: 0.025,
    SampleKind.CYTOLOGY: 0.06, SampleKind.PREGNANCY: 0.15,
}
PREGNANT_AT_ABORTION_COUNSELLING = 0.9
INCONCLUSIVE_SHARE = 0.01
# Days from taken to the laboratory's result, at least and at most (always within
# settings.SPIRALEN_RESULT_DAYS, so that the history is never overdue).
RESULT_DAYS = {
    SampleKind.HIV: (3, 10), SampleKind.SYPHILIS: (3, 10), SampleKind.HEPATITIS_B: (3, 10),
    SampleKind.HEPATITIS_C: (3, 10), SampleKind.CHLAMYDIA: (2, 5),
    SampleKind.GONORRHOEA: (2, 5), SampleKind.CYTOLOGY: (14, 35),
}
RESULT_TEXTS = {
    SampleResult.POSITIVE: "Påvisad.",
    SampleResult.NEGATIVE: "Ej påvisad.",
    SampleResult.INCONCLUSIVE: "Svårbedömt, nytt prov rekommenderas.",
}
FOLLOW_UP_PLANS = {
    SampleKind.CHLAMYDIA: "Behandling förskriven, smittspårning påbörjad. Nytt prov om fem "
                          "veckor.",
    SampleKind.GONORRHOEA: "Remiss till venereologen för behandling, smittspårning påbörjad.",
    SampleKind.SYPHILIS: "Remiss till venereologen för behandling, smittspårning påbörjad.",
    SampleKind.HIV: "Remiss till infektionskliniken samma vecka, smittspårning påbörjad.",
    SampleKind.HEPATITIS_B: "Remiss till infektionskliniken, smittspårning påbörjad.",
    SampleKind.HEPATITIS_C: "Remiss till infektionskliniken, smittspårning påbörjad.",
    SampleKind.CYTOLOGY: "Remiss till gynekolog för kolposkopi.",
    SampleKind.PREGNANCY: "Samtal om graviditeten. Remiss enligt patientens önskemål.",
}
# (findings, actions) of each kind of encounter.
HISTORY_NOTES = {
    EncounterKind.STI_TESTING: ("Kommer för provtagning. Inga symtom.",
                                "Prover tagna. Svar per telefon."),
    EncounterKind.MIDWIFE_VISIT: ("Barnmorskebesök. Samtal om hälsa och säkrare sex.",
                                  "Kondomer och information. Ny tid vid behov."),
    EncounterKind.CONTRACEPTION: ("Önskar preventivmedel. Samtal om alternativen.",
                                  "Preventivmedel förskrivet."),
    EncounterKind.CERVICAL_SCREENING: ("Cellprovtagning enligt kallelse.",
                                       "Cellprov taget. Svar per brev."),
    EncounterKind.ABORTION_COUNSELLING: ("Samtal inför beslut om graviditeten.",
                                         "Tid hos kvinnokliniken ordnad enligt önskemål."),
    EncounterKind.GYN_EXAMINATION: ("Gynekologisk undersökning. Inga avvikelser.",
                                    "Ny tid vid behov."),
    EncounterKind.PHYSICIAN: ("Läkarkonsultation. Status utan anmärkning.",
                              "Ordination enligt bedömning."),
    EncounterKind.PSYCHIATRIC: ("Psykiatrisk konsultation.", "Uppföljning planerad."),
    EncounterKind.SEXUAL_HEALTH_TALK: ("Samtal om sexualitet och reproduktiv hälsa.",
                                       "Ny tid erbjuden."),
}


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _closed(day):
    midsummer_eve = day.month == 6 and 19 <= day.day <= 25 and day.isoweekday() == 5
    return (day.month, day.day) in CLOSED_ON or midsummer_eve


class History:
    """The clinic's past from `start` until yesterday: planned in memory (seeded, so always
    the same), then written in bulk in the order the records are made — bookings and their
    appointments, signed entries, their encounters, the samples taken at signing."""

    def __init__(self, staff, types, room, start, now):
        self.rng = random.Random(2024)  # noqa: S311 - repeatable demo data, not security
        self.staff, self.types, self.room, self.start, self.now = staff, types, room, start, now
        self.today = timezone.localdate(now)
        self.patients = []  # {"gender", "registered"} per patient, in order of registering
        self.seen = []  # the patients of the bookings so far, the latest last
        self.visits = []  # {"username", "code", "starts", "status", "patient", "created"}

    def seed(self):
        self._plan()
        clients = self._register()
        journals = {
            journal.client_id: journal
            for journal in Journal.objects.filter(client__in=clients, unit=UnitCode.SPIRALEN,
                                                  merged_into__isnull=True)
        }
        bookings = self._book(clients)
        entries = self._sign(clients, journals, bookings)
        samples = self._samples(entries)
        return {"held": sum(1 for v in self.visits if v["status"] == BookingStatus.COMPLETED),
                "patients": len(clients), "samples": samples}

    # Planning ---------------------------------------------------------------------------------

    def _plan(self):
        rng = self.rng
        weekdays = {username: set(days) for username, days, *_rest in HOURS}
        day = self.start
        while day < self.today:
            if day.isoweekday() <= 5 and not _closed(day):
                busy = YEAR_FACTOR[min(day.year - self.start.year, 2)] * MONTH_FACTOR[day.month]
                for username, (slots, share) in HISTORY_SLOTS.items():
                    if day.isoweekday() not in weekdays[username]:
                        continue
                    for slot in slots:
                        if rng.random() < share * busy:
                            self._plan_booking(username, day, slot)
                if rng.random() < WALK_IN_SHARE * busy:
                    self._plan_walk_in(day)
            day += timedelta(days=1)

    def _plan_booking(self, username, day, slot):
        rng = self.rng
        if username in OWN_TYPE:
            code = OWN_TYPE[username]
        else:
            year = min(day.year - self.start.year, 2)
            code = _weighted(rng, {c: w[year] for c, w in MIDWIFE_MIX.items()})
        starts = _at(day, slot.hour, slot.minute)
        created = max(starts - timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 3)),
                      _at(self.start, 8))
        patient = self._patient(created, not_man=code in NOT_FOR_MEN)
        self.visits.append({
            "username": username, "code": code, "starts": starts,
            # Booked once the patient was registered (at their first booking).
            "created": max(created, self.patients[patient]["registered"]),
            "status": _weighted(rng, OUTCOMES), "patient": patient,
        })

    def _plan_walk_in(self, day):
        starts = _at(day, 12, self.rng.randint(0, 40))
        kind = (EncounterKind.STI_TESTING if self.rng.random() < 0.7
                else EncounterKind.SEXUAL_HEALTH_TALK)
        self.visits.append({
            "username": "barnmorska", "code": kind, "starts": starts, "created": starts,
            "status": None, "patient": self._patient(starts, not_man=False),
        })

    def _patient(self, when, *, not_man):
        """A returning patient (the more often seen lately, the likelier) or a new one."""
        rng = self.rng
        new_share = 0.6 if when.date() < self.start + timedelta(days=90) else NEW_PATIENT_SHARE
        if self.seen and rng.random() >= new_share:
            for _attempt in range(10):
                number = rng.choice(self.seen[-RETURNING_FROM:])
                if not (not_man and self.patients[number]["gender"] == Gender.MAN):
                    self.seen.append(number)
                    return number
        gender = _weighted(rng, PATIENT_GENDERS)
        if not_man and gender == Gender.MAN:
            gender = Gender.WOMAN
        self.patients.append({"gender": gender, "registered": when})
        self.seen.append(len(self.patients) - 1)
        return len(self.patients) - 1

    # Writing ----------------------------------------------------------------------------------

    def _register(self):
        """The patients under a code, each enrolled with a journal from their first booking.
        The first is registered through the service; the others are written in bulk with the
        same grants the service gave the first (a clinic patient's: the clinic's staff group
        on the client and the journal), as the facts behind them are the same."""
        rng = self.rng
        midwife = self.staff["barnmorska"]
        codes = rng.sample(range(1000, 10000), len(self.patients))
        people = []
        for patient, code in zip(self.patients, codes, strict=True):
            fields = {"alias": f"Kod {code}", "gender": patient["gender"],
                      "born_in_sweden": _weighted(rng, {BornInSweden.YES: 45,
                                                        BornInSweden.NO: 35,
                                                        BornInSweden.UNKNOWN: 20}),
                      "created_at": patient["registered"]}
            if rng.random() < 0.7:
                fields.update(birth_year=patient["registered"].year - rng.randint(19, 58),
                              birth_year_quality=Quality.ESTIMATED)
            people.append(fields)
        if not people:
            return []
        first = client_services.register_client(unit=UnitCode.SPIRALEN, by=midwife, **people[0])
        others = Client.objects.bulk_create(
            [Client(created_by=midwife, alias_folded=fold(fields["alias"]), **fields)
             for fields in people[1:]],
            batch_size=1000,
        )
        clients = [first, *others]
        Enrollment.objects.filter(client=first).update(
            started_on=timezone.localdate(people[0]["created_at"])
        )
        Journal.objects.filter(client=first).update(created_at=people[0]["created_at"])
        Enrollment.objects.bulk_create(
            [Enrollment(client=client, unit=UnitCode.SPIRALEN, created_by=midwife,
                        started_on=timezone.localdate(client.created_at)) for client in others],
            batch_size=1000,
        )
        journals = Journal.objects.bulk_create(
            [Journal(client=client, unit=UnitCode.SPIRALEN, created_at=client.created_at)
             for client in others],
            batch_size=1000,
        )
        template_journal = first.journals.get(unit=UnitCode.SPIRALEN)
        for model, principal, template, objects in [
            (ClientGroupObjectPermission, "group_id", first, others),
            (ClientUserObjectPermission, "user_id", first, others),
            (JournalGroupObjectPermission, "group_id", template_journal, journals),
            (JournalUserObjectPermission, "user_id", template_journal, journals),
        ]:
            grants = list(model.objects.filter(content_object_id=template.pk)
                          .values_list(principal, "permission_id"))
            model.objects.bulk_create(
                [model(**{principal: who, "permission_id": perm, "content_object_id": obj.pk})
                 for obj in objects for who, perm in grants],
                batch_size=1000,
            )
        return clients

    def _book(self, clients):
        """{visit index: Booking} of the booked visits, with their appointments."""
        rng = self.rng
        assistant = self.staff["assistent"]
        planned = [(i, v) for i, v in enumerate(self.visits) if v["status"] is not None]
        bookings = []
        for _i, visit in planned:
            minutes = self.types[visit["code"]].minutes
            starts = visit["starts"]
            ends = starts + timedelta(minutes=minutes)
            status = visit["status"]
            if status == BookingStatus.COMPLETED:
                changed = ends + timedelta(minutes=rng.randint(1, 15))
            elif status == BookingStatus.NO_SHOW:
                changed = starts + timedelta(minutes=20)
            else:
                changed = visit["created"] + (starts - visit["created"]) * rng.random()
            bookings.append(Booking(
                unit=UnitCode.SPIRALEN, kind=BookingKind.VISIT,
                client=clients[visit["patient"]], staff=self.staff[visit["username"]],
                room=self.room if visit["username"] == "gynekolog" else None,
                starts_at=starts, ends_at=ends, status=status, status_changed_at=changed,
                created_by=assistant, created_at=visit["created"],
            ))
        bookings = Booking.objects.bulk_create(bookings, batch_size=1000)
        Appointment.objects.bulk_create(
            [Appointment(booking=booking, type=self.types[visit["code"]])
             for booking, (_i, visit) in zip(bookings, planned, strict=True)],
            batch_size=1000,
        )
        return {i: booking for booking, (i, _visit) in zip(bookings, planned, strict=True)}

    def _sign(self, clients, journals, bookings):
        """The signed entries of the held visits and the walk-ins, then their encounters
        (inserted after the entry is signed, as PostgreSQL's lock allows; never changed)."""
        rng = self.rng
        made = []  # (entry, kind, sample kinds, visit)
        for i, visit in enumerate(self.visits):
            booking = bookings.get(i)
            if booking is not None and booking.status != BookingStatus.COMPLETED:
                continue
            author = self.staff[visit["username"]]
            client = clients[visit["patient"]]
            ended = booking.ends_at if booking is not None else (
                visit["starts"] + timedelta(minutes=20))
            written = ended + timedelta(minutes=rng.randint(2, 10))
            signed = written + timedelta(minutes=rng.randint(5, 40))
            kind = visit["code"]
            findings, actions = HISTORY_NOTES[kind]
            postponed = (kind in (EncounterKind.GYN_EXAMINATION,
                                  EncounterKind.CERVICAL_SCREENING) and rng.random() < 0.05)
            ordered = {
                sample_kind for sample_kind, share in ORDERED.get(kind, {}).items()
                if rng.random() < share
                and not (client.gender == Gender.MAN and sample_kind in NOT_FOR_MEN_SAMPLES)
                and not (postponed and sample_kind == SampleKind.CYTOLOGY)
            }
            entry = JournalEntry(
                journal=journals[client.pk], unit=UnitCode.SPIRALEN, kind=EntryKind.VISIT,
                event_date=timezone.localdate(visit["starts"]), written_at=written,
                updated_at=signed, author=author, text=findings, state=EntryState.SIGNED,
                signed_by=author, signed_at=signed, booking=booking,
            )
            # In the order of the choices, as the encounter editor saves them.
            made.append((entry, kind, [k for k in SampleKind.values if k in ordered], actions,
                         postponed))
        entries = JournalEntry.objects.bulk_create([m[0] for m in made], batch_size=1000)
        Encounter.objects.bulk_create(
            [Encounter(entry=entry, kind=kind, actions=actions, examination_postponed=postponed,
                       sample_kinds=sample_kinds)
             for entry, (_e, kind, sample_kinds, actions, postponed) in zip(entries, made,
                                                                            strict=True)],
            batch_size=1000,
        )
        return [(entry, kind, sample_kinds) for entry, (_e, kind, sample_kinds, *_rest)
                in zip(entries, made, strict=True)]

    def _samples(self, entries):
        """The samples taken when each entry was signed, brought as far as the time since
        allows: sent within hours, answered within the kind's usual days, told within days;
        a positive with its plan and, when notifiable, its notification."""
        samples = [self._sample(entry, kind, sample_kind)
                   for entry, kind, sample_kinds in entries for sample_kind in sample_kinds]
        Sample.objects.bulk_create(samples, batch_size=1000)
        return len(samples)

    def _sample(self, entry, encounter_kind, kind):
        rng, now = self.rng, self.now
        author = entry.author
        taken = entry.signed_at
        sample = Sample(journal_id=entry.journal_id, entry=entry, kind=kind, taken_at=taken,
                        taken_by=author, state=SampleState.TAKEN)
        if kind == SampleKind.PREGNANCY:
            share = (PREGNANT_AT_ABORTION_COUNSELLING
                     if encounter_kind == EncounterKind.ABORTION_COUNSELLING
                     else POSITIVE_SHARE[kind])
            result = SampleResult.POSITIVE if rng.random() < share else SampleResult.NEGATIVE
        else:
            roll = rng.random()
            result = (SampleResult.POSITIVE if roll < POSITIVE_SHARE[kind] else
                      SampleResult.INCONCLUSIVE if roll > 1 - INCONCLUSIVE_SHARE
                      else SampleResult.NEGATIVE)
        if kind in AT_ONCE:
            sent = None
            result_at = taken + timedelta(minutes=5)
            informed_at, how = result_at, InformedHow.IN_PERSON
        else:
            sent = taken + timedelta(hours=rng.randint(1, 4))
            low, high = RESULT_DAYS[kind]
            result_day = timezone.localdate(taken) + timedelta(days=rng.randint(low, high))
            result_at = _at(result_day, rng.randint(9, 15), rng.randint(0, 59))
            informed_at = result_at + timedelta(days=rng.randint(0, 4), hours=rng.randint(0, 3))
            how = InformedHow.LETTER if kind == SampleKind.CYTOLOGY and rng.random() < 0.7 else (
                _weighted(rng, {InformedHow.PHONE: 65, InformedHow.IN_PERSON: 20,
                                InformedHow.LETTER: 10, InformedHow.OTHER: 5}))
        if sent is not None:
            if sent > now:
                return sample
            sample.state, sample.sent_at, sample.sent_by = SampleState.SENT, sent, author
        if result_at > now:
            return sample
        sample.state = SampleState.RESULT
        sample.result, sample.result_text = result, RESULT_TEXTS[result]
        sample.result_at, sample.result_by = result_at, author
        if result == SampleResult.POSITIVE:
            sample.follow_up_plan = FOLLOW_UP_PLANS[kind]
            sample.follow_up_at = min(result_at + timedelta(minutes=30), now)
            sample.follow_up_by = author
            if kind in NOTIFIABLE:
                sample.notified_on = min(
                    timezone.localdate(result_at) + timedelta(days=rng.randint(0, 2)), self.today
                )
                sample.notified_by = author
        if informed_at <= now:
            sample.state = SampleState.INFORMED
            sample.informed_at, sample.informed_how, sample.informed_by = informed_at, how, author
        return sample
