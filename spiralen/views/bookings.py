"""The clinic's day and week, booking a first free time, consultation hours and their
exceptions, and the appointment types' lengths.

What the schedule shows of a booking: time, status, the client's alias only where the user may
see the client, and what: the appointment type to the clinic's clinicians, only the profession
("Spiralen – barnmorska") to everyone else — never the type nor anything from the record.
Like the reception's calendars it is a list of aliases and times, not a read of anyone's
record: it writes no read-log rows (nor does the booking page, which lists aliases)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import access
from clients.models import BookingStatus, Register
from clients.views.pickers import client_options_response
from prostenhet.exceptions import DomainError
from prostenhet.forms import ConfirmForm
from prostenhet.roles import UnitCode

from .. import services
from ..forms.bookings import (
    AppointmentLengthForm,
    BookSlotForm,
    EndHoursForm,
    ExceptionForm,
    FreeTimesForm,
    HoursForm,
    ScheduleForm,
    staff_label,
)
from ..models import AppointmentType, ConsultationHours, HoursException

FORM_PAGE = "spiralen/bookings/form.html"


def _post(request):
    return request.POST if request.method == "POST" else None


def _aware(day, at=time.min):
    return timezone.make_aware(datetime.combine(day, at))


def _form_error(form, error, fields=None):
    """Show a service's refusal on the form: on the field it names when the form shows that
    field, else above the form."""
    name = (fields or {}).get(error.field, error.field)
    visible = name in form.fields and not form.fields[name].widget.is_hidden
    form.add_error(name if visible else None, error.message)


def _schedule_url(day, *, week=False):
    query = {"date": day.isoformat()}
    if week:
        query["week"] = "1"
    return reverse("spiralen:schedule") + "?" + urlencode(query)


def _is_clinician_view(user):
    """Who may see what a clinic booking is for (its appointment type): the clinic's
    clinicians, who keep the record."""
    return user.has_perm("spiralen.view_encounter")


# --- the clinic's day and week -----------------------------------------------------------------


@dataclass
class ScheduleEntry:
    starts_at: datetime
    ends_at: datetime
    status: str
    cancelled: bool
    what: str
    alias: str | None = None
    client_public_id: object = None
    interpreter_language: str = ""


@dataclass
class ScheduleCell:
    day: date
    hours: list
    closed: str = ""
    entries: list = field(default_factory=list)
    book_url: str = ""


@dataclass
class ScheduleRow:
    staff: object
    profession: str
    cells: list


@permission_required("spiralen.view_appointment", raise_exception=True)
def schedule(request):
    """The clinic's day (or week): per clinician, the consultation hours, "Frånvarande" or
    "Stängt" on an exception's days, and the clinic's bookings. A fixed number of queries."""
    user = request.user
    form = ScheduleForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    day = chosen.get("date") or today
    week = bool(chosen.get("week"))
    if week:
        first = day - timedelta(days=day.weekday())
        days = [first + timedelta(days=i) for i in range(7)]
    else:
        days = [day]

    staff = list(services.clinic_staff())
    bookings = list(
        access.visible_bookings(user)
        .filter(unit=UnitCode.SPIRALEN, starts_at__gte=_aware(days[0]),
                starts_at__lt=_aware(days[-1] + timedelta(days=1)))
        .select_related("staff", "client", "appointment")
        .order_by("starts_at", "pk")
    )
    known = {person.pk for person in staff}
    for booking in bookings:  # a former clinician's bookings still show
        if booking.staff_id and booking.staff_id not in known:
            known.add(booking.staff_id)
            staff.append(booking.staff)
    staff_ids = [person.pk for person in staff]
    exceptions = services.exceptions_between(staff_ids, days[0], days[-1])
    hours = services.hours_by_day(staff_ids, days[0], days[-1], exceptions=exceptions)
    shown = access.visible_client_ids(user, [b.client_id for b in bookings])
    types = {t.pk: t for t in AppointmentType.objects.all()}
    clinician_view = _is_clinician_view(user)
    labels = dict(BookingStatus.choices)

    entries = {}
    for booking in bookings:
        appointment = getattr(booking, "appointment", None)
        kind = types.get(appointment.type_id) if appointment is not None else None
        if kind is not None:
            what = str(kind) if clinician_view else services.clinic_label(kind.profession)
        else:
            what = services.clinic_label(booking.staff.profession if booking.staff_id else "")
        client = booking.client if booking.client_id in shown else None
        local_day = timezone.localtime(booking.starts_at).date()
        entries.setdefault((booking.staff_id, local_day), []).append(ScheduleEntry(
            starts_at=booking.starts_at, ends_at=booking.ends_at,
            status=str(labels[booking.status]), cancelled=booking.is_cancelled, what=what,
            alias=client.alias if client is not None else None,
            client_public_id=client.public_id if client is not None else None,
            interpreter_language=booking.interpreter_language,
        ))

    if week:  # the weekend only when something is booked in it
        days = [d for d in days if d.isoweekday() <= 5
                or any(key[1] == d for key in entries)]
    can_book = user.has_perm("spiralen.add_appointment")

    def closed(person, d):
        for exception in exceptions:
            if (exception.clinician_id in (None, person.pk)
                    and exception.starts_on <= d <= exception.ends_on):
                return _("Stängt") if exception.clinician_id is None else _("Frånvarande")
        return ""

    def book_url(person, d):
        if not can_book or d < today:
            return ""
        return reverse("spiralen:book") + "?" + urlencode(
            {"staff": person.public_id, "from_day": d.isoformat()}
        )

    rows = [
        ScheduleRow(person, person.get_profession_display(), [
            ScheduleCell(d, hours.get((person.pk, d), []), closed(person, d),
                         entries.get((person.pk, d), []), book_url(person, d))
            for d in days
        ])
        for person in staff
    ]
    step = timedelta(days=7 if week else 1)
    return render(request, "spiralen/bookings/schedule.html", {
        "form": form, "week": week, "day": day, "days": days, "rows": rows, "today": today,
        "previous_url": _schedule_url(day - step, week=week),
        "next_url": _schedule_url(day + step, week=week),
        "day_url": _schedule_url(day), "week_url": _schedule_url(day, week=True),
        "can_book": can_book,
    })


# --- booking a first free time -------------------------------------------------------------------

# The form fields the services' error fields stand for.
SLOT_FIELDS = {"message": "referral_message", "starts_at": "slot", "staff": "slot"}


def _books_with_referral(user):
    """An outreach worker outside the clinic books with a referral outreach → Spiralen."""
    units = access.user_units(user)
    return UnitCode.SPIRALEN not in units and UnitCode.OUTREACH in units


def _hidden_errors_to_top(form):
    """A hidden field's error would not show: say it above the form."""
    for name, bound in form.fields.items():
        if bound.widget.is_hidden and name in form.errors:
            for message in form.errors.pop(name):
                form.add_error(None, message)


