"""A victim's case (issue 10): the team's case list, a new case (a new person, a client already
registered, or from a raid), the case page (facts, housing, authority contacts, deadlines,
the return home, links to the journal and to book a time with an interpreter) and its forms,
and the team's start-page panel of deadlines. Views are thin: the case is found through the
client's trafficking journal (clients.access: out of scope → 404; the role's permission
first → 403; a page for the unit's staff only → 403 to others), the read is logged, the
services act."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import access, audit
from prostenhet.exceptions import DomainError
from prostenhet.lib.paging import open_page
from prostenhet.roles import UnitCode

from .. import services
from ..forms import (
    CaseForm,
    CloseCaseForm,
    ContactForm,
    DeadlineDoneForm,
    DeadlineForm,
    EndPlacementForm,
    NewPersonCaseForm,
    PlacementForm,
    ReturnForm,
)
from ..models import Deadline, HousingPlacement, ReturnHome

PAGE_SIZE = 25
PANEL_LIMIT = 10
ROWS_LIMIT = 100


def _post(request):
    return request.POST if request.method == "POST" else None


def _form_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _require_team(request):
    """Pages of the unit's own work are for its staff: 403 to anyone else (they tell nothing
    of any record)."""
    if not services.in_team(request.user):
        raise PermissionDenied


def _case_or_404(request, case_id, *, write=False):
    case = (
        services.visible_cases(request.user, write=write)
        .select_related("client", "raid", "journal")
        .filter(public_id=case_id).first()
    )
    if case is None:
        raise Http404
    return case


def _back(case):
    return reverse("trafficking:case-detail", args=[case.public_id])


# --- the start panel and the case list ---------------------------------------------------------


def deadlines_panel(request):
    """The team's start panel: deadlines that end within settings.TRAFFICKING_DEADLINE_DAYS
    (or have passed) of open cases. Aliases, kinds and dates: no read-log row (as the
    calendars). None for those outside the unit."""
    user = request.user
    if not (user.has_perm("trafficking.view_deadline") and services.in_team(user)):
        return None
    return {"deadlines": services.upcoming_deadlines(user, limit=PANEL_LIMIT),
            "limit": PANEL_LIMIT, "today": timezone.localdate()}


@permission_required("trafficking.view_traffickingcase", raise_exception=True)
def case_list(request):
    """The team's cases, open ones by default (?visa=alla: all), newest first, page by page.
    Aliases, dates and the way of identification: no read-log row (as the calendars)."""
    _require_team(request)
    show_all = request.GET.get("visa") == "alla"
    cases = services.visible_cases(request.user).select_related("client").order_by(
        "-opened_on", "-pk")
    if not show_all:
        cases = cases.filter(closed_on__isnull=True)
    # The cases grow with the years: no count of them all (prostenhet.lib.paging).
    page = open_page(cases, request.GET.get("page"), PAGE_SIZE)
    return render(request, "trafficking/case_list.html", {"page": page, "show_all": show_all})


# --- a new case --------------------------------------------------------------------------------


def _uuid_or_404(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def _raid_or_404(request, raid_id):
    if not raid_id:
        return None
    raid = services.visible_raids(request.user).filter(public_id=_uuid_or_404(raid_id)).first()
    if raid is None:
        raise Http404
    return raid


@permission_required("trafficking.add_traffickingcase", raise_exception=True)
def case_create(request):
    """A new case: a new person (registered as a client of the unit), or a client the user
    already sees (?client=<public id>), or from a raid (?raid=<public id>: identified at the
    raid)."""
    _require_team(request)
    raid = _raid_or_404(request, request.GET.get("raid"))
    client = None
    if request.GET.get("client"):
        client = access.get_client_or_404(request, _uuid_or_404(request.GET["client"]),
                                          change=True)
    form_class = CaseForm if client is not None else NewPersonCaseForm
    form = form_class(_post(request), raid=raid, submit_label=_("Registrera ärendet"))
    if form.is_valid():
        try:
            if client is not None:
                case = services.open_case(client, by=request.user, raid=raid,
                                          **form.case_fields())
            else:
                case = services.register_case(
                    by=request.user, alias=form.cleaned_data["alias"].strip(), raid=raid,
                    **form.case_fields(), **form.client_fields(),
                )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Ärendet är registrerat."))
            return redirect(_back(case))
    if client is not None:
        audit.log_read(request, client)
    return render(request, "trafficking/case_form.html", {
        "form": form, "raid": raid, "client": client, "title": _("Nytt ärende"),
    })


# --- the case page -----------------------------------------------------------------------------


@permission_required("trafficking.view_traffickingcase", raise_exception=True)
def case_detail(request, case_id):
    """The case: its facts, the client's languages and interpreter need, housing, authority
    contacts, deadlines, the return home; links to the journal and to book a time."""
    case = _case_or_404(request, case_id)
    placements = list(case.placements.select_related("provider")
                      .order_by("-starts_on", "-pk")[:ROWS_LIMIT])
    contacts = list(case.authority_contacts.select_related("created_by")
                    .order_by("-date", "-pk")[:ROWS_LIMIT])
    deadlines = list(case.deadlines.order_by("done", "ends_on", "pk")[:ROWS_LIMIT])
    return_home = ReturnHome.objects.filter(case=case).first()
    journal = access.get_journal_or_404(request, case.client, UnitCode.TRAFFICKING)
    user = request.user
    may_change = journal.may_write and case.is_open and services.in_team(user)
    booking_url = ""
    if user.has_perm("clients.add_booking") and UnitCode.TRAFFICKING in access.user_units(user):
        query = {"client": case.client.public_id, "unit": UnitCode.TRAFFICKING}
        language = services.interpreter_language(case.client)
        if language:
            query["interpreter_language"] = language
        booking_url = reverse("clients:booking-create") + "?" + urlencode(query)
    audit.log_read(request, case.client)
    return render(request, "trafficking/case_detail.html", {
        "case": case, "client": case.client, "journal": journal,
        "placements": placements, "contacts": contacts, "deadlines": deadlines,
        "return_home": return_home, "may_change": may_change, "booking_url": booking_url,
        "interpreter_language": services.interpreter_language(case.client),
        "today": timezone.localdate(),
    })


@permission_required("trafficking.view_traffickingcase", raise_exception=True)
def client_case(request, client_id):
    """The client's case (the open one, else the latest): the link from the journal."""
    client = access.get_client_or_404(request, client_id)
    case = (
        services.visible_cases(request.user).filter(client=client)
        .order_by("closed_on", "-opened_on", "-pk").first()
    )
    if case is None:
        raise Http404
    return redirect(_back(case))


