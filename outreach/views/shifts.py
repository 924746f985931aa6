"""Street outreach (issue 10): the shifts, the shift page with its contacts and the compact
contact form (made for a phone: the outreach worker records a contact in under a minute), the
search for a registered client, the shift's report and closing, the team's nicknames and
registering a nickname person as a client; and the outreach workers' start panel.

The shift page names registered clients met on the shift (those the user may see): it logs a
read of each of them (clients.audit.log_read) before it is shown. Lists of shifts and the start
panel show counts, never a person: no read rows."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import access, audit
from clients.models import Register
from clients.services import DuplicateClientError
from prostenhet.exceptions import DomainError
from prostenhet.lib import searches
from prostenhet.lib.paging import open_page

from .. import services
from ..forms import (
    ClientSearchForm,
    ContactForm,
    NicknameRegisterForm,
    ShiftOpenForm,
    ShiftReportForm,
)
from ..models import Contact, Nickname, Shift, ShiftMaterial, contact_count
from .common import form_error, form_page, in_team, post_data, team_required

PAGE_SIZE = 25
CONTACTS_PAGE_SIZE = 50
SEARCH_LIMIT = 10
NICKNAME_CHOICES = 300  # the most recently seen nicknames offered in the contact form
PANEL_RECENT = 5
SEARCH_SCOPE = "outreach-clients"
# Languages offered as suggestions in the contact form (anything may be typed).
LANGUAGES = ["svenska", "engelska", "rumänska", "bulgariska", "spanska", "ryska", "polska",
             "ungerska", "thailändska", "nigerianska (pidgin)", "arabiska", "franska"]


def _shift_or_404(shift_id):
    return get_object_or_404(
        Shift.objects.prefetch_related(
            "staff", "areas",
            Prefetch("materials", queryset=ShiftMaterial.objects.select_related("kind")),
        ),
        public_id=shift_id,
    )


def _shift_url(shift, key=None):
    url = reverse("outreach:shift-detail", args=[shift.public_id])
    return url + (f"?s={key}" if key else "")


# --- the start panel and the list --------------------------------------------------------------


def shift_panel(request):
    """The outreach workers' start panel: their open shift (or a button to start one) and the
    team's recent shifts with their contact counts. Counts only: no read rows."""
    user = request.user
    if not (user.has_perm("outreach.view_shift") and in_team(user)):
        return None
    recent = list(
        Shift.objects.annotate(contact_count=contact_count("shift"))
        .order_by("-starts_at", "-pk")[:PANEL_RECENT]
    )
    mine = (Shift.objects.open().filter(staff=user).order_by("-starts_at", "-pk").first())
    return {"open_shift": mine, "recent": recent,
            "can_open": user.has_perm("outreach.add_shift")}


@team_required("outreach.view_shift")
def shift_list(request):
    shifts = (
        Shift.objects.annotate(contact_count=contact_count("shift"))
        .prefetch_related("staff", "areas")
        .order_by("-starts_at", "-pk")
    )
    page = Paginator(shifts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "outreach/shifts/list.html", {"page": page})


# --- opening, reporting and closing a shift ----------------------------------------------------


@team_required("outreach.add_shift")
def shift_create(request):
    now = timezone.localtime().replace(second=0, microsecond=0)
    now = now - timedelta(minutes=now.minute % 5)
    form = ShiftOpenForm(post_data(request), initial={
        "date": now.date(), "starts": now.time(), "ends": (now + timedelta(hours=4)).time(),
        "staff": [request.user.public_id],
    })
    if form.is_valid():
        try:
            shift = services.open_shift(by=request.user, **form.shift_fields())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Passet är startat."))
            return redirect(_shift_url(shift))
    return form_page(request, form, title=_("Starta pass"),
                     back_url=reverse("outreach:shift-list"), back_label=_("Pass"))


