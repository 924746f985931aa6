"""Counsellors' work (issue 8): session contracts and their weekly bookings, single sessions
cancelled, missed sessions written in the journal by themselves, renewal and ending, goals
and their evaluation at the term's end, session notes from the booking, and "My day"."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import (
    Booking,
    BookingKind,
    BookingStatus,
    EntryKind,
    EntryState,
    GoalOutcome,
    GoalStatus,
    JournalEntry,
    QueueSource,
    Room,
    SessionContract,
    SessionMethod,
    SessionTheme,
    term_of,
)
from prostenhet.exceptions import DomainError
from prostenhet.roles import Role, UnitCode

from .helpers import main_html

pytestmark = pytest.mark.django_db

TUESDAY = 2


def next_term():
    """(first day, last day) of the term after today's."""
    first = services.next_term_start(timezone.localdate())
    return first, term_of(first)[3]


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def make_contract(world, *, starts_on=None, weekday=TUESDAY, start_time=time(10), **extra):
    first, _last = next_term()
    return services.create_contract(
        world.anna_counselling, by=world.co, weekday=weekday, start_time=start_time,
        starts_on=starts_on or first, **extra,
    )


def short_contract(world):
    """A contract over the last three weeks of the next term (fewer bookings to make)."""
    _first, last = next_term()
    return make_contract(world, starts_on=last - timedelta(days=20)).contract


def ending_soon(contract, days=10):
    """Bring the contract's end near, as if its term were ending in `days` days."""
    SessionContract.objects.filter(pk=contract.pk).update(
        starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=days)
    )
    contract.refresh_from_db()
    return contract


def started(booking, minutes_ago=30):
    """Move a session to now (begun minutes_ago), as if its day had come."""
    now = timezone.now()
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=now - timedelta(minutes=minutes_ago),
        ends_at=now - timedelta(minutes=minutes_ago) + timedelta(hours=1),
    )
    booking.refresh_from_db()
    return booking


# --- contracts -----------------------------------------------------------------------------


def test_a_contract_books_every_week_of_the_term_from_its_start(world):
    first, last = next_term()
    room = Room.objects.create(name="Rum 2", unit=UnitCode.COUNSELLING)

    result = make_contract(world, room=room)

    contract = result.contract
    assert (contract.starts_on, contract.ends_on) == (first, last)
    days = [timezone.localdate(b.starts_at) for b in contract.bookings.order_by("starts_at")]
    assert days == services.contract_dates(TUESDAY, first, last)
    assert all(day.isoweekday() == TUESDAY for day in days)
    assert len(days) >= 20 and not result.skipped
    booking = contract.bookings.first()
    assert (booking.kind, booking.staff, booking.room, booking.client) == (
        BookingKind.SESSION, world.co, room, world.anna
    )
    assert timezone.localtime(booking.starts_at).time() == time(10)
    assert booking.ends_at - booking.starts_at == timedelta(minutes=60)


def test_a_week_whose_slot_is_taken_is_skipped_and_named_to_the_counsellor(world, login):
    first, last = next_term()
    taken_day = services.contract_dates(TUESDAY, first, last)[2]
    services.book(unit=UnitCode.COUNSELLING, staff=world.co, by=world.co,
                  starts_at=at(taken_day, 10), ends_at=at(taken_day, 11))
    browser = login(world.co)

    response = browser.post(
        reverse("clients:contract-create", args=[world.anna.public_id, "counselling"]),
        {"weekday": TUESDAY, "start_time": "10:00", "minutes": 60, "starts_on": first},
        follow=True,
    )

    assert response.status_code == 200
    page = main_html(response)
    assert f"{taken_day:%Y-%m-%d}" in page and "kunde inte bokas" in page
    contract = SessionContract.objects.get()
    days = {timezone.localdate(b.starts_at) for b in contract.bookings.all()}
    assert taken_day not in days
    assert len(days) == len(services.contract_dates(TUESDAY, first, last)) - 1


