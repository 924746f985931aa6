"""The manager's yearly statistics in the browser (issue 11): from the start page to last
year's figures beside the year before, a small count shown as "<3" in the table and the chart,
a table downloaded as CSV, the year closed (the figures then stand whatever is deleted) and
reopened with a reason."""

import re
from datetime import datetime, time
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Gender, Visit, VisitPurpose
from prostenhet.models import ClosedYear
from prostenhet.roles import Role, UnitCode

from ..factories import UserFactory, add_totp_device
from .test_journal_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

VISITS_TABLE = "stats-clients-visits-month"


def anonymous_visits(n, year, month, *, by, purpose=VisitPurpose.DROP_IN):
    at = timezone.make_aware(datetime.combine(datetime(year, month, 10).date(), time(10)))
    Visit.objects.bulk_create([
        Visit(unit=UnitCode.COUNSELLING, purpose=purpose, gender=Gender.WOMAN, arrived_at=at,
              registered_by=by)
        for _ in range(n)
    ])


def test_the_manager_reads_downloads_closes_and_reopens_a_year(page, screenshot):
    manager = UserFactory(role=Role.MANAGER, username="e2e-chef")
    device = add_totp_device(manager)
    assistant = UserFactory(role=Role.OFFICE_ASSISTANT, username="e2e-assistent")
    year = timezone.localdate().year - 1
    anonymous_visits(12, year, 3, by=assistant)
    anonymous_visits(2, year, 4, by=assistant)
    # April's two are "<3"; May's five are hidden with them, so that the year's total does
    # not tell April's number.
    anonymous_visits(5, year, 5, by=assistant)
    anonymous_visits(7, year - 1, 3, by=assistant)

    page.goto("/start/")
    log_in(page, manager, device)
    page.wait_for_url(re.compile(r"/start/$"))
    page.get_by_role("navigation").get_by_role("link", name="Statistik").first.click()
    page.get_by_label("År").select_option(str(year))
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Statistik {year}")

    table = page.get_by_test_id(VISITS_TABLE)
    # Registered clients, anonymous visitors, the month's total, the year before's total.
    march = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Mars"))
    expect(march.get_by_role("cell")).to_have_text(["0", "12", "12", "7"])
    april = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="April"))
    expect(april.get_by_role("cell")).to_have_text(["0", "<3", "<3", "0"])
    may = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Maj"))
    expect(may.get_by_role("cell")).to_have_text(["0", "..", "..", "0"])
    expect(table.locator("svg.stats-chart")).to_be_visible()
    expect(table.locator("svg.stats-chart")).to_contain_text("<3")
    screenshot(page, "statistics")

    with page.expect_download() as download:
        table.get_by_role("link", name=re.compile("^CSV")).click()
    assert download.value.suggested_filename == (
        f"statistik-{year}-enheten-{VISITS_TABLE.removeprefix('stats-')}.csv"
    )
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert ";12;" in content and ";<3;" in content

    # Closed, the year stands as published even when visits are deleted.
    page.get_by_role("button", name=f"Stäng {year} och spara siffrorna").click()
    expect(page.get_by_test_id("year-state")).to_contain_text("Året är stängt")
    assert ClosedYear.objects.get(year=year).closed_by == manager
    Visit.objects.all().delete()
    page.reload()
    # (The year before was not closed: its figures follow the records.)
    expect(march.get_by_role("cell")).to_have_text(["0", "12", "12", "0"])

    page.get_by_role("link", name="Öppna året igen").click()
    page.get_by_label("Varför öppnas året igen?").fill("Besök registrerades på fel år.")
    page.get_by_role("button", name="Öppna året igen").click()
    expect(page.get_by_test_id("year-state")).not_to_contain_text("Året är stängt")
    expect(march.get_by_role("cell")).to_have_text(["0", "0", "0", "0"])
    assert ClosedYear.objects.get(year=year).reopen_reason == "Besök registrerades på fel år."
