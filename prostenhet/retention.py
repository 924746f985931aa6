"""How long each unit's records are kept (DESIGN §5): the rule the weeding applies and the
journal pages state. Spiralen's journal is a patient record under health-care law, kept at
least ten years after its last entry; the social-services records are kept a configurable
number of years (default five) after theirs."""

import datetime
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import UnitCode

# Units whose journal is a patient record (patientdatalagen), not a social-services record.
PATIENT_RECORD_UNITS = frozenset({UnitCode.SPIRALEN})


def is_patient_record(unit):
    return unit in PATIENT_RECORD_UNITS


def retention_years(unit):
    """Years after the last entry before a record of the unit may be weeded."""
    if is_patient_record(unit):
        return max(10, settings.SPIRALEN_RETENTION_YEARS)
    return settings.SOCIAL_SERVICES_RETENTION_YEARS


def record_kind_label(unit):
    """What the record is, as the journal page says it."""
    if is_patient_record(unit):
        return _("Patientjournal (hälso- och sjukvård): sparas minst %(years)d år efter den "
                 "senaste anteckningen.") % {"years": retention_years(unit)}
    return _("Personakt (socialtjänst): gallras %(years)d år efter den senaste "
             "anteckningen.") % {"years": retention_years(unit)}


def latest_dates(queryset, client_field, *date_fields):
    """{client_id: the latest of date_fields (dates or datetimes, as Stockholm dates)} over
    the queryset's rows, in one grouped query: what a unit app's rows say of a record's last
    entry (weeding, DESIGN §5)."""
    names = [f"last_{index}" for index in range(len(date_fields))]
    rows = (
        queryset.order_by().values(client_field)
        .annotate(**{name: Max(field) for name, field in zip(names, date_fields, strict=True)})
    )
    latest = {}
    for row in rows:
        days = [as_date(row[name]) for name in names if row[name] is not None]
        if days and row[client_field] is not None:
            latest[row[client_field]] = max(days)
    return latest


def as_date(value):
    """A date, or a datetime as its Stockholm date."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


_weeding = ContextVar("prostenhet_weeding", default=False)


@contextmanager
def weeding():
    """Inside: clients.services.weeding is removing a record, the one lawful delete of what a
    signed entry holds. The unit apps' pre_delete locks on a signed entry's rows let it through
    (PostgreSQL's triggers check the transaction's permit themselves)."""
    token = _weeding.set(True)
    try:
        yield
    finally:
        _weeding.reset(token)


def is_weeding():
    return _weeding.get()