@pytest.mark.parametrize("case, message", [
    ("saturday", "veckodag"),
    ("too_short", "minuter"),
    ("started_yesterday", "redan varit"),
    ("evening", "öppettiderna"),
])
def test_a_bad_contract_is_refused_with_a_clear_message(world, case, message):
    first, _last = next_term()
    fields = {
        "saturday": {"weekday": 6},
        "too_short": {"minutes": 5},
        "started_yesterday": {"starts_on": timezone.localdate() - timedelta(days=1)},
        "evening": {"start_time": time(19)},
    }[case]
    kwargs = {"weekday": TUESDAY, "start_time": time(10), "minutes": 60, "starts_on": first}
    kwargs.update(fields)

    with pytest.raises(DomainError, match=message):
        services.create_contract(world.anna_counselling, by=world.co, **kwargs)

    assert not SessionContract.objects.exists()
    assert not Booking.objects.exists()


def test_a_second_contract_for_the_same_term_is_refused(world):
    make_contract(world)
    with pytest.raises(DomainError, match="redan ett samtalskontrakt"):
        make_contract(world, weekday=3)
    assert SessionContract.objects.count() == 1


def test_only_the_assigned_counsellor_makes_a_contract(world, staff_of):
    other = staff_of(Role.COUNSELLOR)
    first, _last = next_term()
    for user in (other, world.oa, world.kco):
        with pytest.raises(DomainError, match="tilldelade behandlare"):
            services.create_contract(world.anna_counselling, by=user, weekday=TUESDAY,
                                     start_time=time(10), starts_on=first)
    assert not SessionContract.objects.exists()


def test_another_counsellor_cannot_open_the_contract_pages(world, login, staff_of):
    contract = short_contract(world)
    browser = login(staff_of(Role.COUNSELLOR))
    for url in (
        reverse("clients:contract-detail", args=[contract.public_id]),
        reverse("clients:contract-create", args=[world.anna.public_id, "counselling"]),
        reverse("clients:session-cancel", args=[contract.bookings.first().public_id]),
    ):
        assert browser.get(url).status_code == 404, url


# --- single sessions ---------------------------------------------------------------------------


def test_cancelling_one_session_leaves_the_rest_booked(world, login):
    contract = short_contract(world)
    first, *rest = contract.bookings.order_by("starts_at")

    response = login(world.co).post(
        reverse("clients:session-cancel", args=[first.public_id]),
        {"status": BookingStatus.CANCELLED_BY_UNIT, "version": first.version},
    )

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == BookingStatus.CANCELLED_BY_UNIT
    assert all(b.status == BookingStatus.BOOKED for b in Booking.objects.filter(
        pk__in=[b.pk for b in rest]))
    # The unit's cancellation is no missed session: nothing is written in the journal.
    assert not JournalEntry.objects.filter(booking=first).exists()


def test_a_stale_cancellation_is_refused(world, login):
    session = short_contract(world).bookings.first()
    services.move_booking(session, starts_at=session.starts_at + timedelta(hours=1),
                          ends_at=session.ends_at + timedelta(hours=1), by=world.co)

    response = login(world.co).post(
        reverse("clients:session-cancel", args=[session.public_id]),
        {"status": BookingStatus.CANCELLED_BY_UNIT, "version": session.version},
    )

    assert response.status_code == 200
    assert "Någon annan har ändrat" in main_html(response)
    session.refresh_from_db()
    assert session.status == BookingStatus.BOOKED


def test_a_late_cancellation_by_the_client_writes_a_signed_entry(world):
    session = short_contract(world).bookings.first()

    services.set_session_status(session, BookingStatus.CANCELLED_BY_CLIENT, by=world.co,
                                now=session.starts_at - timedelta(hours=5))

    entry = JournalEntry.objects.get(booking=session)
    assert entry.kind == EntryKind.LATE_CANCELLATION
    assert entry.state == EntryState.SIGNED and entry.signed_by == world.co
    assert entry.event_date == timezone.localdate(session.starts_at)
    assert entry.text == "Klienten avbokade sent."
    assert entry.journal == world.anna_counselling


def test_a_cancellation_in_good_time_writes_nothing(world):
    session = short_contract(world).bookings.first()
    services.set_session_status(session, BookingStatus.CANCELLED_BY_CLIENT, by=world.co,
                                now=session.starts_at - timedelta(days=3))
    assert not JournalEntry.objects.filter(booking=session).exists()


