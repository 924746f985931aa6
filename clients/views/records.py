"""Client registry, journals and the records around them. Views are thin: they find the
object through clients.access (out of scope → 404), log the read, call the service."""

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

from prostenhet import pdf, registry, retention
from prostenhet.exceptions import DomainError
from prostenhet.forms import ConfirmForm
from prostenhet.lib import personnummer, searches
from prostenhet.lib.paging import open_page
from prostenhet.roles import UnitCode

from .. import access, audit, services
from ..forms import (
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
from ..models import (
    DEFAULT_ENTRY_KIND,
    Assignment,
    Client,
    ClientMerge,
    Consent,
    EntryKind,
    EntryState,
    JournalEntry,
    Register,
)
from ..services import printing

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
    """The clients the user may see: all of them page by page, or the results of a search.
    A search is POSTed (no identity number in a URL) and answered with a redirect to its
    results page (?s=<opaque key>), so that Back, reload and new tabs work."""
    if request.method == "POST":
        form = ClientSearchForm(request.POST)
        if form.is_valid() and form.cleaned_data["q"].strip():
            term = form.cleaned_data["q"].strip()
            found = list(
                form.filter_qs(access.visible_clients(request.user))
                .values_list("pk", flat=True)[: SEARCH_LIMIT + 1]
            )
            key = searches.remember(
                request, "clients", term=searches.shown_term(term), ids=found[:SEARCH_LIMIT],
                more=len(found) > SEARCH_LIMIT,
            )
            return redirect(reverse("clients:client-search") + f"?s={key}")
        if form.is_valid():
            return redirect("clients:client-search")
    else:
        form = ClientSearchForm()
    clients = access.visible_clients(request.user).prefetch_related("enrollments")
    search = searches.recall(request, "clients", request.GET.get("s"))
    if search is not None:
        # Shown again with the rights of now: a client out of sight since is not listed.
        found = {c.pk: c for c in clients.filter(pk__in=search["ids"])}
        results = [found[pk] for pk in search["ids"] if pk in found]
        audit.log_search(request, search["term"])
        return render(request, "clients/client_search.html", {
            "form": ClientSearchForm(initial={"q": search["term"]}),
            "results": _with_own_units(request.user, results), "searched": True,
            "more": search["more"],
        })
    if request.GET.get("s"):
        messages.info(request, _("Sökningen finns inte längre. Sök igen."))
    # No count of every client (60,000 took 90 ms): "Sida 3", and the search for the rest.
    page = open_page(clients, request.GET.get("page"), PAGE_SIZE)
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
                if error.existing and not access.can_view_client(request.user, error.existing):
                    # Already in the unit's registry, outside the user's sight (a clinic
                    # patient who now wants counselling): offer to enrol the person in the
                    # user's unit, telling nothing of where else they are a client.
                    audit.log_search(
                        request, audit.NUMBER_FOUND_AT_REGISTRATION, client=error.existing,
                        flagged=True,
                    )
                    key = searches.remember(
                        request, "enrol-existing", client=error.existing.pk,
                        unit=data["unit"],
                    )
                    return redirect("clients:client-enrol-existing", key=key)
                form.add_error("identity_number", error.message)
                if error.existing:
                    candidates = [error.existing]
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Klienten är registrerad."))
                return redirect("clients:client-detail", public_id=client.public_id)
    return render(
        request, "clients/client_form.html", {"form": form, "candidates": candidates}
    )


@permission_required("clients.add_client", raise_exception=True)
def client_enrol_existing(request, key):
    """Enrol a person already in the registry (found by identity number at registration,
    outside the user's sight) in the user's own unit, after a confirmation that says nothing
    of the person or of other units. Flagged for the manager's review."""
    pending = searches.recall(request, "enrol-existing", key)
    if pending is None:
        raise Http404
    unit = _unit_or_404(pending["unit"])
    if unit not in access.user_units(request.user):
        raise Http404
    existing = get_object_or_404(Client.objects.current(), pk=pending["client"])

    def enrol():
        services.enroll(existing, unit, by=request.user)
        audit.log_search(
            request, audit.ENROLLED_EXISTING, client=existing, flagged=True
        )

    return _confirmation(
        request, client=None, action=enrol,
        success=_("Personen är inskriven. Fyll i eller rätta uppgifterna vid behov."),
        title=_("Personen finns redan i registret"),
        text=_(
            "Det finns redan en person med det personnumret i enhetens register. Vill du skriva "
            "in personen i %(unit)s? Inskrivningen loggas och granskas av enhetschefen. "
            "Uppgifterna du fyllde i sparas inte: se över personens uppgifter efteråt."
        ) % {"unit": unit.label},
        submit_label=_("Skriv in i %(unit)s") % {"unit": unit.label},
        danger=False,
        redirect_to=redirect("clients:client-detail", public_id=existing.public_id),
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
    rights = access.client_rights(user, client, active_units=active_units)
    show_identity = not client.protected_identity or rights.change or (
        access.open_emergency_access(user, client) is not None
    )
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
        "rights": rights,
        "show_identity": show_identity,
        "identity_number": (
            personnummer.display(client.identity_number)
            if client.identity_number and show_identity else ""
        ),
        "emergency": access.open_emergency_access(user, client),
        "extract_units": access.extract_units(
            user, client, active_units=active_units, journal_units=set(journals)
        ),
    }


def client_detail(request, public_id):
    client = access.get_client_or_404(request, public_id)
    if client.public_id != public_id:
        return redirect("clients:client-detail", public_id=client.public_id)
    context = _client_context(request, client)
    detail = ""
    if client.protected_identity and context["show_identity"]:
        detail = audit.PROTECTED_IDENTITY_SHOWN
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
            # Trying numbers on a client one may edit must leave a trace, as registering
            # them does: the manager reviews it.
            audit.log_search(
                request, audit.NUMBER_FOUND_AT_EDIT, client=error.existing, flagged=True
            )
            form.add_error("identity_number", error.message)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect("clients:client-detail", public_id=client.public_id)
    # The form shows every identity field: for a protected identity, say so in the log.
    audit.log_read(
        request, client, detail=audit.PROTECTED_IDENTITY_SHOWN if client.protected_identity else ""
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
        # The page shows the author; of the corrected entry only that there is one.
        .select_related("author")
        .prefetch_related(
            # Only a signed correction marks the original corrected.
            Prefetch("corrections", queryset=JournalEntry.objects.signed(),
                     to_attr="signed_corrections")
        )
    )
    drafts = JournalEntry.objects.filter(
        journal__client=client, journal__unit=journal.unit, author=request.user,
        state=EntryState.DRAFT,
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_details(journal.unit, list(page.object_list))
    audit.log_read(request, client)
    assignments = journal.assignments.current().select_related("counsellor")
    app_links = [
        (reverse(detail.overview_url_name, args=[client.public_id]), detail.overview_label)
        for detail in registry.journal_entry_details
        if detail.unit == journal.unit and detail.overview_url_name
        and request.user.has_perm(detail.overview_permission)
    ]
    return render(request, "clients/journal_detail.html", {
        "client": client, "journal": journal, "page": page, "drafts": drafts,
        "app_links": app_links, "record_kind": retention.record_kind_label(journal.unit),
        "can_write": journal.may_write,
        "assignments": assignments,
        "can_assign": journal.unit in access.ASSIGNED_UNITS
        and request.user.has_perm("clients.assign_counsellor")
        and journal.unit in access.user_units(request.user),
    })


def _printed_journal(request, public_id, unit):
    """The journal as printed (DESIGN §5): access exactly as the journal page; printing is a
    read. A protected identity is never printed (DESIGN §3.8: never in exports)."""
    client = access.get_client_or_404(request, public_id)
    journal = access.get_journal_or_404(request, client, _unit_or_404(unit))
    printed = printing.print_journal(
        client, journal, by=request.user, show_identity=not client.protected_identity
    )
    audit.log_read(request, client, detail=audit.JOURNAL_PRINTED)
    return printed


def journal_print(request, public_id, unit):
    printed = _printed_journal(request, public_id, unit)
    return render(request, "clients/journal_print.html", {
        "printed": printed, "client": printed.client, "journal": printed.journal,
    })


def journal_pdf(request, public_id, unit):
    printed = _printed_journal(request, public_id, unit)
    return pdf.response(printed.document(), printed.filename())


def _with_details(unit, entries):
    """Attach to each entry what the unit's app records with it besides the text (the
    registry's journal_entry_details: one query per registered detail for the whole page,
    none for a unit that registers nothing): entry.details = [(template, context), ...]."""
    details = [d for d in registry.journal_entry_details if d.unit == unit]
    loaded = [(d.template, d.load(entries)) for d in details] if entries else []
    for entry in entries:
        entry.details = [
            (template, found[entry.pk]) for template, found in loaded if entry.pk in found
        ]
    return entries


def _new_entry(request, client, journal, *, corrects=None):
    """The page of a new entry (or a correction). Nothing is stored until there is text: the
    first save (autosave or explicit) creates the draft, later ones find it by the page's
    editor token, and an explicit save goes on to the draft's own page."""
    initial = {"kind": DEFAULT_ENTRY_KIND.get(journal.unit, EntryKind.NOTE)}
    if corrects is not None:
        initial = {"kind": corrects.kind, "event_date": corrects.event_date}
    form = EntryForm(
        _post(request), initial=initial, instance=JournalEntry(journal=journal),
        autosave_url=request.path,
    )
    entry = None
    if form.is_valid():
        entry, refused = save_draft_from_form(request, form, lambda: services.save_draft(
            journal=journal, by=request.user, corrects=corrects, **form.draft_fields()
        ))
        if refused is not None:
            return refused
        if entry is not None:
            if request.htmx:
                response = render(
                    request, "clients/_autosave_status.html", {"entry": entry, "oob": True}
                )
                # The address bar now names the draft, so that a reload (or a login after
                # the session ended) opens it; the page keeps saving through this URL.
                response["HX-Replace-Url"] = reverse(
                    "clients:entry-edit", args=[entry.public_id]
                )
                return response
            return _after_explicit_save(request, entry)
    elif request.htmx:
        return autosave_refused("; ".join(e for errs in form.errors.values() for e in errs))
    audit.log_read(request, client)
    return render(request, "clients/entry_form.html", {
        "form": form, "entry": entry, "client": client, "journal": journal,
        "corrects": corrects,
    })


def save_draft_from_form(request, form, save):
    """Run save() for a draft editor's valid form: (the entry, None) when saved; (None, the
    answer) for an autosave that was refused; (None, None) with the error on the form for an
    explicit save that was refused."""
    try:
        return save(), None
    except services.EmptyDraftError as error:
        if request.htmx:
            return None, HttpResponse(escape(_("Inget att spara ännu.")))
        _form_error(form, error)
    except DomainError as error:
        if request.htmx:
            return None, autosave_refused(error.message)
        _form_error(form, error)
    return None, None


def autosave_refused(message):
    return HttpResponse(escape(_("Inte sparat: %(errors)s") % {"errors": message}))


def _after_explicit_save(request, entry):
    if "sign" in request.POST:
        return redirect("clients:entry-sign", entry_id=entry.public_id)
    messages.success(request, _("Utkastet är sparat."))
    return redirect("clients:entry-edit", entry_id=entry.public_id)


def _app_editor(unit, url_attribute):
    """The URL name of the unit app's own entry editor (registry.journal_entry_details), or
    None when the unit's entries are written here."""
    for detail in registry.journal_entry_details:
        if detail.unit == unit and getattr(detail, url_attribute):
            return getattr(detail, url_attribute)
    return None


def entry_create(request, public_id, unit):
    client = access.get_client_or_404(request, public_id)
    journal = access.get_journal_or_404(request, client, _unit_or_404(unit), write=True)
    if editor := _app_editor(journal.unit, "create_url_name"):
        return redirect(editor, client.public_id)
    return _new_entry(request, client, journal)


def entry_correct(request, entry_id):
    """A correction: a new entry of the same type, written beside the original's text."""
    entry, client, journal = access.get_entry_or_404(request, entry_id, write=True)
    try:
        services.check_correctable(entry)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("clients:entry-detail", entry_id=entry.public_id)
    return _new_entry(request, client, journal, corrects=entry)


def entry_detail(request, entry_id):
    entry, client, journal = access.get_entry_or_404(request, entry_id)
    _with_details(entry.unit, [entry])
    audit.log_read(request, client)
    corrections = [
        c for c in entry.corrections.select_related("author")
        if c.is_signed or c.author_id == request.user.pk
    ]
    return render(request, "clients/entry_detail.html", {
        "entry": entry, "client": client, "journal": journal,
        "can_write": journal.may_write,
        "corrections": corrections,
        "corrected": any(c.is_signed for c in corrections),
    })


def entry_edit(request, entry_id):
    entry, client, journal = access.get_entry_or_404(request, entry_id, write=True)
    # The author's save that comes after the entry was signed (in another window) gets the
    # form back with why, so that the text typed is not lost; it is not saved (save_draft).
    if entry.author_id != request.user.pk or (entry.is_signed and request.method != "POST"):
        return redirect("clients:entry-detail", entry_id=entry.public_id)
    if (editor := _app_editor(entry.unit, "edit_url_name")) and entry.corrects_id is None:
        return redirect(editor, entry.public_id)
    form = EntryForm(
        _post(request), instance=entry,
        autosave_url=reverse("clients:entry-autosave", args=[entry.public_id]),
    )
    if form.is_valid():
        try:
            entry = services.save_draft(
                entry=entry, journal=journal, by=request.user, **form.draft_fields()
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            return _after_explicit_save(request, entry)
    audit.log_read(request, client)
    return render(request, "clients/entry_form.html", {
        "form": form, "entry": entry, "client": client, "journal": journal,
        "corrects": entry.corrects,
    })


@require_POST
def entry_autosave(request, entry_id):
    """htmx: save the draft as it is typed; answers with a status line."""
    entry, client, journal = access.get_entry_or_404(request, entry_id, write=True)
    form = EntryForm(request.POST, instance=entry)
    if not form.is_valid():
        return autosave_refused("; ".join(e for errs in form.errors.values() for e in errs))
    try:
        entry = services.save_draft(
            entry=entry, journal=journal, by=request.user, **form.draft_fields()
        )
    except DomainError as error:
        return autosave_refused(error.message)
    # The answer also carries the new version into the form (out of band), so that a later
    # save from the same window is not taken for one from another window.
    return render(request, "clients/_autosave_status.html", {"entry": entry, "oob": True})


def entry_discard(request, entry_id):
    """The author throws away their own unsigned draft (after a confirmation)."""
    entry, client, journal = access.get_entry_or_404(request, entry_id, write=True)
    if entry.is_signed or entry.author_id != request.user.pk:
        raise Http404
    audit.log_read(request, client)
    return _confirmation(
        request, client=client,
        action=lambda: services.discard_draft(entry, by=request.user),
        success=_("Utkastet är kastat."),
        title=_("Kasta utkastet"),
        text=_("Utkastet tas bort och kan inte återskapas. Ändringsloggen visar att ett "
               "utkast har kastats, inte vad det innehöll."),
        submit_label=_("Kasta utkastet"),
        redirect_to=redirect("clients:journal", public_id=client.public_id, unit=journal.unit),
    )


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
    """Find a record outside one's rights by exact identity number (main register only),
    with the reason given first: the result names the person (alias, birth year). POST, then
    a redirect to the result (?s=<opaque key>): Back and reload work."""
    form = EmergencySearchForm(_post(request))
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        audit.log_search(request, reason, registers={Register.MAIN})
        found = (
            Client.objects.current()
            .filter(register=Register.MAIN, identity_number=form.cleaned_data["identity_number"])
            .first()
        )
        key = searches.remember(
            request, "emergency", client=found.pk if found else None, reason=reason
        )
        return redirect(reverse("clients:emergency-search") + f"?s={key}")
    found = None
    not_found = False
    search = searches.recall(request, "emergency", request.GET.get("s"))
    if request.method == "GET" and search is not None:
        if search["client"] is not None:
            found = Client.objects.current().filter(
                pk=search["client"], register=Register.MAIN
            ).first()
        not_found = found is None
        if found is not None:
            audit.log_search(request, search["reason"], client=found)
    return render(request, "clients/emergency_search.html", {
        "form": form, "found": found, "not_found": not_found,
        "key": request.GET.get("s") if found else None,
    })


@permission_required("clients.open_emergency_access", raise_exception=True)
def emergency_open(request, public_id):
    client = Client.objects.current().filter(
        public_id=public_id, register=Register.MAIN
    ).first()
    if client is None:
        raise Http404
    # The reason given at the search comes along (it can be made more precise here).
    search = searches.recall(request, "emergency", request.GET.get("s")) or {}
    form = EmergencyAccessForm(
        _post(request), max_hours=settings.EMERGENCY_ACCESS_HOURS,
        initial={"reason": search.get("reason", "")},
    )
    if request.method == "GET":
        audit.log_search(request, search.get("reason", ""), client=client)  # names the client
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
    """Search for the duplicate: POST, then a redirect to the candidates (?s=<opaque key>)."""
    client = access.get_client_or_404(request, public_id, change=True, follow_merge=False)
    if client.register != Register.MAIN:
        raise Http404
    candidates_qs = access.visible_clients(request.user).in_register(Register.MAIN).exclude(
        pk=client.pk
    )
    form = MergeSearchForm(_post(request))
    if form.is_valid():
        search = ClientSearchForm({"q": form.cleaned_data["q"]})
        search.is_valid()
        found = list(search.filter_qs(candidates_qs).values_list("pk", flat=True)[:20])
        key = searches.remember(
            request, f"merge:{client.pk}", term=searches.shown_term(form.cleaned_data["q"]),
            ids=found,
        )
        return redirect(reverse("clients:merge-search", args=[client.public_id]) + f"?s={key}")
    candidates = []
    search = searches.recall(request, f"merge:{client.pk}", request.GET.get("s"))
    if request.method == "GET" and search is not None:
        found = {c.pk: c for c in candidates_qs.filter(pk__in=search["ids"])}
        candidates = [found[pk] for pk in search["ids"] if pk in found]
        form = MergeSearchForm(initial={"q": search["term"]})
        audit.log_search(request, search["term"])
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


# --- the client's access-log extract ---------------------------------------------------------

EXTRACT_LIMIT = audit.EXTRACT_LIMIT
ALL_YEARS = "alla"


@permission_required("prostenhet.review_access_log", raise_exception=True)
def access_log_extract(request, public_id):
    """A client's log extract for the manager: which staff looked at the record, when;
    repeated reads of one person within a few minutes are one row with a count. Printable.
    Filtered exactly as the review page is (KAST stays sealed); an old link to a merged-away
    client shows the surviving client's extract."""
    client = Client.objects.filter(public_id=public_id).first()
    while client is not None and client.merged_into_id:
        client = client.merged_into
    if client is None:
        raise Http404
    if client.register == Register.KAST and UnitCode.KAST not in access.profile_units(
        request.user
    ):
        raise Http404
    # One year at a time (the newest with reads first), or all of them (?ar=alla): a record
    # read for years has thousands of rows, and the log grows with every read.
    years = audit.access_log_years(request.user, client)
    chosen = request.GET.get("ar", "")
    year = None if chosen == ALL_YEARS else next(
        (y for y in years if str(y) == chosen), years[0] if years else None
    )
    rows, truncated = audit.access_log_extract(
        request.user, client, limit=EXTRACT_LIMIT, year=year
    )
    return render(request, "clients/access_log_extract.html", {
        "client": client, "rows": rows, "truncated": truncated, "years": years,
        "year": year, "all_years": ALL_YEARS,
    })
