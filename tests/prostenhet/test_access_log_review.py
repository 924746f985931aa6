"""The manager's access-log review (audit:access-log) and a client's log extract
(clients:access-log-extract), issue 6: repeated reads are one row with a count; an identity
number typed into a GET filter is refused and never shown back; days are timestamp ranges
(indexable), the page's queries do not grow with the log, page links do not pile up, the "Vy"
column speaks Swedish, and flagged rows can be picked out."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import Quality
from prostenhet.audit import REPEAT_WINDOW
from prostenhet.lib import personnummer
from prostenhet.models import AccessKind, AccessLog
from prostenhet.roles import UnitCode
from tests.clients.helpers import create_data, main_html, ten_digits

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
REVIEW = reverse("audit:access-log")
# What a day filter must not make of the timestamp: a date computed for every row.
PER_ROW_DATE = ("AT TIME ZONE", "::date", "django_datetime_cast_date")
PER_ROW_TIME = (*PER_ROW_DATE, "django_datetime_extract", "EXTRACT(", "strftime")


def extract_url(client):
    return reverse("clients:access-log-extract", args=[client.public_id])


def detail_url(client):
    return reverse("clients:client-detail", args=[client.public_id])


def local(*args):
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


def row(at, user, client, *, view="clients:client-detail", kind=AccessKind.READ, **extra):
    """A log row as prostenhet.audit writes it (save() fills the local weekday and hour)."""
    return AccessLog.objects.create(at=at, user=user, client=client, kind=kind, view=view,
                                    **extra)


def bulk_rows(n, users, clients, *, start=None):
    """n rows, one a minute back from start, spread over users and clients."""
    start = start or timezone.now()
    rows = []
    for i in range(n):
        at = start - datetime.timedelta(minutes=i)
        local_at = timezone.localtime(at)
        rows.append(AccessLog(
            at=at, user=users[i % len(users)], client=clients[i % len(clients)],
            kind=AccessKind.READ, view="clients:journal" if i % 2 else "clients:client-detail",
            local_weekday=local_at.isoweekday(), local_hour=local_at.hour,
        ))
    AccessLog.objects.bulk_create(rows, batch_size=500)


def table_rows(response, testid):
    html = main_html(response).split(f'data-testid="{testid}"')[1].split("</table>")[0]
    body = html.split("<tbody>")[1]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                     tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def every_number_form(number):
    return {number, number[2:], personnummer.display(number), ten_digits(number)}


# --- repeated reads: one row with a count --------------------------------------------------------


def test_repeated_reads_of_one_record_by_one_person_are_one_row_with_a_count(world, login):
    reader = login(world.co)
    for _ in range(4):
        assert reader.get(detail_url(world.anna)).status_code == 200

    response = login(world.ma).get(extract_url(world.anna))

    assert response.status_code == 200
    reads = [r for r in response.context["rows"] if r.user == world.co]
    assert [(r.view, r.count) for r in reads] == [("clients:client-detail", 4)]
    cells = [c for c in table_rows(response, "extract") if c[1] == str(world.co)]
    assert len(cells) == 1
    assert cells[0][3] == "4"


def test_reads_further_apart_than_the_window_stay_separate_rows(world, login):
    start = local(2026, 3, 10, 9, 0)
    half = REPEAT_WINDOW / 2
    for at in [start, start + half, start + 2 * half,  # one visit …
               start + 2 * half + REPEAT_WINDOW + datetime.timedelta(minutes=1)]:  # … and one
        row(at, world.co, world.anna)

    response = login(world.ma).get(extract_url(world.anna))

    assert [r.count for r in response.context["rows"]] == [3, 1]
    cells = table_rows(response, "extract")
    assert [c[3] for c in cells] == ["3", "1"]
    assert cells[0][0].startswith("2026-03-10 09:00")
    assert cells[0][0].endswith("09:10")  # first and last read of the visit


def test_reads_by_different_people_or_in_different_views_are_not_merged(world, login):
    start = local(2026, 3, 10, 9, 0)
    row(start, world.co, world.anna)
    row(start + datetime.timedelta(minutes=1), world.cl, world.anna)
    row(start + datetime.timedelta(minutes=2), world.co, world.anna, view="clients:journal")
    row(start + datetime.timedelta(minutes=3), world.co, world.anna)

    rows = login(world.ma).get(extract_url(world.anna)).context["rows"]

    assert [(r.user, r.view, r.count) for r in rows] == [
        (world.co, "clients:client-detail", 2),
        (world.cl, "clients:client-detail", 1),
        (world.co, "clients:journal", 1),
    ]


# --- an identity number in a GET filter ---------------------------------------------------------


def typed_numbers(world):
    number = world.anna.identity_number
    return [personnummer.display(number), ten_digits(number), number, f"Anna {number[2:8]}"]


@pytest.mark.parametrize("form", range(4), ids=["12 digits", "10 digits", "plain", "6 digits"])
def test_an_identity_number_in_the_client_filter_is_refused(world, login, form):
    row(timezone.now(), world.co, world.anna)
    typed = typed_numbers(world)[form]

    response = login(world.ma).get(REVIEW, {"client": typed})

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("client", []))
    assert "personnummer" in errors
    assert "personnummer" in main_html(response)
    assert list(response.context["page"]) == []


@pytest.mark.parametrize("form", range(4), ids=["12 digits", "10 digits", "plain", "6 digits"])
def test_a_refused_identity_number_is_never_echoed_in_the_page(world, login, form):
    number = world.anna.identity_number
    typed = typed_numbers(world)[form]

    page = login(world.ma).get(REVIEW, {"client": typed}).content.decode()

    for shown in every_number_form(number) | {number[2:8]}:
        assert shown not in page, shown


def test_an_alias_in_the_client_filter_is_kept(world, login):
    row(timezone.now(), world.co, world.anna)
    row(timezone.now(), world.oa, world.petra)

    response = login(world.ma).get(REVIEW, {"client": "ann"})

    assert not response.context["form"].errors
    assert {r.client for r in response.context["page"]} == {world.anna}


# --- days are timestamp ranges -------------------------------------------------------------------


def captured_sql(browser, url, query):
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url, query)
    assert response.status_code == 200
    assert not response.context["form"].errors
    return response, " ".join(q["sql"] for q in queries.captured_queries)


def test_the_checker_would_see_a_date_computed_per_row():
    """The markers are what this database makes of `__date` (so that the test below is not
    vacuous on either backend)."""
    with CaptureQueriesContext(connection) as queries:
        list(AccessLog.objects.filter(at__date=datetime.date(2026, 3, 29)))
    sql = queries.captured_queries[-1]["sql"]

    assert any(marker in sql for marker in PER_ROW_DATE), sql


def test_the_day_filter_compares_timestamps_not_dates_computed_per_row(world, login):
    browser = login(world.ma)

    _response, sql = captured_sql(
        browser, REVIEW, {"date_from": "2026-03-29", "date_to": "2026-03-29"}
    )

    assert "accesslog" in sql.lower()
    for marker in PER_ROW_DATE:
        assert marker not in sql, marker


def test_the_office_hours_filter_computes_nothing_per_row(world, login):
    _response, sql = captured_sql(login(world.ma), REVIEW, {"outside_office_hours": "on"})

    for marker in PER_ROW_TIME:
        assert marker not in sql, marker


def test_a_day_runs_from_midnight_to_midnight_stockholm_time(world, login):
    """2026-03-29 is the day the clocks go forward (23 hours long)."""
    rows = {
        "before": row(local(2026, 3, 28, 23, 59), world.co, world.anna),
        "midnight": row(local(2026, 3, 29, 0, 0), world.co, world.anna),
        "after the change": row(local(2026, 3, 29, 3, 30), world.co, world.anna),
        "late": row(local(2026, 3, 29, 23, 59, 59), world.co, world.anna),
        "next day": row(local(2026, 3, 30, 0, 0), world.co, world.anna),
    }

    response, _sql = captured_sql(
        login(world.ma), REVIEW, {"date_from": "2026-03-29", "date_to": "2026-03-29"}
    )

    shown = {r.pk for r in response.context["page"]}
    assert {name for name, r in rows.items() if r.pk in shown} == {
        "midnight", "after the change", "late"
    }


# --- the page's queries do not grow with the log -------------------------------------------------


def count_queries(browser, url, query=None):
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url, query or {})
    assert response.status_code == 200
    return response, queries.captured_queries


@pytest.fixture
def readers(world):
    return [world.co, world.cl, world.oa, world.ow]


@pytest.fixture
def some_clients(world):
    made = [
        services.register_client(unit=UnitCode.COUNSELLING, by=world.oa, alias=f"Annika {i}")
        for i in range(5)
    ]
    return [world.anna, world.petra, world.olle, *made]


FILTERS = [
    {},
    {"client": "ann"},
    {"date_from": "2020-01-01", "date_to": "2030-12-31"},
    {"outside_office_hours": "on", "page": "2"},
]


def test_the_review_pages_queries_do_not_grow_with_the_log(world, login, readers, some_clients):
    browser = login(world.ma)
    browser.get(REVIEW)  # the session's first request
    bulk_rows(50, readers, some_clients)
    small = {i: len(count_queries(browser, REVIEW, query)[1]) for i, query in enumerate(FILTERS)}
    assert len(count_queries(browser, REVIEW)[0].context["page"]) == 50

    bulk_rows(4950, readers, some_clients, start=timezone.now() - datetime.timedelta(days=4))
    assert AccessLog.objects.count() >= 5000

    for i, query in enumerate(FILTERS):
        response, queries = count_queries(browser, REVIEW, query)
        assert len(queries) == small[i], f"{query}: {small[i]} queries, then {len(queries)}"
        assert len(queries) <= 15
        # No COUNT over the whole (filtered) log: a page costs the same at any size.
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()
                  and "accesslog" in q["sql"].lower()]
        assert not counts, counts
        if not query:
            assert len(response.context["page"]) == 50


def test_the_extracts_queries_do_not_grow_with_the_clients_log(world, login, readers):
    browser = login(world.ma)
    browser.get(REVIEW)
    bulk_rows(50, readers, [world.anna])
    few = len(count_queries(browser, extract_url(world.anna))[1])

    bulk_rows(4950, readers, [world.anna], start=timezone.now() - datetime.timedelta(days=4))

    _response, queries = count_queries(browser, extract_url(world.anna))
    assert len(queries) == few


# --- page links -----------------------------------------------------------------------------------


def page_links(response):
    return [
        link.replace("&amp;", "&")
        for link in re.findall(r'class="page-link" href="([^"]*)"', main_html(response))
    ]


def test_page_links_keep_the_filters_and_never_repeat_page(world, login, readers, some_clients):
    bulk_rows(160, readers, some_clients)
    browser = login(world.ma)

    response = browser.get(REVIEW, {"client": "ann"})
    seen = 0
    for _ in range(3):
        links = page_links(response)
        assert links
        for link in links:
            query = parse_qs(urlsplit(link).query)
            assert len(query["page"]) == 1, link
            assert query["client"] == ["ann"], link
            seen += 1
        response = browser.get(REVIEW + links[-1])  # "Nästa" (or "Föregående" at the end)
        assert response.status_code == 200
    assert seen >= 4


def test_a_url_that_already_piled_up_pages_gets_clean_links(world, login, readers, some_clients):
    bulk_rows(160, readers, some_clients)

    response = login(world.ma).get(REVIEW + "?page=2&page=1&page=2&staff=")

    assert response.context["page"].number == 2
    for link in page_links(response):
        assert link.count("page=") == 1, link


# --- the "Vy" column ------------------------------------------------------------------------------


def test_the_view_column_says_what_a_person_understands(world, login):
    reader = login(world.co)
    reader.get(detail_url(world.anna))
    reader.get(reverse("clients:journal", args=[world.anna.public_id, UnitCode.COUNSELLING]))
    browser = login(world.ma)

    review = browser.get(REVIEW, {"staff": world.co.pk})
    extract = browser.get(extract_url(world.anna))

    views = {cells[4] for cells in table_rows(review, "access-log")}
    assert views == {"Klientuppgifter", "Journal"}
    whats = {cells[2] for cells in table_rows(extract, "extract")}
    assert whats == {"Läsning: Klientuppgifter", "Läsning: Journal"}
    for page in (main_html(review), main_html(extract)):
        assert "clients:" not in page


# --- flagged rows ---------------------------------------------------------------------------------


def test_flagged_rows_from_enrolling_an_existing_person_can_be_filtered(world, login):
    login(world.co).get(detail_url(world.anna))
    registrant = login(world.ow)
    offer = registrant.post(reverse("clients:client-create"), create_data(
        UnitCode.OUTREACH, "Nattkontakt", identity_number=world.anna.identity_number,
        identity_number_quality=Quality.KNOWN,
    ))
    assert offer.status_code == 302
    registrant.post(offer.url)
    assert world.anna.enrollments.filter(unit=UnitCode.OUTREACH, ended_on=None).exists()
    browser = login(world.ma)

    everything = browser.get(REVIEW)
    flagged = browser.get(REVIEW, {"flagged": "on"})

    assert {r.flagged for r in everything.context["page"]} == {True, False}
    rows = list(flagged.context["page"])
    assert len(rows) == 2
    assert all(r.flagged and r.user == world.ow and r.client == world.anna for r in rows)
    cells = table_rows(flagged, "access-log")
    assert len(cells) == 2
    assert all("flaggad" in c[3] for c in cells)
    for form in every_number_form(world.anna.identity_number):
        assert form not in main_html(flagged)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_office_hours_filter_reads_a_partial_index_newest_first(world):
    """Rows outside office hours are marked when written; the review reads them newest
    first from a partial index instead of sorting every matching row."""
    bulk_rows(6000, [world.co, world.cl], [world.anna, world.petra])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prostenhet_accesslog")
    rows = AccessLog.objects.outside_office_hours().order_by("-at")[:50]

    plan = rows.explain()

    assert "accesslog_off_hours_at" in plan, plan
    assert all(not 7 <= timezone.localtime(r.at).hour < 19 or
               timezone.localtime(r.at).isoweekday() >= 6 for r in rows)


def test_the_extract_shows_one_year_at_a_time_the_newest_first(world, login):
    """A record read for years has thousands of rows: the extract shows a year, the newest
    with reads first, links to the others and to all of them."""
    for year in (2019, 2024, 2025):
        row(local(year, 3, 10, 9, 0), world.co, world.anna)
        row(local(year, 6, 1, 9, 0), world.co, world.anna)
    newest = AccessLog.objects.filter(client=world.anna).latest("at").at.astimezone(
        STOCKHOLM
    ).year
    browser = login(world.ma)
    page = browser.get(extract_url(world.anna))
    years = page.context["years"]
    assert years[0] == newest and years[-1] == 2019 and 2024 in years
    assert page.context["year"] == newest
    assert {r.at.astimezone(STOCKHOLM).year for r in page.context["rows"]} == {newest}
    html = page.content.decode()
    assert 'href="?ar=2019"' in html and 'href="?ar=alla"' in html
    assert f"Utdraget visar {newest}." in html
    one = browser.get(extract_url(world.anna), {"ar": "2024"})
    assert [r.at.astimezone(STOCKHOLM).date() for r in one.context["rows"]] == [
        datetime.date(2024, 3, 10), datetime.date(2024, 6, 1)
    ]
    everything = browser.get(extract_url(world.anna), {"ar": "alla"})
    assert everything.context["year"] is None
    assert {r.at.astimezone(STOCKHOLM).year for r in everything.context["rows"]} >= {
        2019, 2024, 2025
    }
    assert "Utdraget visar alla år." in everything.content.decode()
    # A year without reads, or anything else, shows the newest.
    assert browser.get(extract_url(world.anna), {"ar": "1999"}).context["year"] == newest
