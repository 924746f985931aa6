"""The office assistant's morning in the browser (issue 8): the "Idag" panel updates itself
without reloading the page, a booked client arrives in one click, an anonymous visitor is
registered; the counsellor sees the arrival on the start page and takes the visitor in. A new
client is put in the counselling queue and offered a place with a counsellor, who then finds
the client on the start page and opens the client's journal."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients import services
from clients.models import (
    Assignment,
    Booking,
    BookingKind,
    BookingStatus,
    QueueEntry,
    QueueRemoval,
    QueueSource,
    Visit,
)
from prostenhet.roles import Role, UnitCode

from ..factories import UserFactory, add_totp_device
from .test_journal_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def booking_today(*, staff, client, by, hour):
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time(hour)))
    return Booking.objects.create(
        unit=UnitCode.COUNSELLING, kind=BookingKind.SESSION, staff=staff, client=client,
        starts_at=start, ends_at=start + timedelta(minutes=45), created_by=by,
    )


def test_the_office_assistants_morning_and_the_counsellors_arrival(page, browser, screenshot):
    assistant = UserFactory(role=Role.OFFICE_ASSISTANT, username="e2e-reception")
    assistant_device = add_totp_device(assistant)
    counsellor = UserFactory(role=Role.COUNSELLOR, username="e2e-samtal")
    counsellor_device = add_totp_device(counsellor)
    mira = services.register_client(unit=UnitCode.COUNSELLING, by=assistant, alias="Mira")
    booking = booking_today(staff=counsellor, client=mira, by=assistant, hour=8)

    page.goto("/start/")
    log_in(page, assistant, assistant_device)
    page.wait_for_url(re.compile(r"/start/$"))
    today = page.get_by_test_id("reception-today")
    assert "Mira" in today.inner_text()

    # A booking made meanwhile appears without the page being loaded again.
    page.evaluate("window.notReloaded = true")
    ines = services.register_client(unit=UnitCode.COUNSELLING, by=assistant, alias="Ines")
    booking_today(staff=counsellor, client=ines, by=assistant, hour=9)
    page.get_by_test_id("reception-today").get_by_text("Ines").wait_for(timeout=15_000)
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "reception-today")

    # Mira has come: one click.
    mira_row = page.get_by_test_id("booking").filter(has_text="Mira")
    mira_row.get_by_role("button", name="Har kommit").click()
    page.get_by_text("Ankomsten är registrerad.").wait_for()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ARRIVED
    assert "Mira" in page.get_by_test_id("waiting").inner_text()

    # An anonymous visitor: unit, purpose, gender and age band only.
    page.get_by_test_id("drop-in-link").click()
    anonymous = page.get_by_test_id("drop-in-anonymous")
    anonymous.get_by_label("Ärende").select_option(label="Information och rådgivning")
    anonymous.get_by_label("Kön").select_option(label="Kvinna")
    anonymous.get_by_label("Ålder").select_option(label="25–34 år")
    anonymous.get_by_role("button", name="Registrera anonymt besök").click()
    page.get_by_text("Besöket är registrerat.").wait_for()
    assert Visit.objects.filter(client__isnull=True, age_band="25-34").count() == 1
    assert "Anonym besökare" in page.get_by_test_id("waiting").inner_text()

    # The counsellor sees Mira waiting and takes her in.
    context = browser.new_context(base_url=page.url.split("/start/")[0], locale="sv-SE")
    other = context.new_page()
    other.goto("/start/")
    log_in(other, counsellor, counsellor_device)
    other.wait_for_url(re.compile(r"/start/$"))
    arrivals = other.get_by_test_id("arrivals")
    assert "Mira" in arrivals.inner_text() and "väntar sedan" in arrivals.inner_text()
    arrivals.get_by_role("button", name="Ta emot").click()
    other.get_by_text("Besökaren är mottagen.").wait_for()
    assert Visit.objects.get(booking=booking).taken_in_by == counsellor
    context.close()

    # The waiting room on the assistant's page (still open) empties of Mira by itself.
    page.evaluate("window.notReloaded = true")
    expect(page.get_by_test_id("waiting")).not_to_contain_text("Mira", timeout=15_000)
    assert page.evaluate("window.notReloaded") is True
    assert not page.console_errors


def test_a_new_client_is_queued_and_offered_a_place_with_a_counsellor(
    page, browser, live_server, screenshot
):
    assistant = UserFactory(role=Role.OFFICE_ASSISTANT, username="e2e-kon")
    assistant_device = add_totp_device(assistant)
    counsellor = UserFactory(role=Role.COUNSELLOR, username="e2e-saga",
                             first_name="Saga", last_name="Berg")
    counsellor_device = add_totp_device(counsellor)
    services.add_to_queue(
        services.register_client(unit=UnitCode.COUNSELLING, by=assistant, alias="Tova"),
        source=QueueSource.SELF, by=assistant,
        added_on=timezone.localdate() - timedelta(days=30),
    )
    services.register_client(unit=UnitCode.COUNSELLING, by=assistant, alias="Nora")

    # The assistant finds Nora, a new client, and puts her in the queue from her page.
    page.goto("/klienter/")
    log_in(page, assistant, assistant_device)
    page.wait_for_url(re.compile(r"/klienter/$"))
    page.get_by_label("Sök klient").fill("Nora")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.get_by_test_id("client-results").get_by_role("link", name="Nora").click()
    page.wait_for_url(re.compile(r"/klienter/[0-9a-f-]+/$"))
    page.get_by_role("link", name="Sätt i kö").click()
    expect(page.get_by_role("heading", name=re.compile("Sätt Nora i kö"))).to_be_visible()
    page.get_by_label("Kommer från").select_option(label="Mottagningen")
    page.get_by_role("textbox", name="Språk").fill("arabiska")
    page.get_by_label("Behöver tolk").check()
    page.get_by_label("Önskar behandlare").select_option(label="Kvinna")
    page.get_by_role("button", name="Sätt i kö").click()

    # The queue page: Nora last, after Tova who has waited a month; her wishes, no case.
    page.wait_for_url(re.compile(r"/ko/$"))
    expect(page.get_by_text("Nora står nu i kön.")).to_be_visible()
    rows = page.get_by_test_id("queue-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Tova")
    nora_row = rows.filter(has_text="Nora")
    expect(nora_row).to_contain_text("arabiska · tolk · behandlare: kvinna")
    expect(nora_row.get_by_test_id("waited")).to_have_text("0 dagar")
    expect(page.get_by_test_id("queue-summary")).to_contain_text("2 klienter väntar.")
    screenshot(page, "queue")

    # A place with Saga Berg.
    nora_row.get_by_role("link", name="Erbjud plats").click()
    expect(page.get_by_role("heading", name="Erbjud plats: Nora")).to_be_visible()
    page.get_by_label("Behandlare").select_option(label="Saga Berg")
    page.get_by_role("button", name="Erbjud plats").click()

    page.wait_for_url(re.compile(r"/ko/$"))
    expect(page.get_by_text("Nora har fått en plats och är tilldelad behandlaren.")).to_be_visible()
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    expect(page.get_by_test_id("queue")).not_to_contain_text("Nora")
    expect(page.get_by_test_id("queue-summary")).to_contain_text("1 klient väntar.")
    entry = QueueEntry.objects.get(client__alias="Nora")
    assert entry.left_reason == QueueRemoval.OFFERED and entry.offered_to == counsellor
    assert Assignment.objects.current().filter(
        journal__client__alias="Nora", journal__unit=UnitCode.COUNSELLING, counsellor=counsellor
    ).exists()
    assert page.console_errors == []

    # Saga finds Nora on her start page and opens her counselling journal.
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    other = context.new_page()
    errors = []
    other.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    other.goto("/start/")
    log_in(other, counsellor, counsellor_device)
    other.wait_for_url(re.compile(r"/start/$"))
    from_queue = other.get_by_test_id("from-queue")
    expect(from_queue).to_contain_text("Nora")
    from_queue.get_by_role("link", name="samtalskontrakt").click()
    expect(other.get_by_role("heading", name="Samtalskontrakt: Nora")).to_be_visible()
    journal = re.compile("Journal: Mottagning och samtalsbehandling")
    other.get_by_role("link", name=journal).click()
    other.wait_for_url(re.compile(r"/journal/counselling/$"))
    expect(other.get_by_role("heading", name=journal)).to_be_visible()
    expect(other.get_by_test_id("assignments")).to_contain_text("Saga Berg")
    screenshot(other, "queue-counsellor-journal")
    context.close()
    assert errors == []
