"""The counselling queue's screens (kö till bearbetande samtal), for the office assistant who
keeps it: the waiting clients in order with their practical wishes and waiting time (never
case content), adding a client, moving a row with a recorded reason, offering a place to a
counsellor, and removing with a reason. Every change form carries the row's version: a change
made meanwhile by someone else is refused with the service's message, on the page, with what
the user typed kept."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Min
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

from .. import access, audit, services
from ..forms import (
    QueueAddForm,
    QueueMoveForm,
    QueueOfferForm,
    QueueRemoveForm,
    version_initial,
)
from ..models import QueueEntry, QueueMove, Register
from .records import _form_error, _post

PAGE_SIZE = 50
RECENT_MOVES = 10


def _check_queue_keeper(user):
    """The queue is counselling's: its keeper works there (the aliases in it are of
    counselling's clients)."""
    if UnitCode.COUNSELLING not in access.user_units(user):
        raise PermissionDenied


def _waiting():
    """The queue in its order."""
    return QueueEntry.objects.waiting().select_related("client")


def _numbered(entries, today, start=1):
    """Each row with its place in the queue and the days it has waited."""
    for place, entry in enumerate(entries, start):
        entry.place = place
        entry.days = entry.waited_days(today)
    return entries


@permission_required("clients.view_queueentry", raise_exception=True)
def queue(request):
    _check_queue_keeper(request.user)
    today = timezone.localdate()
    waiting = _waiting()
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = _numbered(list(page.object_list), today, start=page.start_index() or 1)
    first_added = waiting.aggregate(first=Min("added_on"))["first"]
    moves = QueueMove.objects.select_related("entry__client", "moved_by")[:RECENT_MOVES]
    return render(request, "clients/queue/queue.html", {
        "page": page, "entries": entries, "moves": moves,
        "length": page.paginator.count,
        "longest_wait": (today - first_added).days if first_added else None,
        "may_change": request.user.has_perm("clients.change_queueentry"),
    })


@permission_required("clients.add_queueentry", raise_exception=True)
def queue_add(request, public_id):
    """Put a client the user sees in the queue: the date, the source and the practical
    wishes (language, interpreter, a counsellor's gender), prefilled from the registry."""
    _check_queue_keeper(request.user)
    client = access.get_client_or_404(request, public_id, follow_merge=False)
    if client.register != Register.MAIN:
        raise Http404
    waiting = QueueEntry.objects.filter(client=client, left_at__isnull=True).first()
    form = QueueAddForm(_post(request), initial={
        "language": client.languages[:60], "interpreter_needed": client.interpreter_needed,
    })
    if waiting is None and form.is_valid():
        try:
            services.add_to_queue(client, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(alias)s står nu i kön.") % {"alias": client.alias})
            return redirect("clients:queue")
    audit.log_read(request, client)
    return render(request, "clients/queue/queue_add.html", {
        "form": form, "client": client, "waiting": waiting,
    })


def _queue_change(request, queue_id, *, form_class, title, change, success, text=""):
    """A change of one row: the form (with the version the queue page showed) on GET, the
    service on POST. A refusal is shown on the page with the current queue; a stale form keeps
    what the user typed and takes the row's current version, so that sending it again is a
    decision made on what the queue looks like now."""
    entry = QueueEntry.objects.select_related("client").filter(public_id=queue_id).first()
    if entry is None or entry.client.register != Register.MAIN:
        raise Http404
    form = form_class(
        _post(request), initial={"version": version_initial(entry, request.GET.get("v"))}
    )
    error = None
    if entry.left_at is not None:
        error = _("Klienten står inte längre i kön.")
    elif form.is_valid():
        try:
            result = change(entry, form.cleaned_data, form.cleaned_data["version"])
        except DomainError as domain_error:
            entry.refresh_from_db()
            if entry.left_at is not None:
                error = domain_error.message
            elif domain_error.field in form.fields:
                _form_error(form, domain_error)
            else:
                data = request.POST.copy()
                data["version"] = entry.version
                form = form_class(data)
                form.is_valid()
                error = domain_error.message
        else:
            messages.success(
                request,
                success(result) if callable(success) else success % {"alias": entry.client.alias},
            )
            return redirect("clients:queue")
    today = timezone.localdate()
    return render(request, "clients/queue/queue_change.html", {
        "form": form, "entry": entry, "title": title, "text": text, "error": error,
        "entries": _numbered(list(_waiting()[:PAGE_SIZE]), today),
    })


@permission_required("clients.change_queueentry", raise_exception=True)
def queue_move(request, queue_id):
    _check_queue_keeper(request.user)
    return _queue_change(
        request, queue_id, form_class=QueueMoveForm, title=_("Flytta i kön"),
        change=lambda entry, data, version: services.move_in_queue(
            entry, to_place=data["to_place"], reason=data["reason"], by=request.user,
            expected_version=version,
        ),
        success=_("%(alias)s är flyttad i kön."),
        text=_("Kön går efter datum. En ändring av ordningen kräver ett skäl, som sparas."),
    )


@permission_required("clients.change_queueentry", raise_exception=True)
def queue_offer(request, queue_id):
    _check_queue_keeper(request.user)
    return _queue_change(
        request, queue_id, form_class=QueueOfferForm, title=_("Erbjud plats"),
        change=lambda entry, data, version: services.offer_place(
            entry, counsellor=data["counsellor"], by=request.user, expected_version=version,
            contract=QueueOfferForm.contract(data),
        ),
        success=_offered,
        text=_("Klienten lämnar kön och tilldelas behandlaren. Är veckodag och tid redan "
               "överenskomna startar samtalskontraktet nu och terminens samtal bokas; annars "
               "gör behandlaren upp kontraktet med klienten."),
    )


def _offered(entry):
    result = entry.contract_result
    if result is None:
        return _("%(alias)s har fått en plats och är tilldelad behandlaren.") % {
            "alias": entry.client.alias}
    message = _(
        "%(alias)s har fått en plats, och samtalskontraktet är startat: %(count)d samtal "
        "bokade."
    ) % {"alias": entry.client.alias, "count": len(result.booked)}
    if result.skipped:
        message += " " + _("Kunde inte bokas: %(days)s.") % {
            "days": ", ".join(f"{day:%Y-%m-%d}" for day, _reason in result.skipped)}
    return message


@permission_required("clients.change_queueentry", raise_exception=True)
def queue_remove(request, queue_id):
    _check_queue_keeper(request.user)
    return _queue_change(
        request, queue_id, form_class=QueueRemoveForm, title=_("Ta bort ur kön"),
        change=lambda entry, data, version: services.remove_from_queue(
            entry, reason=data["reason"], by=request.user, expected_version=version,
        ),
        success=_("%(alias)s är borttagen ur kön."),
    )


urlpatterns = [
    path("ko/", queue, name="queue"),
    path("ko/ny/<uuid:public_id>/", queue_add, name="queue-add"),
    path("ko/<uuid:queue_id>/flytta/", queue_move, name="queue-move"),
    path("ko/<uuid:queue_id>/erbjud/", queue_offer, name="queue-offer"),
    path("ko/<uuid:queue_id>/ta-bort/", queue_remove, name="queue-remove"),
]
