"""The patient record (issue 9): the follow-up list (the clinicians' start panel and its full
page), a patient's Spiralen record with its encounters and samples, the encounter editor (a
journal entry's draft, autosaved and signed like every entry) and the sample steps. Views are
thin: they find the record through clients.access (out of scope → 404; the role's model
permission first → 403), log the read, call services.records."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients import access, audit
from clients.models import Booking, EntryKind, EntryState, JournalEntry
from clients.views.records import autosave_refused, save_draft_from_form
from prostenhet.exceptions import DomainError
from prostenhet.models import User
from prostenhet.roles import UnitCode

from .. import services
from ..forms import (
    EncounterForm,
    SampleInformedForm,
    SampleNotifiedForm,
    SamplePlanForm,
    SampleResultForm,
    SampleSentForm,
)
from ..models import (
    AT_ONCE,
    Encounter,
    EncounterKind,
    Sample,
    SampleKind,
    SampleResult,
    SampleState,
)

PAGE_SIZE = 25
SAMPLE_LIMIT = 100
PANEL_LIMIT = 5
FOLLOW_UP_LIMIT = 100


def _post(request):
    return request.POST if request.method == "POST" else None


def _form_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- the follow-up list ------------------------------------------------------------------------


def follow_up_panel(request):
    """The clinicians' start panel (the clinic's start page): the follow-up list in short, or
    that there is nothing to follow up. Aliases and dates only: no read-log row."""
    if not request.user.has_perm("spiralen.view_sample"):
        return None
    result = services.follow_up(request.user, limit=PANEL_LIMIT)
    return {"follow_up": _list_rows(result, here=request.get_full_path(), may_change=False,
                                    panel=True),
            "panel": True}


PLACEHOLDER = "00000000-0000-0000-0000-000000000000"

# Each category's next step from the list: (URL name, button) — the overdue ones are sent or
# get their result, depending on where they are.
CATEGORY_STEPS = {
    "uninformed": ("spiralen:sample-informed", gettext_lazy("Patienten informerad")),
    "without_plan": ("spiralen:sample-plan", gettext_lazy("Uppföljningsplan")),
    "to_notify": ("spiralen:sample-notified", gettext_lazy("Smittskyddsanmälan")),
}


def _list_rows(result, *, here, may_change, panel=False):
    """Each listed sample's row, made once in Python: a list of a few hundred rows would
    otherwise cost most of the page in template lookups (as the week calendar's bookings).
    Everything but the alias is escaped once for the whole list (labels, addresses); the
    alias is escaped on each row."""
    patient_url = escape(reverse("spiralen:patient", args=[PLACEHOLDER]))
    step_urls = {
        name: escape(reverse(name, args=[PLACEHOLDER]) + "?" + urlencode({"next": here}))
        for name in ["spiralen:sample-sent", "spiralen:sample-result",
                     *(step for step, _label in CATEGORY_STEPS.values())]
    }
    labels = {value: escape(str(label)) for value, label in
              [*SampleKind.choices, *SampleState.choices, *SampleResult.choices]}
    sent_label, result_label = escape(_("Skickat")), escape(_("Registrera svar"))
    step_labels = {
        key: (name, escape(str(label))) for key, (name, label) in CATEGORY_STEPS.items()
    }
    for key, _title, rows, _count in result.categories:
        for sample in rows:
            cells = (
                f'<td><a href="{patient_url.replace(PLACEHOLDER, str(sample.patient.public_id))}">'
                f"{escape(sample.patient.alias)}</a></td><td>{labels[sample.kind]}</td>"
                f"<td>{timezone.localdate(sample.taken_at).isoformat()}</td>"
                f"<td>{'' if sample.days is None else sample.days}</td>"
            )
            if not panel:
                step = ""
                if may_change:
                    if key == "overdue":
                        name, label = (
                            ("spiralen:sample-sent", sent_label)
                            if sample.state == SampleState.TAKEN and sample.kind not in AT_ONCE
                            else ("spiralen:sample-result", result_label)
                        )
                    else:
                        name, label = step_labels[key]
                    url = step_urls[name].replace(PLACEHOLDER, str(sample.public_id))
                    step = f'<a class="btn btn-outline-primary btn-sm" href="{url}">{label}</a>'
                cells += (f"<td>{labels[sample.result or sample.state]}</td>"
                          f'<td class="text-end">{step}</td>')
            sample.cells = mark_safe(cells)  # noqa: S308 - every part escaped above  # nosec B308 B703
    return result


@permission_required("spiralen.view_sample", raise_exception=True)
def follow_up(request):
    """The whole follow-up list with each sample's next step. It lists aliases, kinds and
    dates, not the record: no read-log row (as the calendars)."""
    result = _list_rows(
        services.follow_up(request.user, limit=FOLLOW_UP_LIMIT), here=request.get_full_path(),
        may_change=request.user.has_perm("spiralen.change_sample"),
    )
    return render(request, "spiralen/records/follow_up.html", {
        "follow_up": result, "limit": FOLLOW_UP_LIMIT,
    })


# --- the patient's record ----------------------------------------------------------------------


def next_steps(sample):
    """[(url name, label)] of what can be done next with the sample."""
    steps = []
    if sample.state == SampleState.TAKEN and sample.kind not in AT_ONCE:
        steps.append(("spiralen:sample-sent", _("Skickat")))
    if sample.state == SampleState.SENT or (
        sample.state == SampleState.TAKEN and sample.kind in AT_ONCE
    ):
        steps.append(("spiralen:sample-result", _("Registrera svar")))
    if sample.state == SampleState.RESULT:
        steps.append(("spiralen:sample-informed", _("Patienten informerad")))
    if sample.result == SampleResult.POSITIVE:
        steps.append(("spiralen:sample-plan", _("Ändra plan") if sample.follow_up_plan
                      else _("Uppföljningsplan")))
    if sample.needs_notification:
        steps.append(("spiralen:sample-notified", _("Smittskyddsanmälan")))
    return steps


SAMPLE_STAFF = ["taken_by", "sent_by", "result_by", "informed_by", "follow_up_by",
                "notified_by"]


def _attach_staff(samples):
    """Each sample's staff (who took, sent, answered, told, planned and notified), read in one
    query: select_related of the six joined the users six times, and PostgreSQL spent about
    30 ms choosing an order for those joins to run a query of less than 1 ms."""
    ids = {getattr(sample, f"{name}_id") for sample in samples for name in SAMPLE_STAFF}
    staff = User.objects.in_bulk(ids - {None})
    for sample in samples:
        for name in SAMPLE_STAFF:
            setattr(sample, name, staff.get(getattr(sample, f"{name}_id")))


@permission_required("spiralen.view_sample", raise_exception=True)
def patient(request, client_id):
    """A patient's Spiralen record: the encounters (page by page) and the samples with their
    steps and the next one's button."""
    client = access.get_client_or_404(request, client_id)
    journal = access.get_journal_or_404(request, client, UnitCode.SPIRALEN)
    entries = (
        JournalEntry.objects.filter(journal__client=client, journal__unit=UnitCode.SPIRALEN)
        # Signed entries, and the user's own drafts.
        .filter(Q(state=EntryState.SIGNED) | Q(author=request.user))
        .select_related("author", "encounter")
        .order_by("-event_date", "-written_at", "-pk")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    samples = list(
        Sample.objects.filter(journal__client=client, journal__unit=UnitCode.SPIRALEN)
        .order_by("-taken_at", "-pk")[: SAMPLE_LIMIT + 1]
    )
    _attach_staff(samples)
    may_change = request.user.has_perm("spiralen.change_sample") and journal.may_write
    for sample in samples:
        sample.steps = next_steps(sample) if may_change else []
    audit.log_read(request, client)
    return render(request, "spiralen/records/patient.html", {
        "client": client, "journal": journal, "page": page,
        "samples": samples[:SAMPLE_LIMIT], "more_samples": len(samples) > SAMPLE_LIMIT,
        "here": request.get_full_path(),
    })


# --- the encounter editor ----------------------------------------------------------------------


def _booking_or_404(request, client):
    """The client's Spiralen booking named by ?booking=<public id>, or None."""
    booking_id = request.GET.get("booking")
    if not booking_id:
        return None
    booking = (
        Booking.objects.select_related("appointment__type")
        .filter(public_id=booking_id, client=client, unit=UnitCode.SPIRALEN).first()
        if _is_uuid(booking_id) else None
    )
    if booking is None:
        raise Http404
    return booking


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _editor(request, *, client, journal, entry, form, save):
    if form.is_valid():
        saved, refused = save_draft_from_form(request, form, save)
        if refused is not None:
            return refused
        if saved is not None:
            if request.htmx:
                response = render(request, "clients/_autosave_status.html",
                                  {"entry": saved, "oob": True})
                if entry is None:
                    # The address bar names the draft now, so that a reload opens it.
                    response["HX-Replace-Url"] = reverse("spiralen:encounter-edit",
                                                         args=[saved.public_id])
                return response
            if "sign" in request.POST:
                return redirect("clients:entry-sign", entry_id=saved.public_id)
            messages.success(request, _("Utkastet är sparat."))
            return redirect("spiralen:encounter-edit", entry_id=saved.public_id)
    elif request.htmx:
        return autosave_refused("; ".join(e for errs in form.errors.values() for e in errs))
    audit.log_read(request, client)
    return render(request, "spiralen/records/encounter_form.html", {
        "form": form, "entry": entry, "client": client, "journal": journal,
    })


@permission_required("spiralen.add_encounter", raise_exception=True)
def encounter_create(request, client_id):
    """A new encounter note. Nothing is stored until there are findings: the first save
    creates the draft (then found by the page's editor token). From a booking (?booking=),
    its date and type come along and the note is linked to it."""
    client = access.get_client_or_404(request, client_id)
    journal = access.get_journal_or_404(request, client, UnitCode.SPIRALEN, write=True)
    booking = _booking_or_404(request, client)
    initial = {"event_date": timezone.localdate()}
    if booking is not None:
        initial["event_date"] = min(timezone.localdate(booking.starts_at), timezone.localdate())
        appointment = getattr(booking, "appointment", None)
        if appointment is not None and appointment.type.code in EncounterKind.values:
            initial["kind"] = appointment.type.code
    form = EncounterForm(
        _post(request), initial=initial,
        instance=JournalEntry(journal=journal, kind=EntryKind.VISIT),
        autosave_url=request.get_full_path(),
    )
    return _editor(
        request, client=client, journal=journal, entry=None, form=form,
        save=lambda: services.save_encounter(journal=journal, by=request.user, booking=booking,
                                             **form.encounter_fields()),
    )


@permission_required("spiralen.change_encounter", raise_exception=True)
def encounter_edit(request, entry_id):
    """The author's own draft of an encounter; a signed one is shown on its entry page."""
    entry, client, journal = access.get_entry_or_404(request, entry_id, write=True)
    if entry.unit != UnitCode.SPIRALEN:
        raise Http404
    # The author's save that comes after the encounter was signed (in another window) gets the
    # form back with why, so that the text typed is not lost; it is not saved (save_encounter).
    if entry.author_id != request.user.pk or (entry.is_signed and request.method != "POST"):
        return redirect("clients:entry-detail", entry_id=entry.public_id)
    encounter = Encounter.objects.filter(entry=entry).first()
    form = EncounterForm(_post(request), instance=entry, encounter=encounter,
                         autosave_url=request.path)
    return _editor(
        request, client=client, journal=journal, entry=entry, form=form,
        save=lambda: services.save_encounter(journal=journal, by=request.user, entry=entry,
                                             **form.encounter_fields()),
    )


# --- sample steps ------------------------------------------------------------------------------


def _sample_or_404(request, sample_id):
    """The sample, if it is in a journal the user may write in; else 404."""
    sample = access.in_readable_journals(
        request.user,
        Sample.objects.select_related("journal__client", "entry").filter(public_id=sample_id),
        journal_field="journal", write=True,
    ).first()
    if sample is None:
        raise Http404
    return sample, sample.journal.client


def _next_url(request, client):
    target = request.GET.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("spiralen:patient", args=[client.public_id])


def _sample_step(request, sample_id, *, form_class, title, text, success, act):
    sample, client = _sample_or_404(request, sample_id)
    form = form_class(_post(request), sample=sample)
    if form.is_valid():
        try:
            act(sample, form.cleaned_data)
        except DomainError as error:
            # Shown with the sample as it is now; what was typed is kept, and sending it
            # again is a decision made on the current state (its version).
            sample, client = _sample_or_404(request, sample_id)
            data = request.POST.copy()
            data["version"] = sample.version
            form = form_class(data, sample=sample)
            form.is_valid()
            _form_error(form, error)
        else:
            messages.success(request, success)
            return redirect(_next_url(request, client))
    audit.log_read(request, client)
    return render(request, "spiralen/records/sample_step.html", {
        "form": form, "sample": sample, "client": client, "title": title, "text": text,
        "back": _next_url(request, client),
    })


@permission_required("spiralen.change_sample", raise_exception=True)
def sample_sent(request, sample_id):
    return _sample_step(
        request, sample_id, form_class=SampleSentForm, title=_("Provet är skickat"),
        text=_("Provet har skickats till laboratoriet."), success=_("Provet är skickat."),
        act=lambda sample, data: services.mark_sent(
            sample, by=request.user, expected_version=data["version"]),
    )


@permission_required("spiralen.change_sample", raise_exception=True)
def sample_result(request, sample_id):
    return _sample_step(
        request, sample_id, form_class=SampleResultForm, title=_("Registrera provsvar"),
        text="", success=_("Svaret är registrerat."),
        act=lambda sample, data: services.record_result(
            sample, result=data["result"], text=data["text"], by=request.user,
            expected_version=data["version"]),
    )


@permission_required("spiralen.change_sample", raise_exception=True)
def sample_informed(request, sample_id):
    return _sample_step(
        request, sample_id, form_class=SampleInformedForm,
        title=_("Patienten informerad om svaret"),
        text=_("Hur och när patienten fick veta svaret. Ett positivt svar behöver en "
               "uppföljningsplan."),
        success=_("Det är registrerat att patienten är informerad."),
        act=lambda sample, data: services.inform_patient(
            sample, how=data["how"], at=data["at"], plan=data.get("plan", ""),
            by=request.user, expected_version=data["version"]),
    )


@permission_required("spiralen.change_sample", raise_exception=True)
def sample_plan(request, sample_id):
    return _sample_step(
        request, sample_id, form_class=SamplePlanForm, title=_("Uppföljningsplan"),
        text=_("Planen för ett positivt svar: behandling, smittspårning, nytt prov."),
        success=_("Uppföljningsplanen är sparad."),
        act=lambda sample, data: services.record_follow_up_plan(
            sample, plan=data["plan"], by=request.user, expected_version=data["version"]),
    )


@permission_required("spiralen.change_sample", raise_exception=True)
def sample_notified(request, sample_id):
    return _sample_step(
        request, sample_id, form_class=SampleNotifiedForm, title=_("Smittskyddsanmälan"),
        text=_("Anmälan enligt smittskyddslagen är gjord: datum och av vem."),
        success=_("Smittskyddsanmälan är registrerad."),
        act=lambda sample, data: services.record_notification(
            sample, notified_on=data["notified_on"], by=request.user,
            expected_version=data["version"]),
    )


urlpatterns = [
    path("uppfoljning/", follow_up, name="follow-up"),
    path("patient/<uuid:client_id>/", patient, name="patient"),
    path("patient/<uuid:client_id>/besok/ny/", encounter_create, name="encounter-create"),
    path("anteckning/<uuid:entry_id>/", encounter_edit, name="encounter-edit"),
    path("prov/<uuid:sample_id>/skickat/", sample_sent, name="sample-sent"),
    path("prov/<uuid:sample_id>/svar/", sample_result, name="sample-result"),
    path("prov/<uuid:sample_id>/informerad/", sample_informed, name="sample-informed"),
    path("prov/<uuid:sample_id>/plan/", sample_plan, name="sample-plan"),
    path("prov/<uuid:sample_id>/anmalan/", sample_notified, name="sample-notified"),
]
