"""The demo's week at reception tells a believable story: no one double-booked, KAST's
bookings only for KAST's clients, a queue of fifteen with varied waiting times."""

from io import StringIO

import pytest
from django.core.management import call_command

from clients.models import HOLDING_STATUSES, Booking, QueueEntry, Register, SessionContract
from prostenhet.roles import UnitCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # a second run adds nothing


def test_the_demo_week_double_books_no_one(demo):
    holding = list(Booking.objects.filter(status__in=HOLDING_STATUSES))
    assert len(holding) > 30
    for first in holding:
        for second in holding:
            if first.pk < second.pk and first.starts_at < second.ends_at \
                    and second.starts_at < first.ends_at:
                assert first.staff_id != second.staff_id
                assert first.room_id != second.room_id or first.room_id is None


def test_kast_bookings_are_for_kast_clients_only(demo):
    for booking in Booking.objects.filter(unit=UnitCode.KAST):
        assert booking.client.register == Register.KAST
    assert not Booking.objects.exclude(unit=UnitCode.KAST).filter(
        client__register=Register.KAST
    ).exists()


def test_the_demo_queue_has_fifteen_waiting_for_different_times(demo):
    waiting = list(QueueEntry.objects.waiting())
    assert len(waiting) == 15
    assert len({entry.added_on for entry in waiting}) == 15
    assert max(entry.waited_days() for entry in waiting) >= 150


def test_each_demo_client_in_counselling_has_at_most_one_contract_with_goals(demo):
    contracts = list(SessionContract.objects.all())
    assert contracts
    assert len({c.journal_id for c in contracts}) == len(contracts)
    assert all(c.goals.exists() for c in contracts)
    assert all(b.contract.journal.client_id == b.client_id
               for b in Booking.objects.filter(contract__isnull=False))