def _free_time(free):
    start = timezone.localtime(free.starts_at)
    return {
        "value": BookSlotForm.slot_value(free),
        "day": start.date(),
        "time": f"{start:%H:%M}–{timezone.localtime(free.ends_at):%H:%M}",
        "staff": staff_label(free.staff),
    }


@permission_required("spiralen.add_appointment", raise_exception=True)
@require_POST
def book_client_options(request):
    """The booking's client picker: the clients of the main register the user may book for
    whose alias begins with what was typed (clients' client_options_response)."""
    return client_options_response(
        request, FreeTimesForm.bookable_clients(request.user), registers=[Register.MAIN]
    )


@permission_required("spiralen.add_appointment", raise_exception=True)
def book(request):
    """Step 1 (GET): the type, the client, from which day and, optionally, the clinician;
    step 2: the first free times, each a button that books it (POST, with a one-time token
    so that a double click books once). A refusal (the time was just taken) shows why and
    the free times again, with nothing typed lost."""
    user = request.user
    referral = _books_with_referral(user)
    clinician_view = _is_clinician_view(user)
    slot_form = None
    if request.method == "POST":
        slot_form = BookSlotForm(request.POST, referral=referral)
        if slot_form.is_valid():
            data = slot_form.cleaned_data
            try:
                appointment = services.book_appointment(
                    appointment_type=data["type"], staff=data["staff"],
                    starts_at=data["starts_at"], client=data["client"], by=user,
                    interpreter_language=data["interpreter_language"],
                    request_token=data["request_token"],
                    referral_message=data.get("referral_message", ""),
                    consent_method=data.get("consent_method", ""),
                )
            except DomainError as error:
                _form_error(slot_form, error, SLOT_FIELDS)
            else:
                booking = appointment.booking
                what = (str(appointment.type) if clinician_view
                        else services.clinic_label(appointment.type.profession))
                start = timezone.localtime(booking.starts_at)
                messages.success(request, _(
                    "Tiden är bokad: %(day)s %(start)s–%(end)s hos %(staff)s, %(what)s."
                ) % {
                    "day": start.date().isoformat(), "start": f"{start:%H:%M}",
                    "end": f"{timezone.localtime(booking.ends_at):%H:%M}",
                    "staff": data["staff"], "what": what,
                })
                return redirect(_schedule_url(start.date()))
        _hidden_errors_to_top(slot_form)
        search = FreeTimesForm({
            "type": request.POST.get("type", ""), "client": request.POST.get("client", ""),
            "from_day": request.POST.get("from_day", ""),
        }, user=user)
    elif request.GET.get("type"):
        search = FreeTimesForm(request.GET, user=user)
    else:
        initial = {name: request.GET[name] for name in ("client", "staff", "from_day")
                   if request.GET.get(name)}
        search = FreeTimesForm(user=user, initial=initial)

    free, chosen = [], {}
    if search.is_bound and search.is_valid():
        chosen = search.cleaned_data
        free = [
            _free_time(f) for f in services.free_times(chosen["type"], from_day=chosen["from_day"],
                                         staff=chosen.get("staff"))
        ]
        if slot_form is None:
            slot_form = BookSlotForm(referral=referral, initial={
                "type": chosen["type"].pk, "client": chosen["client"].public_id,
                "from_day": chosen["from_day"],
            })
    return render(request, "spiralen/bookings/book.html", {
        "search": search, "slot_form": slot_form if chosen else None, "free": free,
        "chosen": chosen, "referral": referral,
    })


