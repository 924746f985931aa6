"""The trafficking team in the browser (issue 10): an outreach worker who works in the unit
records a police raid, registers a case from it ("Registrera ärende från tillslaget"), places
the person in protected housing, adds a reflection period that ends within the fortnight and
sees it on the start page; the case page offers a booking with the interpreter's language."""

import re
from collections import deque
from datetime import timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from prostenhet import access as staff_access
from prostenhet.management.commands.seed_demo import DEMO_PASSWORD
from prostenhet.models import Unit, User
from prostenhet.roles import Role, UnitCode
from trafficking.models import Deadline, HousingPlacement, Raid, TraffickingCase

from ..factories import UserFactory, add_totp_device, current_code
from .test_accessibility import Report, followable, submit_login, verify
from .test_journal_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_case_from_a_raid_with_housing_and_a_reflection_period(page, screenshot):
    worker = UserFactory(role=Role.OUTREACH_WORKER, username="e2e-uppsokare")
    worker.units.set(Unit.objects.filter(code__in=[UnitCode.OUTREACH, UnitCode.TRAFFICKING]))
    staff_access.sync_staff_units(worker)
    device = add_totp_device(worker)
    ends = timezone.localdate() + timedelta(days=10)

    # The raid: an apartment, three met, one accepted support.
    page.goto("/manniskohandel/tillslag/nytt/")
    log_in(page, worker, device)
    page.wait_for_url(re.compile(r"/tillslag/nytt/$"))
    page.get_by_label("Typ av plats").select_option(value="apartment")
    page.get_by_label("Polisens referens").fill("NOA 2026-77")
    page.get_by_label("Antal personer som mötts").fill("3")
    page.get_by_label("Antal som tackade ja till stöd").fill("1")
    page.get_by_role("button", name="Registrera tillslaget").click()
    page.get_by_text("Tillslaget är sparat").wait_for()
    raid = Raid.objects.get()
    assert list(raid.staff.all()) == [worker]

    # The person who accepted: a case from the raid.
    page.get_by_test_id("case-from-raid").click()
    expect(page.get_by_test_id("case-raid")).to_contain_text("Lägenhet")
    page.get_by_label("Alias").fill("Elena")
    page.get_by_role("textbox", name="Språk").fill("rumänska, engelska")
    page.get_by_label("Behöver tolk").check()
    page.get_by_label("Ursprungsland").select_option(value="RO")
    page.get_by_role("button", name="Registrera ärendet").click()
    page.get_by_text("Ärendet är registrerat").wait_for()
    case = TraffickingCase.objects.get()
    assert (case.raid, case.identified_by, case.country_of_origin) == (raid, "raid", "RO")
    expect(page.get_by_test_id("case-facts")).to_contain_text("Rumänien")
    expect(page.get_by_test_id("case-booking")).to_have_attribute(
        "href", re.compile(r"interpreter_language=rum%C3%A4nska"))

    # Protected housing: the provider from the list, from today.
    page.get_by_test_id("housing-create").click()
    expect(page.get_by_text("adress registreras aldrig").first).to_be_visible()
    page.get_by_label("Boende").select_option(index=1)
    page.get_by_role("button", name="Spara placeringen").click()
    page.get_by_text("Placeringen är sparad").wait_for()
    expect(page.get_by_test_id("placement-row")).to_have_count(1)
    assert HousingPlacement.objects.get().case == case

    # The reflection period ends in ten days.
    page.get_by_test_id("deadline-create").click()
    page.get_by_role("combobox", name=re.compile(r"^Typ")).select_option(value="reflection_period")
    page.get_by_label("Slutar").fill(ends.isoformat())
    page.get_by_role("button", name="Spara tidsfristen").click()
    page.get_by_text("Tidsfristen är sparad").wait_for()
    assert Deadline.objects.get().ends_on == ends
    screenshot(page, "trafficking-case")

    # The start page lists it.
    page.goto("/start/")
    panel = page.get_by_test_id("trafficking-deadlines-panel")
    expect(panel).to_contain_text("Elena")
    expect(panel).to_contain_text("Betänketid")
    expect(panel).to_contain_text(ends.isoformat())
    screenshot(page, "trafficking-start")
    panel.get_by_role("link", name="Elena").click()
    page.wait_for_url(re.compile(rf"/arende/{case.public_id}/$"))
    assert page.console_errors == []


def test_every_trafficking_page_of_the_demo_meets_wcag_2_1_aa(page, live_server, settings):
    """axe-core on each trafficking page the demo's outreach worker reaches from the case list
    (the crawl of every role's pages may stop before them)."""
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())
    worker = User.objects.get(username="uppsokare")
    device = worker.totpdevice_set.filter(confirmed=True).first() or add_totp_device(worker)
    page.goto("/")
    submit_login(page, "uppsokare", DEMO_PASSWORD)
    verify(page, current_code(device))
    page.wait_for_url(re.compile(r"/start/$"))

    report, queue, seen, visited = Report(), deque(["/manniskohandel/"]), set(), []
    seen.add("/manniskohandel/")
    while queue and len(visited) < 40:
        path = queue.popleft()
        response = page.goto(path)
        visited.append(path)
        if response is None or response.status >= 500:
            report.server_errors.append((path, response and response.status))
            continue
        report.check(page, path)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = followable(href, live_server.url)
            if target and target not in seen and urlsplit(target).path.startswith(
                "/manniskohandel/"
            ):
                seen.add(target)
                queue.append(target)
    # Only the base's own navigation (the header) is left out of the judgement.
    report.violations = {
        key: pages for key, pages in report.violations.items() if "navbar" not in key[3]
        and ".btn-outline-light" not in key[3]
    }
    assert len(visited) >= 10
    assert not report, f"{len(visited)} pages:\n{report}"
