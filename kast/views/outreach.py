"""Reaching buyers (issue 10): the counts of street contacts with buyers and of letters to
buyers questioned by the police, per shift or month — counts only, no names, so no read-log
rows. KAST's staff only (KAST is sealed)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError

from .. import services
from ..forms import BuyerOutreachForm
from .calls import PAGE_SIZE, _form_error, _post, kast_page, kast_record


@kast_page("kast.view_buyeroutreach")
def outreach_list(request):
    rows = services.visible_outreach(request.user).select_related("staff")
    page = Paginator(rows.order_by("-day", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "kast/outreach/list.html", {
        "page": page, "months": services.monthly_outreach(request.user),
    })


def _fields(form):
    data = form.cleaned_data
    return {"kind": data["kind"], "period": data["period"], "day": data["day"],
            "count": data["count"], "note": data["note"]}


@kast_page("kast.add_buyeroutreach")
def outreach_create(request):
    form = BuyerOutreachForm(_post(request), submit_label=_("Spara"),
                             initial={"day": timezone.localdate()})
    if form.is_valid():
        try:
            services.record_buyer_outreach(by=request.user, **_fields(form))
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Antalet är sparat."))
            return redirect("kast:outreach-list")
    return render(request, "kast/form.html", {
        "form": form, "title": _("Nå köpare: nytt antal"),
        "text": _("Kontakter med köpare på ett pass eller under en månad, eller brev till "
                  "köpare som förhörts av polisen. Bara antal, aldrig namn."),
    })


@kast_record("kast.change_buyeroutreach")
def outreach_edit(request, outreach_id):
    row = services.visible_outreach(request.user).filter(public_id=outreach_id).first()
    if row is None:
        raise Http404
    form = BuyerOutreachForm(_post(request), submit_label=_("Spara ändringen"), initial={
        "kind": row.kind, "period": row.period, "day": row.day, "count": row.count,
        "note": row.note, "version": row.version,
    })
    if form.is_valid():
        try:
            services.update_buyer_outreach(row, by=request.user,
                                           expected_version=form.cleaned_data["version"],
                                           **_fields(form))
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Antalet är ändrat."))
            return redirect("kast:outreach-list")
    return render(request, "kast/form.html", {
        "form": form, "title": _("Nå köpare: ändra antal"), "text": "",
    })


urlpatterns = [
    path("kopare/", outreach_list, name="outreach-list"),
    path("kopare/ny/", outreach_create, name="outreach-create"),
    path("kopare/<uuid:outreach_id>/", outreach_edit, name="outreach-edit"),
]
