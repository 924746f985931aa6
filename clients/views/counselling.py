"""Counsellors' work: session contracts, goals per term, session notes from a booking,
and "My day" (a start panel, clients/provides.py). Only the counsellor assigned to the
journal gets here: the journal is found for writing (out of scope → 404), and the role's
permissions on contracts and goals come first (the office assistant → 403)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError

from .. import access, audit, services
from ..forms import (
    ContractEndForm,
    ContractForm,
    GoalEvaluationForm,
    GoalForm,
    SessionCancelForm,
    SessionNoteForm,
    VersionConfirmForm,
)
from ..models import (
    Booking,
    BookingKind,
    BookingStatus,
    EntryKind,
    EntryState,
    Goal,
    JournalEntry,
    QueueEntry,
    SessionContract,
)
from .records import (
    _form_error,
    _post,
    _unit_or_404,
    autosave_refused,
    save_draft_from_form,
)


def _contract_or_404(request, contract_id):
    """(contract, client, journal) for a contract in a journal the user may write in."""
    contract = (
        SessionContract.objects.select_related("journal__client", "counsellor", "room")
        .filter(public_id=contract_id).first()
    )
    if contract is None:
        raise Http404
    client = access.get_client_or_404(request, contract.journal.client.public_id)
    journal = access.get_journal_or_404(request, client, contract.journal.unit, write=True)
    return contract, client, journal


def _session_or_404(request, booking_id):
    """(booking, contract, client, journal) for a contracted session the user counsels."""
    booking = access.get_booking_or_404(request, booking_id)
    if booking.contract_id is None:
        raise Http404
    contract, client, journal = _contract_or_404(request, booking.contract.public_id)
    return booking, contract, client, journal


def _form_page(request, *, form, client, title, text="", error=None):
    audit.log_read(request, client)
    return render(request, "clients/confirm.html", {
        "form": form, "client": client, "title": title, "text": text, "error": error,
    })


def _report_skipped(request, result):
    if result.skipped:
        messages.warning(request, _("Några veckor kunde inte bokas: %(weeks)s") % {
            "weeks": "; ".join(f"{day:%Y-%m-%d} ({reason})" for day, reason in result.skipped)
        })


# --- contracts -----------------------------------------------------------------------------


@permission_required("clients.view_sessioncontract", raise_exception=True)
def contract_list(request, public_id, unit):
    client = access.get_client_or_404(request, public_id)
    journal = access.get_journal_or_404(request, client, _unit_or_404(unit), write=True)
    if journal.unit not in access.ASSIGNED_UNITS:
        raise Http404
    contracts = (
        SessionContract.objects.filter(journal__client=client, journal__unit=journal.unit)
        .select_related("counsellor", "room")
        .order_by("-starts_on")[:40]
    )
    audit.log_read(request, client)
    return render(request, "clients/counselling/contract_list.html", {
        "client": client, "journal": journal, "contracts": contracts,
    })


@permission_required("clients.add_sessioncontract", raise_exception=True)
def contract_create(request, public_id, unit):
    client = access.get_client_or_404(request, public_id)
    journal = access.get_journal_or_404(request, client, _unit_or_404(unit), write=True)
    if journal.unit not in access.ASSIGNED_UNITS:
        raise Http404
    form = ContractForm(_post(request), unit=journal.unit, submit_label=_("Starta kontraktet"),
                        initial={"starts_on": timezone.localdate()})
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.create_contract(
                journal, by=request.user, weekday=data["weekday"],
                start_time=data["start_time"], minutes=data["minutes"], room=data["room"],
                starts_on=data["starts_on"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Kontraktet är startat: %(count)d samtal bokade.")
                             % {"count": len(result.booked)})
            _report_skipped(request, result)
            return redirect("clients:contract-detail", contract_id=result.contract.public_id)
    return _form_page(
        request, form=form, client=client, title=_("Nytt samtalskontrakt"),
        text=_("Samma veckodag, tid och rum varje vecka terminen ut. Veckor då tiden är "
               "upptagen eller utanför öppettiderna hoppas över och visas efteråt."),
    )


def _signed_note():
    """A signed session note of the booking (OuterRef), not an automatic missed-session one."""
    return JournalEntry.objects.filter(
        booking=OuterRef("pk"), state=EntryState.SIGNED
    ).exclude(kind__in=[EntryKind.NO_SHOW, EntryKind.LATE_CANCELLATION])


@permission_required("clients.view_sessioncontract", raise_exception=True)
def contract_detail(request, contract_id):
    contract, client, journal = _contract_or_404(request, contract_id)
    sessions = (
        contract.bookings.select_related("room")
        .annotate(has_note=Exists(_signed_note())).order_by("starts_at")
    )
    goals = contract.goals.select_related("revises").order_by("created_at")
    audit.log_read(request, client)
    return render(request, "clients/counselling/contract_detail.html", {
        "client": client, "journal": journal, "contract": contract, "sessions": sessions,
        "goals": goals, "now": timezone.now(),
        "renewal": SessionContract.objects.filter(renews=contract).first(),
        "may_evaluate": contract.ended_on is not None
        or timezone.localdate() >= contract.ends_on - timedelta(weeks=services.EVALUATION_WEEKS),
    })


@permission_required("clients.add_sessioncontract", raise_exception=True)
def contract_renew(request, contract_id):
    contract, client, journal = _contract_or_404(request, contract_id)
    start = services.next_term_start(contract.ends_on)
    form = ContractForm(
        _post(request), unit=journal.unit, submit_label=_("Förnya kontraktet"),
        initial={"weekday": contract.weekday, "start_time": contract.start_time,
                 "minutes": contract.minutes, "room": contract.room, "starts_on": start,
                 "version": contract.version},
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.renew_contract(
                contract, by=request.user, expected_version=data["version"],
                weekday=data["weekday"], start_time=data["start_time"],
                minutes=data["minutes"], room=data["room"], starts_on=data["starts_on"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Kontraktet är förnyat: %(count)d samtal bokade.")
                             % {"count": len(result.booked)})
            _report_skipped(request, result)
            return redirect("clients:contract-detail", contract_id=result.contract.public_id)
    return _form_page(request, form=form, client=client, title=_("Förnya kontraktet"),
                      text=_("Ett nytt kontrakt för nästa termin, med dess bokningar."))


@permission_required("clients.change_sessioncontract", raise_exception=True)
def contract_end(request, contract_id):
    contract, client, journal = _contract_or_404(request, contract_id)
    form = ContractEndForm(_post(request), initial={"version": contract.version})
    if form.is_valid():
        try:
            services.end_contract(contract, reason=form.cleaned_data["reason"],
                                  by=request.user, expected_version=form.cleaned_data["version"])
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Kontraktet är avslutat och kommande samtal avbokade."))
            return redirect("clients:contract-detail", contract_id=contract.public_id)
    return _form_page(request, form=form, client=client, title=_("Avsluta kontraktet"),
                      text=_("Kontraktets kommande samtal avbokas av enheten."))


# --- single sessions -----------------------------------------------------------------------


@permission_required("clients.change_sessioncontract", raise_exception=True)
def session_cancel(request, booking_id):
    booking, contract, client, journal = _session_or_404(request, booking_id)
    form = SessionCancelForm(_post(request), initial={"version": booking.version})
    if form.is_valid():
        try:
            services.set_session_status(booking, form.cleaned_data["status"], by=request.user,
                                        expected_version=form.cleaned_data["version"])
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Samtalet är avbokat."))
            return redirect("clients:contract-detail", contract_id=contract.public_id)
    return _form_page(
        request, form=form, client=client,
        title=_("Avboka samtalet %(when)s") % {"when": _local(booking)},
        text=_("Bara det här samtalet avbokas; kontraktets övriga samtal står kvar. Avbokar "
               "klienten mindre än ett dygn före, skrivs en sen avbokning i journalen."),
    )


@permission_required("clients.change_sessioncontract", raise_exception=True)
def session_no_show(request, booking_id):
    booking, contract, client, journal = _session_or_404(request, booking_id)
    form = VersionConfirmForm(_post(request), initial={"version": booking.version},
                              submit_label=_("Klienten uteblev"), danger=True)
    if form.is_valid():
        try:
            services.set_session_status(booking, BookingStatus.NO_SHOW, by=request.user,
                                        expected_version=form.cleaned_data["version"])
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Samtalet är markerat som uteblivet."))
            return redirect("clients:contract-detail", contract_id=contract.public_id)
    return _form_page(
        request, form=form, client=client,
        title=_("Uteblivet samtal %(when)s") % {"when": _local(booking)},
        text=_("En kort signerad anteckning om det uteblivna samtalet skrivs i journalen."),
    )


def _local(booking):
    return f"{timezone.localtime(booking.starts_at):%Y-%m-%d %H:%M}"


@permission_required("clients.change_journal", raise_exception=True)
def session_note(request, booking_id):
    """Write the session's note from its booking ("Skriv anteckning"): the author's draft of
    this session is continued, or a new one begins with the first save; autosaved like any
    draft (to this same address) and signed on the entry's sign page."""
    booking, contract, client, journal = _session_or_404(request, booking_id)
    if booking.kind != BookingKind.SESSION or booking.is_cancelled or (
        booking.status == BookingStatus.NO_SHOW
    ):
        messages.error(request, _("Samtalet blev inte av: det finns inget att anteckna."))
        return redirect("clients:contract-detail", contract_id=contract.public_id)
    if booking.starts_at > timezone.now():
        messages.error(request, _("Anteckningen skrivs när samtalet har börjat."))
        return redirect("clients:contract-detail", contract_id=contract.public_id)
    entry = services.session_note_draft(booking, request.user)
    form = SessionNoteForm(
        _post(request), instance=entry or JournalEntry(journal=journal),
        initial=None if entry else {
            "kind": EntryKind.SESSION, "event_date": timezone.localdate(booking.starts_at),
        },
        autosave_url=request.path,
    )
    if form.is_valid():
        saved, refused = save_draft_from_form(request, form, lambda: services.save_draft(
            journal=journal, by=request.user, entry=entry, booking=booking,
            **form.draft_fields(),
        ))
        if refused is not None:
            return refused
        if saved is not None:
            entry = saved
            if request.htmx:
                return render(request, "clients/_autosave_status.html",
                              {"entry": entry, "oob": True})
            if "sign" in request.POST:
                return redirect("clients:entry-sign", entry_id=entry.public_id)
            messages.success(request, _("Utkastet är sparat."))
            return redirect("clients:session-note", booking_id=booking.public_id)
    elif request.htmx:
        return autosave_refused("; ".join(e for errs in form.errors.values() for e in errs))
    audit.log_read(request, client)
    return render(request, "clients/entry_form.html", {
        "form": form, "entry": entry, "client": client, "journal": journal, "corrects": None,
    })


