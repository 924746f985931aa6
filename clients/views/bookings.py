"""Day and week calendars per staff member and per room; booking, moving, cancelling and
marking bookings.

What a calendar shows of a booking: time, status, kind and interpreter language, and the
client's alias only where the user may see the client ("Bokad" otherwise). KAST's bookings
show to everyone outside KAST only as "Upptagen". Like the list of clients, a calendar is a
list of aliases and times, not a read of anyone's record: it writes no read-log rows (nor do
the move and status pages, which, like the enrolment and assignment confirmations, show an
alias and a time only)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from prostenhet.exceptions import DomainError

from .. import access, services
from ..forms import (
    BookingForm,
    BookingMoveForm,
    BookingStatusForm,
    CalendarFilterForm,
    bookable_staff,
)
from ..models import Booking, BookingStatus, Room
from .pickers import client_options_response

# The form fields the services' error fields stand for.
FORM_FIELDS = {"starts_at": "start", "ends_at": "end", "staff": "staff", "room": "room"}

# The status changes offered from a calendar: (URL slug, status, title, button, done).
STATUS_ACTIONS = {
    "avbokad-av-klienten": (
        BookingStatus.CANCELLED_BY_CLIENT, gettext_lazy("Avboka (klienten avbokade)"),
        gettext_lazy("Avboka"), gettext_lazy("Tiden är avbokad."),
    ),
    "avbokad-av-enheten": (
        BookingStatus.CANCELLED_BY_UNIT, gettext_lazy("Avboka (enheten avbokar)"),
        gettext_lazy("Avboka"), gettext_lazy("Tiden är avbokad."),
    ),
    "uteblev": (
        BookingStatus.NO_SHOW, gettext_lazy("Markera att klienten uteblev"),
        gettext_lazy("Markera som utebliven"), gettext_lazy("Bokningen är markerad som "
                                                            "utebliven."),
    ),
}


def _post(request):
    return request.POST if request.method == "POST" else None


def _form_error(form, error):
    field = FORM_FIELDS.get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _aware(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _calendar_url(name, *, day, staff=None, room=None):
    query = {"date": day.isoformat()}
    if staff is not None:
        query["staff"] = staff.public_id
    if room is not None:
        query["room"] = room.pk
    return reverse(name) + "?" + urlencode(query)


# --- calendars -------------------------------------------------------------------------------


@dataclass
class Entry:
    """One booking in a calendar cell. busy: a time shown as "Upptagen" and nothing else
    (booking and client are None); client: set only when the user may see the client."""

    starts_at: datetime
    ends_at: datetime
    busy: bool = False
    booking: Booking | None = None
    client: object = None
    can_change: bool = False
    # The time and who, as HTML, made once in Python: a week of ten staff has some 250
    # bookings, and the template engine's lookups would cost most of the page.
    line: str = ""
    room_part: str = ""  # " · Samtalsrum 1" in a staff member's row
    staff_part: str = ""  # " · the staff member" in a room's row
    badge: str = ""  # the interpreter's language


@dataclass
class Cell:
    """A staff member's or a room's bookings on one day, and where to book another."""

    day: object
    entries: list
    book_url: str = ""


@dataclass
class Row:
    """A calendar's row: a staff member's or a room's bookings, one cell per day."""

    kind: str  # "staff" or "room"
    owner: object
    cells: list


PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def time_range(starts_at, ends_at):
    return (f"{timezone.localtime(starts_at):%H:%M}–"
            f"{timezone.localtime(ends_at):%H:%M}")


def _booking_line(booking, client, client_url):
    """A booking's time and client (a link only where the user may see the client), struck
    through when cancelled, and the start of its details line (kind · status)."""
    strike = " text-decoration-line-through" if booking.is_cancelled else ""
    who = (
        format_html('<a href="{}">{}</a>', client_url.replace(PLACEHOLDER, str(client.public_id)),
                    client.alias)
        if client is not None else BookingStatus.BOOKED.label
    )
    return format_html(
        '<span class="fw-semibold{}">{}</span> {}<br><small>{} · '
        '<span data-testid="booking-status">{}</span>',
        strike, time_range(booking.starts_at, booking.ends_at), who,
        booking.get_kind_display(), booking.get_status_display(),
    )


