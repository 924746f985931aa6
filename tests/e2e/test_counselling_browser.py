"""The counsellor's session in the browser (issue 8): from "Min dag" on the start page the
counsellor opens today's session, writes the note with its themes and method (autosaved),
signs it and finds it in the journal beside the entry a missed session left by itself; then
evaluates a goal of a contract whose term ends within three weeks."""

import re
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients import services
from clients.models import (
    Booking,
    BookingKind,
    BookingStatus,
    EntryKind,
    EntryState,
    Goal,
    GoalOutcome,
    GoalStatus,
    Journal,
    JournalEntry,
    SessionContract,
)
from prostenhet.roles import Role, UnitCode

from ..factories import UserFactory, add_totp_device
from .test_journal_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Lina berättade om veckan på jobbet och övade på att säga nej till sin chef."
GOAL = "Kunna säga nej utan att skämmas."


def next_weekday(day):
    """The first Monday–Friday after day."""
    day += timedelta(days=1)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def contracted_session(contract, starts_at):
    """A session of the contract at a time the booking service would refuse (it is past)."""
    return Booking.objects.create(
        unit=UnitCode.COUNSELLING, kind=BookingKind.SESSION, staff=contract.counsellor,
        client=contract.journal.client, contract=contract, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=45), created_by=contract.counsellor,
    )


@pytest.fixture
def lina():
    """Lina, assigned to the counsellor Elin Ek by the office assistant, with a weekly
    contract whose term ends within three weeks and one goal; today's session has begun,
    yesterday's was missed and marked as a no-show."""
    assistant = UserFactory(role=Role.OFFICE_ASSISTANT, username="e2e-assistent")
    counsellor = UserFactory(role=Role.COUNSELLOR, username="e2e-elin",
                             first_name="Elin", last_name="Ek")
    client = services.register_client(unit=UnitCode.COUNSELLING, by=assistant, alias="Lina")
    journal = Journal.objects.get(client=client, unit=UnitCode.COUNSELLING)
    services.assign_counsellor(journal, counsellor, by=assistant)

    now = timezone.localtime()
    today = now.date()
    # Weekly from the next weekday on (the service books only times ahead)...
    first = next_weekday(today)
    contract = services.create_contract(
        journal, by=counsellor, weekday=first.isoweekday(), start_time=time(10), minutes=45,
        starts_on=first,
    ).contract
    # ...and a term that ends within the evaluation weeks, whatever day the test runs.
    SessionContract.objects.filter(pk=contract.pk).update(
        ends_on=min(contract.ends_on, today + timedelta(days=14))
    )
    services.add_goal(contract, text=GOAL, by=counsellor)

    midnight = timezone.make_aware(datetime.combine(today, time(0)))
    started = max(midnight, now.replace(second=0, microsecond=0) - timedelta(minutes=30))
    session = contracted_session(contract, started)
    yesterday = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(10)))
    missed = contracted_session(contract, yesterday)
    services.set_session_status(missed, BookingStatus.NO_SHOW, by=counsellor)

    return SimpleNamespace(
        counsellor=counsellor, device=add_totp_device(counsellor), contract=contract,
        session=session, missed=missed,
    )


def test_the_counsellors_session_note_no_show_and_goal_evaluation(page, lina, screenshot):
    page.goto("/start/")
    log_in(page, lina.counsellor, lina.device)
    page.wait_for_url(re.compile(r"/start/$"))

    # "Min dag": today's session with Lina, and her goals due for evaluation.
    my_day = page.get_by_test_id("my-day")
    expect(my_day.get_by_role("heading", name="Min dag")).to_be_visible()
    sessions = my_day.get_by_test_id("my-sessions")
    expect(sessions).to_contain_text("Lina")
    expect(my_day.get_by_test_id("goals-due")).to_contain_text("Lina")
    screenshot(page, "my-day")

    # The note, written from the session.
    sessions.get_by_role("link", name="Skriv anteckning").click()
    page.wait_for_url(re.compile(r"/samtal/[0-9a-f-]+/anteckning/$"))
    page.get_by_label("Att sätta gränser").check()
    page.get_by_label("Relation").check()
    page.get_by_label("Anteckning", exact=True).fill(NOTE)
    expect(page.get_by_test_id("autosave-status")).to_contain_text("Sparat", timeout=15_000)
    draft = JournalEntry.objects.get(booking=lina.session)
    assert draft.state == EntryState.DRAFT and draft.text == NOTE
    assert draft.themes == ["boundaries"] and draft.methods == ["relation"]
    screenshot(page, "session-note-autosaved")

    page.get_by_role("button", name="Signera…").click()
    page.wait_for_url(re.compile(r"/signera/$"))
    expect(page.get_by_text(NOTE)).to_be_visible()
    page.get_by_role("button", name="Signera", exact=True).click()
    page.wait_for_url(re.compile(r"/journal/counselling/$"))

    # The journal: the signed note, and the no-show entry yesterday's session left by itself.
    entries = page.get_by_test_id("entry")
    today = timezone.localdate()
    note = entries.filter(has_text=NOTE)
    expect(note).to_have_count(1)
    expect(note.get_by_role("link")).to_have_text(f"Samtal {today:%Y-%m-%d}")
    no_show = entries.filter(has_text="Klienten kom inte till samtalet.")
    expect(no_show).to_have_count(1)
    expect(no_show.get_by_role("link")).to_have_text(
        f"Uteblivet samtal {today - timedelta(days=1):%Y-%m-%d}"
    )
    signed = JournalEntry.objects.get(booking=lina.session)
    assert signed.state == EntryState.SIGNED and signed.kind == EntryKind.SESSION
    assert signed.themes == ["boundaries"] and signed.methods == ["relation"]
    assert JournalEntry.objects.get(booking=lina.missed).kind == EntryKind.NO_SHOW
    screenshot(page, "journal-note-and-no-show")

    # The goal, evaluated at the term's end from "Min dag".
    page.goto("/start/")
    page.get_by_test_id("goals-due").get_by_role("link", name="Lina").click()
    page.wait_for_url(re.compile(r"/kontrakt/[0-9a-f-]+/$"))
    goal_row = page.get_by_test_id("goal").filter(has_text=GOAL)
    goal_row.get_by_role("link", name="Utvärdera").click()
    expect(page.get_by_role("heading", name="Utvärdera målet")).to_be_visible()
    page.get_by_label("Delvis uppnått").check()
    page.get_by_label("Kommentar").fill("Säger nej till chefen, men inte ännu hemma.")
    page.get_by_label("Behåll målet nästa termin").check()
    page.get_by_role("button", name="Spara utvärderingen").click()

    page.wait_for_url(re.compile(r"/kontrakt/[0-9a-f-]+/$"))
    expect(page.get_by_text("Målet är utvärderat.")).to_be_visible()
    expect(goal_row).to_contain_text(
        "Behålls · Delvis uppnått: Säger nej till chefen, men inte ännu hemma."
    )
    expect(goal_row.get_by_role("link", name="Utvärdera")).to_have_count(0)
    goal = Goal.objects.get(contract=lina.contract)
    assert goal.outcome == GoalOutcome.PARTLY
    assert goal.status == GoalStatus.KEPT
    assert goal.comment == "Säger nej till chefen, men inte ännu hemma."
    assert goal.evaluated_by == lina.counsellor
    screenshot(page, "goal-evaluated")

    # Nothing left to evaluate on "Min dag".
    page.goto("/start/")
    expect(page.get_by_test_id("goals-due")).to_contain_text("Inga mål att utvärdera just nu.")
    assert page.console_errors == []
