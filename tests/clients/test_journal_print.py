"""Printable journals (DESIGN §5, issue 12): one client's journal in one unit prints, as a page
and as a PDF, every signed entry in date order with its event date, date written, author,
profession and signature, what the unit's app records with it, and each correction directly
under the entry it corrects; drafts are not printed. Access is the journal page's, printing is
logged as a read, KAST stays sealed, a protected identity never prints, and the queries do not
grow with the entries."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clients import audit, services
from outreach.models import Authority, SupportKind
from outreach.services.support import record_support_action
from prostenhet.lib import personnummer
from prostenhet.models import AccessKind, AccessLog
from prostenhet.roles import UnitCode
from spiralen.services.records import save_encounter
from tests.world import ADULT_NUMBERS, signed_entry

from .helpers import main_html, today

pytestmark = pytest.mark.django_db


def print_url(client, unit=UnitCode.COUNSELLING):
    return reverse("clients:journal-print", args=[client.public_id, unit])


def pdf_url(client, unit=UnitCode.COUNSELLING):
    return reverse("clients:journal-pdf", args=[client.public_id, unit])


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def page_text(response):
    """The page's main content as text, tags and runs of white space removed."""
    return " ".join(re.sub(r"<[^>]+>", " ", main_html(response)).split())


def signed_on(journal, author, text, days_ago, corrects=None):
    entry = services.save_draft(
        journal=journal, by=author, text=text, corrects=corrects,
        event_date=today() - datetime.timedelta(days=days_ago),
    )
    return services.sign_entry(entry, by=author)


def in_order(text, *parts):
    positions = [text.index(part) for part in parts]
    return positions == sorted(positions)


@pytest.fixture
def history(world):
    """Anna's counselling journal: entries out of order by when they were written, a
    correction of the oldest (written last), and the world's draft."""
    journal = world.anna_counselling
    middle = signed_on(journal, world.co, "Mellersta samtalet om skam.", days_ago=5)
    oldest = signed_on(journal, world.co, "Äldsta samtalet – Ștefan och Юлия.", days_ago=20)
    correction = signed_on(journal, world.co, "Rättelse: det var i tisdags.", days_ago=0,
                           corrects=oldest)
    services.save_draft(journal=journal, by=world.co, text="Ett osignerat utkast om annat.")
    return {"oldest": oldest, "middle": middle, "correction": correction,
            "newest": world.anna_signed}


def test_printed_page_has_every_signed_entry_in_date_order_with_corrections_beside(
    world, login, history
):
    response = login(world.co).get(print_url(world.anna))

    assert response.status_code == 200
    text = page_text(response)
    assert in_order(text, "Äldsta samtalet – Ștefan och Юлия.", "Rättelse: det var i tisdags.",
                    "Mellersta samtalet om skam.", "Samtal om gränssättning.")
    oldest = history["oldest"]
    assert f"Rättar anteckning från {oldest.event_date:%Y-%m-%d}" in text
    assert "Rättad" in text[: text.index("Rättelse: det var i tisdags.")]
    assert "Utkast pågår." not in text and "Ett osignerat utkast" not in text
    author = str(world.co)
    assert text.count(author) >= 4
    assert "Yrke Samtalsbehandlare" in text
    signed_at = timezone.localtime(oldest.signed_at)
    assert f"Signerad {signed_at:%Y-%m-%d %H:%M} av {author}" in text
    assert f"Händelsedatum {oldest.event_date:%Y-%m-%d}" in text
    assert "Skriven" in text and "Utskriven av" in text
    # Non-protected identity prints for whoever may read the journal, as on the client page.
    assert "Anna Andersson" in text
    assert personnummer.display(ADULT_NUMBERS[10]) in text
    html = main_html(response)
    assert html.count('data-testid="printed-entry"') == 4
    assert html.count("ms-4") == 1  # the correction, indented under its original


def test_the_pdf_has_the_same_content_and_a_name_without_personal_data(world, login, history):
    response = login(world.co).get(pdf_url(world.anna))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="journal-counselling-{today():%Y-%m-%d}.pdf"')
    text = pdf_text(response)
    assert in_order(text, "Äldsta samtalet – Ștefan och Юлия.", "Rättelse: det var i tisdags.",
                    "Mellersta samtalet om skam.", "Samtal om gränssättning.")
    assert f"Rättar anteckning från {history['oldest'].event_date:%Y-%m-%d}" in text
    assert "Rättad" in text
    assert "Ett osignerat utkast" not in text and "Utkast pågår." not in text
    assert str(world.co) in text and "Samtalsbehandlare" in text
    assert "Sida 1 av" in text