def _calendar(request, *, week):
    user = request.user
    staff_qs = bookable_staff(user)
    rooms_qs = Room.objects.filter(active=True)
    form = CalendarFilterForm(request.GET or None, staff=staff_qs, rooms=rooms_qs)
    chosen = form.cleaned_data if form.is_valid() else {}
    day = chosen.get("date") or timezone.localdate()
    staff, room = chosen.get("staff"), chosen.get("room")

    owners = []
    if staff is not None:
        owners.append(("staff", staff))
    if room is not None:
        owners.append(("room", room))
    staff_list = list(staff_qs)
    # Offer the staff already read (a ModelChoiceField would read them again).
    form.fields["staff"].choices = [("", form.fields["staff"].empty_label)] + [
        (s.public_id, str(s)) for s in staff_list
    ]
    if not owners:
        owners = [("staff", s) for s in staff_list]

    if week:
        first = day - timedelta(days=day.weekday())
        days = [first + timedelta(days=i) for i in range(7)]
    else:
        days = [day]
    starts, ends = _aware(days[0]), _aware(days[-1] + timedelta(days=1))
    staff_ids = {o.pk for kind, o in owners if kind == "staff"}
    room_ids = {o.pk for kind, o in owners if kind == "room"}
    where = Q(staff_id__in=staff_ids) | Q(room_id__in=room_ids)
    in_range = {"starts_at__gte": starts, "starts_at__lt": ends}

    bookings = list(
        access.visible_bookings(user).filter(where, **in_range)
        .select_related("client", "staff", "room").order_by("starts_at")
    )
    busy = list(
        access.busy_bookings(user).holding().filter(where, **in_range)
        .only("starts_at", "ends_at", "staff_id", "room_id")
    )
    shown = access.visible_client_ids(user, [b.client_id for b in bookings])

    cells = {}

    def place(entry, staff_id, room_id):
        local_day = timezone.localtime(entry.starts_at).date()
        if staff_id in staff_ids:
            cells.setdefault(("staff", staff_id, local_day), []).append(entry)
        if room_id in room_ids:
            cells.setdefault(("room", room_id, local_day), []).append(entry)

    client_url = reverse("clients:client-detail", args=[PLACEHOLDER])
    for booking in bookings:
        client = booking.client if booking.client_id in shown else None
        place(Entry(
            booking.starts_at, booking.ends_at, booking=booking, client=client,
            can_change=(booking.status == BookingStatus.BOOKED
                        and access.can_change_booking(user, booking)),
            line=_booking_line(booking, client, client_url),
            room_part=format_html(" · {}", booking.room.name) if booking.room_id else "",
            staff_part=format_html(" · {}", booking.staff) if booking.staff_id else "",
            badge=format_html(
                '<br><span class="badge text-bg-info">{}</span>',
                _("Tolk: %(language)s") % {"language": booking.interpreter_language},
            ) if booking.interpreter_language else "",
        ), booking.staff_id, booking.room_id)
    for booking in busy:
        place(Entry(booking.starts_at, booking.ends_at, busy=True),
              booking.staff_id, booking.room_id)

    if week:
        # The weekend is shown only when something is booked in it.
        weekend = {key[2] for key in cells if key[2].isoweekday() > 5}
        days = [d for d in days if d.isoweekday() <= 5 or d in weekend]
    can_book = user.has_perm("clients.add_booking")

    def book_url(kind, owner, d):
        if not can_book or d < timezone.localdate():
            return ""
        owner_query = {"staff": owner.public_id} if kind == "staff" else {"room": owner.pk}
        return reverse("clients:booking-create") + "?" + urlencode(
            {**owner_query, "date": d.isoformat()}
        )

    rows = [
        Row(kind, owner, [
            Cell(d, sorted(cells.get((kind, owner.pk, d), []), key=lambda e: e.starts_at),
                 book_url(kind, owner, d))
            for d in days
        ])
        for kind, owner in owners
    ]
    name = "clients:calendar-week" if week else "clients:calendar-day"
    step = timedelta(days=7 if week else 1)
    return render(request, "clients/bookings/calendar.html", {
        "form": form, "week": week, "day": day, "days": days, "rows": rows,
        "today": timezone.localdate(), "now": timezone.now(),
        "previous_url": _calendar_url(name, day=day - step, staff=staff, room=room),
        "next_url": _calendar_url(name, day=day + step, staff=staff, room=room),
        "day_url": _calendar_url("clients:calendar-day", day=day, staff=staff, room=room),
        "week_url": _calendar_url("clients:calendar-week", day=day, staff=staff, room=room),
        "can_book": can_book,
    })


@permission_required("clients.view_booking", raise_exception=True)
def calendar_day(request):
    """A day's bookings: one staff member's, one room's, or everyone's in the user's units."""
    return _calendar(request, week=False)


@permission_required("clients.view_booking", raise_exception=True)
def calendar_week(request):
    """A week's bookings (Monday to Friday; the weekend when booked), as calendar_day."""
    return _calendar(request, week=True)