# --- consultation hours and exceptions ------------------------------------------------------------


@permission_required("spiralen.view_consultationhours", raise_exception=True)
def hours(request):
    """Each clinician's weekly hours (current and coming) and the coming exceptions, with
    the actions the user's permissions allow."""
    user = request.user
    today = timezone.localdate()
    staff = list(services.clinic_staff())
    rows = {person.pk: {"staff": person, "hours": []} for person in staff}
    for row in (
        ConsultationHours.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("clinician").order_by("weekday", "starts", "valid_from")
    ):
        rows.setdefault(row.clinician_id, {"staff": row.clinician, "hours": []})["hours"].append(
            row
        )
    exceptions = list(
        HoursException.objects.filter(ends_on__gte=today).select_related("clinician")
        .order_by("starts_on", "pk")[:200]
    )
    return render(request, "spiralen/bookings/hours.html", {
        "rows": list(rows.values()), "exceptions": exceptions, "today": today,
        "can_add_hours": user.has_perm("spiralen.add_consultationhours"),
        "can_end_hours": user.has_perm("spiralen.change_consultationhours"),
        "can_add_exception": user.has_perm("spiralen.add_hoursexception"),
        "can_delete_exception": user.has_perm("spiralen.delete_hoursexception"),
        "can_see_types": user.has_perm("spiralen.view_appointmenttype"),
    })


def _form_page(request, form, *, title, text="", back_url=None):
    return render(request, FORM_PAGE, {
        "form": form, "title": title, "text": text,
        "back_url": back_url or reverse("spiralen:hours"),
    })


