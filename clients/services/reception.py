"""Reception's domain operations (DESIGN §1): bookings of staff and rooms that never
double-book, arrivals and visits, and the counselling queue. Each runs in a transaction, takes
the acting user explicitly and raises DomainError with a Swedish message."""

from datetime import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet import registry
from prostenhet.exceptions import DomainError
from prostenhet.models import User
from prostenhet.roles import UnitCode

from .. import access
from ..models import (
    AgeBand,
    Booking,
    BookingKind,
    BookingStatus,
    Gender,
    Register,
    Room,
    Visit,
    VisitPurpose,
)

# --- bookings ----------------------------------------------------------------------------------


def _opening_hours_error(starts_at, ends_at):
    """A message if the time is outside the unit's opening hours (weekdays, OPENING_HOURS in
    local time, within one day), else None."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    first, last = settings.OPENING_HOURS
    if (
        start.date() != end.date()
        or start.isoweekday() > 5
        or start.time() < time(first)
        or (end.time() > time(last) if last < 24 else False)
    ):
        return _("Tiden ligger utanför öppettiderna (vardagar %(first)02d–%(last)02d).") % {
            "first": first, "last": last,
        }
    return None


def _check_booking(*, unit, starts_at, ends_at, staff, room, client, by, exclude=None):
    if staff is None and room is None:
        raise DomainError(_("Välj en person eller ett rum att boka."))
    if ends_at <= starts_at:
        raise DomainError(_("Sluttiden måste vara efter starttiden."), field="ends_at")
    if starts_at < timezone.now():
        raise DomainError(_("Tiden har redan varit. Välj en tid framåt."), field="starts_at")
    if message := _opening_hours_error(starts_at, ends_at):
        raise DomainError(message, field="starts_at")
    if client is not None:
        if not access.can_view_client(by, client):
            raise DomainError(_("Du kan inte boka en tid för den klienten."))
        if (client.register == Register.KAST) != (unit == UnitCode.KAST):
            raise DomainError(_("KAST:s klienter bokas bara i KAST."))
    if staff is not None and unit not in access.user_units(staff):
        raise DomainError(
            _("%(staff)s arbetar inte i den verksamhetsdelen.") % {"staff": staff},
            field="staff",
        )
    for rule in registry.booking_rules:
        if rule.unit == unit:
            rule.check(staff=staff, starts_at=starts_at, ends_at=ends_at)
    # Lock the staff member's and the room's rows: two requests for one slot queue up here,
    # and the second sees the first one's booking (PostgreSQL's exclusion constraints refuse
    # an overlap whatever writes; SQLite writes one transaction at a time).
    taken = Booking.objects.holding().overlapping(starts_at, ends_at)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if staff is not None:
        User.objects.select_for_update().filter(pk=staff.pk).first()
        if taken.filter(staff=staff).exists():
            raise DomainError(
                _("%(staff)s är redan bokad den tiden. Välj en annan tid.") % {"staff": staff},
                field="starts_at",
            )
    if room is not None:
        Room.objects.select_for_update().filter(pk=room.pk).first()
        if taken.filter(room=room).exists():
            raise DomainError(
                _("Rummet %(room)s är redan bokat den tiden. Välj en annan tid eller ett annat "
                  "rum.") % {"room": room},
                field="room",
            )


OVERLAP_MESSAGE = _("Tiden blev just bokad av någon annan. Välj en annan tid.")


@transaction.atomic
def book(*, unit, starts_at, ends_at, by, staff=None, room=None, client=None,
         kind=BookingKind.VISIT, interpreter_language="", request_token=""):
    """Book a time with a staff member and/or a room. A form's request_token makes it
    idempotent: a double click or a resubmitted form returns the booking already made."""
    if request_token:
        existing = Booking.objects.filter(created_by=by, request_token=request_token).first()
        if existing is not None:
            return existing
    _check_booking(unit=unit, starts_at=starts_at, ends_at=ends_at, staff=staff, room=room,
                   client=client, by=by)
    try:
        with transaction.atomic():
            return Booking.objects.create(
                unit=unit, kind=kind, client=client, staff=staff, room=room,
                starts_at=starts_at, ends_at=ends_at, created_by=by,
                interpreter_language=interpreter_language, request_token=request_token,
            )
    except IntegrityError:
        if request_token:
            existing = Booking.objects.filter(created_by=by, request_token=request_token).first()
            if existing is not None:
                return existing
        raise DomainError(OVERLAP_MESSAGE, field="starts_at") from None


@transaction.atomic
def move_booking(booking, *, starts_at, ends_at, by, expected_version=None, staff=None,
                 room=None):
    """Move a booking to another time (and staff member or room)."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    _check_version(booking, expected_version)
    if booking.status != BookingStatus.BOOKED:
        raise DomainError(_("Bara en bokad tid kan flyttas."))
    staff = staff if staff is not None else booking.staff
    room = room if room is not None else booking.room
    _check_booking(unit=booking.unit, starts_at=starts_at, ends_at=ends_at, staff=staff,
                   room=room, client=booking.client, by=by, exclude=booking)
    booking.starts_at, booking.ends_at = starts_at, ends_at
    booking.staff, booking.room = staff, room
    booking.version += 1
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:
        raise DomainError(OVERLAP_MESSAGE, field="starts_at") from None
    return booking