# --- goals ---------------------------------------------------------------------------------


@permission_required("clients.add_goal", raise_exception=True)
def goal_create(request, contract_id):
    contract, client, journal = _contract_or_404(request, contract_id)
    form = GoalForm(_post(request))
    if form.is_valid():
        try:
            services.add_goal(contract, text=form.cleaned_data["text"], by=request.user)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Målet är tillagt."))
            return redirect("clients:contract-detail", contract_id=contract.public_id)
    return _form_page(request, form=form, client=client, title=_("Nytt mål"),
                      text=_("Ett mål som klienten och du kommer överens om för terminen."))


@permission_required("clients.change_goal", raise_exception=True)
def goal_evaluate(request, goal_id):
    goal = Goal.objects.select_related("contract").filter(public_id=goal_id).first()
    if goal is None:
        raise Http404
    contract, client, journal = _contract_or_404(request, goal.contract.public_id)
    form = GoalEvaluationForm(_post(request), initial={"version": goal.version})
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.evaluate_goal(
                goal, outcome=data["outcome"], comment=data["comment"],
                decision=data["decision"], new_text=data["new_text"], by=request.user,
                expected_version=data["version"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Målet är utvärderat."))
            return redirect("clients:contract-detail", contract_id=contract.public_id)
    return _form_page(request, form=form, client=client,
                      title=_("Utvärdera målet"), text=goal.text)


urlpatterns = [
    path("<uuid:public_id>/journal/<str:unit>/kontrakt/", contract_list, name="contract-list"),
    path("<uuid:public_id>/journal/<str:unit>/kontrakt/ny/", contract_create,
         name="contract-create"),
    path("kontrakt/<uuid:contract_id>/", contract_detail, name="contract-detail"),
    path("kontrakt/<uuid:contract_id>/fornya/", contract_renew, name="contract-renew"),
    path("kontrakt/<uuid:contract_id>/avsluta/", contract_end, name="contract-end"),
    path("kontrakt/<uuid:contract_id>/mal/ny/", goal_create, name="goal-create"),
    path("mal/<uuid:goal_id>/utvardera/", goal_evaluate, name="goal-evaluate"),
    path("samtal/<uuid:booking_id>/avboka/", session_cancel, name="session-cancel"),
    path("samtal/<uuid:booking_id>/uteblev/", session_no_show, name="session-no-show"),
    path("samtal/<uuid:booking_id>/anteckning/", session_note, name="session-note"),
]


# --- "My day" ------------------------------------------------------------------------------

MY_DAY_LIMIT = 30
QUEUE_DAYS = 14


def my_day(request):
    """The counsellor's start panel ("Min dag"): today's sessions with their arrival status,
    the unsigned drafts, contracts whose goals are due for evaluation, and clients given
    from the queue lately. A fixed number of queries, however much there is."""
    user = request.user
    if not user.has_perm("clients.view_sessioncontract"):
        return None
    today = timezone.localdate()
    sessions = list(
        Booking.objects.for_day(today).filter(staff=user, kind=BookingKind.SESSION)
        .select_related("client", "room", "contract")
        .annotate(has_note=Exists(_signed_note())).order_by("starts_at")[:MY_DAY_LIMIT]
    )
    drafts = list(
        JournalEntry.objects.drafts_of(user).select_related("journal__client")
        .order_by("-updated_at")[: MY_DAY_LIMIT + 1]
    )
    due = list(services.goals_due(user, today)[:MY_DAY_LIMIT])
    assigned = list(
        QueueEntry.objects.filter(
            offered_to=user, left_at__gte=timezone.now() - timedelta(days=QUEUE_DAYS)
        ).select_related("client").order_by("-left_at")[:MY_DAY_LIMIT]
    )
    return {
        "my_sessions": sessions, "now": timezone.now(),
        "my_drafts": drafts[:MY_DAY_LIMIT], "more_drafts": len(drafts) > MY_DAY_LIMIT,
        "goals_due": due, "from_queue": assigned,
    }
