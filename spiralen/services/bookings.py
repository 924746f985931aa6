"""The clinic's bookings (issue 9): each clinician's consultation hours and their exceptions
(holidays, absence), the appointment types' lengths, the first free times of someone of a
profession, and booking one of them.

A clinic booking is the shared clients.Booking (unit "spiralen", booked through
clients.services.book, which refuses overlaps with row locks and, on PostgreSQL, exclusion
constraints) plus an Appointment saying its type. Nothing is booked outside the clinician's
hours. A booking makes the client a Spiralen patient; an outreach worker's booking for someone
met on the street goes with the shared Referral outreach → Spiralen (with the client's
consent). Every operation runs in a transaction, takes the acting user and raises DomainError
with a Swedish message."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clients import access
from clients import services as clients_services
from clients.models import (
    Booking,
    BookingKind,
    Client,
    ConsentMethod,
    Referral,
    Register,
    Weekday,
)
from prostenhet.exceptions import DomainError
from prostenhet.models import User
from prostenhet.roles import Profession, Role, UnitCode

from ..models import (
    Appointment,
    AppointmentType,
    ConsultationHours,
    ExceptionReason,
    HoursException,
)

__all__ = [
    "FreeTime",
    "SLOT_STEP_MINUTES",
    "add_exception",
    "add_hours",
    "book_appointment",
    "check_clinic_booking",
    "clinic_label",
    "clinic_staff",
    "delete_exception",
    "end_hours",
    "exceptions_between",
    "free_times",
    "hours_by_day",
    "set_appointment_length",
]

# Free times start on this grid, counted from the start of each block of hours.
SLOT_STEP_MINUTES = 15
MIN_MINUTES, MAX_MINUTES = 10, 240


def clinic_label(profession):
    """What everyone outside the clinic sees of a clinic booking: "Spiralen – barnmorska"."""
    label = Profession(profession).label if profession in Profession.values else ""
    if not label:
        return str(UnitCode.SPIRALEN.label)
    return _("%(unit)s – %(profession)s") % {
        "unit": UnitCode.SPIRALEN.label, "profession": str(label).lower(),
    }


def clinic_staff(profession=None):
    """Active clinicians of the clinic (the Spiralen staff group and the clinician role),
    optionally of one profession, by name."""
    staff = access.unit_staff(UnitCode.SPIRALEN).filter(groups__name=Role.CLINICIAN)
    if profession:
        staff = staff.filter(profession=profession)
    return staff


def _aware(day, at=time.min):
    return timezone.make_aware(datetime.combine(day, at))


def _days(first_day, last_day):
    day = first_day
    while day <= last_day:
        yield day
        day += timedelta(days=1)


def exceptions_between(staff_ids, first_day, last_day):
    """The exceptions touching [first_day, last_day] of these clinicians and the whole
    clinic's (clinician empty), one query."""
    return list(
        HoursException.objects.filter(
            Q(clinician_id__in=list(staff_ids)) | Q(clinician__isnull=True),
            starts_on__lte=last_day, ends_on__gte=first_day,
        ).order_by("starts_on", "pk")
    )


def _exception_on(exceptions, staff_id, day):
    for exception in exceptions:
        if (exception.clinician_id in (None, staff_id)
                and exception.starts_on <= day <= exception.ends_on):
            return exception
    return None


def hours_by_day(staff_ids, first_day, last_day, *, exceptions=None):
    """{(staff_id, date): [(start_time, end_time), ...]}: each clinician's consultation hours
    on each day of [first_day, last_day] (the hours valid that day, on its weekday), without
    the days of an exception (the clinician's absence, or the whole clinic closed). Two
    queries (one when the exceptions are given), however many days and clinicians."""
    staff_ids = list(staff_ids)
    if not staff_ids or last_day < first_day:
        return {}
    if exceptions is None:
        exceptions = exceptions_between(staff_ids, first_day, last_day)
    rows = list(
        ConsultationHours.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=first_day),
            clinician_id__in=staff_ids, valid_from__lte=last_day,
        ).order_by("starts")
    )
    by_day = {}
    for day in _days(first_day, last_day):
        weekday = day.isoweekday()
        for row in rows:
            if row.weekday != weekday or row.valid_from > day or (
                row.valid_until is not None and row.valid_until < day
            ):
                continue
            if _exception_on(exceptions, row.clinician_id, day) is not None:
                continue
            by_day.setdefault((row.clinician_id, day), []).append((row.starts, row.ends))
    for blocks in by_day.values():
        blocks.sort()
    return by_day


