"""Retention by regime: the clinic's patient records at least ten years, whatever the
setting; social-services records as configured."""

from prostenhet import retention
from prostenhet.roles import UnitCode


def test_spiralen_records_are_patient_records_kept_at_least_ten_years(settings):
    assert retention.is_patient_record(UnitCode.SPIRALEN)
    assert not retention.is_patient_record(UnitCode.COUNSELLING)
    settings.SPIRALEN_RETENTION_YEARS = 3  # a mistaken setting never shortens it
    assert retention.retention_years(UnitCode.SPIRALEN) == 10
    settings.SPIRALEN_RETENTION_YEARS = 12
    assert retention.retention_years(UnitCode.SPIRALEN) == 12
    assert "12 år" in str(retention.record_kind_label(UnitCode.SPIRALEN))


def test_social_services_records_follow_their_setting(settings):
    settings.SOCIAL_SERVICES_RETENTION_YEARS = 5
    for unit in [UnitCode.COUNSELLING, UnitCode.OUTREACH, UnitCode.KAST, UnitCode.TRAFFICKING]:
        assert retention.retention_years(unit) == 5
    assert "Personakt" in str(retention.record_kind_label(UnitCode.OUTREACH))