@permission_required("spiralen.add_consultationhours", raise_exception=True)
def hours_create(request):
    form = HoursForm(_post(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_hours(
                clinician=data["clinician"], weekday=data["weekday"], starts=data["starts"],
                ends=data["ends"], valid_from=data["valid_from"],
                valid_until=data["valid_until"], by=request.user,
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Mottagningstiden är sparad."))
            return redirect("spiralen:hours")
    return _form_page(request, form, title=_("Ny mottagningstid"))


@permission_required("spiralen.change_consultationhours", raise_exception=True)
def hours_end(request, pk):
    row = get_object_or_404(ConsultationHours.objects.select_related("clinician"), pk=pk)
    form = EndHoursForm(_post(request))
    if form.is_valid():
        try:
            services.end_hours(row, last_day=form.cleaned_data["last_day"], by=request.user)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Mottagningstiden är avslutad."))
            return redirect("spiralen:hours")
    return _form_page(
        request, form, title=_("Avsluta mottagningstid"),
        text=_("%(staff)s, %(hours)s, gäller från %(day)s. Ange den sista dagen tiderna "
               "gäller.") % {"staff": row.clinician, "hours": row,
                             "day": row.valid_from.isoformat()},
    )


@permission_required("spiralen.add_hoursexception", raise_exception=True)
def exception_create(request):
    form = ExceptionForm(_post(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_exception(
                clinician=data["clinician"], starts_on=data["starts_on"],
                ends_on=data["ends_on"], reason=data["reason"], note=data["note"],
                by=request.user,
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Undantaget är sparat."))
            return redirect("spiralen:hours")
    return _form_page(request, form, title=_("Undantag från mottagningstiderna"),
                      text=_("Frånvaro för en kliniker, eller en dag då hela mottagningen är "
                             "stängd (lämna kliniker tomt)."))


@permission_required("spiralen.delete_hoursexception", raise_exception=True)
def exception_delete(request, pk):
    exception = get_object_or_404(HoursException.objects.select_related("clinician"), pk=pk)
    form = ConfirmForm(_post(request), submit_label=_("Ta bort"), danger=True)
    if form.is_valid():
        services.delete_exception(exception, by=request.user)
        messages.success(request, _("Undantaget är borttaget."))
        return redirect("spiralen:hours")
    who = exception.clinician or _("Hela mottagningen")
    return _form_page(
        request, form, title=_("Ta bort undantag"),
        text=_("%(who)s: %(reason)s %(first)s–%(last)s. Mottagningstiderna gäller då igen.")
        % {"who": who, "reason": exception.get_reason_display().lower(),
           "first": exception.starts_on.isoformat(), "last": exception.ends_on.isoformat()},
    )


# --- appointment types ----------------------------------------------------------------------------


@permission_required("spiralen.view_appointmenttype", raise_exception=True)
def appointment_types(request):
    """The appointment types, their professions and lengths; a clinician changes a length
    (a form shown before someone else changed it is refused)."""
    may_change = request.user.has_perm("spiralen.change_appointmenttype")
    if request.method == "POST" and not may_change:
        raise PermissionDenied
    rows = []
    for kind in AppointmentType.objects.all():
        prefix = f"typ-{kind.pk}"
        form = None
        if may_change:
            bound = request.method == "POST" and f"{prefix}-minutes" in request.POST
            form = AppointmentLengthForm(
                request.POST if bound else None, prefix=prefix,
                initial={"minutes": kind.minutes, "version": kind.version},
            )
            form.fields["minutes"].label = _("Längd i minuter, %(type)s") % {"type": kind}
            if bound and form.is_valid():
                try:
                    services.set_appointment_length(
                        kind, minutes=form.cleaned_data["minutes"], by=request.user,
                        expected_version=form.cleaned_data["version"],
                    )
                except DomainError as error:
                    _form_error(form, error)
                else:
                    messages.success(request, _("Längden på %(type)s är ändrad.") % {
                        "type": kind})
                    return redirect("spiralen:appointment-types")
            _hidden_errors_to_top(form)
        rows.append({"type": kind, "form": form})
    return render(request, "spiralen/bookings/appointment_types.html", {
        "rows": rows, "may_change": may_change,
    })


urlpatterns = [
    path("mottagning/", schedule, name="schedule"),
    path("boka/", book, name="book"),
    path("boka/klienter/", book_client_options, name="book-client-options"),
    path("mottagningstider/", hours, name="hours"),
    path("mottagningstider/ny/", hours_create, name="hours-create"),
    path("mottagningstider/<int:pk>/avsluta/", hours_end, name="hours-end"),
    path("mottagningstider/undantag/ny/", exception_create, name="exception-create"),
    path("mottagningstider/undantag/<int:pk>/ta-bort/", exception_delete,
         name="exception-delete"),
    path("besokstyper/", appointment_types, name="appointment-types"),
]