def _within_opening_hours(starts_at, ends_at):
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    first, last = settings.OPENING_HOURS
    return (
        start.date() == end.date()
        and start.isoweekday() <= 5
        and start.time() >= time(first)
        and (last >= 24 or end.time() <= time(last))
    )


@dataclass(frozen=True)
class FreeTime:
    """A free time of one clinician."""

    staff: User
    starts_at: datetime
    ends_at: datetime


def free_times(appointment_type, *, from_day, days=14, limit=8, staff=None, now=None):
    """The first free times for the appointment type: of anyone of its profession (or of the
    given clinician), from from_day for `days` days, the type's length long, on a 15-minute
    grid from the start of each block of hours, not in the past, not overlapping any booking
    that holds the clinician's time, within the opening hours; by time, at most `limit`.
    Four queries: the clinicians, their hours, the exceptions, the bookings."""
    now = now or timezone.now()
    length = timedelta(minutes=appointment_type.minutes)
    candidates = clinic_staff(appointment_type.profession)
    if staff is not None:
        candidates = candidates.filter(pk=staff.pk)
    people = {person.pk: person for person in candidates}
    first_day = max(from_day, timezone.localdate(now))
    last_day = from_day + timedelta(days=days - 1)
    if not people or last_day < first_day:
        return []
    hours = hours_by_day(people, first_day, last_day)
    # Each clinician's holding bookings by local day: a slot is compared with that day's only.
    taken = {}
    for staff_id, starts_at, ends_at in (
        Booking.objects.holding()
        .filter(staff_id__in=list(people), starts_at__lt=_aware(last_day + timedelta(days=1)),
                ends_at__gt=_aware(first_day))
        .values_list("staff_id", "starts_at", "ends_at")
    ):
        for day in {timezone.localdate(starts_at), timezone.localdate(ends_at)}:
            taken.setdefault((staff_id, day), []).append((starts_at, ends_at))

    step = timedelta(minutes=SLOT_STEP_MINUTES)
    found = []
    for day in sorted({day for _staff_id, day in hours}):
        if len(found) >= limit:
            break  # every time of a later day is later than these
        for staff_id in people:
            busy = taken.get((staff_id, day), ())
            for block_start, block_end in hours.get((staff_id, day), ()):
                starts_at, block_ends_at = _aware(day, block_start), _aware(day, block_end)
                while starts_at + length <= block_ends_at:
                    ends_at = starts_at + length
                    if (
                        starts_at >= now
                        and _within_opening_hours(starts_at, ends_at)
                        and not any(b_start < ends_at and b_end > starts_at
                                    for b_start, b_end in busy)
                    ):
                        found.append(FreeTime(people[staff_id], starts_at, ends_at))
                    starts_at += step
    names = {pk: index for index, pk in enumerate(people)}  # the clinicians' order by name
    found.sort(key=lambda free: (free.starts_at, names[free.staff.pk]))
    return found[:limit]


# --- booking -----------------------------------------------------------------------------------


def _hours_text(blocks):
    return ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in blocks)


def _check_clinician(staff, profession=None, *, field="staff"):
    """The staff member is an active clinician of the clinic (of the profession)."""
    if staff is None or not clinic_staff().filter(pk=staff.pk).exists():
        raise DomainError(
            _("%(staff)s är inte kliniker på Spiralen.") % {"staff": staff or _("Personen")},
            field=field,
        )
    if profession and staff.profession != profession:
        raise DomainError(
            _("%(staff)s är inte %(profession)s: välj någon med det yrket.") % {
                "staff": staff, "profession": str(Profession(profession).label).lower(),
            },
            field=field,
        )


def check_clinic_booking(*, staff, starts_at, ends_at):
    """The clinic's booking rule (registry.booking_rules): a clinician is booked only within
    their consultation hours, on whichever screen the time is booked or moved."""
    if staff is not None:
        _check_in_hours(staff, starts_at, ends_at)