def test_a_no_show_entry_appears_in_the_journal_written_by_whoever_marked_it(world, login):
    session = started(short_contract(world).bookings.first())
    browser = login(world.co)

    response = browser.post(reverse("clients:session-no-show", args=[session.public_id]),
                            {"version": session.version})

    assert response.status_code == 302
    entry = JournalEntry.objects.get(booking=session)
    assert (entry.kind, entry.state, entry.author) == (
        EntryKind.NO_SHOW, EntryState.SIGNED, world.co
    )
    journal = main_html(browser.get(reverse("clients:journal",
                                            args=[world.anna.public_id, "counselling"])))
    assert "Klienten kom inte till samtalet." in journal
    assert "Uteblivet samtal" in journal


def test_the_office_assistant_marking_a_no_show_leaves_the_entry_too(world):
    session = started(short_contract(world).bookings.first())
    services.set_session_status(session, BookingStatus.NO_SHOW, by=world.oa)
    # Undone and marked again: still one entry.
    services.set_session_status(session, BookingStatus.BOOKED, by=world.oa)
    services.set_session_status(session, BookingStatus.NO_SHOW, by=world.oa)
    entry = JournalEntry.objects.get(booking=session)
    assert (entry.kind, entry.author) == (EntryKind.NO_SHOW, world.oa)


def test_a_session_that_has_not_begun_cannot_be_a_no_show(world):
    session = short_contract(world).bookings.first()
    with pytest.raises(DomainError, match="inte börjat"):
        services.set_session_status(session, BookingStatus.NO_SHOW, by=world.co)
    assert not JournalEntry.objects.filter(booking=session).exists()


def test_a_booking_outside_any_contract_writes_nothing(world):
    day = timezone.localdate() + timedelta(days=1)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    booking = services.book(unit=UnitCode.COUNSELLING, staff=world.co, client=world.anna,
                            by=world.oa, starts_at=at(day, 9), ends_at=at(day, 10))
    services.set_session_status(booking, BookingStatus.CANCELLED_BY_CLIENT, by=world.oa,
                                now=booking.starts_at - timedelta(hours=1))
    assert not JournalEntry.objects.filter(booking=booking).exists()


# --- renewal and ending --------------------------------------------------------------------


def test_renewing_creates_the_next_terms_bookings_and_carries_kept_goals(world, login):
    contract = short_contract(world)
    kept = services.add_goal(contract, text="Sätta gränser", by=world.co)
    closed = services.add_goal(contract, text="Sova bättre", by=world.co)
    for goal, decision in [(kept, "keep"), (closed, "close")]:
        services.evaluate_goal(goal, outcome=GoalOutcome.PARTLY, comment="Vi fortsätter.",
                               decision=decision, by=world.co, today=contract.ends_on)
    contract.refresh_from_db()

    response = login(world.co).post(
        reverse("clients:contract-renew", args=[contract.public_id]),
        {"weekday": TUESDAY, "start_time": "10:00", "minutes": 60,
         "starts_on": services.next_term_start(contract.ends_on), "version": contract.version},
    )

    assert response.status_code == 302
    renewal = SessionContract.objects.get(renews=contract)
    year, half, first, last = term_of(services.next_term_start(contract.ends_on))
    assert (renewal.term_year, renewal.term_half) == (year, half)
    days = [timezone.localdate(b.starts_at) for b in renewal.bookings.order_by("starts_at")]
    assert days == services.contract_dates(TUESDAY, first, last)
    assert [(g.text, g.revises) for g in renewal.goals.all()] == [("Sätta gränser", kept)]


def test_a_contract_is_renewed_once_and_only_from_the_version_shown(world):
    contract = short_contract(world)
    with pytest.raises(DomainError, match="ändrat kontraktet"):
        services.renew_contract(contract, by=world.co, expected_version=contract.version + 1)
    services.renew_contract(contract, by=world.co, expected_version=contract.version)
    with pytest.raises(DomainError, match="redan förnyat"):
        services.renew_contract(contract, by=world.co)


def test_ending_a_contract_cancels_its_future_sessions_and_needs_a_reason(world, login):
    contract = short_contract(world)
    browser = login(world.co)
    url = reverse("clients:contract-end", args=[contract.public_id])

    response = browser.post(url, {"reason": " ", "version": contract.version})
    assert response.status_code == 200
    assert not contract.bookings.exclude(status=BookingStatus.BOOKED).exists()

    response = browser.post(url, {"reason": "Klienten har flyttat.",
                                  "version": contract.version})

    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.ended_on == timezone.localdate()
    assert contract.end_reason == "Klienten har flyttat."
    assert set(contract.bookings.values_list("status", flat=True)) == {
        BookingStatus.CANCELLED_BY_UNIT
    }
    with pytest.raises(DomainError, match="avslutat"):
        services.renew_contract(contract, by=world.co)


