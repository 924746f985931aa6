"""The midwife's day at Spiralen in the browser (issue 9): a gynaecological examination booked
from the first free times, the arrival registered by the office assistant (who sees the time,
the alias and the profession, never the type), the encounter recorded with chlamydia and HIV
samples, a positive chlamydia result on the follow-up list, the notification and the patient
informed — and the list is empty again."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients import services
from clients.models import Booking, BookingStatus
from prostenhet import access as staff_access
from prostenhet.models import Unit
from prostenhet.roles import Profession, Role, UnitCode
from spiralen.models import (
    AppointmentCode,
    AppointmentType,
    ConsultationHours,
    Sample,
    SampleKind,
    SampleResult,
    SampleState,
)

from ..factories import UserFactory, add_totp_device
from .test_journal_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def clinician(username, profession):
    user = UserFactory(role=Role.CLINICIAN, username=username)
    user.profession = profession
    user.save(update_fields=["profession"])
    return user


def test_the_midwifes_day(page, browser, screenshot):
    midwife = clinician("e2e-barnmorska", Profession.MIDWIFE)
    midwife_device = add_totp_device(midwife)
    gynaecologist = clinician("e2e-gynekolog", Profession.GYNAECOLOGIST)
    assistant = UserFactory(role=Role.OFFICE_ASSISTANT, username="e2e-reception")
    assistant.units.set(Unit.objects.filter(code__in=[UnitCode.COUNSELLING, UnitCode.SPIRALEN]))
    staff_access.sync_staff_units(assistant)
    assistant_device = add_totp_device(assistant)
    for weekday in range(1, 6):
        ConsultationHours.objects.create(
            clinician=gynaecologist, weekday=weekday, starts=time(8), ends=time(17),
            valid_from=timezone.localdate() - timedelta(days=1), created_by=midwife,
        )
    sara = services.register_client(unit=UnitCode.SPIRALEN, by=midwife, alias="Sara")

    # The midwife books a gynaecological examination from the first free times.
    page.goto("/start/")
    log_in(page, midwife, midwife_device)
    page.wait_for_url(re.compile(r"/start/$"))
    page.goto("/spiralen/boka/")
    examination = AppointmentType.objects.get(code=AppointmentCode.GYN_EXAMINATION)
    page.get_by_label("Besökstyp").select_option(value=str(examination.pk))
    expect(page.get_by_label("Besökstyp")).to_contain_text("Gynekologisk undersökning")
    page.get_by_label("Klient").select_option(value=str(sara.public_id))
    page.get_by_role("button", name="Visa lediga tider").click()
    first = page.get_by_test_id("free-time").first
    expect(first).to_contain_text(str(gynaecologist))
    first.click()
    page.get_by_text("Tiden är bokad").wait_for()
    booking = Booking.objects.get(client=sara)
    assert booking.staff == gynaecologist and booking.appointment.type.code == "gyn_examination"
    screenshot(page, "clinic-booked")

    # The day of the examination: Sara comes; the office assistant registers the arrival.
    now = timezone.now()
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(minutes=40)
    )
    context = browser.new_context(base_url=page.url.split("/spiralen/")[0], locale="sv-SE")
    reception = context.new_page()
    reception.goto("/start/")
    log_in(reception, assistant, assistant_device)
    reception.wait_for_url(re.compile(r"/start/$"))
    today = reception.get_by_test_id("reception-today")
    expect(today).to_contain_text("Spiralen – gynekolog")
    assert "Gynekologisk undersökning" not in today.inner_text()
    row = reception.get_by_test_id("booking").filter(has_text="Sara")
    row.get_by_role("button", name="Har kommit").click()
    reception.get_by_text("Ankomsten är registrerad.").wait_for()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ARRIVED
    context.close()

    # The midwife records the encounter with chlamydia and HIV samples and signs it.
    page.goto(f"/spiralen/patient/{sara.public_id}/")
    page.get_by_test_id("new-encounter").click()
    page.get_by_label("Besökets art").select_option(label="Gynekologisk undersökning")
    page.get_by_label("Fynd").fill("Inga besvär. Gynekologisk undersökning utan anmärkning.")
    page.get_by_label("Åtgärder").fill("Prover tagna för klamydia och hiv.")
    page.get_by_label("Klamydia").check()
    page.get_by_label("Hiv").check()
    page.get_by_role("button", name="Signera…").click()
    page.get_by_role("heading", name="Signera anteckningen").wait_for()
    page.get_by_role("button", name="Signera", exact=True).click()
    page.wait_for_url(re.compile(r"/klienter/"))
    samples = {s.kind: s for s in Sample.objects.filter(journal__client=sara)}
    assert set(samples) == {SampleKind.CHLAMYDIA, SampleKind.HIV}

    # The chlamydia sample is sent; later its result comes back positive.
    page.goto(f"/spiralen/patient/{sara.public_id}/")
    chlamydia_row = page.get_by_test_id("sample-row").filter(has_text="Klamydia")
    chlamydia_row.get_by_role("link", name=re.compile("^Skickat")).click()
    page.get_by_role("button", name="Provet är skickat").click()
    chlamydia_row = page.get_by_test_id("sample-row").filter(has_text="Klamydia")
    chlamydia_row.get_by_role("link", name=re.compile("^Registrera svar")).click()
    page.get_by_label("Positivt").check()
    page.get_by_label("Svarstext").fill("Chlamydia trachomatis påvisad.")
    page.get_by_role("button", name="Registrera svaret").click()
    chlamydia = Sample.objects.get(pk=samples[SampleKind.CHLAMYDIA].pk)
    assert (chlamydia.state, chlamydia.result) == (SampleState.RESULT, SampleResult.POSITIVE)

    # It is on the follow-up list of the clinic's start page: a notification to make.
    page.goto("/start/")
    panel = page.get_by_test_id("follow-up-panel")
    expect(panel).to_contain_text("Sara")
    screenshot(page, "clinic-follow-up")
    page.goto("/spiralen/uppfoljning/")
    page.get_by_test_id("follow-up-to_notify").get_by_role(
        "link", name=re.compile("^Smittskyddsanmälan")
    ).click()
    page.get_by_role("button", name="Registrera anmälan").click()
    # The patient is told, with the follow-up plan.
    page.goto(f"/spiralen/patient/{sara.public_id}/")
    chlamydia_row = page.get_by_test_id("sample-row").filter(has_text="Klamydia")
    chlamydia_row.get_by_role("link", name=re.compile("^Patienten informerad")).click()
    page.get_by_label("Per telefon").check()
    page.get_by_label("Uppföljningsplan").fill("Behandling förskriven. Smittspårning påbörjad.")
    page.get_by_role("button", name="Patienten är informerad").click()
    chlamydia.refresh_from_db()
    assert chlamydia.state == SampleState.INFORMED and chlamydia.notified_on is not None

    # The list is empty again (the HIV result is not due yet).
    page.goto("/start/")
    expect(page.get_by_test_id("follow-up-panel")).to_contain_text("Inget att följa upp just nu.")
    assert not page.console_errors
