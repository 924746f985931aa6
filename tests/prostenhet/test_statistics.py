"""The managers' statistics page (issue 11), its base: small counts suppressed and not
recoverable from a total, the year before beside the year, CSV and XLSX exports with the same
figures and no formula a spreadsheet would run, closing a year so that its figures survive
the records behind them, reopening with a reason, and that only managers get in.

The apps' own figures are tested in tests/<app>/test_stats.py; here a provider of the test's
own counts a base table (access-log reviews, by a kind written in their comment), so that
deleting rows can be shown."""

import csv
import io
import itertools
import re

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from prostenhet import registry, services
from prostenhet.exceptions import DomainError
from prostenhet.models import AccessLogReview, ClosedYear, SecurityEvent, SecurityEventKind
from prostenhet.registry import StatisticsProvider
from prostenhet.roles import Role, UnitCode
from prostenhet.stats import HIDDEN, SMALL, Row, Table, protect, safe_text, tally

pytestmark = pytest.mark.django_db

PAGE = reverse("statistics:index")
THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1


def events_table(years):
    """Access-log reviews (a table of the base that may be deleted from) per kind, the kind
    kept in the comment: a table computed like the apps' (one grouped query)."""
    counts = tally(AccessLogReview.objects.all(), "reviewed_at", years, "comment")
    return {
        year: [Table(
            key="test-events", unit="", title="Händelser", row_heading="Händelse",
            columns=["Antal"], column_totals=True,
            rows=[Row(label, [counts[year].get((kind,), 0)])
                  for kind, label in [(SecurityEventKind.CREATED, "Skapat"),
                                      (SecurityEventKind.OTP_FAILED, "=HYPERLINK(\"x\")"),
                                      (SecurityEventKind.DEACTIVATED, "-avaktiverat")]],
        )]
        for year in years
    }


@pytest.fixture
def only_test_provider(monkeypatch):
    """The statistics composed from the test's provider alone."""
    monkeypatch.setattr(registry.statistics, "_items", {})
    registry.statistics.register(StatisticsProvider(key="test", tables=events_table))


@pytest.fixture
def manager(staff_of):
    return staff_of(Role.MANAGER, first_name="Maja", last_name="Chef")


def events(kind, n, year, *, target):
    at = timezone.make_aware(timezone.datetime(year, 6, 1, 12))
    AccessLogReview.objects.bulk_create(
        [AccessLogReview(comment=kind, reviewed_by=target, reviewed_at=at,
                         period_start=at.date(), period_end=at.date()) for _ in range(n)]
    )


# --- suppression ---------------------------------------------------------------------------


def grid_table(values, *, row_totals=True, column_totals=True):
    return Table(
        key="t", unit="", title="T", row_heading="",
        columns=[f"c{j}" for j in range(len(values[0]))],
        rows=[Row(f"r{i}", list(v)) for i, v in enumerate(values)],
        row_totals=row_totals, column_totals=column_totals,
    )


def marks(shown):
    return [[c.mark for c in cells] for _label, cells in shown.rows]


def test_counts_from_one_below_the_threshold_are_shown_as_small_and_zero_as_zero():
    shown = protect(grid_table([[0], [1], [2], [3]], row_totals=False, column_totals=False))
    assert [cells[0].text for _l, cells in shown.rows] == ["0", "<3", "<3", "3"]


def test_the_threshold_is_a_setting(settings):
    settings.STATISTICS_THRESHOLD = 5
    shown = protect(grid_table([[4], [5]], row_totals=False, column_totals=False))
    assert [cells[0].text for _l, cells in shown.rows] == ["<5", "5"]


def test_a_small_count_in_a_row_with_a_total_hides_a_second_cell():
    shown = protect(grid_table([[10, 2, 7]], column_totals=False))
    # 2 is small; without a second hidden cell it would be 19 - 10 - 7.
    assert marks(shown) == [["", SMALL, HIDDEN, ""]]
    assert [c.text for c in shown.rows[0][1]] == ["10", "<3", "..", "19"]


def test_when_no_other_cell_can_be_hidden_the_total_is():
    shown = protect(grid_table([[2, 0], [5, 0]]))
    # 5 is hidden to protect the 2 in its column; in its own row only the total is left.
    assert marks(shown) == [[SMALL, "", SMALL], [HIDDEN, "", HIDDEN]]
    assert_unrecoverable(shown)