# --- booking, moving, status -----------------------------------------------------------------


@permission_required("clients.add_booking", raise_exception=True)
@require_POST
def booking_client_options(request):
    """The new booking's client picker: the clients the user may book for whose alias begins
    with what was typed (pickers.client_options_response)."""
    return client_options_response(request, access.visible_clients(request.user))


@permission_required("clients.add_booking", raise_exception=True)
def booking_create(request):
    """A new booking. The form's one-time token makes a double click or a resubmitted form
    book once; a refusal keeps everything the user entered."""
    user = request.user
    initial = {}
    if request.method == "GET":
        for name in ("staff", "room", "client", "date", "start", "unit",
                     "interpreter_language"):
            if request.GET.get(name):
                initial["day" if name == "date" else name] = request.GET[name]
    form = BookingForm(_post(request), user=user, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.book(
                unit=data["unit"], starts_at=data["starts_at"], ends_at=data["ends_at"], by=user,
                staff=data["staff"], room=data["room"], client=data["client"],
                kind=data["kind"], interpreter_language=data["interpreter_language"].strip(),
                request_token=data["request_token"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Tiden är bokad."))
            return redirect(_calendar_url(
                "clients:calendar-day", day=timezone.localdate(booking.starts_at),
                staff=booking.staff, room=None if booking.staff else booking.room,
            ))
    return render(request, "clients/bookings/booking_form.html", {"form": form})


def _changeable_booking(request, booking_id):
    booking = access.get_booking_or_404(request, booking_id, change=True)
    if not access.can_change_booking(request.user, booking):
        raise PermissionDenied
    return booking


def _shown_client(user, booking):
    if booking.client_id and booking.client_id in access.visible_client_ids(
        user, [booking.client_id]
    ):
        return booking.client
    return None


def _back_to_calendar(booking):
    return _calendar_url(
        "clients:calendar-day", day=timezone.localdate(booking.starts_at),
        staff=booking.staff, room=None if booking.staff else booking.room,
    )


@permission_required("clients.change_booking", raise_exception=True)
def booking_move(request, booking_id):
    """A new time for a booked time. A form shown before someone else changed the booking is
    refused with a message (the version it carries is stale)."""
    booking = _changeable_booking(request, booking_id)
    local_start = timezone.localtime(booking.starts_at)
    form = BookingMoveForm(_post(request), initial={
        "day": local_start.date(), "start": local_start.time(),
        "end": timezone.localtime(booking.ends_at).time(), "version": booking.version,
    })
    if form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.move_booking(
                booking, starts_at=data["starts_at"], ends_at=data["ends_at"], by=request.user,
                expected_version=data["version"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Tiden är flyttad."))
            return redirect(_back_to_calendar(moved))
    return render(request, "clients/bookings/booking_move.html", {
        "form": form, "booking": booking, "client": _shown_client(request.user, booking),
        "back_url": _back_to_calendar(booking),
    })


@permission_required("clients.change_booking", raise_exception=True)
def booking_status(request, booking_id, action):
    """Cancel a booking (by the client or by the unit) or mark a no-show: a GET shows what
    is about to change, the POST changes it."""
    if action not in STATUS_ACTIONS:
        raise Http404
    status, title, submit_label, done = STATUS_ACTIONS[action]
    booking = _changeable_booking(request, booking_id)
    form = BookingStatusForm(_post(request), submit_label=submit_label,
                             initial={"version": booking.version})
    error = None
    if form.is_valid():
        try:
            # Through counselling's service: a contracted session's no-show or late
            # cancellation also leaves its short entry in the journal.
            changed = services.set_session_status(
                booking, status, by=request.user, expected_version=form.cleaned_data["version"]
            )
        except DomainError as domain_error:
            error = domain_error.message
        else:
            messages.success(request, done)
            return redirect(_back_to_calendar(changed))
    return render(request, "clients/bookings/booking_status.html", {
        "form": form, "booking": booking, "client": _shown_client(request.user, booking),
        "title": title, "error": error, "back_url": _back_to_calendar(booking),
    })


urlpatterns = [
    path("kalender/", calendar_day, name="calendar-day"),
    path("kalender/vecka/", calendar_week, name="calendar-week"),
    path("bokning/ny/", booking_create, name="booking-create"),
    path("bokning/ny/klienter/", booking_client_options, name="booking-client-options"),
    path("bokning/<uuid:booking_id>/flytta/", booking_move, name="booking-move"),
    path("bokning/<uuid:booking_id>/<slug:action>/", booking_status, name="booking-status"),
]
