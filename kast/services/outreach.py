"""Reaching buyers: the street contacts with buyers and the information letters sent to buyers
questioned by the police, counted per shift or per month (counts only, never names). Only
KAST's staff record and see them (KAST is sealed)."""

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from prostenhet.exceptions import DomainError

from ..models import BuyerOutreach, OutreachKind, OutreachPeriod
from .calls import check_works_in_kast, works_in_kast

__all__ = [
    "MAX_COUNT",
    "visible_outreach",
    "monthly_outreach",
    "record_buyer_outreach",
    "update_buyer_outreach",
]

# More than this on one shift or in one month is a typing error.
MAX_COUNT = 10_000


def visible_outreach(user):
    if not user.has_perm("kast.view_buyeroutreach") or not works_in_kast(user):
        return BuyerOutreach.objects.none()
    return BuyerOutreach.objects.all()


def monthly_outreach(user, *, months=12):
    """[{"month", "kind", "total"}] for the last `months` months with counts, newest first
    (computed in the database)."""
    rows = (
        visible_outreach(user).annotate(month=TruncMonth("day")).values("month", "kind")
        .annotate(total=Sum("count")).order_by("-month", "kind")
    )
    return list(rows[: months * len(OutreachKind.values)])


def _clean(*, kind, period, day, count, today=None):
    today = today or timezone.localdate()
    if kind not in OutreachKind.values:
        raise DomainError(_("Välj vad som räknats."), field="kind")
    if period not in OutreachPeriod.values:
        raise DomainError(_("Välj om antalet gäller ett pass eller en månad."), field="period")
    if day is None:
        raise DomainError(_("Ange datum."), field="day")
    if period == OutreachPeriod.MONTH:
        day = day.replace(day=1)
    if day > today:
        raise DomainError(_("Datumet har inte varit än."), field="day")
    if count is None or count < 0:
        raise DomainError(_("Antalet kan inte vara negativt."), field="count")
    if count > MAX_COUNT:
        raise DomainError(_("Antalet är orimligt stort."), field="count")
    return day


@transaction.atomic
def record_buyer_outreach(*, by, kind, period, day, count, note="", today=None):
    check_works_in_kast(by, "kast.add_buyeroutreach")
    day = _clean(kind=kind, period=period, day=day, count=count, today=today)
    return BuyerOutreach.objects.create(
        kind=kind, period=period, day=day, count=count, note=note.strip(), staff=by
    )


@transaction.atomic
def update_buyer_outreach(row, *, by, expected_version, kind, period, day, count, note=""):
    check_works_in_kast(by, "kast.change_buyeroutreach")
    row = BuyerOutreach.objects.select_for_update().get(pk=row.pk)
    if row.version != expected_version:
        raise DomainError(
            _("Någon annan har ändrat antalet medan du arbetade. Se hur det ser ut nu och gör "
              "om din ändring.")
        )
    row.day = _clean(kind=kind, period=period, day=day, count=count)
    row.kind, row.period, row.count, row.note = kind, period, count, note.strip()
    row.version += 1
    row.save()
    return row