def _report(request, shift_id, *, close):
    shift = _shift_or_404(shift_id)
    if close and not shift.is_open:
        messages.info(request, _("Passet är redan avslutat."))
        return redirect(_shift_url(shift))
    form = ShiftReportForm(post_data(request), shift=shift, close=close)
    if form.is_valid():
        act = services.close_shift if close else services.update_shift
        try:
            act(shift, by=request.user, **form.shift_fields())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Passet är avslutat.") if close
                             else _("Passet är sparat."))
            return redirect(_shift_url(shift))
    return form_page(
        request, form, title=_("Avsluta passet") if close else _("Passrapport"),
        text=_("Kontrollera sluttiden, skriv passrapporten och räkna det ni såg och delade "
               "ut. Efter avslutet kan inga kontakter läggas till.") if close else "",
        back_url=_shift_url(shift), back_label=str(shift),
    )


@team_required("outreach.change_shift")
def shift_edit(request, shift_id):
    """The shift's times, staff, areas, report, observations and material."""
    return _report(request, shift_id, close=False)


@team_required("outreach.change_shift")
def shift_close(request, shift_id):
    """The report saved and the shift closed: no contacts are added after that."""
    return _report(request, shift_id, close=True)


# --- the shift page and its contacts -----------------------------------------------------------


def _found_clients(request, key):
    """The clients a search on this page found (shown with today's rights), or []."""
    search = searches.recall(request, SEARCH_SCOPE, key)
    if search is None:
        return [], None
    found = {
        c.pk: c for c in services.outreach_clients(request.user).filter(pk__in=search["ids"])
        .only("pk", "public_id", "alias", "birth_year")
    }
    return [found[pk] for pk in search["ids"] if pk in found], search


