"""Staff access (DESIGN §1, §3): roles are Django groups with model permissions (what a
person may do), and each unit has a staff group "unit:<code>" kept in step with the units on
the staff member's profile. The policy for client records, which builds on these groups, lives
beside the records it guards: clients/access.py."""

from django.contrib.auth.decorators import permission_required
from django.contrib.auth.models import Group
from django.shortcuts import get_object_or_404

from .models import User
from .roles import Role, UnitCode

# Staff administration is a role permission of the system administrator.
staff_admin_required = permission_required("prostenhet.manage_staff", raise_exception=True)

UNIT_GROUP_PREFIX = "unit:"
# Roles whose members join their units' staff groups. Managers and system administrators
# never do: they see no case content by default.
CASEWORK_ROLES = frozenset(
    {Role.OFFICE_ASSISTANT, Role.OUTREACH_WORKER, Role.COUNSELLOR, Role.CLINICIAN}
)


def get_staff_or_404(public_id):
    """A staff account by its opaque id, with roles and units loaded."""
    return get_object_or_404(User.objects.with_roles(), public_id=public_id)


# --- staff and their unit groups ------------------------------------------------------------


def unit_group_name(unit):
    return f"{UNIT_GROUP_PREFIX}{unit}"


def unit_group_ids():
    """{unit code: id of the unit's staff group}."""
    names = {unit_group_name(unit): unit for unit in UnitCode}
    return {
        names[name]: pk
        for pk, name in Group.objects.filter(name__in=names).values_list("pk", "name")
    }


def may_join_unit(user, unit):
    """Whether the user's roles let them into the unit's staff group. KAST is sealed off:
    only counsellors join it (never the office assistant)."""
    roles = set(user.roles)
    if not roles & CASEWORK_ROLES:
        return False
    if unit == UnitCode.KAST:
        return Role.COUNSELLOR in roles and Role.OFFICE_ASSISTANT not in roles
    return True


def sync_staff_units(user):
    """Put the user in exactly the staff groups of the units they work in and may join."""
    user = User.objects.prefetch_related("groups", "units").get(pk=user.pk)
    groups = unit_group_ids()
    wanted = {
        groups[unit.code] for unit in user.units.all() if may_join_unit(user, unit.code)
    }
    current = {g.pk for g in user.groups.all() if g.name.startswith(UNIT_GROUP_PREFIX)}
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))


def profile_units(user):
    """Units of the user's staff profile (a manager's too: managers join no unit group), as
    UnitCode: what the sealed KAST rows and a manager's register extracts go by."""
    return {UnitCode(unit.code) for unit in user.units.all()}


def user_units(user):
    """Units whose staff group the user belongs to (request.user is loaded once a request, so
    its group names are read once)."""
    return {
        UnitCode(name.removeprefix(UNIT_GROUP_PREFIX))
        for name in user.group_names
        if name.removeprefix(UNIT_GROUP_PREFIX) in UnitCode.values
    }


def unit_staff(unit):
    """Active staff of the unit (its staff group), by name: who may be named on a shift, a
    raid or a clinic's schedule."""
    return (
        User.objects.filter(is_active=True, groups__name=unit_group_name(unit))
        .order_by("first_name", "last_name", "username", "pk")
    )