def _case_form_page(request, case, form, *, title, text=""):
    audit.log_read(request, case.client)
    return render(request, "trafficking/case_step.html", {
        "form": form, "case": case, "client": case.client, "title": title, "text": text,
    })


def _act(request, case, form, act, success):
    """Run act() for a valid form; on success back to the case, else the error on the form."""
    if not form.is_valid():
        return None
    try:
        act(form.cleaned_data)
    except DomainError as error:
        _form_error(form, error)
        return None
    messages.success(request, success)
    return redirect(_back(case))


@permission_required("trafficking.change_traffickingcase", raise_exception=True)
def case_edit(request, case_id):
    case = _case_or_404(request, case_id, write=True)
    _require_team(request)
    form = CaseForm(_post(request), raid=case.raid, initial={
        "country_of_origin": case.country_of_origin, "identified_on": case.identified_on,
        "identified_by": case.identified_by, "domestic": case.domestic,
        "version": case.version,
    })
    done = _act(request, case, form, lambda data: services.update_case(
        case, by=request.user, expected_version=data.get("version"), raid=case.raid,
        **form.case_fields()), _("Ärendet är sparat."))
    return done or _case_form_page(request, case, form, title=_("Ändra ärendet"))


@permission_required("trafficking.change_traffickingcase", raise_exception=True)
def case_close(request, case_id):
    case = _case_or_404(request, case_id, write=True)
    _require_team(request)
    form = CloseCaseForm(_post(request), initial={"version": case.version})
    done = _act(request, case, form, lambda data: services.close_case(
        case, by=request.user, expected_version=data["version"],
        closed_on=data["closed_on"]), _("Ärendet är avslutat."))
    return done or _case_form_page(
        request, case, form, title=_("Avsluta ärendet"),
        text=_("Klientens inskrivning i verksamheten avslutas på klientens sida."),
    )


@permission_required("trafficking.add_housingplacement", raise_exception=True)
def housing_create(request, case_id):
    case = _case_or_404(request, case_id, write=True)
    _require_team(request)
    form = PlacementForm(_post(request))
    done = _act(request, case, form, lambda data: services.add_placement(
        case, by=request.user, provider=data["provider"], starts_on=data["starts_on"],
        ends_on=data["ends_on"]), _("Placeringen är sparad."))
    return done or _case_form_page(
        request, case, form, title=_("Placering i skyddat boende"),
        text=_("Det skyddade boendets adress registreras aldrig i ärendet."),
    )