def _shift_page(request, shift, *, contact_form=None):
    user = request.user
    key = request.GET.get("s")
    contacts = (
        Contact.objects.filter(shift=shift)
        .select_related("client", "nickname", "recorded_by")
        .order_by("-at", "-pk")
    )
    page = Paginator(contacts, CONTACTS_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = access.visible_client_ids(user, [c.client_id for c in page])
    named = {}
    for contact in page:
        contact.shown_client = contact.client if contact.client_id in shown else None
        if contact.shown_client is not None:
            named[contact.client_id] = contact.client

    may_add = shift.is_open and user.has_perm("outreach.add_contact")
    found, search = _found_clients(request, key) if may_add else ([], None)
    if may_add and contact_form is None:
        contact_form = ContactForm(
            clients=found, action=reverse("outreach:contact-create", args=[shift.public_id])
            + (f"?s={key}" if search else ""),
        )
    nicknames = (
        list(Nickname.objects.filter(client__isnull=True).order_by("-last_seen_at")
             .values_list("name", flat=True)[:NICKNAME_CHOICES]) if may_add else []
    )
    # The page names these clients and what was done with them: each read is logged first.
    for client in named.values():
        audit.log_read(request, client)
    return render(request, "outreach/shifts/detail.html", {
        "shift": shift, "page": page, "contact_form": contact_form,
        "search_form": ClientSearchForm(
            initial={"q": search["term"]} if search else None,
            action=reverse("outreach:client-search", args=[shift.public_id]),
        ) if may_add else None,
        "searched": search is not None, "found": found,
        "nicknames": nicknames, "languages": LANGUAGES,
        "can_change": user.has_perm("outreach.change_shift"),
    })


@team_required("outreach.view_shift")
def shift_detail(request, shift_id):
    """The shift page: what it is, its contacts (newest first) and, while it is open, the
    contact form and the search for a registered client."""
    return _shift_page(request, _shift_or_404(shift_id))


@team_required("outreach.add_contact")
def contact_create(request, shift_id):
    """POST: record a contact on the shift (the form is on the shift page, which a GET
    opens). A refusal shows the shift page with the form as it was filled in."""
    shift = _shift_or_404(shift_id)
    key = request.GET.get("s")
    if request.method != "POST":
        return redirect(_shift_url(shift, key))
    if not shift.is_open:
        messages.error(request, _("Passet är avslutat: inga nya kontakter kan läggas till."))
        return redirect(_shift_url(shift))
    found, _search = _found_clients(request, key)
    form = ContactForm(
        request.POST, clients=found,
        clients_queryset=services.outreach_clients(request.user).filter(
            pk__in=[c.pk for c in found]),
        action=reverse("outreach:contact-create", args=[shift.public_id])
        + (f"?s={key}" if found else ""),
    )
    if form.is_valid():
        try:
            services.add_contact(shift, by=request.user, **form.contact_fields())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Kontakten är sparad."))
            return redirect(_shift_url(shift) + "#ny-kontakt")
    return _shift_page(request, shift, contact_form=form)


@team_required("outreach.add_contact")
def client_search(request, shift_id):
    """POST: find registered outreach clients by the beginning of the alias (logged as a
    search), then back to the shift page with the results offered in the contact form
    (Post/Redirect/Get: no term in a URL)."""
    shift = _shift_or_404(shift_id)
    if request.method != "POST":
        return redirect(_shift_url(shift))
    form = ClientSearchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Skriv början av klientens alias."))
        return redirect(_shift_url(shift) + "#ny-kontakt")
    term = form.cleaned_data["q"].strip()
    found = list(
        services.outreach_clients(request.user).alias_prefix(term)
        .order_by("alias_folded", "pk").values_list("pk", flat=True)[:SEARCH_LIMIT]
    )
    audit.log_search(request, term, registers=[Register.MAIN])
    key = searches.remember(request, SEARCH_SCOPE, term=searches.shown_term(term), ids=found)
    if not found:
        messages.info(request, _("Ingen registrerad klient i uppsökande arbetet heter så."))
    return redirect(_shift_url(shift, key) + "#ny-kontakt")


# --- nicknames ---------------------------------------------------------------------------------


@team_required("outreach.view_nickname")
def nickname_list(request):
    """The team's nicknames of persons not registered, most recently met first, with how many
    contacts each has."""
    nicknames = (
        Nickname.objects.filter(client__isnull=True)
        .annotate(contact_count=contact_count("nickname")).order_by("-last_seen_at", "-pk")
    )
    # The nicknames grow with the years: no count of them all (prostenhet.lib.paging).
    page = open_page(nicknames, request.GET.get("page"), PAGE_SIZE)
    return render(request, "outreach/shifts/nicknames.html", {
        "page": page,
        "can_register": request.user.has_perm("outreach.change_nickname")
        and request.user.has_perm("clients.add_client"),
    })


@team_required("outreach.change_nickname")
def nickname_register(request, nickname_id):
    """The person agrees to be registered: a client of outreach, with the nickname's contacts."""
    if not request.user.has_perm("clients.add_client"):
        return redirect("outreach:nickname-list")
    nickname = get_object_or_404(Nickname, public_id=nickname_id, client__isnull=True)
    form = NicknameRegisterForm(post_data(request), initial={"alias": nickname.name})
    if form.is_valid():
        try:
            client = services.register_nickname(
                nickname, by=request.user,
                consent_method=form.cleaned_data["consent_method"], **form.client_fields(),
            )
        except DuplicateClientError as error:
            form.add_error(None, error.message)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _(
                "%(alias)s är registrerad i uppsökande arbetet; %(count)d tidigare kontakter "
                "hör nu till klienten.") % {"alias": client.alias, "count": client.moved_contacts})
            return redirect("outreach:client", client_id=client.public_id)
    return form_page(
        request, form, title=_("Registrera %(name)s som klient") % {"name": nickname.name},
        text=_("Personen vill bli registrerad. Teamets tidigare kontakter med personen följer "
               "med till klienten."),
        back_url=reverse("outreach:nickname-list"), back_label=_("Smeknamn"),
    )


urlpatterns = [
    path("", shift_list, name="shift-list"),
    path("pass/nytt/", shift_create, name="shift-create"),
    path("pass/<uuid:shift_id>/", shift_detail, name="shift-detail"),
    path("pass/<uuid:shift_id>/rapport/", shift_edit, name="shift-edit"),
    path("pass/<uuid:shift_id>/avsluta/", shift_close, name="shift-close"),
    path("pass/<uuid:shift_id>/kontakt/", contact_create, name="contact-create"),
    path("pass/<uuid:shift_id>/sok-klient/", client_search, name="client-search"),
    path("smeknamn/", nickname_list, name="nickname-list"),
    path("smeknamn/<uuid:nickname_id>/registrera/", nickname_register,
         name="nickname-register"),
]
