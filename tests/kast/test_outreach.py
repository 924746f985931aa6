"""Reaching buyers (issue 10): counts per shift or month, never negative, never in the future,
a month kept as its first day, monthly totals computed in the database, version checks, and
KAST's staff only."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from kast import services
from kast.models import BuyerOutreach
from prostenhet.exceptions import DomainError

pytestmark = pytest.mark.django_db


def record(by, **fields):
    data = {"kind": "street_contacts", "period": "shift", "day": timezone.localdate(),
            "count": 5}
    data.update(fields)
    return services.record_buyer_outreach(by=by, **data)


def test_a_month_is_kept_as_its_first_day(world):
    row = record(world.kco, period="month", kind="police_letters",
                 day=timezone.localdate().replace(day=1) + timedelta(days=0))
    assert row.day.day == 1
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    assert record(world.kco, period="month", day=last_month).day == last_month.replace(day=1)


@pytest.mark.parametrize("fields, field", [
    ({"count": -1}, "count"),
    ({"count": services.MAX_COUNT + 1}, "count"),
    ({"day": "tomorrow"}, "day"),
    ({"kind": "phone"}, "kind"),
    ({"period": "year"}, "period"),
])
def test_impossible_counts_are_refused(world, fields, field):
    if fields.get("day") == "tomorrow":
        fields["day"] = timezone.localdate() + timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        record(world.kco, **fields)
    assert refused.value.field == field
    assert not BuyerOutreach.objects.exists()


def test_the_database_refuses_a_month_not_on_its_first_day(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        BuyerOutreach.objects.create(kind="police_letters", period="month",
                                     day=date(2026, 3, 14), count=3, staff=world.kco)


@pytest.mark.parametrize("who", ["co", "oa", "ow", "cl", "ma", "sa"])
def test_only_kast_staff_count(world, who):
    with pytest.raises(DomainError):
        record(getattr(world, who))
    record(world.kco)
    assert not services.visible_outreach(getattr(world, who)).exists()
    assert services.monthly_outreach(getattr(world, who)) == []


def test_monthly_totals(world):
    today = timezone.localdate()
    record(world.kco, count=3)
    record(world.kco, count=4)
    record(world.kco, kind="police_letters", period="month", count=20)
    totals = {(row["kind"], row["total"]) for row in services.monthly_outreach(world.kco)}
    assert totals == {("street_contacts", 7), ("police_letters", 20)}
    assert all(row["month"].month == today.month for row in services.monthly_outreach(world.kco))


def test_a_correction_checks_the_version(world):
    row = record(world.kco)
    fields = {"kind": "street_contacts", "period": "shift", "day": row.day, "count": 8}
    services.update_buyer_outreach(row, by=world.kco, expected_version=1, **fields)
    with pytest.raises(DomainError):
        services.update_buyer_outreach(row, by=world.kco, expected_version=1, **fields)
    row.refresh_from_db()
    assert row.count == 8 and row.version == 2