def test_only_what_protects_a_small_count_is_hidden():
    # Months × (registered, anonymous): April's 2 hides May's 5 (the smallest other) in its
    # column and, with it, May's row total; March stays readable.
    shown = protect(grid_table([[0, 12], [0, 2], [0, 5]]))
    assert [[c.text for c in cells] for _l, cells in shown.rows] == [
        ["0", "12", "12"], ["0", "<3", "<3"], ["0", "..", ".."],
    ]
    assert [c.text for c in shown.total_row] == ["0", "19", "19"]
    assert_unrecoverable(shown)


def test_suppression_follows_both_directions_until_nothing_can_be_recovered():
    values = [[1, 8, 9], [7, 6, 5], [4, 12, 2]]
    shown = protect(grid_table(values))
    assert_unrecoverable(shown)


@pytest.mark.parametrize("seed", range(40))
def test_no_suppressed_count_can_be_recovered_from_its_line(seed):
    import random

    rng = random.Random(seed)  # noqa: S311 - test data
    values = [[rng.choice([0, 0, 1, 2, 3, 4, 9, 20]) for _ in range(4)] for _ in range(5)]
    assert_unrecoverable(protect(grid_table(values)))


def assert_unrecoverable(shown):
    """In every line (the parts and their total) none or at least two counts are hidden; a
    hidden count is never known from the others."""
    rows = [cells for _label, cells in shown.rows]
    lines = [*rows, shown.total_row]
    lines += [[cells[j] for cells in rows] + [shown.total_row[j]] for j in range(len(rows[0]))]
    for line in lines:
        assert sum(1 for c in line if c.mark) != 1, [c.text for c in line]
    for cell in itertools.chain(*lines):
        if cell.mark:
            assert cell.number is None


def test_measures_are_hidden_when_few_people_are_behind_them():
    table = Table(key="m", unit="", title="M", row_heading="", columns=["a", "b"], rows=[
        Row("Median", [12, 30], measure=True, basis=[2, 9]),
    ])
    shown = protect(table)
    assert [c.text for c in shown.rows[0][1]] == ["..", "30"]


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_the_year_beside_the_year_before_with_small_counts_suppressed(
    client, login, manager, only_test_provider
):
    events(SecurityEventKind.CREATED, 14, LAST_YEAR, target=manager)
    events(SecurityEventKind.OTP_FAILED, 2, LAST_YEAR, target=manager)
    events(SecurityEventKind.DEACTIVATED, 5, LAST_YEAR, target=manager)
    events(SecurityEventKind.CREATED, 9, LAST_YEAR - 1, target=manager)
    login(manager)
    page = client.get(PAGE, {"ar": LAST_YEAR})
    shown = page.context["sections"][0]["tables"][0]
    assert [(label, [c.text for c in cells], before.text) for label, cells, before, _t
            in shown.lines] == [
        ("Skapat", ["14"], "9"),
        ('=HYPERLINK("x")', ["<3"], "0"),
        ("-avaktiverat", [".."], "0"),
        ("Totalt", ["21"], "9"),
    ]
    html = page.content.decode()
    assert "&lt;3" in html and "<svg" in html
    # The table as a screen reader reads it: each line's heading, its cells, the year before.
    assert ('<th scope="row">=HYPERLINK(&quot;x&quot;)</th><td>&lt;3</td>'
            '<td class="stats-compare">0</td></tr>') in html
    assert ('<tr class="stats-total"><th scope="row">Totalt</th><td>21</td>'
            '<td class="stats-compare">9</td></tr>') in html
    # The chart draws no bar for a suppressed figure and says the mark instead.
    assert shown.chart.count("<rect") == 2  # 14 and 9 (the zeros draw nothing)
    # The labels and the marks are escaped in the picture as in the table.
    assert 'class="chart-value">&lt;3</text>' in shown.chart and ">&lt;3<" in shown.chart
    assert "=HYPERLINK(&quot;x&quot;)" in shown.chart and '("x")' not in shown.chart


def test_the_year_defaults_to_last_year_and_a_bad_year_falls_back(
    client, login, manager, only_test_provider
):
    login(manager)
    assert client.get(PAGE).context["year"] == LAST_YEAR
    assert client.get(PAGE, {"ar": "1066"}).context["year"] == LAST_YEAR


def test_only_managers_reach_the_statistics(client, login, staff_of, only_test_provider):
    export = reverse("statistics:export", args=[LAST_YEAR, "test-events", "csv"])
    for role in Role:
        user = staff_of(role)
        login(user)
        expected = 200 if role == Role.MANAGER else 403
        assert client.get(PAGE).status_code == expected, role
        assert client.get(export).status_code == expected, role
        assert client.post(reverse("statistics:close-year", args=[LAST_YEAR - 3])).status_code \
            == (302 if role == Role.MANAGER else 403), role
        client.logout()