def _check_version(booking, expected_version):
    if expected_version is not None and booking.version != expected_version:
        raise DomainError(
            _("Någon annan har ändrat bokningen medan du arbetade. Se hur den ser ut nu och "
              "gör om din ändring.")
        )


# Which status may follow which.
BOOKING_TRANSITIONS = {
    BookingStatus.BOOKED: {
        BookingStatus.ARRIVED, BookingStatus.NO_SHOW, BookingStatus.COMPLETED,
        BookingStatus.CANCELLED_BY_CLIENT, BookingStatus.CANCELLED_BY_UNIT,
    },
    BookingStatus.ARRIVED: {BookingStatus.COMPLETED, BookingStatus.BOOKED},
    BookingStatus.NO_SHOW: {BookingStatus.BOOKED},
}


@transaction.atomic
def set_booking_status(booking, status, *, by, expected_version=None):
    """Mark a booking arrived, completed or a no-show, or cancel it (by the client or the
    unit). Completing closes the visit; an arrival opens one (register_arrival)."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    _check_version(booking, expected_version)
    if status == booking.status:
        return booking
    if status not in BOOKING_TRANSITIONS.get(booking.status, set()):
        raise DomainError(
            _("En bokning som är ”%(now)s” kan inte bli ”%(then)s”.")
            % {"now": booking.get_status_display(), "then": BookingStatus(status).label}
        )
    if status == BookingStatus.NO_SHOW and booking.starts_at > timezone.now():
        raise DomainError(_("Tiden har inte börjat än: den kan inte markeras som utebliven."))
    booking.status = status
    booking.status_changed_at = timezone.now()
    booking.version += 1
    booking.save(update_fields=["status", "status_changed_at", "version"])
    if status == BookingStatus.COMPLETED:
        Visit.objects.filter(booking=booking, closed_at__isnull=True).update(
            closed_at=timezone.now()
        )
    return booking


# --- visits ------------------------------------------------------------------------------------


@transaction.atomic
def register_arrival(booking, *, by):
    """A booked client has come ("har kommit"): the visit opens, the practitioner sees it.
    A second click registers nothing more."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    visit = Visit.objects.filter(booking=booking).first()
    if visit is not None:
        return visit
    if booking.status != BookingStatus.BOOKED:
        raise DomainError(_("Bokningen är inte längre bokad."))
    if timezone.localdate(booking.starts_at) != timezone.localdate():
        raise DomainError(_("Bokningen gäller inte i dag."))
    set_booking_status(booking, BookingStatus.ARRIVED, by=by)
    return Visit.objects.create(
        unit=booking.unit, purpose=VisitPurpose.BOOKED, client=booking.client, booking=booking,
        gender=booking.client.gender if booking.client else Gender.NOT_STATED,
        registered_by=by,
    )


@transaction.atomic
def register_drop_in(*, unit, purpose, by, client=None, gender=Gender.NOT_STATED,
                     age_band=AgeBand.UNKNOWN):
    """A visitor without a booking: a client found by search, or anonymous (only unit,
    purpose, gender and age band, for the statistics)."""
    if client is not None and not access.can_view_client(by, client):
        raise DomainError(_("Du kan inte registrera besök för den klienten."))
    if unit == UnitCode.KAST or (client is not None and client.register == Register.KAST):
        raise DomainError(_("KAST:s besök registreras inte i mottagningen."))
    return Visit.objects.create(
        unit=unit, purpose=purpose, client=client, registered_by=by,
        gender=client.gender if client is not None else gender,
        age_band=AgeBand.UNKNOWN if client is not None else age_band,
    )


@transaction.atomic
def take_in(visit, *, by):
    """The practitioner has taken the visitor in from the waiting room."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.closed_at is not None:
        raise DomainError(_("Besöket är redan avslutat."))
    if visit.taken_in_at is None:
        visit.taken_in_at = timezone.now()
        visit.taken_in_by = by
        visit.save(update_fields=["taken_in_at", "taken_in_by"])
    return visit

