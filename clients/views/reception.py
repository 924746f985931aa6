"""The office assistant's day: today's bookings, the waiting room and arrivals (booked,
drop-in, anonymous), and the practitioner's arrivals.

The two start panels ("Idag" for the office assistant, "Har kommit" for counsellors and
clinicians) are registered in clients/provides.py; each refreshes itself through its fragment
view here. Like the client list, a panel lists aliases without writing a read row; a drop-in
search is logged as a search."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Min
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from prostenhet.exceptions import DomainError
from prostenhet.forms import ConfirmForm
from prostenhet.roles import UnitCode

from .. import access, audit, services
from ..forms.reception import (
    ANONYMOUS_SUBMIT,
    CLIENT_SUBMIT,
    DROP_IN_CHOICES,
    AnonymousVisitForm,
    DropInClientForm,
    DropInSearchForm,
)
from ..models import BookingKind, BookingStatus, QueueEntry, Visit
from .bookings import PLACEHOLDER, time_range

TODAY_TEMPLATE = "clients/reception/_today_body.html"
ARRIVALS_TEMPLATE = "clients/reception/_arrivals_body.html"


def _post(request):
    return request.POST if request.method == "POST" else None


def _hhmm(moment):
    return f"{timezone.localtime(moment):%H:%M}"


def _minutes_since(moment, now):
    return max(0, int((now - moment).total_seconds() // 60))


# --- the office assistant's "Idag" -----------------------------------------------------------


def may_receive(user):
    """Whether the user receives people: sees today's bookings and registers arrivals."""
    return user.has_perm("clients.view_booking") and user.has_perm("clients.add_visit")


def today_context(request):
    """The "Idag" panel: today's bookings per staff member (or room), who is waiting and
    since when, and the queue's length and longest wait. A client's alias is shown only where
    the user may see the client; KAST's bookings and visits only to KAST staff. A fixed number
    of queries, however many bookings and visits there are."""
    user = request.user
    if not may_receive(user):
        return None
    now = timezone.now()
    today = timezone.localdate(now)
    bookings = list(
        access.visible_bookings(user).for_day(today)
        .select_related("staff", "room", "client", "visit")
        .order_by("starts_at", "pk")
    )
    waiting = Visit.objects.waiting().for_day(today).select_related("client", "booking__staff")
    if UnitCode.KAST not in access.user_units(user):
        waiting = waiting.exclude(unit=UnitCode.KAST)
    waiting = list(waiting.order_by("arrived_at", "pk"))
    visible = access.visible_client_ids(
        user, [b.client_id for b in bookings] + [v.client_id for v in waiting]
    )

    # Each row's address and times made once here, not looked up in the template (the panel
    # is asked for every ten seconds from every reception screen).
    arrival_url = reverse("clients:reception-arrival", args=[PLACEHOLDER])
    groups = {}
    for booking in bookings:
        booking.shown_alias = booking.client.alias if booking.client_id in visible else None
        booking.arrival = getattr(booking, "visit", None)
        booking.may_arrive = (
            booking.status == BookingStatus.BOOKED and booking.client_id is not None
            and booking.kind != BookingKind.MEETING and booking.arrival is None
        )
        booking.span = time_range(booking.starts_at, booking.ends_at)
        if booking.arrival:
            booking.arrived_time = _hhmm(booking.arrival.arrived_at)
        if booking.may_arrive:
            booking.arrival_url = arrival_url.replace(PLACEHOLDER, str(booking.public_id))
        if booking.staff_id and booking.unit == UnitCode.SPIRALEN:
            # The clinic's bookings say only the profession ("Spiralen – barnmorska"),
            # never the appointment type.
            key, where = ("clinic", booking.staff_id), str(UnitCode.SPIRALEN.label)
            if booking.staff.profession:
                where = _("%(unit)s – %(profession)s") % {
                    "unit": where, "profession": booking.staff.get_profession_display().lower(),
                }
            heading = f"{booking.staff} ({where})"
        elif booking.staff_id:
            key, heading = ("staff", booking.staff_id), str(booking.staff)
        else:
            key, heading = ("room", booking.room_id), _("Rum %(room)s") % {"room": booking.room}
        groups.setdefault(key, {"heading": heading, "bookings": []})["bookings"].append(booking)
    for visit in waiting:
        visit.shown_alias = visit.client.alias if visit.client_id in visible else None
        visit.waited_minutes = _minutes_since(visit.arrived_at, now)
        visit.arrived_time = _hhmm(visit.arrived_at)

    queue = None
    if user.has_perm("clients.view_queueentry"):
        queue = QueueEntry.objects.waiting().aggregate(
            length=Count("pk"), oldest=Min("added_on")
        )
        queue["longest_wait"] = (today - queue["oldest"]).days if queue["oldest"] else None
    return {
        "today": today,
        "staff_days": sorted(groups.values(), key=lambda group: group["heading"].casefold()),
        "waiting": waiting,
        "queue": queue,
        # One CSRF field for all the rows' "Har kommit" forms (the tag made one a row).
        "csrf_field": csrf_input(request),
    }


