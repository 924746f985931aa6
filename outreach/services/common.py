"""What every part of the outreach services checks: that the acting user is in the outreach
team, that the staff named are, and that counts are counts."""

from django.utils.translation import gettext as _

from clients import access
from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

__all__ = ["COUNT_MAX", "check_count", "check_staff", "check_team_member", "outreach_team"]

COUNT_MAX = 100_000


def outreach_team():
    """Active staff of the outreach unit (its staff group), by name."""
    return access.unit_staff(UnitCode.OUTREACH)


def check_team_member(by):
    if UnitCode.OUTREACH not in access.user_units(by):
        raise DomainError(_("Bara uppsökande arbetets personal kan registrera det här."))


def check_staff(staff):
    """The staff named (at least one), all of the outreach team."""
    staff = list(staff or [])
    if not staff:
        raise DomainError(_("Välj vilka som arbetade."), field="staff")
    team = set(outreach_team().filter(pk__in=[s.pk for s in staff]).values_list("pk", flat=True))
    outside = [person for person in staff if person.pk not in team]
    if outside:
        raise DomainError(
            _("%(staff)s arbetar inte i uppsökande arbetet.") % {
                "staff": ", ".join(str(person) for person in outside)
            },
            field="staff",
        )
    return staff


def check_count(name, value):
    """A count: zero or more, and not absurd."""
    if value is None:
        return 0
    if value < 0:
        raise DomainError(_("Antalet kan inte vara negativt."), field=name)
    if value > COUNT_MAX:
        raise DomainError(_("Antalet är orimligt stort."), field=name)
    return value
