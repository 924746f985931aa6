"""Records over their whole life in the browser (issue 12): the manager makes a weeding dry
run and reads its report; produces a client's register extract, withholds an entry in the
secrecy review, releases it and downloads the PDF; the counsellor prints a journal."""

import io
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from clients import services
from clients.models import Client, Enrollment, EntryState, Journal, JournalEntry
from prostenhet.roles import Role, UnitCode

from ..factories import UserFactory, add_totp_device
from ..world import ADULT_NUMBERS
from .test_journal_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def old_record(by):
    """A counselling client whose record ended seven years ago: due for weeding."""
    last = timezone.localdate() - timedelta(days=7 * 365)
    noon = timezone.make_aware(datetime.combine(last, time(12)))
    client = Client.objects.create(alias="Gammal", created_by=by, created_at=noon)
    Enrollment.objects.create(client=client, unit=UnitCode.COUNSELLING,
                              started_on=last - timedelta(days=30), ended_on=last, created_by=by)
    journal = Journal.objects.create(client=client, unit=UnitCode.COUNSELLING, created_at=noon)
    JournalEntry.objects.create(journal=journal, unit=UnitCode.COUNSELLING, event_date=last,
                                written_at=noon, author=by, text="Sista samtalet.",
                                state=EntryState.SIGNED, signed_by=by, signed_at=noon)
    return client


def test_the_manager_weeds_in_a_dry_run_and_releases_a_reviewed_extract(page, screenshot):
    manager = UserFactory(role=Role.MANAGER, username="e2e-chef")
    device = add_totp_device(manager)
    counsellor = UserFactory(role=Role.COUNSELLOR, username="e2e-behandlare")
    gone = old_record(counsellor)
    number = next(n for n in ADULT_NUMBERS if n[6:8] not in ("05", "15", "25"))
    client = services.register_client(unit=UnitCode.COUNSELLING, by=counsellor, alias="Vera",
                                      identity_number=number)
    journal = client.journals.get()
    for text in ("Samtal om arbete och boende.", "Berättade om systerns situation."):
        services.sign_entry(services.save_draft(journal=journal, by=counsellor, text=text),
                            by=counsellor)

    page.goto("/start/")
    log_in(page, manager, device)
    page.wait_for_url(re.compile(r"/start/$"))
    page.get_by_role("navigation").get_by_role("link", name="Gallring").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gallring")
    page.get_by_role("button", name="Gör en provkörning nu").click()
    expect(page.get_by_role("status").or_(page.locator(".alert-success"))).to_contain_text(
        "Provkörningen är klar")
    records = page.get_by_test_id("weeding-records")
    expect(records).to_contain_text(str(gone.public_id))
    expect(records).not_to_contain_text("Gammal")
    expect(records).to_contain_text("Gallras")
    screenshot(page, "weeding")
    assert Client.objects.filter(pk=gone.pk).exists()  # a dry run changes nothing

    page.get_by_role("navigation").get_by_role("link", name="Registerutdrag").first.click()
    page.get_by_label("Personnummer").fill(number)
    page.get_by_role("button", name="Sök").click()
    result = page.get_by_test_id("result")
    expect(result).to_contain_text("Vera")
    result.get_by_role("link", name="Nytt registerutdrag").click()
    page.get_by_label("Dag då klienten begärde utdraget").fill(
        (timezone.localdate() - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Ta fram utdraget").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sekretessprövning")

    item = page.get_by_test_id("item").filter(has_text="systerns situation")
    item.get_by_role("link", name=re.compile("^Undanta")).click()
    form = page.get_by_test_id("withhold-form")
    form.get_by_label("Skäl").select_option("other_person")
    form.get_by_role("button", name="Undanta").click()
    expect(page.get_by_test_id("withheld-count")).to_have_text("1")
    screenshot(page, "extract-review")

    page.get_by_label(re.compile("Jag har sekretessprövat")).check()
    page.get_by_test_id("release").get_by_role("button", name="Frisläpp").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registerutdrag")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Samtal om arbete och boende.")
    expect(main).to_contain_text("Uppgift undantagen enligt sekretess")
    expect(main).not_to_contain_text("systerns situation")

    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ned som PDF").click()
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "Samtal om arbete och boende." in text and "systerns" not in text
    assert number not in download.value.suggested_filename


def test_the_counsellor_prints_a_journal_and_downloads_it_as_pdf(page):
    counsellor = UserFactory(role=Role.COUNSELLOR, username="e2e-behandlare")
    device = add_totp_device(counsellor)
    client = services.register_client(unit=UnitCode.COUNSELLING, by=counsellor, alias="Nora")
    journal = client.journals.get()
    first = services.sign_entry(
        services.save_draft(journal=journal, by=counsellor, text="Första samtalet."),
        by=counsellor)
    services.sign_entry(services.save_draft(journal=journal, by=counsellor,
                                            text="Rättat: andra datumet.", corrects=first),
                        by=counsellor)
    page.goto(f"/klienter/{client.public_id}/journal/counselling/")
    log_in(page, counsellor, device)
    page.get_by_role("link", name="Skriv ut").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Första samtalet.")
    expect(main).to_contain_text("Rättat: andra datumet.")
    expect(page.get_by_role("button", name="Skriv ut")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("journal-pdf").click()
    data = Path(download.value.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Första samtalet." in text and "Rättat: andra datumet." in text
    assert date.today().isoformat()[:4] in download.value.suggested_filename