def _check_in_hours(staff, starts_at, ends_at):
    day = timezone.localdate(starts_at)
    exceptions = exceptions_between([staff.pk], day, day)
    exception = _exception_on(exceptions, staff.pk, day)
    if exception is not None:
        if exception.clinician_id is None:
            message = _("Mottagningen är stängd %(day)s.")
        else:
            message = _("%(staff)s är inte på mottagningen %(day)s.")
        raise DomainError(message % {"staff": staff, "day": day.isoformat()}, field="starts_at")
    blocks = hours_by_day([staff.pk], day, day, exceptions=exceptions).get((staff.pk, day), [])
    if not blocks:
        raise DomainError(
            _("%(staff)s har ingen mottagningstid %(day)s. Välj en av de lediga tiderna.")
            % {"staff": staff, "day": day.isoformat()},
            field="starts_at",
        )
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() != end.date() or not any(
        block_start <= start.time() and end.time() <= block_end
        for block_start, block_end in blocks
    ):
        raise DomainError(
            _("Tiden ligger utanför mottagningstiderna för %(staff)s %(day)s (%(hours)s). "
              "Välj en av de lediga tiderna.")
            % {"staff": staff, "day": day.isoformat(), "hours": _hours_text(blocks)},
            field="starts_at",
        )


def _existing_appointment(by, request_token):
    if not request_token:
        return None
    return (
        Appointment.objects.filter(booking__created_by=by, booking__request_token=request_token)
        .select_related("booking", "type")
        .first()
    )


@transaction.atomic
def book_appointment(*, appointment_type, staff, starts_at, client, by,
                     interpreter_language="", request_token="", referral_message="",
                     consent_method=""):
    """Book a clinic time of the appointment type with the clinician for the client. The
    form's request_token makes it idempotent (a double click books once). The client becomes
    a Spiralen patient if not one already; an outreach worker's booking for an outreach
    client goes with the referral outreach → Spiralen (an open one is reused; without the
    client's consent none is sent: DomainError on "consent_method"). No gender rule: women
    and men are booked alike."""
    existing = _existing_appointment(by, request_token)
    if existing is not None:
        return existing
    if client is None:
        raise DomainError(_("Välj vem tiden gäller."), field="client")
    if not access.can_view_client(by, client):
        raise DomainError(_("Du kan inte boka en tid för den klienten."), field="client")
    if client.register != Register.MAIN or client.merged_into_id:
        raise DomainError(_("Du kan inte boka en tid för den klienten."), field="client")
    if appointment_type is None:
        raise DomainError(_("Välj en besökstyp."), field="appointment_type")
    _check_clinician(staff, appointment_type.profession)
    ends_at = starts_at + timedelta(minutes=appointment_type.minutes)
    _check_in_hours(staff, starts_at, ends_at)

    referral = None
    units = access.user_units(by)
    # Under the client's lock (enroll takes it too): of two bookings at once for someone who
    # is not yet a patient, the second sees the first's enrolment and referral, and is told
    # that the time was taken, not that the client is already enrolled.
    Client.objects.select_for_update().filter(pk=client.pk).values_list("pk").get()
    enrolled = set(client.enrollments.active().values_list("unit", flat=True))
    if (UnitCode.SPIRALEN not in units and UnitCode.OUTREACH in units
            and UnitCode.OUTREACH in enrolled):
        referral = Referral.objects.open().filter(
            client=client, from_unit=UnitCode.OUTREACH, to_unit=UnitCode.SPIRALEN
        ).first()
        if referral is None:
            if consent_method and consent_method not in ConsentMethod.values:
                raise DomainError(_("Välj hur samtycket gavs."), field="consent_method")
            referral = clients_services.send_referral(
                client, from_unit=UnitCode.OUTREACH, to_unit=UnitCode.SPIRALEN,
                message=(referral_message or "").strip()
                or _("Första besök på Spiralen, bokat av uppsökande arbetet."),
                by=by, consent_method=consent_method or None,
            )
    if UnitCode.SPIRALEN not in enrolled:
        clients_services.enroll(client, UnitCode.SPIRALEN, by=by)

    booking = clients_services.book(
        unit=UnitCode.SPIRALEN, kind=BookingKind.VISIT, staff=staff, client=client,
        starts_at=starts_at, ends_at=ends_at, by=by,
        interpreter_language=(interpreter_language or "").strip(),
        request_token=request_token,
    )
    # A race on the same token returns the booking the other request made.
    appointment = Appointment.objects.filter(booking=booking).select_related("type").first()
    if appointment is not None:
        return appointment
    try:
        with transaction.atomic():
            return Appointment.objects.create(
                booking=booking, type=appointment_type, referral=referral
            )
    except IntegrityError:
        appointment = Appointment.objects.filter(booking=booking).first()
        if appointment is None:
            raise
        return appointment