def test_the_unit_apps_details_print_with_their_entries(world, login):
    entry = save_encounter(
        journal=world.anna_spiralen, by=world.cl, kind="sti_testing",
        findings="Fynd utan anmärkning.", actions="Prover tagna.", sample_kinds=["chlamydia"],
    )
    services.sign_entry(entry, by=world.cl)
    olle_journal = world.olle.journals.get(unit=UnitCode.OUTREACH)
    record_support_action(journal=olle_journal, by=world.ow, kind=SupportKind.AUTHORITY_CONTACT,
                          authority=Authority.POLICE, text="Ringde polisen med Olle.")

    clinic = page_text(login(world.cl).get(print_url(world.anna, UnitCode.SPIRALEN)))
    assert "Fynd utan anmärkning." in clinic and "Provtagning klamydia." in clinic
    assert "Åtgärder Prover tagna." in clinic and "Prover Klamydia" in clinic
    outreach = pdf_text(login(world.ow).get(pdf_url(world.olle, UnitCode.OUTREACH)))
    assert "Ringde polisen med Olle." in outreach
    assert "Stödinsats: Kontakt med annan myndighet" in outreach
    assert "Myndighet eller organisation: Polisen" in outreach


@pytest.mark.parametrize("role", ["oa", "ow", "cl", "kco", "ma", "sa"])
def test_who_may_not_read_the_journal_cannot_print_it(world, login, role):
    browser = login(getattr(world, role))
    for url in (print_url(world.anna), pdf_url(world.anna)):
        journal = browser.get(reverse("clients:journal", args=[world.anna.public_id,
                                                                UnitCode.COUNSELLING]))
        response = browser.get(url)
        assert response.status_code == journal.status_code
        assert response.status_code in (403, 404)
        assert b"Samtal om gr" not in response.content


def test_printing_is_logged_as_a_read(world, login):
    browser = login(world.co)
    for url, view in ((print_url(world.anna), "clients:journal-print"),
                      (pdf_url(world.anna), "clients:journal-pdf")):
        before = AccessLog.objects.count()
        assert browser.get(url).status_code == 200
        assert AccessLog.objects.count() == before + 1
        row = AccessLog.objects.latest("pk")
        assert (row.user, row.client, row.kind, row.view, row.detail) == (
            world.co, world.anna, AccessKind.READ, view, audit.JOURNAL_PRINTED)


def test_a_kast_journal_prints_for_kast_staff_only(world, login, staff_of):
    karl_print = print_url(world.karl, UnitCode.KAST)
    response = login(world.kco).get(karl_print)
    assert response.status_code == 200
    assert "Första telefonsamtalet." in page_text(response)
    assert "Första telefonsamtalet." in pdf_text(
        login(world.kco).get(pdf_url(world.karl, UnitCode.KAST)))
    assert AccessLog.objects.filter(client=world.karl, view="clients:journal-print").get().sealed

    for outsider in (world.co, world.oa, world.ma, world.cl):
        browser = login(outsider)
        assert browser.get(karl_print).status_code == 404
        assert browser.get(pdf_url(world.karl, UnitCode.KAST)).status_code == 404


def test_a_protected_identity_never_prints(world, login):
    journal = world.petra.journals.get(unit=UnitCode.COUNSELLING)
    services.assign_counsellor(journal, world.co, by=world.oa)
    signed_entry(journal, world.co, "Samtal med Petra.")
    browser = login(world.co)

    page = page_text(browser.get(print_url(world.petra)))
    document = pdf_text(browser.get(pdf_url(world.petra)))

    for text in (page, document):
        assert "Samtal med Petra." in text
        assert "Skyddade personuppgifter" in text
        assert "Petra Hemlig" not in text and "Hemliga gatan" not in text
        number = ADULT_NUMBERS[20]
        assert personnummer.display(number) not in text and number not in text
        assert number[2:8] not in text
    assert AccessLog.objects.filter(client=world.petra, protected_identity=True).count() == 2


def test_the_journal_page_links_the_print_and_the_pdf(world, login):
    html = main_html(login(world.co).get(
        reverse("clients:journal", args=[world.anna.public_id, UnitCode.COUNSELLING])))

    assert f'href="{print_url(world.anna)}"' in html
    assert re.search(rf'href="{re.escape(pdf_url(world.anna))}" download', html)


@pytest.mark.parametrize("name", ["clients:journal-print", "clients:journal-pdf"])
def test_queries_do_not_grow_with_the_entries(world, login, name,
                                              django_assert_max_num_queries):
    browser = login(world.co)
    url = reverse(name, args=[world.anna.public_id, UnitCode.COUNSELLING])
    browser.get(url)  # the session and the user's rights warm up as on any page
    with django_assert_max_num_queries(QUERY_BOUND):
        assert browser.get(url).status_code == 200
    original = world.anna_signed
    for number in range(30):
        entry = signed_on(world.anna_counselling, world.co, f"Anteckning {number}.",
                          days_ago=number % 7)
        if number % 10 == 0:
            signed_on(world.anna_counselling, world.co, f"Rättelse {number}.", days_ago=0,
                      corrects=entry if number else original)
    with django_assert_max_num_queries(QUERY_BOUND):
        response = browser.get(url)
    text = pdf_text(response) if name.endswith("pdf") else page_text(response)
    assert "Anteckning 29." in text and "Rättelse 20." in text


QUERY_BOUND = 12
