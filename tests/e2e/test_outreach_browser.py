"""The outreach worker's night on a phone (issue 10), in Chromium at 390 px: start a shift
from the start page, add three contacts — one anonymous, one under a nickname the team met on
an earlier shift, one with a registered client found by search — book a first clinic visit on
Spiralen for the registered client (with the client's consent: the referral goes with it),
record it as a support action, and close the shift. The shift page fits the screen and passes
axe-core."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients import services as client_services
from clients.models import Booking, Referral
from outreach import services
from outreach.models import Contact, Nickname, Shift, SupportAction
from prostenhet.roles import Profession, Role, UnitCode
from spiralen.models import AppointmentCode, AppointmentType, ConsultationHours

from ..factories import UserFactory, add_totp_device
from .test_accessibility import FAILING_IMPACTS, axe_violations
from .test_journal_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def fits_the_screen(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def serious_violations(page):
    return [v["id"] for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]


def test_the_outreach_workers_night(browser, live_server, settings, screenshot):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    worker = UserFactory(role=Role.OUTREACH_WORKER, username="e2e-uppsokare")
    device = add_totp_device(worker)
    midwife = UserFactory(role=Role.CLINICIAN, username="e2e-barnmorska")
    midwife.profession = Profession.MIDWIFE
    midwife.save(update_fields=["profession"])
    for weekday in range(1, 6):
        ConsultationHours.objects.create(
            clinician=midwife, weekday=weekday, starts=time(8), ends=time(17),
            valid_from=timezone.localdate() - timedelta(days=1), created_by=midwife,
        )
    mira = client_services.register_client(unit=UnitCode.OUTREACH, by=worker, alias="Mira")
    # Blondie was met on an earlier shift.
    earlier_start = timezone.now() - timedelta(days=3)
    earlier = services.open_shift(starts_at=earlier_start,
                                  ends_at=earlier_start + timedelta(hours=4), staff=[worker],
                                  by=worker)
    services.add_contact(earlier, by=worker, first_contact=True, nickname="Blondie",
                         at=earlier_start + timedelta(hours=1))
    services.close_shift(earlier, by=worker, starts_at=earlier.starts_at,
                         ends_at=earlier.ends_at, staff=[worker], expected_version=None)

    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport=PHONE)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    # The start page: no open shift, so "Starta pass".
    page.goto("/start/")
    log_in(page, worker, device)
    page.wait_for_url(re.compile(r"/start/$"))
    page.get_by_test_id("outreach-panel").get_by_role("link", name="Starta pass").click()
    page.get_by_role("button", name="Starta passet").click()
    page.get_by_text("Passet är startat.").wait_for()
    shift = Shift.objects.open().get()
    assert list(shift.staff.all()) == [worker]
    assert fits_the_screen(page)

    # 1. Anonymous.
    form = page.locator("#contact-form")
    form.get_by_label("Kvinna").check()
    form.get_by_label("Ålder").select_option(label="25–34 år")
    form.get_by_label("Språk").fill("rumänska")
    form.get_by_label("Besök på Spiralen").check()
    form.get_by_label("Utfall").select_option(label="Samtal och information")
    form.get_by_role("button", name="Spara kontakten").click()
    page.get_by_text("Kontakten är sparad.").wait_for()

    # 2. Blondie again, a repeat contact under the team's nickname.
    form = page.locator("#contact-form")
    form.get_by_label("Återkommande").check()
    form.get_by_label("Smeknamn").fill("Blondie")
    form.get_by_label("Praktisk hjälp").check()
    form.get_by_role("button", name="Spara kontakten").click()
    page.get_by_text("Kontakten är sparad.").wait_for()

    # 3. Mira, a registered client, found by the beginning of her alias.
    page.get_by_label("Registrerad klient: sök på alias").fill("Mi")
    page.get_by_role("button", name="Sök", exact=True).click()
    form = page.locator("#contact-form")
    form.get_by_label("Mira").check()
    form.get_by_label("Besök på Spiralen").check()
    form.get_by_label("Utfall").select_option(label="Tackade ja till erbjudandet")
    form.get_by_role("button", name="Spara kontakten").click()
    page.get_by_text("Kontakten är sparad.").wait_for()

    contacts = page.get_by_test_id("contact")
    expect(contacts).to_have_count(3)
    assert Nickname.objects.count() == 1
    assert Contact.objects.filter(shift=shift, nickname__name="Blondie",
                                  first_contact=False).exists()
    assert Contact.objects.filter(shift=shift, client=mira).exists()
    assert fits_the_screen(page)
    assert serious_violations(page) == []
    screenshot(page, "outreach-shift-phone")

    # Book Mira's first clinic visit on Spiralen, with her consent (the referral goes along).
    contacts.filter(has_text="Mira").get_by_role("link", name="Mira").click()
    page.get_by_test_id("book-clinic").click()
    midwife_visit = AppointmentType.objects.get(code=AppointmentCode.MIDWIFE_VISIT)
    page.get_by_label("Besökstyp").select_option(value=str(midwife_visit.pk))
    expect(page.get_by_label("Klient")).to_have_value(str(mira.public_id))
    page.get_by_role("button", name="Visa lediga tider").click()
    page.get_by_label(re.compile("Klientens samtycke")).select_option(label="Muntligt")
    page.get_by_test_id("free-time").first.click()
    page.get_by_text("Tiden är bokad").wait_for()
    booking = Booking.objects.get(client=mira)
    assert booking.staff == midwife and booking.unit == UnitCode.SPIRALEN
    assert Referral.objects.get(client=mira).to_unit == UnitCode.SPIRALEN

    # It goes into Mira's outreach journal as a support action.
    page.goto(f"/uppsok/klient/{mira.public_id}/")
    page.get_by_test_id("new-support").click()
    page.get_by_label("Första tid bokad på Spiralen").check()
    page.get_by_label("Vad gjordes").fill("Bokade första tid hos barnmorskan på Spiralen.")
    page.get_by_role("button", name="Spara och signera").click()
    page.get_by_text("Stödinsatsen är signerad i journalen.").wait_for()
    assert SupportAction.objects.get().entry.journal.client == mira

    # Close the shift: the report and the counts.
    page.goto("/start/")
    page.get_by_test_id("open-shift").get_by_role("link").click()
    page.get_by_test_id("close-shift").click()
    page.get_by_label("Passrapport").fill("Kallt, få ute. Flera nya ansikten.")
    page.get_by_label("Säljande, kvinnor").fill("6")
    page.get_by_label("Köpare").fill("4")
    page.get_by_label("Kondomer").fill("30")
    page.get_by_role("button", name="Avsluta passet").click()
    page.get_by_text("Passet är avslutat.").wait_for()
    expect(page.get_by_test_id("shift-state")).to_have_text("Avslutat")
    shift.refresh_from_db()
    assert not shift.is_open and shift.seen_women == 6 and shift.buyers_seen == 4
    assert shift.materials.get(kind__name="Kondomer").count == 30
    assert page.locator("#contact-form").count() == 0
    page.goto("/start/")
    expect(page.get_by_test_id("outreach-panel")).to_contain_text("Starta pass")
    assert not errors
    context.close()