# --- consultation hours and exceptions -----------------------------------------------------------


def _check_within_opening(starts, ends):
    first, last = settings.OPENING_HOURS
    if starts < time(first) or (last < 24 and ends > time(last)):
        raise DomainError(
            _("Mottagningstiden måste ligga inom öppettiderna (vardagar %(first)02d–%(last)02d).")
            % {"first": first, "last": last},
            field="starts",
        )


@transaction.atomic
def add_hours(*, clinician, weekday, starts, ends, valid_from, valid_until=None, by):
    """Weekly consultation hours for a clinician of the clinic: on the weekday, starts..ends,
    from valid_from (until valid_until). Refused when they overlap the clinician's other
    hours that weekday in an overlapping period, or lie outside the opening hours."""
    _check_clinician(clinician, field="clinician")
    if weekday not in Weekday.values:
        raise DomainError(_("Välj en veckodag (måndag–fredag)."), field="weekday")
    if starts is None or ends is None or ends <= starts:
        raise DomainError(_("Sluttiden måste vara efter starttiden."), field="ends")
    _check_within_opening(starts, ends)
    if valid_from is None:
        raise DomainError(_("Ange från vilken dag tiderna gäller."), field="valid_from")
    if valid_until is not None and valid_until < valid_from:
        raise DomainError(_("Sista dagen kan inte vara före den första."), field="valid_until")
    # Two people adding hours for one clinician queue up here.
    User.objects.select_for_update().filter(pk=clinician.pk).first()
    clash = ConsultationHours.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from),
        clinician=clinician, weekday=weekday, starts__lt=ends, ends__gt=starts,
    )
    if valid_until is not None:
        clash = clash.filter(valid_from__lte=valid_until)
    other = clash.first()
    if other is not None:
        raise DomainError(
            _("%(staff)s har redan mottagningstid %(hours)s som gäller samma dagar.")
            % {"staff": clinician, "hours": other},
            field="starts",
        )
    return ConsultationHours.objects.create(
        clinician=clinician, weekday=weekday, starts=starts, ends=ends,
        valid_from=valid_from, valid_until=valid_until, created_by=by,
    )


def _booked_message(count, day):
    return ngettext(
        "Det finns %(count)d bokad tid på de här tiderna efter %(day)s: flytta eller avboka "
        "den först.",
        "Det finns %(count)d bokade tider på de här tiderna efter %(day)s: flytta eller "
        "avboka dem först.",
        count,
    ) % {"count": count, "day": day.isoformat()}


def _booked_in_days_message(count, first_day, last_day):
    return ngettext(
        "Det finns %(count)d bokad tid %(first)s–%(last)s: flytta eller avboka den först.",
        "Det finns %(count)d bokade tider %(first)s–%(last)s: flytta eller avboka dem först.",
        count,
    ) % {"count": count, "first": first_day.isoformat(), "last": last_day.isoformat()}


