"""The client's register extract (registerutdrag, GDPR art. 15; issue 12). A staff member
starts from the client's page, a manager from a search of their own; the extract is made,
reviewed for secrecy (items and passages withheld with a reason), released, then printed or
downloaded as PDF. Every page asks clients.access.extract_units (out of scope → 404) and logs
the read."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from prostenhet import pdf
from prostenhet.exceptions import DomainError
from prostenhet.lib import searches
from prostenhet.roles import UnitCode

from .. import access, audit
from ..forms.extracts import (
    ExtractCreateForm,
    ExtractReleaseForm,
    ExtractSearchForm,
    UndoWithholdingForm,
    WithholdForm,
)
from ..models import Client, Register, RegisterExtract
from ..services import extracts

SEARCH_LIMIT = 20


def _post(request):
    return request.POST if request.method == "POST" else None


def _form_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _openable(user, client_extracts, units):
    """Of a client's extracts, those the user may open (the rule of get_extract_or_404)."""
    return [extract for extract in client_extracts
            if access.may_open_extract(user, extract, units)]


def _unit_labels(units):
    return [str(unit.label) for unit in UnitCode if unit in units]


# --- finding the client and making the extract ---------------------------------------------------


@permission_required("clients.produce_register_extract", raise_exception=True)
def extract_search(request):
    """A manager's search for the client who asked (exact identity number, or alias and
    birth year): POST, then a redirect to the results (?s=<opaque key>). Only clients the
    manager may produce an extract for are listed, with their extracts."""
    # A manager outside KAST never looks in KAST's register.
    registers = {Register.MAIN}
    if UnitCode.KAST in access.profile_units(request.user):
        registers.add(Register.KAST)
    form = ExtractSearchForm(_post(request))
    if form.is_valid():
        audit.log_search(request, form.term, registers=registers)
        found = Client.objects.current().filter(register__in=registers)
        if form.cleaned_data["identity_number"]:
            found = found.filter(identity_number=form.cleaned_data["identity_number"])
        else:
            found = found.alias_prefix(form.cleaned_data["alias"].strip()).filter(
                birth_year=form.cleaned_data["birth_year"]
            )
        key = searches.remember(
            request, "extract", term=form.term,
            ids=list(found.values_list("pk", flat=True)[:SEARCH_LIMIT]),
        )
        return redirect(reverse("clients:extract-search") + f"?s={key}")
    results = None
    search = searches.recall(request, "extract", request.GET.get("s"))
    if request.method == "GET" and search is not None:
        found = list(Client.objects.current().filter(pk__in=search["ids"], register__in=registers))
        by_client = {}
        for extract in RegisterExtract.objects.filter(client__in=found).select_related(
            "created_by", "released_by"
        ):
            by_client.setdefault(extract.client_id, []).append(extract)
        results = []
        for client in found:
            units = access.extract_units(request.user, client)
            if not units:
                continue
            audit.log_search(request, search["term"], client=client)  # names the client
            results.append({
                "client": client, "units": _unit_labels(units),
                "extracts": _openable(request.user, by_client.get(client.pk, []), units),
            })
        form = ExtractSearchForm()
    elif request.GET.get("s"):
        messages.info(request, _("Sökningen finns inte längre. Sök igen."))
    return render(request, "clients/extracts/extract_search.html", {
        "form": form, "results": results,
    })


def extract_create(request, public_id):
    """Make a register extract of the client (GET: what it will cover, and the day the
    client asked; POST: made, then on to its review)."""
    access.expire_lapsed(request.user)
    client = Client.objects.current().filter(public_id=public_id).first()
    units = access.extract_units(request.user, client) if client is not None else None
    if not units:
        raise Http404
    form = ExtractCreateForm(_post(request))
    if form.is_valid():
        try:
            extract = extracts.create_extract(
                request.user, client, form.cleaned_data["requested_on"]
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Utdraget är framtaget. Sekretesspröva det innan det "
                                        "frisläpps."))
            return redirect("clients:extract-review", extract_id=extract.public_id)
    audit.log_read(request, client)
    earlier = _openable(
        request.user,
        list(client.register_extracts.select_related("created_by", "released_by")), units,
    )
    return render(request, "clients/extracts/extract_create.html", {
        "form": form, "client": client, "units": _unit_labels(units), "extracts": earlier,
        "may_open_client": access.can_view_client(request.user, client),
    })


# --- review, release, print ----------------------------------------------------------------------


