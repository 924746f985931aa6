"""Client registry, journals and the records around them. Views are thin: they find the
object through prostenhet.access (out of scope → 404), log the read, call the service."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prostenhet import access, audit
from prostenhet.exceptions import DomainError
from prostenhet.forms import ConfirmForm
from prostenhet.lib import personnummer
from prostenhet.roles import UnitCode

from . import services
from .forms import (
    AssignmentForm,
    ClientCreateForm,
    ClientSearchForm,
    ClientUpdateForm,
    ConsentCreateForm,
    EmergencyAccessForm,
    EmergencySearchForm,
    EnrollForm,
    EntryForm,
    MergeSearchForm,
    SignForm,
)
from .models import Assignment, Client, ClientMerge, Consent, EntryState, JournalEntry, Register

PAGE_SIZE = 25
SEARCH_LIMIT = 50


def _post(request):
    return request.POST if request.method == "POST" else None


def _form_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _confirmation(request, *, action, success, title, text="", submit_label, client=None,
                  danger=True, redirect_to=None):
    """A GET shows a confirmation page; a POST runs action() and redirects with success."""
    form = ConfirmForm(_post(request), submit_label=submit_label, danger=danger)
    error = None
    if form.is_valid():
        try:
            action()
        except DomainError as domain_error:
            error = domain_error.message
        else:
            messages.success(request, success)
            return redirect_to or redirect("clients:client-detail", public_id=client.public_id)
    return render(request, "clients/confirm.html", {
        "form": form, "client": client, "title": title, "text": text, "error": error,
    })


def _unit_or_404(unit):
    if unit not in UnitCode.values:
        raise Http404
    return UnitCode(unit)


# --- search and registration -----------------------------------------------------------------


@permission_required("clients.view_client", raise_exception=True)
def client_search(request):
    """The clients the user may see: all of them page by page, or a search (POSTed, so that
    no identity number reaches a URL) showing the first SEARCH_LIMIT matches."""
    form = ClientSearchForm(_post(request))
    clients = access.visible_clients(request.user).prefetch_related("enrollments")
    term = ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        term = form.cleaned_data["q"].strip()
        audit.log_search(request, term)
        results = list(form.filter_qs(clients)[: SEARCH_LIMIT + 1])
        return render(request, "clients/client_search.html", {
            "form": form, "results": _with_own_units(request.user, results[:SEARCH_LIMIT]),
            "term": term, "more": len(results) > SEARCH_LIMIT,
        })
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clients/client_search.html", {
        "form": form, "results": _with_own_units(request.user, page), "page": page,
    })


def _with_own_units(user, clients):
    """Attach to each client the user's own units it is enrolled in: a list never tells
    that the person is a client of another unit."""
    mine = access.user_units(user)
    for client in clients:
        client.own_units = [
            e.get_unit_display() for e in client.enrollments.all()
            if e.is_active and e.unit in mine
        ]
    return clients


@permission_required("clients.add_client", raise_exception=True)
def client_create(request):
    form = ClientCreateForm(_post(request), user=request.user)
    candidates = []
    if form.is_valid():
        data = form.cleaned_data
        register = services.register_for_unit(data["unit"])
        candidates = list(
            services.similar_clients(
                request.user, alias=data["alias"], birth_year=data["birth_year"],
                register=register,
            )[:10]
        )
        if candidates and not data["confirm_not_duplicate"]:
            form.add_error(
                None,
                _("Det finns klienter med liknande alias och samma födelseår. Kontrollera att "
                  "det inte är samma person och bekräfta längst ner."),
            )
        else:
            try:
                client = services.register_client(
                    unit=data["unit"], by=request.user, estimated_age=data["estimated_age"],
                    **form.registry_fields(),
                )
            except services.DuplicateClientError as error:
                form.add_error("identity_number", error.message)
                if error.existing and access.can_view_client(request.user, error.existing):
                    candidates = [error.existing]
                elif error.existing:
                    # The refusal tells that the number is known: on record for review.
                    audit.log_search(
                        request, "duplicate identity number at registration",
                        client=error.existing,
                    )
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Klienten är registrerad."))
                return redirect("clients:client-detail", public_id=client.public_id)
    return render(
        request, "clients/client_form.html", {"form": form, "candidates": candidates}
    )


# --- the client page -------------------------------------------------------------------------


def _client_context(request, client):
    user = request.user
    journals = {j.unit: j for j in access.visible_journals(user, client)}
    all_enrollments = list(client.enrollments.all())
    active_units = {e.unit for e in all_enrollments if e.is_active}
    units = access.visible_units(
        user, client, active_units=active_units, journal_units=set(journals)
    )
    enrollments = [e for e in all_enrollments if e.unit in units]
    # A consent names two units: show it only when the user may know of both.
    consents = [c for c in client.consents.all() if c.unit_a in units and c.unit_b in units]
    show_identity = not client.protected_identity or access.may_see_identity(user, client)
    assignable = []
    if user.has_perm("clients.assign_counsellor"):
        mine = access.user_units(user) & access.ASSIGNED_UNITS & active_units
        current = Assignment.objects.current().select_related("counsellor")
        for journal in client.journals.filter(
            unit__in=mine, merged_into__isnull=True
        ).prefetch_related(Prefetch("assignments", queryset=current, to_attr="current")):
            assignable.append((journal, journal.current))
    return {
        "assignable": assignable,
        "client": client,
        "enrollments": enrollments,
        "journals": [journals[u] for u in UnitCode if u in journals],
        "consents": consents,
        "can_change": access.can_change_client(user, client),
        "show_identity": show_identity,
        "identity_number": (
            personnummer.display(client.identity_number)
            if client.identity_number and show_identity else ""
        ),
        "emergency": access.open_emergency_access(user, client),
        "enroll_units": (
            access.user_units(user) - active_units if client.register == Register.MAIN else set()
        ),
    }


def client_detail(request, public_id):
    client = access.get_client_or_404(request, public_id)
    if client.public_id != public_id:
        return redirect("clients:client-detail", public_id=client.public_id)
    context = _client_context(request, client)
    detail = ""
    if client.protected_identity and context["show_identity"]:
        detail = "protected identity shown"
    audit.log_read(request, client, detail=detail)
    return render(request, "clients/client_detail.html", context)


def client_update(request, public_id):
    client = access.get_client_or_404(request, public_id, change=True, follow_merge=False)
    form = ClientUpdateForm(_post(request), instance=Client.objects.get(pk=client.pk))
    conflict = None
    if form.is_valid():
        try:
            services.update_client(
                client, expected_version=form.cleaned_data["version"], by=request.user,
                **form.registry_fields(),
            )
        except services.ConcurrentEditError as error:
            conflict = error
            unsaved = [
                (Client._meta.get_field(name).verbose_name, form.cleaned_data[name])
                for name in form.registry_fields()
                if form.cleaned_data[name] != getattr(error.current, name)
            ]
            # Start again from what is saved now; the user's values are listed beside it.
            saved = ClientUpdateForm(instance=error.current)
            form = ClientUpdateForm(
                data={name: saved[name].value() for name in saved.fields},
                instance=error.current,
            )
            form.is_valid()
            form.add_error(None, error.message)
        except services.DuplicateClientError as error:
            form.add_error("identity_number", error.message)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect("clients:client-detail", public_id=client.public_id)
    # The form shows every identity field: for a protected identity, say so in the log.
    audit.log_read(
        request, client, detail="protected identity shown" if client.protected_identity else ""
    )
    changed, unsaved_values = [], []
    if conflict:
        changed = [
            (Client._meta.get_field(name).verbose_name, getattr(conflict.current, name))
            for name in conflict.changed_fields
        ]
        unsaved_values = unsaved
    return render(
        request, "clients/client_update.html",
        {"form": form, "client": client, "changed": changed, "unsaved": unsaved_values},
    )


@permission_required("clients.add_client", raise_exception=True)
def enrollment_create(request, public_id):
    # Change rights (the unit's own), not view rights: an emergency access must not become
    # a lasting one by enrolling the client.
    client = access.get_client_or_404(request, public_id, change=True, follow_merge=False)
    units = access.user_units(request.user)
    form = EnrollForm(_post(request), units=units)
    if form.is_valid():
        try:
            services.enroll(client, form.cleaned_data["unit"], by=request.user)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Klienten är inskriven."))
            return redirect("clients:client-detail", public_id=client.public_id)
    return render(request, "clients/confirm.html", {
        "form": form, "client": client, "title": _("Skriv in i verksamhetsdel"),
    })


def enrollment_end(request, public_id, unit):
    client = access.get_client_or_404(request, public_id, change=True, follow_merge=False)
    unit = _unit_or_404(unit)
    if unit not in access.user_units(request.user):
        raise Http404
    enrollment = get_object_or_404(client.enrollments.active(), unit=unit)
    return _confirmation(
        request, client=client,
        action=lambda: services.end_enrollment(enrollment, by=request.user),
        success=_("Inskrivningen är avslutad."),
        title=_("Avsluta inskrivningen i %(unit)s") % {"unit": unit.label},
        text=_("Verksamhetsdelens personal ser inte längre klienten. Journalen finns kvar."),
        submit_label=_("Avsluta inskrivningen"),
    )


@permission_required("clients.record_consent", raise_exception=True)
def consent_create(request, public_id):
    client = access.get_client_or_404(request, public_id, change=True, follow_merge=False)
    units = access.user_units(request.user) & set(
        client.enrollments.active().values_list("unit", flat=True)
    )
    if not units:
        raise Http404
    form = ConsentCreateForm(_post(request), units=units)
    if form.is_valid():
        try:
            services.give_consent(
                client, form.cleaned_data["unit"], form.cleaned_data["other_unit"],
                method=form.cleaned_data["method"], by=request.user,
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Samtycket är registrerat."))
            return redirect("clients:client-detail", public_id=client.public_id)
    return render(request, "clients/confirm.html", {
        "form": form, "client": client, "title": _("Registrera samtycke"),
        "text": _("Klientens samtycke till att två verksamhetsdelar delar information."),
    })


@permission_required("clients.record_consent", raise_exception=True)
def consent_revoke(request, public_id, consent_id):
    client = access.get_client_or_404(request, public_id, change=True, follow_merge=False)
    units = access.visible_units(request.user, client)
    consent = get_object_or_404(Consent.objects.active(), pk=consent_id, client=client)
    # As on the client page: a consent is only for those who may know of both its units.
    if consent.unit_a not in units or consent.unit_b not in units:
        raise Http404
    return _confirmation(
        request, client=client,
        action=lambda: services.revoke_consent(consent, by=request.user),
        success=_("Samtycket är återkallat."),
        title=_("Återkalla samtycke"), text=str(consent),
        submit_label=_("Återkalla samtycket"),
    )


# --- journals and entries --------------------------------------------------------------------


def journal_detail(request, public_id, unit):
    client = access.get_client_or_404(request, public_id)
    journal = access.get_journal_or_404(request, client, _unit_or_404(unit))
    entries = (
        JournalEntry.objects.filter(journal__client=client, journal__unit=journal.unit)
        .exclude(state=EntryState.DRAFT)
        .select_related("author", "signed_by", "corrects")
        .prefetch_related(
            # Only a signed correction marks the original corrected.
            Prefetch("corrections", queryset=JournalEntry.objects.signed(),
                     to_attr="signed_corrections")
        )
    )
    drafts = JournalEntry.objects.filter(
        journal__client=client, journal__unit=journal.unit, author=request.user,
        state=EntryState.DRAFT,
    ).select_related("corrects")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.log_read(request, client)
    assignments = journal.assignments.current().select_related("counsellor")
    return render(request, "clients/journal_detail.html", {
        "client": client, "journal": journal, "page": page, "drafts": drafts,
        "can_write": journal.may_write,
        "assignments": assignments,
        "can_assign": journal.unit in access.ASSIGNED_UNITS
        and request.user.has_perm("clients.assign_counsellor")
        and journal.unit in access.user_units(request.user),
    })


@require_POST
def entry_create(request, public_id, unit):
    client = access.get_client_or_404(request, public_id)
    journal = access.get_journal_or_404(request, client, _unit_or_404(unit), write=True)
    entry = services.save_draft(journal=journal, by=request.user)
    return redirect("clients:entry-edit", entry_id=entry.public_id)


def entry_detail(request, entry_id):
    entry, client, journal = access.get_entry_or_404(request, entry_id)
    audit.log_read(request, client)
    corrections = [
        c for c in entry.corrections.select_related("author")
        if c.is_signed or c.author_id == request.user.pk
    ]
    return render(request, "clients/entry_detail.html", {
        "entry": entry, "client": client, "journal": journal,
        "can_write": access.can_write_journal(request.user, journal),
        "corrections": corrections,
        "corrected": any(c.is_signed for c in corrections),
    })


def entry_edit(request, entry_id):
    entry, client, journal = access.get_entry_or_404(request, entry_id, write=True)
    if entry.is_signed or entry.author_id != request.user.pk:
        return redirect("clients:entry-detail", entry_id=entry.public_id)
    form = EntryForm(
        _post(request), instance=entry,
        autosave_url=reverse("clients:entry-autosave", args=[entry.public_id]),
    )
    if form.is_valid():
        try:
            services.save_draft(
                entry=entry, journal=journal, by=request.user,
                expected_version=form.cleaned_data.get("version"),
                kind=form.cleaned_data["kind"], event_date=form.cleaned_data["event_date"],
                text=form.cleaned_data["text"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            if "sign" in request.POST:
                return redirect("clients:entry-sign", entry_id=entry.public_id)
            messages.success(request, _("Utkastet är sparat."))
            return redirect("clients:entry-edit", entry_id=entry.public_id)
    audit.log_read(request, client)
    return render(request, "clients/entry_form.html", {
        "form": form, "entry": entry, "client": client, "journal": journal,
    })


@require_POST
def entry_autosave(request, entry_id):
    """htmx: save the draft as it is typed; answers with a status line."""
    entry, client, journal = access.get_entry_or_404(request, entry_id, write=True)
    form = EntryForm(request.POST, instance=entry)
    if not form.is_valid():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        return HttpResponse(escape(_("Inte sparat: %(errors)s") % {"errors": errors}))
    try:
        entry = services.save_draft(
            entry=entry, journal=journal, by=request.user,
            expected_version=form.cleaned_data.get("version"),
            kind=form.cleaned_data["kind"], event_date=form.cleaned_data["event_date"],
            text=form.cleaned_data["text"],
        )
    except DomainError as error:
        return HttpResponse(escape(_("Inte sparat: %(errors)s") % {"errors": error.message}))
    # The answer also carries the new version into the form (out of band), so that a later
    # save from the same window is not taken for one from another window.
    return render(request, "clients/_autosave_status.html", {"entry": entry, "oob": True})


def entry_sign(request, entry_id):
    entry, client, journal = access.get_entry_or_404(request, entry_id, write=True)
    form = SignForm(_post(request), initial={"version": entry.version})
    error = None
    if form.is_valid():
        try:
            services.sign_entry(
                entry, by=request.user, expected_version=form.cleaned_data["version"]
            )
        except DomainError as domain_error:
            error = domain_error.message
        else:
            messages.success(request, _("Anteckningen är signerad."))
            return redirect("clients:journal", public_id=client.public_id, unit=journal.unit)
    audit.log_read(request, client)
    return render(request, "clients/entry_sign.html", {
        "form": form, "entry": entry, "client": client, "journal": journal, "error": error,
    })


def entry_correct(request, entry_id):
    entry, client, journal = access.get_entry_or_404(request, entry_id, write=True)
    form = ConfirmForm(_post(request), submit_label=_("Skriv rättelse"))
    error = None
    if form.is_valid():
        try:
            correction = services.start_correction(entry, journal=journal, by=request.user)
        except DomainError as domain_error:
            error = domain_error.message
        else:
            return redirect("clients:entry-edit", entry_id=correction.public_id)
    audit.log_read(request, client)
    return render(request, "clients/confirm.html", {
        "form": form, "client": client, "title": _("Rätta anteckningen"), "error": error,
        "text": _("En rättelse är en ny anteckning som pekar på den här. Originalet finns kvar "
                  "och markeras som rättat."),
    })


# --- assignments -----------------------------------------------------------------------------


@permission_required("clients.assign_counsellor", raise_exception=True)
def assignment_create(request, public_id, unit):
    client = access.get_client_or_404(request, public_id, change=True, follow_merge=False)
    unit = _unit_or_404(unit)
    if unit not in access.ASSIGNED_UNITS or unit not in access.user_units(request.user):
        raise Http404
    journal = get_object_or_404(client.journals, unit=unit, merged_into__isnull=True)
    form = AssignmentForm(_post(request), journal=journal)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["substitute"]:
                services.name_substitute(
                    journal, data["counsellor"], ends_on=data["ends_on"], by=request.user
                )
            else:
                services.assign_counsellor(journal, data["counsellor"], by=request.user)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Behandlaren är tilldelad."))
            return redirect("clients:client-detail", public_id=client.public_id)
    return render(request, "clients/confirm.html", {
        "form": form, "client": client,
        "title": _("Tilldela behandlare i %(unit)s") % {"unit": unit.label},
    })


@permission_required("clients.assign_counsellor", raise_exception=True)
def assignment_end(request, public_id, assignment_id):
    client = access.get_client_or_404(request, public_id, change=True, follow_merge=False)
    assignment = get_object_or_404(
        Assignment.objects.select_related("journal", "counsellor"),
        pk=assignment_id, journal__client=client, ended_at__isnull=True,
    )
    if assignment.journal.unit not in access.user_units(request.user):
        raise Http404
    return _confirmation(
        request, client=client,
        action=lambda: services.end_assignment(assignment, by=request.user),
        success=_("Tilldelningen är avslutad."),
        title=_("Avsluta tilldelning"), text=str(assignment.counsellor),
        submit_label=_("Avsluta tilldelningen"),
    )


# --- emergency access ------------------------------------------------------------------------


@permission_required("clients.open_emergency_access", raise_exception=True)
def emergency_search(request):
    """Find a record outside one's rights by exact identity number (main register only)."""
    form = EmergencySearchForm(_post(request))
    found = None
    if form.is_valid():
        audit.log_search(request, form.cleaned_data["identity_number"])
        found = (
            Client.objects.current()
            .filter(register=Register.MAIN, identity_number=form.cleaned_data["identity_number"])
            .first()
        )
        if found is None:
            form.add_error("identity_number", _("Ingen klient hittades."))
        else:
            audit.log_search(request, "", client=found)
    return render(request, "clients/emergency_search.html", {"form": form, "found": found})