# --- goals ---------------------------------------------------------------------------------


def test_a_goal_is_evaluated_at_the_terms_end(world, login):
    contract = short_contract(world)
    goal = services.add_goal(contract, text="Sätta gränser", by=world.co)
    with pytest.raises(DomainError, match="terminens slut"):
        services.evaluate_goal(goal, outcome=GoalOutcome.ACHIEVED, comment="Bra.",
                               decision="close", by=world.co,
                               today=contract.ends_on - timedelta(weeks=5))

    ending_soon(contract)
    response = login(world.co).post(
        reverse("clients:goal-evaluate", args=[goal.public_id]),
        {"outcome": GoalOutcome.ACHIEVED, "comment": "Säger nej till kunder.",
         "decision": "close", "version": goal.version},
    )

    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.outcome, goal.status, goal.evaluated_by) == (
        GoalOutcome.ACHIEVED, GoalStatus.CLOSED, world.co
    )
    assert goal.comment == "Säger nej till kunder."
    with pytest.raises(DomainError, match="redan utvärderat"):
        services.evaluate_goal(goal, outcome=GoalOutcome.ACHIEVED, comment="x",
                               decision="close", by=world.co, today=contract.ends_on)


@pytest.mark.parametrize("fields, message", [
    ({"outcome": "great"}, "hur det gick"),
    ({"comment": " "}, "kommentar"),
    ({"decision": "forget"}, "behålls"),
    ({"decision": "revise", "new_text": ""}, "omformulerade"),
])
def test_a_bad_evaluation_is_refused(world, fields, message):
    contract = short_contract(world)
    goal = services.add_goal(contract, text="Sätta gränser", by=world.co)
    kwargs = {"outcome": GoalOutcome.PARTLY, "comment": "Delvis.", "decision": "keep",
              "today": contract.ends_on}
    kwargs.update(fields)
    with pytest.raises(DomainError, match=message):
        services.evaluate_goal(goal, by=world.co, **kwargs)
    goal.refresh_from_db()
    assert goal.outcome == "" and goal.status == GoalStatus.OPEN


def test_a_revised_goal_is_a_new_goal_that_points_to_the_old(world):
    contract = short_contract(world)
    goal = services.add_goal(contract, text="Sätta gränser", by=world.co)

    goal, revision = services.evaluate_goal(
        goal, outcome=GoalOutcome.NOT_ACHIEVED, comment="För stort steg.", decision="revise",
        new_text="Sätta gränser mot en person", by=world.co, today=contract.ends_on,
    )

    assert goal.status == GoalStatus.REVISED
    assert (revision.revises, revision.text, revision.status) == (
        goal, "Sätta gränser mot en person", GoalStatus.OPEN
    )
    # The revision is next term's: the contract is no longer due for evaluation, and it
    # goes along when the contract is renewed.
    assert list(services.goals_due(world.co, today=contract.ends_on)) == []
    renewal = services.renew_contract(contract, by=world.co).contract
    revision.refresh_from_db()
    assert revision.contract == renewal


def test_only_the_assigned_counsellor_sets_goals(world, staff_of):
    contract = short_contract(world)
    for user in (staff_of(Role.COUNSELLOR), world.oa):
        with pytest.raises(DomainError, match="tilldelade behandlare"):
            services.add_goal(contract, text="Mål", by=user)
    with pytest.raises(DomainError, match="Skriv målet"):
        services.add_goal(contract, text="  ", by=world.co)


