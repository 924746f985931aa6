"""The managers' yearly statistics (DESIGN §7): the tables the apps provide, how small counts
are suppressed, and how a year's figures are composed from the apps or from a closed year.

Each app's stats.py registers a registry.StatisticsProvider whose tables(years) returns
{year: [Table, ...]}, computed with database aggregates (tally() below: one grouped query for
all the years asked for). The statistics page composes whatever is registered; a closed year
is read from its stored figures instead (prostenhet.models.ClosedYear), so weeding the records
behind it never changes a published report.

Protection: a count from 1 up to the threshold (STATISTICS_THRESHOLD, default 3) is shown as
"<3". Where a table has totals, a suppressed cell could be recovered from the total and the
other cells of its line, so a second cell (or the total) is suppressed too ("..").
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from . import registry
from .models import ClosedYear

# Month names of the tables by month: the project's own, so that a closed year's stored
# labels translate like every other label.
# (A context of their own: Django's catalogue has "April" and the like as English msgids.)
MONTHS = [
    pgettext_lazy("month", "Januari"),
    pgettext_lazy("month", "Februari"),
    pgettext_lazy("month", "Mars"),
    pgettext_lazy("month", "April"),
    pgettext_lazy("month", "Maj"),
    pgettext_lazy("month", "Juni"),
    pgettext_lazy("month", "Juli"),
    pgettext_lazy("month", "Augusti"),
    pgettext_lazy("month", "September"),
    pgettext_lazy("month", "Oktober"),
    pgettext_lazy("month", "November"),
    pgettext_lazy("month", "December"),
]

SMALL = "small"  # a count below the threshold: "<3"
HIDDEN = "hidden"  # suppressed so that a small count cannot be recovered: ".."


@dataclass
class Row:
    """A row of a table: a label and one value per column. A measure (median waiting days)
    is not a count: it is never summed, and it is hidden when the number of people behind it
    (basis, one per column) is small."""

    label: str
    values: list
    measure: bool = False
    basis: list | None = None


@dataclass
class Table:
    """A table of yearly figures. Counts are integers. With row_totals each row gets a total
    column (its cells are parts of a whole); with column_totals the table gets a total row.
    The comparison with the year before uses each row's total, or the column compare_column
    (or the only column)."""

    key: str  # unique among all apps' tables, used in export URLs and file names
    unit: str  # a UnitCode value, or "" for the whole unit
    title: str
    row_heading: str
    columns: list
    rows: list
    row_totals: bool = False
    column_totals: bool = False
    compare_column: int | None = None
    description: str = ""

    def to_dict(self):
        """Plain JSON: texts rendered in the active language, numbers as they are."""
        data = asdict(self)
        for name in ("title", "row_heading", "description"):
            data[name] = str(data[name])
        data["columns"] = [str(c) for c in data["columns"]]
        for row in data["rows"]:
            row["label"] = str(row["label"])
            row["values"] = [_plain(v) for v in row["values"]]
        return data

    @classmethod
    def from_dict(cls, data, *, translate=False):
        """A table from to_dict(). Stored tables keep their texts in the installation's
        language (Swedish, the catalogue's source); translate=True shows them in the active
        language where the catalogue has them."""
        # The language asked once a table, not once a label (a year's tables have hundreds).
        text = _stored_text if translate and get_language() != settings.LANGUAGE_CODE else str
        data = dict(data)
        for name in ("title", "row_heading", "description"):
            data[name] = text(data[name]) if data[name] else ""
        data["columns"] = [text(c) for c in data["columns"]]
        data["rows"] = [Row(**{**row, "label": text(row["label"])}) for row in data["rows"]]
        return cls(**data)


def _stored_text(text):
    """A stored label in the active language, when that is not the installation's: from the
    catalogue (month names have their own context), else as stored."""
    translated = gettext(text)
    return translated if translated != text else pgettext("month", text)


def _plain(value):
    """A measure (a Decimal median, say) as a JSON number."""
    if value is None or isinstance(value, int):
        return value
    return float(value)


# --- computing -----------------------------------------------------------------------------


def year_start(year):
    """The first moment of the calendar year in Stockholm."""
    return timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))


def year_range(years, *, dates=False):
    """[start of the first year, start of the year after the last): dates or aware datetimes."""
    if dates:
        return date(min(years), 1, 1), date(max(years) + 1, 1, 1)
    return year_start(min(years)), year_start(max(years) + 1)


def year_case(field_name, years, *, dates):
    """The year (of those asked for) that the date or aware datetime falls in, by comparison
    with the years' bounds (cheaper per row than extracting the year in Stockholm time, and
    the same); NULL outside them."""
    bounds = [
        (year, date(year, 1, 1), date(year + 1, 1, 1)) if dates
        else (year, year_start(year), year_start(year + 1))
        for year in years
    ]
    return Case(
        *(When(Q(**{f"{field_name}__gte": first, f"{field_name}__lt": after}), then=Value(year))
          for year, first, after in bounds),
        default=None, output_field=IntegerField(),
    )


def _is_date(queryset, field_name):
    """Whether the (possibly related) field is a date rather than a datetime."""
    model = queryset.model
    *path, last = field_name.split("__")
    for name in path:
        model = model._meta.get_field(name).related_model
    return model._meta.get_field(last).get_internal_type() == "DateField"


def _grouped(queryset, field_name, years, group_by, expressions, aggregates):
    dates = _is_date(queryset, field_name)
    start, end = year_range(years, dates=dates)
    names = list(group_by) + list(expressions)
    rows = (
        queryset.filter(**{f"{field_name}__gte": start, f"{field_name}__lt": end})
        .annotate(stats_year=year_case(field_name, years, dates=dates), **expressions)
        .values("stats_year", *names)
        .annotate(**aggregates)
        .order_by()
    )
    for row in rows:
        if row["stats_year"] in years:
            yield row["stats_year"], tuple(row[name] for name in names), row


def tally(queryset, field_name, years, *group_by, value=None, **expressions):
    """Counts per year and group in one grouped query: {year: {(group values...): n}}.

    field_name is the date or datetime field (or a related one, "shift__starts_at") that
    places a row in a year (datetimes in Stockholm time); group_by are field names and
    expressions (keyword arguments) to group by; value is the aggregate (Count("pk") unless
    given)."""
    result = {year: {} for year in years}
    aggregate = {"stats_n": value if value is not None else Count("pk")}
    for year, key, row in _grouped(queryset, field_name, years, group_by, expressions, aggregate):
        result[year][key] = result[year].get(key, 0) + (row["stats_n"] or 0)
    return result


def tally_many(queryset, field_name, years, *group_by, values, **expressions):
    """tally() with several aggregates in the same grouped query: {year: {(group values...):
    {name: value}}}, values being {name: aggregate}."""
    result = {year: {} for year in years}
    for year, key, row in _grouped(queryset, field_name, years, group_by, expressions, values):
        result[year][key] = {name: row[name] for name in values}
    return result


def pick(counts, **where):
    """The sum of the counts whose group matches, from a tally's {(values...): n} with the
    group's names given in order as keyword arguments, None matching anything.
    pick(counts, unit="kast", purpose=None) sums over every purpose."""
    names = list(where)
    total = 0
    for key, n in counts.items():
        if all(where[name] is None or key[i] == where[name] for i, name in enumerate(names)):
            total += n
    return total


def _cache_key(year):
    return f"prostenhet.statistics:{year}"


def figures(years, *, fresh=False):
    """{year: [Table, ...]} for the years: closed years from their stored figures, the others
    computed by the apps' providers (one call each for all of them). A computed year is kept
    for STATISTICS_CACHE_SECONDS (the page says when it was computed and can compute it
    again); fresh=True computes it now whatever is kept."""
    closed = {c.year: c for c in ClosedYear.objects.current().filter(year__in=years)}
    result = {
        year: [Table.from_dict(data, translate=True) for data in closed[year].tables]
        for year in years if year in closed
    }
    keep = settings.STATISTICS_CACHE_SECONDS
    open_years = sorted(set(years) - set(closed))
    if keep and not fresh:
        kept = cache.get_many([_cache_key(year) for year in open_years])
        for year in open_years:
            if _cache_key(year) in kept:
                result[year] = [Table.from_dict(data, translate=True)
                                for data in kept[_cache_key(year)]["tables"]]
        open_years = [year for year in open_years if year not in result]
    if open_years:
        for year in open_years:
            result[year] = []
        for provider in registry.statistics:
            for year, tables in provider.tables(open_years).items():
                result[year].extend(tables)
        if keep:
            now = timezone.now()
            with translation.override(settings.LANGUAGE_CODE):
                cache.set_many({
                    _cache_key(year): {"at": now, "tables": [t.to_dict() for t in result[year]]}
                    for year in open_years
                }, keep)
    return result


def computed_at(year):
    """When the open year's figures that are kept were computed (None: computed now)."""
    kept = cache.get(_cache_key(year)) if settings.STATISTICS_CACHE_SECONDS else None
    return kept["at"] if kept else None