@require_GET
def today(request):
    """htmx: the "Idag" panel's content, fetched again every 10 s."""
    context = today_context(request)
    if context is None:
        return HttpResponseForbidden()
    return render(request, TODAY_TEMPLATE, context)


def _act(request, *, action, title, text, submit_label, success):
    """A GET shows a confirmation page; a POST runs action() and goes back to the start
    page, with the domain error as a message if it was refused. The panels' buttons POST
    directly (one click)."""
    form = ConfirmForm(_post(request), submit_label=submit_label)
    if form.is_valid():
        try:
            action()
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success)
        return redirect("start")
    return render(request, "clients/confirm.html", {"form": form, "title": title, "text": text})


def _booking_label(request, booking):
    """What a confirmation page says of a booking: time, staff member, and the alias where
    the user may see the client."""
    alias = (
        booking.client.alias
        if booking.client_id and access.visible_client_ids(request.user, [booking.client_id])
        else _("Klient")
    )
    start = timezone.localtime(booking.starts_at)
    return _("%(client)s, %(time)s hos %(staff)s") % {
        "client": alias, "time": f"{start:%Y-%m-%d %H:%M}",
        "staff": booking.staff or booking.room,
    }


@permission_required("clients.add_visit", raise_exception=True)
def arrival(request, booking_id):
    """A booked client has come ("Har kommit"): one click in the panel. A second click (or
    a second office assistant) registers nothing more."""
    booking = access.get_booking_or_404(request, booking_id)
    return _act(
        request,
        action=lambda: services.register_arrival(booking, by=request.user),
        title=_("Har kommit"),
        text=_("Registrera att %(booking)s har kommit?") % {
            "booking": _booking_label(request, booking)
        },
        submit_label=_("Har kommit"),
        success=_("Ankomsten är registrerad."),
    )


