"""KAST's clients (issue 10): the user's KAST clients with their referral source and next
session, a client's KAST page (calls, sessions; contracts, notes and goals are counselling's
screens, linked from here) and the referral source's editor. Only the client's assigned
counsellors see them (clients.access); everyone else gets 404 for a client's URL."""

from django.contrib import messages
from django.db.models import Count, Min, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import access, audit
from clients.models import Booking, BookingKind, Register
from prostenhet.exceptions import DomainError
from prostenhet.lib.paging import open_page
from prostenhet.roles import UnitCode

from .. import services
from ..forms import ReferralSourceForm
from ..models import KastProfile
from .calls import HISTORY_LIMIT, PAGE_SIZE, _form_error, _post, kast_page, kast_record

SESSIONS_LIMIT = 10


def _next_session():
    return (
        Booking.objects.holding().filter(
            client=OuterRef("pk"), unit=UnitCode.KAST, starts_at__gte=timezone.now()
        ).order_by().values("client").annotate(first=Min("starts_at")).values("first")
    )


@kast_page("kast.view_kastprofile")
def client_list(request):
    """The user's KAST clients: alias, referral source, calls and next session. A list of
    aliases, not a record: no read-log row."""
    clients = (
        services.kast_clients(request.user).select_related("kast_profile")
        .annotate(calls=Count("kast_calls"), next_session=Subquery(_next_session()))
        .order_by("alias_folded", "pk")
    )
    # No count of every client and their calls: "Sida 3" (prostenhet.lib.paging).
    page = open_page(clients, request.GET.get("page"), PAGE_SIZE)
    return render(request, "kast/clients/list.html", {"page": page})


def _kast_client_or_404(request, client_id):
    client = access.get_client_or_404(request, client_id)
    if client.register != Register.KAST:
        raise Http404
    journal = access.get_journal_or_404(request, client, UnitCode.KAST)
    return client, journal


@kast_record("kast.view_kastprofile")
def client_detail(request, client_id):
    """A KAST client's page: referral source, calls, coming sessions; links to counselling's
    contracts, journal and goals for the client."""
    client, journal = _kast_client_or_404(request, client_id)
    profile = KastProfile.objects.filter(client=client).first()
    calls = list(
        services.visible_calls(request.user).filter(client=client).select_related("counsellor")
        .order_by("-occurred_at", "-pk")[:HISTORY_LIMIT]
    )
    sessions = list(
        Booking.objects.filter(client=client, unit=UnitCode.KAST, kind=BookingKind.SESSION,
                               starts_at__gte=timezone.now())
        .select_related("staff", "room").order_by("starts_at")[:SESSIONS_LIMIT]
    )
    audit.log_read(request, client)
    return render(request, "kast/clients/detail.html", {
        "client": client, "journal": journal, "profile": profile, "calls": calls,
        "sessions": sessions, "history_limit": HISTORY_LIMIT,
    })


@kast_record("kast.change_kastprofile")
def client_referral(request, client_id):
    client, journal = _kast_client_or_404(request, client_id)
    profile = KastProfile.objects.filter(client=client).first()
    form = ReferralSourceForm(_post(request), initial={
        "referral_source": profile.referral_source if profile else "",
        "version": profile.version if profile else None,
    })
    if form.is_valid():
        try:
            services.set_referral_source(
                client, by=request.user, referral_source=form.cleaned_data["referral_source"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Hänvisningsvägen är sparad."))
            return redirect("kast:client-detail", client_id=client.public_id)
    audit.log_read(request, client)
    return render(request, "kast/form.html", {
        "form": form, "client": client, "title": _("Hänvisningsväg"),
        "text": _("Hur klienten kom till KAST."),
    })


urlpatterns = [
    path("klienter/", client_list, name="client-list"),
    path("klienter/<uuid:client_id>/", client_detail, name="client-detail"),
    path("klienter/<uuid:client_id>/hanvisning/", client_referral, name="client-referral"),
]