@transaction.atomic
def end_hours(hours, *, last_day, by):
    """The hours stop after last_day (valid_until). Refused while bookings in them after
    last_day would no longer lie inside the clinician's hours."""
    hours = ConsultationHours.objects.select_for_update().select_related("clinician").get(
        pk=hours.pk
    )
    if last_day is None:
        raise DomainError(_("Ange den sista dagen tiderna gäller."), field="last_day")
    if last_day < hours.valid_from:
        raise DomainError(
            _("Sista dagen kan inte vara före %(day)s, då tiderna började gälla.")
            % {"day": hours.valid_from.isoformat()},
            field="last_day",
        )
    if hours.valid_until is not None and last_day >= hours.valid_until:
        raise DomainError(
            _("Tiderna gäller redan bara till och med %(day)s.")
            % {"day": hours.valid_until.isoformat()},
            field="last_day",
        )
    previous_until = hours.valid_until
    hours.valid_until = last_day
    hours.save(update_fields=["valid_until"])

    # The clinic's bookings in these hours after last_day must still lie in hours left.
    after = Booking.objects.holding().filter(
        unit=UnitCode.SPIRALEN, staff=hours.clinician,
        starts_at__gte=_aware(last_day + timedelta(days=1)),
    )
    if previous_until is not None:
        after = after.filter(starts_at__lt=_aware(previous_until + timedelta(days=1)))
    affected = []
    for starts_at, ends_at in after.values_list("starts_at", "ends_at"):
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        if (start.isoweekday() == hours.weekday and start.time() < hours.ends
                and end.time() > hours.starts):
            affected.append((start, end))
    if affected:
        first = min(start.date() for start, _end in affected)
        last = max(start.date() for start, _end in affected)
        remaining = hours_by_day([hours.clinician_id], first, last)
        outside = [
            (start, end) for start, end in affected
            if not any(b_start <= start.time() and end.time() <= b_end
                       for b_start, b_end in remaining.get((hours.clinician_id, start.date()), ()))
        ]
        if outside:
            raise DomainError(_booked_message(len(outside), last_day), field="last_day")
    return hours


@transaction.atomic
def add_exception(*, starts_on, ends_on, reason, by, clinician=None, note=""):
    """Days the hours do not hold: one clinician's absence, or (clinician None) the whole
    clinic closed. Refused while the clinic's bookings (the clinician's, or anyone's when the
    clinic closes) fall within the days."""
    if starts_on is None or ends_on is None:
        raise DomainError(_("Ange första och sista dagen."), field="starts_on")
    if ends_on < starts_on:
        raise DomainError(_("Sista dagen kan inte vara före den första."), field="ends_on")
    if reason not in ExceptionReason.values:
        raise DomainError(_("Välj en orsak."), field="reason")
    if clinician is not None:
        _check_clinician(clinician, field="clinician")
    booked = Booking.objects.holding().filter(
        unit=UnitCode.SPIRALEN, starts_at__gte=_aware(starts_on),
        starts_at__lt=_aware(ends_on + timedelta(days=1)),
    )
    if clinician is not None:
        booked = booked.filter(staff=clinician)
    count = booked.count()
    if count:
        raise DomainError(_booked_in_days_message(count, starts_on, ends_on),
                          field="starts_on")
    return HoursException.objects.create(
        clinician=clinician, starts_on=starts_on, ends_on=ends_on, reason=reason,
        note=(note or "").strip(), created_by=by,
    )


@transaction.atomic
def delete_exception(exception, *, by):
    """The exception no longer holds: the hours apply on its days again."""
    HoursException.objects.filter(pk=exception.pk).delete()


# --- appointment types ----------------------------------------------------------------------------


@transaction.atomic
def set_appointment_length(appointment_type, *, minutes, by, expected_version):
    """A new default length for the appointment type (10–240 minutes). Bookings already made
    keep theirs. A form shown before someone else changed it is refused."""
    locked = AppointmentType.objects.select_for_update().get(pk=appointment_type.pk)
    if expected_version is not None and locked.version != expected_version:
        raise DomainError(
            _("Någon annan har ändrat längden på %(type)s medan du arbetade (den är nu "
              "%(minutes)d minuter). Se hur den ser ut nu och gör om din ändring.")
            % {"type": locked, "minutes": locked.minutes},
            field="minutes",
        )
    if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise DomainError(
            _("Längden ska vara %(min)d–%(max)d minuter.") % {"min": MIN_MINUTES,
                                                             "max": MAX_MINUTES},
            field="minutes",
        )
    if locked.minutes != minutes:
        locked.minutes = minutes
        locked.version += 1
        locked.save(update_fields=["minutes", "version"])
    return locked
