"""How long each unit's records are kept (DESIGN §5): the rule the weeding applies and the
journal pages state. Spiralen's journal is a patient record under health-care law, kept at
least ten years after its last entry; the social-services records are kept a configurable
number of years (default five) after theirs."""

from django.conf import settings
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