def forget(*years):
    """Drop the kept figures of the years: the next page computes them again."""
    cache.delete_many([_cache_key(year) for year in years])


# --- protecting ----------------------------------------------------------------------------


def threshold():
    return settings.STATISTICS_THRESHOLD


@dataclass
class Cell:
    value: object  # an int, a measure, or None when suppressed
    mark: str = ""  # "", SMALL or HIDDEN
    total: bool = False

    @property
    def text(self):
        if self.mark == SMALL:
            return f"<{threshold()}"
        if self.mark == HIDDEN:
            return ".."
        if self.value is None:
            return "–"
        return str(self.value)

    @property
    def number(self):
        """The value where it may be shown, else None (charts draw no bar)."""
        return None if self.mark else self.value


@dataclass
class Protected:
    """A table as it may be shown: every count checked, totals added."""

    table: Table
    columns: list
    rows: list  # [(label, [Cell]), ...]
    total_row: list | None = None  # [Cell] or None
    compare_heading: str = ""
    compare: list = field(default_factory=list)  # [Cell] per row (+ total), the year before
    chart: object = None  # the SVG, when the view draws one
    html: object = None  # the table's rows as HTML, when the view writes them

    @property
    def lines(self):
        """(label, cells, the year before's cell or None, is the total row) per line."""
        lines = [(label, cells, False) for label, cells in self.rows]
        if self.total_row:
            lines.append((_("Totalt"), self.total_row, True))
        return [
            (label, cells, self.compare[i] if self.compare else None, total)
            for i, (label, cells, total) in enumerate(lines)
        ]