@permission_required("trafficking.change_housingplacement", raise_exception=True)
def housing_end(request, case_id, pk):
    case = _case_or_404(request, case_id, write=True)
    _require_team(request)
    placement = HousingPlacement.objects.filter(case=case, pk=pk).select_related(
        "case").first()
    if placement is None:
        raise Http404
    form = EndPlacementForm(_post(request))
    done = _act(request, case, form, lambda data: services.end_placement(
        placement, by=request.user, ends_on=data["ends_on"]), _("Placeringen är avslutad."))
    return done or _case_form_page(
        request, case, form, title=_("Avsluta placeringen"),
        text=_("%(provider)s från %(day)s.") % {
            "provider": placement.provider, "day": placement.starts_on.isoformat()},
    )


@permission_required("trafficking.add_authoritycontact", raise_exception=True)
def contact_create(request, case_id):
    case = _case_or_404(request, case_id, write=True)
    _require_team(request)
    form = ContactForm(_post(request))
    done = _act(request, case, form, lambda data: services.add_contact(
        case, by=request.user, authority=data["authority"], date=data["date"],
        purpose=data["purpose"], outcome=data["outcome"]), _("Kontakten är sparad."))
    return done or _case_form_page(request, case, form, title=_("Myndighetskontakt"))


@permission_required("trafficking.add_deadline", raise_exception=True)
def deadline_create(request, case_id):
    case = _case_or_404(request, case_id, write=True)
    _require_team(request)
    form = DeadlineForm(_post(request))
    done = _act(request, case, form, lambda data: services.add_deadline(
        case, by=request.user, kind=data["kind"], ends_on=data["ends_on"],
        note=data["note"]), _("Tidsfristen är sparad."))
    return done or _case_form_page(
        request, case, form, title=_("Tidsfrist"),
        text=_("Betänketid, tidsbegränsat uppehållstillstånd eller annan frist: teamets "
               "startsida visar den när slutdatumet närmar sig."),
    )


@permission_required("trafficking.change_deadline", raise_exception=True)
def deadline_done(request, case_id, pk):
    case = _case_or_404(request, case_id, write=True)
    _require_team(request)
    deadline = Deadline.objects.filter(case=case, pk=pk).first()
    if deadline is None:
        raise Http404
    form = DeadlineDoneForm(_post(request), initial={"version": deadline.version})
    done = _act(request, case, form, lambda data: services.mark_deadline_done(
        deadline, by=request.user, expected_version=data["version"]),
        _("Tidsfristen är markerad som hanterad."))
    return done or _case_form_page(
        request, case, form, title=_("Tidsfristen hanterad"),
        text=_("%(kind)s, slutar %(day)s.") % {
            "kind": deadline.get_kind_display(), "day": deadline.ends_on.isoformat()},
    )


@permission_required("trafficking.change_returnhome", raise_exception=True)
def return_edit(request, case_id):
    case = _case_or_404(request, case_id, write=True)
    _require_team(request)
    current = ReturnHome.objects.filter(case=case).first()
    initial = {"version": 0, "country": case.country_of_origin}
    if current is not None:
        initial = {"state": current.state, "date": current.date, "country": current.country,
                   "receiving_organisation": current.receiving_organisation,
                   "arranged_by": current.arranged_by, "version": current.version}
    form = ReturnForm(_post(request), initial=initial)
    done = _act(request, case, form, lambda data: services.save_return(
        case, by=request.user, state=data["state"], date=data["date"],
        country=data["country"], arranged_by=data["arranged_by"],
        receiving_organisation=data["receiving_organisation"],
        expected_version=data.get("version")), _("Återvändandet är sparat."))
    return done or _case_form_page(
        request, case, form, title=_("Återvändande"),
        text=_("Planerat eller genomfört återvändande: inte före identifieringen (%(day)s).")
        % {"day": case.identified_on.isoformat()},
    )


urlpatterns = [
    path("", case_list, name="case-list"),
    path("arende/nytt/", case_create, name="case-create"),
    path("arende/<uuid:case_id>/", case_detail, name="case-detail"),
    path("arende/<uuid:case_id>/andra/", case_edit, name="case-edit"),
    path("arende/<uuid:case_id>/avsluta/", case_close, name="case-close"),
    path("arende/<uuid:case_id>/boende/nytt/", housing_create, name="housing-create"),
    path("arende/<uuid:case_id>/boende/<int:pk>/avsluta/", housing_end, name="housing-end"),
    path("arende/<uuid:case_id>/myndighetskontakt/ny/", contact_create, name="contact-create"),
    path("arende/<uuid:case_id>/tidsfrist/ny/", deadline_create, name="deadline-create"),
    path("arende/<uuid:case_id>/tidsfrist/<int:pk>/hanterad/", deadline_done,
         name="deadline-done"),
    path("arende/<uuid:case_id>/atervandande/", return_edit, name="return-edit"),
    path("klient/<uuid:client_id>/", client_case, name="client-case"),
]