@permission_required("clients.open_emergency_access", raise_exception=True)
def emergency_open(request, public_id):
    client = Client.objects.current().filter(
        public_id=public_id, register=Register.MAIN
    ).first()
    if client is None:
        raise Http404
    form = EmergencyAccessForm(_post(request), max_hours=settings.EMERGENCY_ACCESS_HOURS)
    if request.method == "GET":
        audit.log_search(request, "", client=client)  # the page names the client
    if form.is_valid():
        try:
            emergency = services.open_emergency_access(
                client, user=request.user, reason=form.cleaned_data["reason"],
                hours=form.cleaned_data["hours"],
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            audit.log_emergency_opened(request, emergency)
            messages.warning(
                request, _("Nödåtkomst är öppnad. Allt du läser loggas med ditt skäl.")
            )
            return redirect("clients:client-detail", public_id=client.public_id)
    return render(request, "clients/emergency_open.html", {"form": form, "client": client})


# --- merge -----------------------------------------------------------------------------------


@permission_required("clients.merge_client", raise_exception=True)
def merge_search(request, public_id):
    client = access.get_client_or_404(request, public_id, change=True, follow_merge=False)
    if client.register != Register.MAIN:
        raise Http404
    form = MergeSearchForm(_post(request))
    candidates = []
    if form.is_valid():
        search = ClientSearchForm({"q": form.cleaned_data["q"]})
        search.is_valid()
        candidates = list(
            search.filter_qs(access.visible_clients(request.user).in_register(Register.MAIN))
            .exclude(pk=client.pk)[:20]
        )
        audit.log_search(request, form.cleaned_data["q"])
    audit.log_read(request, client)
    return render(request, "clients/merge_search.html", {
        "form": form, "client": client, "candidates": candidates,
    })


@permission_required("clients.merge_client", raise_exception=True)
def merge_confirm(request, public_id, other_id):
    survivor = access.get_client_or_404(request, public_id, change=True, follow_merge=False)
    duplicate = access.get_client_or_404(request, other_id, change=True, follow_merge=False)
    if survivor.pk == duplicate.pk or Register.KAST in (survivor.register, duplicate.register):
        raise Http404
    form = ConfirmForm(_post(request), submit_label=_("Slå samman"), danger=True)
    error = None
    if form.is_valid():
        try:
            services.merge_clients(survivor, duplicate, by=request.user)
        except DomainError as domain_error:
            error = domain_error.message
        else:
            messages.success(request, _("Klienterna är sammanslagna."))
            return redirect("clients:client-detail", public_id=survivor.public_id)
    audit.log_read(request, survivor)
    audit.log_read(request, duplicate)
    return render(request, "clients/merge_confirm.html", {
        "form": form, "survivor": survivor, "duplicate": duplicate, "error": error,
    })


@permission_required("clients.undo_merge", raise_exception=True)
def merge_list(request):
    merges = ClientMerge.objects.select_related(
        "survivor", "merged", "merged_by", "undone_by"
    ).exclude(survivor__register=Register.KAST)
    page = Paginator(merges, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clients/merge_list.html", {"page": page})


@permission_required("clients.undo_merge", raise_exception=True)
def merge_undo(request, merge_id):
    merge = get_object_or_404(ClientMerge, pk=merge_id, undone_at__isnull=True)
    return _confirmation(
        request,
        action=lambda: services.undo_merge(merge, by=request.user),
        success=_("Sammanslagningen är ångrad."),
        title=_("Ångra sammanslagning"),
        text=_("Allt som flyttades vid sammanslagningen flyttas tillbaka."),
        submit_label=_("Ångra sammanslagningen"),
        redirect_to=redirect("clients:merge-list"),
    )