@permission_required("clients.add_visit", raise_exception=True)
def drop_in(request):
    """A visitor without a booking: a client found by alias among those the user may see,
    or an anonymous visitor (unit, purpose, gender and age band only)."""
    user = request.user
    search = DropInSearchForm(request.GET if "alias" in request.GET else None)
    term = ""
    if request.method == "POST" and CLIENT_SUBMIT in request.POST:
        term = request.POST.get("alias", "").strip()
        search = DropInSearchForm(initial={"alias": term})
    elif search.is_valid():
        term = search.cleaned_data["alias"].strip()
    candidates = []
    if term:
        candidates = list(
            access.visible_clients(user).alias_prefix(term).only("public_id", "alias")
            [:DROP_IN_CHOICES + 1]
        )
        if request.method == "GET":
            audit.log_search(request, term)
    more = len(candidates) > DROP_IN_CHOICES
    candidates = candidates[:DROP_IN_CHOICES]
    client_form = DropInClientForm(
        request.POST if CLIENT_SUBMIT in request.POST else None,
        user=user, candidates=candidates, initial={"alias": term},
    )
    anonymous_form = AnonymousVisitForm(
        request.POST if ANONYMOUS_SUBMIT in request.POST else None, user=user, prefix="anon",
    )
    for form, registration in [
        (client_form, lambda data: {"client": data["client"]}),
        (anonymous_form, lambda data: {"gender": data["gender"], "age_band": data["age_band"]}),
    ]:
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.register_drop_in(
                    unit=data["unit"], purpose=data["purpose"], by=user, **registration(data)
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Besöket är registrerat."))
                return redirect("start")
    return render(request, "clients/reception/drop_in.html", {
        "search": search, "term": term, "candidates": candidates, "more": more,
        "client_form": client_form, "anonymous_form": anonymous_form,
    })


# --- the practitioner's arrivals -------------------------------------------------------------


def may_take_in(user):
    return user.has_perm("clients.view_visit") and user.has_perm("clients.change_visit")


def arrivals_context(request):
    """The practitioner's panel: today's open visits for the user's own bookings, waiting
    (since when) or taken in, to take in and to mark completed."""
    user = request.user
    if not may_take_in(user):
        return None
    now = timezone.now()
    visits = list(
        Visit.objects.for_day(timezone.localdate(now))
        .filter(booking__staff=user, closed_at__isnull=True)
        .select_related("client", "booking__room")
        .order_by("arrived_at", "pk")
    )
    visible = access.visible_client_ids(user, [v.client_id for v in visits]) if visits else set()
    for visit in visits:
        visit.shown_alias = visit.client.alias if visit.client_id in visible else None
        visit.waited_minutes = _minutes_since(visit.arrived_at, now)
    return {"arrivals": visits}


@require_GET
def arrivals(request):
    """htmx: the practitioner's arrivals panel, fetched again every 10 s."""
    context = arrivals_context(request)
    if context is None:
        return HttpResponseForbidden()
    return render(request, ARRIVALS_TEMPLATE, context)


def _own_visit_or_404(request, visit_id):
    """A visit for one of the user's own bookings; any other visit is out of scope."""
    visit = (
        Visit.objects.select_related("booking__staff", "booking__room", "client")
        .filter(public_id=visit_id, booking__staff=request.user).first()
    )
    if visit is None:
        raise Http404
    return visit


@permission_required("clients.change_visit", raise_exception=True)
def take_in(request, visit_id):
    """The practitioner takes the visitor in from the waiting room ("Ta emot")."""
    visit = _own_visit_or_404(request, visit_id)
    return _act(
        request,
        action=lambda: services.take_in(visit, by=request.user),
        title=_("Ta emot"),
        text=_("Ta emot %(booking)s?") % {"booking": _booking_label(request, visit.booking)},
        submit_label=_("Ta emot"),
        success=_("Besökaren är mottagen."),
    )


@permission_required("clients.change_booking", raise_exception=True)
def complete(request, visit_id):
    """The practitioner marks the booking completed ("Genomförd"); the visit closes."""
    visit = _own_visit_or_404(request, visit_id)
    return _act(
        request,
        action=lambda: services.set_booking_status(
            visit.booking, BookingStatus.COMPLETED, by=request.user
        ),
        title=_("Genomförd"),
        text=_("Markera %(booking)s som genomförd? Besöket avslutas.") % {
            "booking": _booking_label(request, visit.booking)
        },
        submit_label=_("Genomförd"),
        success=_("Bokningen är genomförd och besöket avslutat."),
    )


urlpatterns = [
    path("mottagning/idag/", today, name="reception-today"),
    path("mottagning/spontanbesok/", drop_in, name="reception-drop-in"),
    path("mottagning/bokning/<uuid:booking_id>/har-kommit/", arrival, name="reception-arrival"),
    path("mottagning/mina-besok/", arrivals, name="reception-arrivals"),
    path("mottagning/besok/<uuid:visit_id>/ta-emot/", take_in, name="reception-take-in"),
    path("mottagning/besok/<uuid:visit_id>/genomford/", complete, name="reception-complete"),
]
