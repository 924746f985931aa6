"""A KAST call that ends in a booked session, in the browser (issue 10): the KAST counsellor
records an anonymous call from someone who heard of KAST through the police, the outcome
"booked"; registers the caller as a KAST client from the call page (the counsellor becomes
theirs) and books the first session; the session is on the counsellor's calendar and, on its
day, on the start page. A counsellor of counselling sees none of it."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Booking
from kast.models import Call, CallOutcome, HeardVia
from prostenhet import access as staff_access
from prostenhet.models import Unit
from prostenhet.roles import Role, UnitCode

from ..factories import UserFactory, add_totp_device
from .test_journal_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def next_weekday(days=1):
    day = timezone.localdate() + timedelta(days=days)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def test_a_kast_call_ends_in_a_booked_session(page, browser, screenshot):
    counsellor = UserFactory(role=Role.COUNSELLOR, username="e2e-kast")
    counsellor.units.set(Unit.objects.filter(code=UnitCode.KAST))
    staff_access.sync_staff_units(counsellor)
    device = add_totp_device(counsellor)
    other = UserFactory(role=Role.COUNSELLOR, username="e2e-behandlare")
    other_device = add_totp_device(other)

    # The call: anonymous, heard of KAST through the police, ends in a booking.
    page.goto("/start/")
    log_in(page, counsellor, device)
    page.wait_for_url(re.compile(r"/start/$"))
    page.get_by_test_id("kast-new-call").click()
    page.get_by_label("Längd (minuter)").fill("25")
    page.get_by_label("Hörde om KAST via").select_option(label="Polisen, efter förhör")
    page.get_by_label("Vad samtalet gällde").fill("Förhördes förra veckan, vill sluta köpa sex.")
    page.get_by_label("Efter gripande eller förhör").check()
    page.get_by_label("Bokade samtal").check()
    page.get_by_label("Uppringarkod").fill("Uppringare 5")
    page.get_by_role("button", name="Spara samtalet").click()
    page.get_by_text("Samtalet är sparat.").wait_for()
    call = Call.objects.get()
    assert (call.heard_via, call.outcome, call.client) == (HeardVia.POLICE, CallOutcome.BOOKED,
                                                            None)
    expect(page.get_by_test_id("kast-caller")).to_contain_text("anonym")

    # The caller becomes a KAST client; the counsellor is theirs.
    page.get_by_test_id("kast-register").click()
    expect(page.get_by_label("Alias")).to_have_value("Uppringare 5")
    page.get_by_label("Alias").fill("Bertil")
    page.get_by_role("button", name="Registrera som KAST-klient").click()
    page.get_by_text("Bertil är registrerad som KAST-klient.").wait_for()
    expect(page.get_by_test_id("kast-caller")).to_contain_text("Bertil")

    # The first session, booked from the call.
    day = next_weekday()
    page.get_by_test_id("kast-book").click()
    page.get_by_label("Tid").fill(f"{day.isoformat()}T10:00")
    page.get_by_role("button", name="Boka samtalet").click()
    page.get_by_text("Första samtalet är bokat").wait_for()
    expect(page.get_by_test_id("kast-booking")).to_contain_text(f"{day.isoformat()} 10:00")
    booking = Booking.objects.get(client__alias="Bertil")
    assert booking.staff == counsellor and booking.unit == UnitCode.KAST
    screenshot(page, "kast-call-booked")

    # On the counsellor's calendar of that day.
    page.goto(f"/klienter/kalender/?date={day.isoformat()}&staff={counsellor.public_id}")
    expect(page.locator("main")).to_contain_text("Bertil")
    # On its day (moved there: the service books only ahead), on the start page's day.
    now = timezone.now()
    starts = max(now + timedelta(minutes=10),
                 timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 5))))
    if timezone.localdate(starts) == timezone.localdate():
        Booking.objects.filter(pk=booking.pk).update(starts_at=starts,
                                                     ends_at=starts + timedelta(minutes=30))
        page.goto("/start/")
        expect(page.get_by_test_id("my-sessions")).to_contain_text("Bertil")
        expect(page.get_by_test_id("kast-panel")).to_contain_text("Bertil")

    # A counsellor of counselling: no KAST panel, section, client or call.
    context = browser.new_context(base_url=page.url.split("/start/")[0].split("/klienter/")[0],
                                  locale="sv-SE")
    outsider = context.new_page()
    outsider.goto("/start/")
    log_in(outsider, other, other_device)
    outsider.wait_for_url(re.compile(r"/start/$"))
    html = outsider.content()
    assert "Bertil" not in html and "Uppringare 5" not in html and "KAST-samtal" not in html
    response = outsider.goto(f"/kast/samtal/{call.public_id}/")
    assert response.status == 404
    context.close()