def _review_rows(sections, withholdings, bound=None, selected=""):
    """The review page's sections: each item with how it reads and its withholdings; the
    item being withheld (`selected`, opened from its link, or where a POST failed) with the
    form to withhold it or a passage of it. One form a page: a long record reviews as fast
    as a short one."""
    by_key = {}
    for withholding in withholdings:
        by_key.setdefault(withholding.item_key, []).append(withholding)
    index = 0
    rows = []
    for section in sections:
        items = []
        for item in section.items:
            index += 1
            prefix = f"i{index}"
            if bound is not None and bound.data.get(f"{prefix}-item_key") == item.key:
                form = bound
            elif bound is None and item.key == selected:
                form = WithholdForm(prefix=prefix, initial={"item_key": item.key})
            else:
                form = None
            held = by_key.get(item.key, [])
            items.append({
                "item": item, "prefix": prefix, "heading": extracts.item_heading(item),
                "fields": extracts.item_fields(item), "indent": item.key in section.indented,
                "withholdings": [
                    (w, UndoWithholdingForm(prefix=f"u{w.pk}", initial={"withholding": w.pk}))
                    for w in held
                ],
                "whole": any(w.is_whole_item for w in held),
                "form": form,
            })
        rows.append({"section": section, "items": items})
    return rows


def extract_review(request, extract_id):
    """The secrecy review: every item with its text; withhold an item or a passage with a
    reason, take a withholding back, and release the reviewed extract."""
    extract, _units = access.get_extract_or_404(request, extract_id)
    if extract.is_released:
        return redirect("clients:extract-detail", extract_id=extract.public_id)
    bound = None
    release_form = ExtractReleaseForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "withhold":
                prefix = request.POST.get("prefix", "")
                bound = WithholdForm(request.POST, prefix=prefix)
                if bound.is_valid():
                    extracts.withhold(
                        request.user, extract, bound.cleaned_data["item_key"],
                        bound.cleaned_data["passage"], bound.cleaned_data["reason"],
                        bound.cleaned_data["note"],
                    )
                    messages.success(request, _("Undantaget är sparat."))
                    return redirect("clients:extract-review", extract_id=extract.public_id)
            elif action == "undo":
                undo = UndoWithholdingForm(request.POST, prefix=request.POST.get("prefix", ""))
                withholding = (
                    extract.withholdings.filter(pk=undo.cleaned_data["withholding"]).first()
                    if undo.is_valid() else None
                )
                if withholding is None:
                    raise Http404
                extracts.undo_withholding(request.user, withholding)
                messages.success(request, _("Undantaget är borttaget."))
                return redirect("clients:extract-review", extract_id=extract.public_id)
            elif action == "release":
                release_form = ExtractReleaseForm(request.POST)
                if release_form.is_valid():
                    extracts.release(request.user, extract,
                                     release_form.cleaned_data["reviewed"])
                    audit.log_read(request, extract.client)
                    messages.success(request, _("Utdraget är frisläppt."))
                    return redirect("clients:extract-detail", extract_id=extract.public_id)
        except DomainError as error:
            if bound is not None:
                _form_error(bound, error)
            else:
                messages.error(request, error.message)
                return redirect("clients:extract-review", extract_id=extract.public_id)
        if bound is not None and bound.errors:
            messages.error(request, _("Undantaget kunde inte sparas: se uppgiften nedan."))
    sections = extracts.build_extract(extract)
    if not release_form.is_bound:
        release_form = ExtractReleaseForm(initial={"reviewed": extracts.digest(sections)})
    withholdings = list(extract.withholdings.select_related("by"))
    audit.log_read(request, extract.client)
    return render(request, "clients/extracts/extract_review.html", {
        "extract": extract, "client": extract.client, "units": _unit_labels(extract.units),
        "rows": _review_rows(sections, withholdings, bound, request.GET.get("undanta", "")),
        "withheld_count": len(withholdings), "release_form": release_form,
    })


def extract_detail(request, extract_id):
    """The released extract as printed: withheld items as a notice with the reason, withheld
    passages as "[…]"; who produced, reviewed and released it."""
    extract, _units = access.get_extract_or_404(request, extract_id, released=True)
    audit.log_read(request, extract.client)
    return render(request, "clients/extracts/extract_detail.html", {
        "extract": extract, "client": extract.client, "content": extract.content,
    })


def extract_pdf(request, extract_id):
    """The released extract as PDF (the same content as the printable page)."""
    extract, _units = access.get_extract_or_404(request, extract_id, released=True)
    audit.log_read(request, extract.client)
    return pdf.response(extracts.released_document(extract), extracts.pdf_filename(extract))


urlpatterns = [
    path("registerutdrag/", extract_search, name="extract-search"),
    path("<uuid:public_id>/registerutdrag/", extract_create, name="extract-create"),
    path("registerutdrag/<uuid:extract_id>/", extract_detail, name="extract-detail"),
    path("registerutdrag/<uuid:extract_id>/granska/", extract_review, name="extract-review"),
    path("registerutdrag/<uuid:extract_id>/pdf/", extract_pdf, name="extract-pdf"),
]