def _line_needs_more(cells):
    """A line (the parts and their total) where exactly one count is suppressed: that count
    is the total minus the others."""
    return sum(1 for cell in cells if cell.mark) == 1


def protect(table):
    """Suppress the table's small counts and whatever would reveal them."""
    limit = threshold()
    rows = []
    for row in table.rows:
        if row.measure:
            basis = row.basis or [None] * len(row.values)
            cells = [
                Cell(v, HIDDEN if b is not None and 0 < b < limit else "")
                for v, b in zip(row.values, basis, strict=True)
            ]
        else:
            cells = [Cell(v) for v in row.values]
        rows.append((row.label, cells, row.measure))
    columns = list(table.columns)
    counted = [cells for _label, cells, measure in rows if not measure]
    if table.row_totals:
        columns.append(_("Totalt"))
        for _label, cells, measure in rows:
            cells.append(Cell(None if measure else sum(c.value or 0 for c in cells), total=True))
    total_row = None
    if table.column_totals and counted:
        width = len(counted[0])
        total_row = [
            Cell(sum(cells[j].value or 0 for cells in counted), total=True) for j in range(width)
        ]
    # Primary: every small count.
    every = [c for cells in counted for c in cells] + (total_row or [])
    for cell in every:
        if isinstance(cell.value, int) and 0 < cell.value < limit:
            cell.mark = SMALL
    # Secondary: each additive line (its parts and their total) must hide at least two
    # counts, or none.
    lines = []
    if table.row_totals:
        lines += [(cells[:-1], cells[-1]) for cells in counted]
        if total_row:
            lines.append((total_row[:-1], total_row[-1]))
    if total_row:
        lines += [([cells[j] for cells in counted], total_row[j]) for j in range(len(total_row))]
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            if not _line_needs_more([*parts, total]):
                continue
            open_parts = [c for c in parts if not c.mark and c.value]
            if open_parts:
                min(open_parts, key=lambda c: c.value).mark = HIDDEN
            elif not total.mark and total.value:
                total.mark = HIDDEN
            else:
                continue
            changed = True
    return Protected(
        table=table, columns=columns,
        rows=[(label, cells) for label, cells, _m in rows], total_row=total_row,
    )


def headline(protected):
    """Each row's cell compared across years (and the total row's), per the table."""
    table = protected.table
    if table.row_totals:
        index = -1
    elif table.compare_column is not None:
        index = table.compare_column
    elif len(table.columns) == 1:
        index = 0
    else:
        return None
    cells = [cells[index] for _label, cells in protected.rows]
    if protected.total_row:
        cells.append(protected.total_row[index])
    return cells


def protected_tables(tables, previous=(), *, previous_year=None):
    """The year's tables protected, each with the year before's headline figures beside it
    when that year had the same table (rows matched by label)."""
    before = {t.key: protect(t) for t in previous}
    result = []
    for table in tables:
        shown = protect(table)
        earlier = before.get(table.key)
        now_cells = headline(shown)
        if earlier is not None and now_cells is not None:
            old = headline(earlier)
            if old is not None:
                by_label = dict(zip([label for label, _c in earlier.rows], old, strict=False))
                shown.compare = [by_label.get(label, Cell(None)) for label, _c in shown.rows]
                if shown.total_row:
                    shown.compare.append(old[-1] if earlier.total_row else Cell(None))
                shown.compare_heading = str(previous_year)
        result.append(shown)
    return result


# --- exporting -----------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@")


def safe_text(value):
    """A cell a spreadsheet never runs as a formula: text starting with = + - @ (or a tab or
    carriage return before one) gets an apostrophe in front."""
    text = str(value)
    if text.lstrip("\t\r").startswith(FORMULA_STARTS) or text.startswith(("\t", "\r")):
        return "'" + text
    return text


def export_rows(protected):
    """The table as it is shown, as rows of plain values: the heading row first. Counts stay
    numbers; suppressed cells are their marks ("<3", "..")."""
    heading = [protected.table.row_heading, *protected.columns]
    if protected.compare:
        heading.append(protected.compare_heading)
    out = [[safe_text(h) for h in heading]]
    for label, cells, before, _total in protected.lines:
        values = [safe_text(label)]
        for cell in [*cells, *([before] if before else [])]:
            values.append(cell.value if cell.number is not None else safe_text(cell.text))
        out.append(values)
    return out