# --- exports -------------------------------------------------------------------------------


def test_a_formula_never_reaches_a_spreadsheet():
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("+46") == "'+46"
    assert safe_text("-2") == "'-2"
    assert safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert safe_text("\t=1") == "'\t=1"
    assert safe_text("Kvinna") == "Kvinna"
    assert safe_text("<3") == "<3"


def test_csv_and_xlsx_carry_the_page_figures_escaped_and_named_by_year_and_unit(
    client, login, manager, only_test_provider
):
    events(SecurityEventKind.CREATED, 14, LAST_YEAR, target=manager)
    events(SecurityEventKind.OTP_FAILED, 2, LAST_YEAR, target=manager)
    events(SecurityEventKind.DEACTIVATED, 5, LAST_YEAR, target=manager)
    login(manager)
    response = client.get(reverse("statistics:export", args=[LAST_YEAR, "test-events", "csv"]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="statistik-{LAST_YEAR}-enheten-test-events.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["Händelse", "Antal", str(LAST_YEAR - 1)]
    assert rows[2:] == [
        ["Skapat", "14", "0"],
        ["'=HYPERLINK(\"x\")", "<3", "0"],
        ["'-avaktiverat", "..", "0"],
        ["Totalt", "21", "0"],
    ]
    response = client.get(reverse("statistics:export", args=[LAST_YEAR, "test-events", "xlsx"]))
    assert response["Content-Disposition"].endswith(f'{LAST_YEAR}-enheten-test-events.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert cells == [
        ["Skapat", 14, 0],
        ["'=HYPERLINK(\"x\")", "<3", 0],
        ["'-avaktiverat", "..", 0],
        ["Totalt", 21, 0],
    ]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_an_unknown_table_or_format_is_not_found(client, login, manager, only_test_provider):
    login(manager)
    assert client.get(reverse("statistics:export", args=[LAST_YEAR, "nope", "csv"])).status_code \
        == 404
    assert client.get(
        reverse("statistics:export", args=[LAST_YEAR, "test-events", "pdf"])
    ).status_code == 404
    assert client.get(
        reverse("statistics:export", args=[THIS_YEAR + 1, "test-events", "csv"])
    ).status_code == 404


# --- closing a year ------------------------------------------------------------------------


def test_a_closed_year_keeps_its_figures_when_the_records_are_deleted(
    client, login, manager, only_test_provider
):
    events(SecurityEventKind.CREATED, 14, LAST_YEAR, target=manager)
    events(SecurityEventKind.CREATED, 6, LAST_YEAR - 1, target=manager)
    login(manager)
    response = client.post(reverse("statistics:close-year", args=[LAST_YEAR]))
    assert response.status_code == 302
    closing = ClosedYear.objects.get(year=LAST_YEAR)
    assert closing.closed_by == manager
    AccessLogReview.objects.filter(reviewed_at__year=LAST_YEAR).delete()
    page = client.get(PAGE, {"ar": LAST_YEAR})
    first = page.context["sections"][0]["tables"][0].lines[0]
    assert first[1][0].text == "14"
    assert "Året är stängt" in page.content.decode()
    # The export reads the stored figures too; the next year compares with them.
    csv_rows = client.get(
        reverse("statistics:export", args=[LAST_YEAR, "test-events", "csv"])
    ).content.decode("utf-8-sig")
    assert "Skapat;14;6" in csv_rows
    next_year = client.get(PAGE, {"ar": THIS_YEAR}).context["sections"][0]["tables"][0]
    assert next_year.lines[0][2].text == "14"


def test_a_stored_table_is_shown_as_stored_in_swedish_and_translated_in_english():
    stored = Table(
        key="t", unit="", title="Besök", row_heading="", columns=["Besök", "Egen kolumn"],
        rows=[Row("Januari", [1, 2]), Row("Egen rad", [3, 4])],
    ).to_dict()
    with translation.override("sv"):
        swedish = Table.from_dict(stored, translate=True)
    with translation.override("en"):
        english = Table.from_dict(stored, translate=True)
    assert (swedish.title, swedish.columns) == ("Besök", ["Besök", "Egen kolumn"])
    assert [row.label for row in swedish.rows] == ["Januari", "Egen rad"]
    # A month name through its own context; what the catalogue lacks stays as stored.
    assert (english.title, english.columns) == ("Visit", ["Visit", "Egen kolumn"])
    assert [row.label for row in english.rows] == ["January", "Egen rad"]


def test_a_running_year_cannot_be_closed_and_a_year_is_closed_once(manager, only_test_provider):
    with pytest.raises(DomainError):
        services.close_year(THIS_YEAR, by=manager)
    services.close_year(LAST_YEAR, by=manager)
    with pytest.raises(DomainError):
        services.close_year(LAST_YEAR, by=manager)


def test_reopening_needs_a_reason_is_logged_and_the_year_can_be_closed_again(
    client, login, manager, only_test_provider
):
    events(SecurityEventKind.CREATED, 14, LAST_YEAR, target=manager)
    services.close_year(LAST_YEAR, by=manager)
    login(manager)
    url = reverse("statistics:reopen-year", args=[LAST_YEAR])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert ClosedYear.objects.current().filter(year=LAST_YEAR).exists()
    assert client.post(url, {"reason": "Rättade besök"}).status_code == 302
    reopened = ClosedYear.objects.get(year=LAST_YEAR)
    assert (reopened.reopened_by, reopened.reopen_reason) == (manager, "Rättade besök")
    assert LogEntry.objects.get_for_object(reopened).filter(
        action=LogEntry.Action.UPDATE
    ).exists()
    # Reopened, the year is computed from the records again, and can be closed anew.
    events(SecurityEventKind.CREATED, 1, LAST_YEAR, target=manager)
    again = services.close_year(LAST_YEAR, by=manager)
    assert again.tables[0]["rows"][0]["values"] == [15]
    assert ClosedYear.objects.filter(year=LAST_YEAR).count() == 2


def test_close_year_command_signs_with_the_manager_named(manager, staff_of, only_test_provider):
    events(SecurityEventKind.CREATED, 4, LAST_YEAR, target=manager)
    out = io.StringIO()
    call_command("close_year", str(LAST_YEAR), "--by", manager.username, stdout=out)
    assert ClosedYear.objects.get(year=LAST_YEAR).closed_by == manager
    counsellor = staff_of(Role.COUNSELLOR)
    with pytest.raises(CommandError):
        call_command("close_year", str(LAST_YEAR - 1), "--by", counsellor.username)
    with pytest.raises(CommandError):
        call_command("close_year", str(LAST_YEAR), "--by", manager.username)


def test_tally_places_datetimes_in_stockholm_years(manager):
    # 31 December 23:30 in Stockholm is 22:30 UTC the same day; 1 January 00:30 is 23:30 UTC
    # on 31 December.
    late = timezone.make_aware(timezone.datetime(LAST_YEAR - 1, 12, 31, 23, 30))
    early = timezone.make_aware(timezone.datetime(LAST_YEAR, 1, 1, 0, 30))
    SecurityEvent.objects.create(kind=SecurityEventKind.CREATED, target=manager, at=late)
    SecurityEvent.objects.create(kind=SecurityEventKind.CREATED, target=manager, at=early)
    counts = tally(SecurityEvent.objects.all(), "at", [LAST_YEAR - 1, LAST_YEAR], "kind",
                   value=Count("pk"))
    assert counts == {LAST_YEAR - 1: {("created",): 1}, LAST_YEAR: {("created",): 1}}


def test_unit_sections_follow_the_tables_units(client, login, manager, monkeypatch):
    monkeypatch.setattr(registry.statistics, "_items", {})

    def two_units(years):
        return {year: [
            Table(key=f"t-{unit}", unit=unit, title=f"T {unit}", row_heading="", columns=["n"],
                  rows=[Row("a", [5])])
            for unit in (UnitCode.KAST, UnitCode.OUTREACH)
        ] for year in years}

    registry.statistics.register(StatisticsProvider(key="two", tables=two_units))
    login(manager)
    sections = client.get(PAGE).context["sections"]
    assert [s["label"] for s in sections] == [UnitCode.KAST.label, UnitCode.OUTREACH.label]


# --- with every app's figures --------------------------------------------------------------


def more_of_everything(world, n):
    """n more clients with entries and visits this year and last year, through the services
    (so that the page's query count is shown not to grow with them)."""
    from clients import services as client_services
    from clients.models import Visit, VisitPurpose

    for number in range(n):
        client = client_services.register_client(
            unit=UnitCode.COUNSELLING, by=world.co, alias=f"Mer {number}",
        )
        journal = client.journals.get()
        for year in (LAST_YEAR, THIS_YEAR):
            entry = client_services.save_draft(journal=journal, by=world.co, text="x")
            entry.event_date = timezone.datetime(year, 1, 2).date()
            entry.save(update_fields=["event_date"])
            Visit.objects.create(
                unit=UnitCode.COUNSELLING, purpose=VisitPurpose.DROP_IN, client=client,
                registered_by=world.oa,
                arrived_at=timezone.make_aware(timezone.datetime(year, 1, 2, 10)),
            )


def test_the_page_runs_a_bounded_number_of_queries_whatever_the_data(
    client, login, world, django_assert_max_num_queries
):
    login(world.ma)
    url = f"{PAGE}?ar={THIS_YEAR}"
    client.get(url)  # the session's first write
    # Eight for the request (session, user, device, permissions, closed years) and the
    # apps' 27: clients 8, Spiralen 3, outreach 8, KAST 4, trafficking 4.
    with django_assert_max_num_queries(35) as before:
        assert client.get(url).status_code == 200
    more_of_everything(world, 6)
    with django_assert_max_num_queries(len(before.captured_queries)):
        page = client.get(url)
    shown = {t.table.key: t for s in page.context["sections"] for t in s["tables"]}
    units = shown["clients-units"].lines
    # Counselling: Anna (entries this year) and the six; Petra has had no contact.
    assert [c.text for c in units[0][1]] == ["7", "7"]


def mentions(text, secret):
    """The secret as a word of its own ("Anna", not the "Anna" in "Annat land")."""
    return re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", text) is not None


def test_no_person_is_named_or_linked_on_the_page_or_in_the_exports(client, login, world):
    login(world.ma)
    people = [world.anna, world.petra, world.karl, world.olle]
    secrets = [p.alias for p in people] + ["Anna Andersson", "Petra Hemlig"]
    secrets += [str(p.public_id) for p in people]
    number = world.anna.identity_number
    secrets += [number, number[2:], f"{number[2:8]}-{number[8:]}", "/klienter/"]
    for year in (LAST_YEAR, THIS_YEAR):
        page = client.get(PAGE, {"ar": year})
        html = page.content.decode()
        main = html[html.index("<main"):html.index("</main>")]
        for secret in secrets:
            assert not mentions(main, secret), (year, secret)
        keys = [t.table.key for s in page.context["sections"] for t in s["tables"]]
        assert len(keys) == len(set(keys)) >= 30
        for key in keys:
            for extension in ("csv", "xlsx"):
                response = client.get(reverse("statistics:export", args=[year, key, extension]))
                assert response.status_code == 200
                if extension == "csv":
                    text = response.content.decode("utf-8-sig")
                else:
                    sheet = load_workbook(io.BytesIO(response.content)).active
                    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
                for secret in secrets:
                    assert not mentions(text, secret), (year, key, secret)


# --- figures kept for a few minutes --------------------------------------------------------


@pytest.fixture
def kept_five_minutes(settings):
    from django.core.cache import cache

    settings.STATISTICS_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def test_an_open_year_is_kept_for_minutes_and_computed_again_on_request(
    client, login, manager, only_test_provider, kept_five_minutes,
    django_assert_max_num_queries,
):
    events(SecurityEventKind.CREATED, 14, LAST_YEAR, target=manager)
    login(manager)
    first = client.get(PAGE, {"ar": LAST_YEAR})
    assert first.context["computed_at"] is not None
    assert "Siffrorna räknades fram kl." in first.content.decode()
    events(SecurityEventKind.CREATED, 5, LAST_YEAR, target=manager)
    # Kept: the providers are not asked (no query of theirs), the figure is as it was. The
    # shared cache is a table: reading the kept figures is two queries of their own.
    with django_assert_max_num_queries(10):
        kept = client.get(PAGE, {"ar": LAST_YEAR})
    assert kept.context["sections"][0]["tables"][0].lines[0][1][0].text == "14"
    assert client.post(reverse("statistics:refresh", args=[LAST_YEAR])).status_code == 302
    again = client.get(PAGE, {"ar": LAST_YEAR})
    assert again.context["sections"][0]["tables"][0].lines[0][1][0].text == "19"


def test_closing_stores_the_figures_as_they_stand_not_as_kept(
    client, login, manager, only_test_provider, kept_five_minutes
):
    events(SecurityEventKind.CREATED, 14, LAST_YEAR, target=manager)
    login(manager)
    client.get(PAGE, {"ar": LAST_YEAR})
    events(SecurityEventKind.CREATED, 5, LAST_YEAR, target=manager)
    closing = services.close_year(LAST_YEAR, by=manager)
    assert closing.tables[0]["rows"][0]["values"] == [19]
    # Reopened, the year is computed again, not read from what was kept before closing.
    AccessLogReview.objects.filter(reviewed_at__year=LAST_YEAR).delete()
    services.reopen_year(LAST_YEAR, by=manager, reason="Test")
    page = client.get(PAGE, {"ar": LAST_YEAR})
    assert page.context["sections"][0]["tables"][0].lines[0][1][0].text == "0"