def test_the_office_assistant_never_sees_contracts_goals_or_notes(world, login):
    contract = short_contract(world)
    goal = services.add_goal(contract, text="Hemligt mål", by=world.co)
    session = started(contract.bookings.first())
    browser = login(world.oa)
    for url in (
        reverse("clients:contract-list", args=[world.anna.public_id, "counselling"]),
        reverse("clients:contract-detail", args=[contract.public_id]),
        reverse("clients:goal-create", args=[contract.public_id]),
        reverse("clients:goal-evaluate", args=[goal.public_id]),
        reverse("clients:session-note", args=[session.public_id]),
    ):
        response = browser.get(url)
        assert response.status_code in (403, 404), url
        assert "Hemligt mål" not in response.content.decode()
    response = browser.post(reverse("clients:goal-evaluate", args=[goal.public_id]), {
        "outcome": GoalOutcome.ACHIEVED, "comment": "x", "decision": "close",
        "version": goal.version,
    })
    assert response.status_code == 403
    goal.refresh_from_db()
    assert goal.outcome == ""


# --- session notes -------------------------------------------------------------------------


def test_a_session_note_is_written_from_the_booking_autosaved_and_signed(world, login):
    session = started(short_contract(world).bookings.first())
    browser = login(world.co)
    url = reverse("clients:session-note", args=[session.public_id])
    page = browser.get(url)
    assert page.status_code == 200
    editor = page.context["form"].initial["editor"]
    data = {
        "kind": EntryKind.SESSION, "event_date": timezone.localdate(session.starts_at),
        "text": "Vi pratade om skam.", "themes": [SessionTheme.SHAME, SessionTheme.FEELINGS],
        "methods": [SessionMethod.RELATION], "editor": editor, "seq": 1, "version": 1,
    }

    autosave = browser.post(url, data, HTTP_HX_REQUEST="true")

    assert autosave.status_code == 200 and "Sparat" in autosave.content.decode()
    entry = JournalEntry.objects.get(booking=session)
    assert entry.state == EntryState.DRAFT and entry.journal == world.anna_counselling
    assert entry.themes == [SessionTheme.SHAME, SessionTheme.FEELINGS]
    assert entry.methods == [SessionMethod.RELATION]

    # The page opened again continues the same draft.
    again = browser.get(url)
    assert again.context["entry"] == entry
    assert again.context["form"].initial["themes"] == entry.themes

    response = browser.post(url, {**data, "text": "Vi pratade om skam och gränser.",
                                  "seq": 2, "sign": "1"})
    assert response.status_code == 302
    assert response.url == reverse("clients:entry-sign", args=[entry.public_id])
    entry.refresh_from_db()
    browser.post(response.url, {"version": entry.version})
    entry.refresh_from_db()
    assert entry.is_signed and entry.text == "Vi pratade om skam och gränser."
    assert JournalEntry.objects.filter(booking=session).count() == 1


def test_a_session_note_waits_for_the_session(world, login):
    session = short_contract(world).bookings.first()
    response = login(world.co).get(reverse("clients:session-note", args=[session.public_id]))
    assert response.status_code == 302
    assert not JournalEntry.objects.filter(booking=session).exists()


# --- "My day" ------------------------------------------------------------------------------


def todays_session(world, hour_offset=0):
    """A session of a contract today (made directly: today may be past opening hours)."""
    contract = short_contract(world)
    session = contract.bookings.first()
    now = timezone.now()
    Booking.objects.filter(pk=session.pk).update(
        starts_at=now.replace(second=0, microsecond=0) + timedelta(minutes=hour_offset),
        ends_at=now.replace(second=0, microsecond=0) + timedelta(minutes=hour_offset + 1),
    )
    return contract, session


def test_my_day_shows_sessions_drafts_goals_due_and_new_clients(world, login):
    contract, session = todays_session(world)
    services.register_arrival(session, by=world.oa)
    services.add_goal(ending_soon(contract), text="Sätta gränser", by=world.co)
    lisa = services.register_client(unit=UnitCode.COUNSELLING, by=world.oa, alias="Lisa")
    entry = services.add_to_queue(lisa, source=QueueSource.SELF, by=world.oa)
    services.offer_place(entry, counsellor=world.co, by=world.oa)

    page = main_html(login(world.co).get(reverse("start")))

    my_day = page[page.index('data-testid="my-day"'):]
    sessions = my_day[my_day.index('data-testid="my-sessions"'):]
    assert "Anna" in sessions.split("</ul>")[0] and "Har kommit" in sessions.split("</ul>")[0]
    assert 'data-testid="draft-count">1<' in my_day  # Anna's draft in the world
    due = my_day[my_day.index('data-testid="goals-due"'):].split("</ul>")[0]
    assert "Anna" in due
    queue = my_day[my_day.index('data-testid="from-queue"'):].split("</ul>")[0]
    assert "Lisa" in queue


