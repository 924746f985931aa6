"""Helpers of KAST's tests: a call recorded through the service, the next weekday's time for a
first session, and a second KAST counsellor (who must not see the first one's clients)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from kast import services
from kast.models import CallOutcome, HeardVia
from prostenhet.roles import Role, UnitCode
from tests.world import staff


def call(by, *, minutes=15, heard_via=HeardVia.POLICE, outcome=CallOutcome.ADVICE,
         summary="Vill sluta köpa sex.", occurred_at=None, **extra):
    return services.record_call(
        by=by, occurred_at=occurred_at or timezone.now() - timedelta(minutes=20),
        minutes=minutes, heard_via=heard_via, summary=summary, outcome=outcome, **extra,
    )


def next_weekday_at(hour=10, days=1):
    day = timezone.localdate() + timedelta(days=days)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def second_kast_counsellor():
    return staff(Role.COUNSELLOR, "kco2", units=[UnitCode.KAST])
