"""Police raids (tillslag) the unit attends: date, kind of place, the police's reference, the
staff present and how many persons were met and accepted support — counts only, never names.
The persons who accepted become cases (services.cases.open_case with the raid), never more
than accepted. Raids are the unit's team's records: only its staff see them (DESIGN §3)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import access
from prostenhet.exceptions import DomainError
from prostenhet.roles import UnitCode

from ..models import PlaceKind, Raid

__all__ = [
    "check_team",
    "in_team",
    "save_raid",
    "team_staff",
    "visible_raids",
]


def in_team(user):
    """Whether the user works in the trafficking unit (its staff group)."""
    return UnitCode.TRAFFICKING in access.user_units(user)


def check_team(user):
    if not in_team(user):
        raise DomainError(_("Bara personal i verksamheten mot människohandel kan göra det."))


def team_staff():
    """Active staff of the trafficking unit (those who may be present at a raid)."""
    return access.unit_staff(UnitCode.TRAFFICKING)


def visible_raids(user):
    """The raids the user may see: all of them for the unit's staff, none for anyone else."""
    if not (user.has_perm("trafficking.view_raid") and in_team(user)):
        return Raid.objects.none()
    return Raid.objects.all()


def _check_raid_fields(*, date, place_kind, persons_met, persons_accepted, staff):
    if date > timezone.localdate():
        raise DomainError(_("Ett tillslag kan inte registreras i förväg: datumet är i "
                            "framtiden."), field="date")
    if place_kind not in PlaceKind.values:
        raise DomainError(_("Välj typ av plats."), field="place_kind")
    if persons_met is None or persons_met < 0:
        raise DomainError(_("Antalet personer kan inte vara negativt."), field="persons_met")
    if persons_accepted is None or persons_accepted < 0:
        raise DomainError(_("Antalet personer kan inte vara negativt."),
                          field="persons_accepted")
    if persons_accepted > persons_met:
        raise DomainError(_("Fler kan inte ha tackat ja till stöd än som mötts."),
                          field="persons_accepted")
    team = set(team_staff().values_list("pk", flat=True))
    if any(member.pk not in team for member in staff):
        raise DomainError(_("Personalen på plats ska arbeta i verksamheten."), field="staff")


@transaction.atomic
def save_raid(*, by, raid=None, expected_version=None, date, place_kind, police_reference="",
              staff=(), persons_met=0, persons_accepted=0):
    """Record a raid (raid=None) or change one the user saw at expected_version. A change
    never leaves fewer who accepted than the cases already opened from the raid."""
    check_team(by)
    staff = list(staff)
    _check_raid_fields(date=date, place_kind=place_kind, persons_met=persons_met,
                       persons_accepted=persons_accepted, staff=staff)
    values = {"date": date, "place_kind": place_kind,
              "police_reference": police_reference.strip(),
              "persons_met": persons_met, "persons_accepted": persons_accepted}
    if raid is None:
        raid = Raid.objects.create(created_by=by, **values)
    else:
        current = Raid.objects.select_for_update().get(pk=raid.pk)
        if expected_version is not None and current.version != expected_version:
            raise DomainError(_("Någon annan har ändrat tillslaget medan du arbetade. Se de "
                                "nya uppgifterna och gör om din ändring."))
        if current.cases.count() > persons_accepted:
            raise DomainError(
                _("%(count)d ärenden är redan registrerade från tillslaget: så många har "
                  "åtminstone tackat ja.") % {"count": current.cases.count()},
                field="persons_accepted",
            )
        for name, value in values.items():
            setattr(current, name, value)
        current.version += 1
        current.save()
        raid = current
    raid.staff.set(staff)
    return raid