def test_my_day_is_not_shown_to_the_office_assistant(world, login):
    todays_session(world)
    page = main_html(login(world.oa).get(reverse("start")))
    assert 'data-testid="my-day"' not in page


def test_my_day_queries_do_not_grow_with_the_rows(world, login, django_assert_max_num_queries):
    browser = login(world.co)
    todays_session(world)
    with django_assert_max_num_queries(16):
        assert browser.get(reverse("start")).status_code == 200
    for i in range(8):
        client = services.register_client(unit=UnitCode.COUNSELLING, by=world.co,
                                          alias=f"Klient {i}")
        journal = client.journals.get()
        _first, last = next_term()
        contract = services.create_contract(journal, by=world.co, weekday=1 + i % 5,
                                            start_time=time(8 + i), minutes=30,
                                            starts_on=last - timedelta(days=10)).contract
        services.add_goal(ending_soon(contract), text="Mål", by=world.co)
        services.save_draft(journal=journal, by=world.co, text="Utkast")
    with django_assert_max_num_queries(16):
        assert browser.get(reverse("start")).status_code == 200


def test_the_contract_page_queries_do_not_grow_with_the_sessions(
    world, login, django_assert_max_num_queries
):
    contract = make_contract(world).contract
    for i in range(5):
        services.add_goal(contract, text=f"Mål {i}", by=world.co)
    browser = login(world.co)
    with django_assert_max_num_queries(18):
        response = browser.get(reverse("clients:contract-detail", args=[contract.public_id]))
    assert response.status_code == 200
    assert main_html(response).count('data-testid="session"') == contract.bookings.count()


def test_every_counselling_page_logs_the_read_of_the_client(world, login):
    from prostenhet.models import AccessLog

    contract = ending_soon(short_contract(world))
    goal = services.add_goal(contract, text="Sätta gränser", by=world.co)
    session = contract.bookings.first()
    begun = started(contract.bookings.order_by("-starts_at").first())
    browser = login(world.co)
    pages = {
        "clients:contract-list": [world.anna.public_id, "counselling"],
        "clients:contract-create": [world.anna.public_id, "counselling"],
        "clients:contract-detail": [contract.public_id],
        "clients:contract-renew": [contract.public_id],
        "clients:contract-end": [contract.public_id],
        "clients:goal-create": [contract.public_id],
        "clients:goal-evaluate": [goal.public_id],
        "clients:session-cancel": [session.public_id],
        "clients:session-no-show": [session.public_id],
        "clients:session-note": [begun.public_id],
    }
    for name, args in pages.items():
        before = AccessLog.objects.count()
        assert browser.get(reverse(name, args=args)).status_code == 200, name
        row = AccessLog.objects.order_by("-pk").first()
        assert AccessLog.objects.count() == before + 1, name
        assert (row.client, row.view, row.user) == (world.anna, name, world.co)


def test_a_signed_session_notes_themes_and_methods_are_shown_in_the_journal(world, login):
    entry = services.save_draft(
        journal=world.anna_counselling, by=world.co, text="Om gränser.",
        themes=["boundaries", "shame"], methods=["relation"],
    )
    services.sign_entry(entry, by=world.co)
    browser = login(world.co)
    for url in (reverse("clients:journal", args=[world.anna.public_id, "counselling"]),
                reverse("clients:entry-detail", args=[entry.public_id])):
        shown = browser.get(url).content.decode()
        assert "Att sätta gränser, Skam" in shown and "Relation" in shown


def test_my_day_offers_a_note_only_until_the_session_has_a_signed_one(world, login):
    session = started(short_contract(world).bookings.first(), minutes_ago=5)
    write_url = reverse("clients:session-note", args=[session.public_id])
    browser = login(world.co)
    assert write_url in browser.get(reverse("start")).content.decode()
    entry = services.save_draft(journal=world.anna_counselling, by=world.co, text="Samtal.",
                                booking=session, kind=EntryKind.SESSION)
    services.sign_entry(entry, by=world.co)
    page = browser.get(reverse("start")).content.decode()
    assert write_url not in page and "anteckning signerad" in page
