"""KAST's phone counselling (issue 10): the counsellors' start panel, the call list, recording
and correcting a call, registering a caller as a KAST client and booking their first session
from the call. Views are thin: they ask services.calls and clients.access, log the read of a
named client's record, and render.

KAST is sealed (DESIGN §3.4): the KAST pages answer 403 to anyone without the role's
permission or not working in KAST (a counsellor of counselling has the same role: the unit
decides), whatever KAST holds; a record's URL answers 404 to them, whether the record exists
or not, and to KAST staff outside the record's scope."""

from datetime import datetime, time, timedelta
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import audit
from clients.models import Register
from clients.services import UnderAgeError
from clients.views.pickers import client_options_response
from prostenhet.exceptions import DomainError
from prostenhet.lib.paging import open_page

from .. import services
from ..forms import BookSessionForm, CallFilterForm, CallForm, RegisterCallerForm
from ..models import CallOutcome

PAGE_SIZE = 25
PANEL_LIMIT = 5
HISTORY_LIMIT = 20


def kast_page(perm):
    """A KAST page: 403 without the role's permission or outside KAST."""
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not (request.user.has_perm(perm) and services.works_in_kast(request.user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def kast_record(perm):
    """A KAST record's page: 404 without the role's permission or outside KAST, the same
    answer as for a record that does not exist."""
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not (request.user.has_perm(perm) and services.works_in_kast(request.user)):
                raise Http404
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def _post(request):
    return request.POST if request.method == "POST" else None


def _form_error(form, error, fields=None):
    field = (fields or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _call_or_404(request, call_id):
    call = (
        services.visible_calls(request.user)
        .select_related("client", "booking__room", "counsellor")
        .filter(public_id=call_id).first()
    )
    if call is None:
        raise Http404
    return call


# --- the start panel ---------------------------------------------------------------------------


def calls_panel(request):
    """The KAST counsellors' start panel: today's calls, the latest ones and the callers to
    follow up. Codes, dates and aliases only: no read-log row. None outside KAST."""
    user = request.user
    if not (user.has_perm("kast.view_call") and services.works_in_kast(user)):
        return None
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    calls = services.visible_calls(user)
    return {
        "today_count": calls.filter(occurred_at__gte=start,
                                    occurred_at__lt=start + timedelta(days=1)).count(),
        "recent": list(calls.select_related("client").order_by("-occurred_at", "-pk")
                       [:PANEL_LIMIT]),
        "follow_up": list(services.follow_up_calls(user, calls=calls).select_related("client")
                          .order_by("-occurred_at", "-pk")[:PANEL_LIMIT]),
    }


# --- the call list -----------------------------------------------------------------------------


@kast_page("kast.view_call")
def call_list(request):
    """The calls the user may see, newest first, filtered by caller code, outcome or source.
    Codes and aliases, not a record: no read-log row (as the client list)."""
    form = CallFilterForm(request.GET or None)
    calls = services.visible_calls(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["code"]:
            calls = calls.filter(caller_code__iexact=data["code"].strip())
        if data["outcome"]:
            calls = calls.filter(outcome=data["outcome"])
        if data["heard_via"]:
            calls = calls.filter(heard_via=data["heard_via"])
    calls = calls.select_related("client", "counsellor").order_by("-occurred_at", "-pk")
    # The calls grow with the years: no count of them all, "Sida 3" (prostenhet.lib.paging).
    page = open_page(calls, request.GET.get("page"), PAGE_SIZE)
    return render(request, "kast/calls/list.html", {"form": form, "page": page})


# --- recording a call --------------------------------------------------------------------------


@kast_page("kast.add_call")
def call_create(request):
    form = CallForm(
        _post(request), clients=services.kast_clients(request.user),
        submit_label=_("Spara samtalet"),
        initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if form.is_valid():
        try:
            call = services.record_call(by=request.user, **form.call_fields())
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Samtalet är sparat."))
            return redirect("kast:call-detail", call_id=call.public_id)
    return render(request, "kast/calls/form.html", {"form": form, "call": None})


@kast_page("kast.add_call")
@require_POST
def call_client_options(request):
    """The call form's client picker: the user's KAST clients whose alias begins with what
    was typed (clients' client_options_response; a search in KAST's register)."""
    return client_options_response(request, services.kast_clients(request.user),
                                   registers=[Register.KAST], birth_year=False)


@kast_record("kast.view_call")
def call_detail(request, call_id):
    """A call, the caller's other calls (same code or client), and what comes next: register
    the caller as a client, book the first session."""
    call = _call_or_404(request, call_id)
    same_caller = Q()
    if call.client_id:
        same_caller |= Q(client_id=call.client_id)
    if call.caller_code:
        same_caller |= Q(caller_code=call.caller_code)
    history = []
    if same_caller:
        history = list(
            services.visible_calls(request.user).filter(same_caller).exclude(pk=call.pk)
            .select_related("counsellor").order_by("-occurred_at", "-pk")[:HISTORY_LIMIT]
        )
    if call.client is not None:
        audit.log_read(request, call.client)
    user = request.user
    return render(request, "kast/calls/detail.html", {
        "call": call, "history": history, "history_limit": HISTORY_LIMIT,
        "may_register": call.client_id is None and user.has_perm("kast.add_kastprofile"),
        "may_book": call.client_id is not None and user.has_perm("kast.change_call") and (
            call.booking_id is None or call.booking.is_cancelled
        ) and call.outcome in (CallOutcome.BOOKED, CallOutcome.OFFERED),
    })


@kast_record("kast.change_call")
def call_edit(request, call_id):
    call = _call_or_404(request, call_id)
    initial = {
        "occurred_at": timezone.localtime(call.occurred_at), "minutes": call.minutes,
        "channel": call.channel, "heard_via": call.heard_via, "summary": call.summary,
        "topics": call.topics, "outcome": call.outcome, "caller_code": call.caller_code,
        "version": call.version,
    }
    form = CallForm(_post(request), clients=services.kast_clients(request.user),
                    linked=call.client, initial=initial, submit_label=_("Spara ändringen"))
    if form.is_valid():
        try:
            services.update_call(call, by=request.user,
                                 expected_version=form.cleaned_data["version"],
                                 **form.call_fields())
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Samtalet är ändrat."))
            return redirect("kast:call-detail", call_id=call.public_id)
    if call.client is not None:
        audit.log_read(request, call.client)
    return render(request, "kast/calls/form.html", {"form": form, "call": call})


@kast_record("kast.add_kastprofile")
def call_register(request, call_id):
    """Register the caller as a KAST client: the call, and their earlier calls with the same
    caller code, follow; the user becomes their counsellor."""
    call = _call_or_404(request, call_id)
    if call.client_id is not None:
        messages.info(request, _("Uppringaren är redan registrerad som klient."))
        return redirect("kast:call-detail", call_id=call.public_id)
    form = RegisterCallerForm(_post(request), initial={
        "alias": call.caller_code, "referral_source": call.heard_via, "version": call.version,
    })
    if form.is_valid():
        data = form.cleaned_data
        try:
            client = services.register_caller(
                call, by=request.user, alias=data["alias"], birth_year=data["birth_year"],
                gender=data["gender"], referral_source=data["referral_source"],
                expected_version=data["version"],
            )
        except UnderAgeError as error:
            form.add_error("birth_year", error.message)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(alias)s är registrerad som KAST-klient.")
                             % {"alias": client.alias})
            return redirect("kast:call-detail", call_id=call.public_id)
    return render(request, "kast/form.html", {
        "form": form, "call": call, "title": _("Registrera uppringaren som klient"),
        "text": _("Klienten förs in i KAST:s eget register och du blir klientens behandlare. "
                  "Samtalet och tidigare samtal med samma uppringarkod kopplas till klienten."),
    })


BOOKING_FIELDS = {"starts_at": "starts_at", "ends_at": "starts_at", "minutes": "minutes",
                  "room": "room"}


@kast_record("kast.change_call")
def call_book(request, call_id):
    """Book the caller's first session with the user (a single session; a weekly contract is
    started from the client's contracts)."""
    call = _call_or_404(request, call_id)
    if call.client is None:
        raise Http404
    form = BookSessionForm(_post(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.book_first_session(
                call, by=request.user, starts_at=data["starts_at"], minutes=data["minutes"],
                room=data["room"], request_token=data["token"],
            )
        except DomainError as error:
            _form_error(form, error, BOOKING_FIELDS)
        else:
            messages.success(request, _("Första samtalet är bokat %(when)s.") % {
                "when": f"{timezone.localtime(booking.starts_at):%Y-%m-%d %H:%M}"})
            return redirect("kast:call-detail", call_id=call.public_id)
    audit.log_read(request, call.client)
    return render(request, "kast/form.html", {
        "form": form, "call": call, "client": call.client,
        "title": _("Boka första samtalet"),
        "text": _("Ett första samtal med dig. Vill ni ses varje vecka, starta ett "
                  "samtalskontrakt från klientens sida i stället."),
    })


urlpatterns = [
    path("samtal/", call_list, name="call-list"),
    path("samtal/nytt/", call_create, name="call-create"),
    path("samtal/nytt/klienter/", call_client_options, name="call-client-options"),
    path("samtal/<uuid:call_id>/", call_detail, name="call-detail"),
    path("samtal/<uuid:call_id>/andra/", call_edit, name="call-edit"),
    path("samtal/<uuid:call_id>/registrera/", call_register, name="call-register"),
    path("samtal/<uuid:call_id>/boka/", call_book, name="call-book"),
]
