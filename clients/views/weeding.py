"""The manager's weeding page (DESIGN §5): the last dry run's report, a new dry run on
demand, and the history of executed weedings. Records are named by opaque ids only; rows
about KAST records are shown only to a manager who works in KAST (KAST is sealed off)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prostenhet.models import WeedingRun
from prostenhet.roles import UnitCode

from ..access import profile_units
from ..services import weeding

weeding_required = permission_required("prostenhet.view_weedingrun", raise_exception=True)

RECORDS_PER_PAGE = 50


def _unit_label(code):
    return _("Endast registeruppgifter") if code == weeding.REGISTER else UnitCode(code).label


def _report(request, run):
    """What the page shows of a run: totals per unit and a page of its records."""
    # Managers join no unit group: their units are those of their staff profile, as for the
    # access log's sealed rows.
    sealed = UnitCode.KAST not in profile_units(request.user)
    totals = [
        {
            "unit": _unit_label(unit), **total,
            "kept": [(weeding.KEEP_REASONS.get(reason, reason), count)
                     for reason, count in sorted(total["kept"].items())],
        }
        for unit, total in sorted(run.totals.items())
    ]
    records = [
        {**record, "unit_label": _unit_label(record["unit"]),
         "reason_label": weeding.KEEP_REASONS.get(record["reason"], record["reason"]),
         # A unit app's own reason is stored as its (Swedish) msgid: shown in the reader's
         # language.
         "detail": _(record["detail"]) if record["detail"] else ""}
        for record in run.records
        if not (sealed and record["unit"] == UnitCode.KAST)
    ]
    page = Paginator(records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    return {"run": run, "totals": totals, "page": page,
            "removed": weeding.removed_labels(run.removed), "as_of": run.as_of.isoformat(),
            "sealed": sealed}


@weeding_required
def weeding_index(request):
    latest = (WeedingRun.objects.filter(executed=False, finished_at__isnull=False)
              .select_related("run_by").first())
    executed = (WeedingRun.objects.filter(executed=True).select_related("run_by")
                .defer("records")[:50])
    context = _report(request, latest) if latest else {"run": None}
    return render(request, "clients/weeding/index.html", {
        **context, "executed": executed, "settings_rules": weeding.rules(),
    })


@weeding_required
def weeding_run(request, pk):
    run = get_object_or_404(WeedingRun.objects.select_related("run_by"), pk=pk)
    return render(request, "clients/weeding/run.html", _report(request, run))


@weeding_required
@require_POST
def weeding_dry_run(request):
    weeding.run(execute=False, by=request.user)
    messages.success(request, _("Provkörningen är klar. Inget har ändrats."))
    return redirect("clients:weeding")

