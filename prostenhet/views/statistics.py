"""The managers' yearly statistics (DESIGN §7, issue 11): the tables every app provides for a
calendar year beside the year before, with charts, exports to CSV and XLSX, and closing a
year so that its published figures never change. Figures only: no person is named or linked
anywhere here."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from .. import services
from ..charts import bar_chart
from ..exceptions import DomainError
from ..forms import ReopenYearForm, StatisticsYearForm
from ..models import ClosedYear
from ..roles import UnitCode
from ..stats import computed_at, export_rows, figures, protected_tables, threshold

statistics_required = permission_required("prostenhet.view_statistics", raise_exception=True)

YEARS_OFFERED = 10


def _years():
    """The years to pick from, newest first: the last ten and any year that was closed."""
    this_year = timezone.localdate().year
    closed = set(ClosedYear.objects.current().values_list("year", flat=True))
    return sorted(set(range(this_year - YEARS_OFFERED + 1, this_year + 1)) | closed,
                  reverse=True)


def _year_tables(year):
    """The year's tables, protected, with the year before beside them."""
    both = figures([year - 1, year])
    return protected_tables(both[year], both[year - 1], previous_year=year - 1)


def _table_html(shown):
    """The head and body rows of a shown table, written out: a year's page has a few
    thousand cells, and a template loop took two thirds of the page's time to write them.
    Every text is escaped; the rest is markup of our own."""
    compare = ""
    if shown.compare:
        heading = escape(str(shown.compare_heading))
        compare = f'<th scope="col" class="stats-number stats-compare">{heading}</th>'
    parts = [
        f'<thead><tr><th scope="col">{escape(str(shown.table.row_heading))}</th>',
        *(f'<th scope="col" class="stats-number">{escape(str(heading))}</th>'
          for heading in shown.columns),
        compare, "</tr></thead><tbody>",
    ]
    for label, cells, before, total in shown.lines:
        parts.append('<tr class="stats-total">' if total else "<tr>")
        parts.append(f'<th scope="row">{escape(str(label))}</th>')
        parts.extend(f"<td>{escape(str(cell.text))}</td>" for cell in cells)
        if before:
            parts.append(f'<td class="stats-compare">{escape(str(before.text))}</td>')
        parts.append("</tr>")
    parts.append("</tbody>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped  # nosec B308 B703


def _unit_label(code):
    return UnitCode(code).label if code else _("Hela enheten")


@statistics_required
def statistics(request):
    years = _years()
    this_year = timezone.localdate().year
    form = StatisticsYearForm(request.GET or None, years=years)
    year = form.cleaned_data["ar"] if form.is_bound and form.is_valid() else this_year - 1
    closing = ClosedYear.objects.current().select_related("closed_by").filter(year=year).first()
    groups = {}
    for shown in _year_tables(year):
        shown.chart = bar_chart(shown)
        shown.html = _table_html(shown)
        groups.setdefault(shown.table.unit, []).append(shown)
    sections = [
        {"unit": unit, "label": _unit_label(unit), "tables": tables}
        for unit, tables in groups.items()
    ]
    return render(request, "prostenhet/statistics.html", {
        "form": form, "year": year, "previous_year": year - 1, "sections": sections,
        "closing": closing, "computed_at": None if closing else computed_at(year),
        "may_close": closing is None and year < this_year,
        "running": year == this_year, "limit": threshold(), "below": threshold() - 1,
    })


def _file_name(year, table, extension):
    unit = table.unit or "enheten"
    return f"statistik-{year}-{unit}-{table.key}.{extension}"


@statistics_required
def export(request, year, key, extension):
    if extension not in {"csv", "xlsx"}:
        raise Http404
    year = _checked(year)
    shown = next((t for t in _year_tables(year) if t.table.key == key), None)
    if shown is None:
        raise Http404
    title = f"{shown.table.title} {year}"
    rows = [[title], *export_rows(shown)]
    if extension == "csv":
        buffer = io.StringIO()
        # Excel in Swedish reads semicolons and, with the byte-order mark, UTF-8.
        buffer.write("\ufeff")
        csv.writer(buffer, delimiter=";").writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = str(year)
        for values in rows:
            sheet.append(values)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = (
        f'attachment; filename="{_file_name(year, shown.table, extension)}"'
    )
    return response


@statistics_required
@require_POST
def refresh(request, year):
    """Compute the year (and the year before, beside it) from the records now, instead of
    the figures kept from a few minutes ago."""
    year = _checked(year)
    figures([year - 1, year], fresh=True)
    return redirect(_page(year))


@statistics_required
@require_POST
def close_year(request, year):
    year = _checked(year)
    try:
        services.close_year(year, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Året %(year)s är stängt. Siffrorna visas nu som de "
                                    "sparades.") % {"year": year})
    return redirect(_page(year))


@statistics_required
def reopen_year(request, year):
    year = _checked(year)
    closing = ClosedYear.objects.current().select_related("closed_by").filter(year=year).first()
    if closing is None:
        raise Http404
    form = ReopenYearForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.reopen_year(year, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Året %(year)s är öppnat igen.") % {"year": year})
            return redirect(_page(year))
    return render(request, "prostenhet/statistics_reopen.html", {
        "form": form, "closing": closing, "year": year,
    })


def _checked(year):
    """A year in the URL that the statistics can have: else 404."""
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    return year


def _page(year):
    return f"{reverse('statistics:index')}?ar={year}"
