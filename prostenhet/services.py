"""Staff administration: the domain operations on staff accounts.

Each runs in a transaction and takes the acting user explicitly. Accounts are never deleted;
deactivating one, changing its roles or resetting its two-factor device ends its sessions."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access, registry
from .exceptions import DomainError
from .models import User
from .roles import Role


def _end_assignments_outside_rights(user):
    """Let each app end what the user's new rights no longer allow."""
    user = User.objects.get(pk=user.pk)
    for hook in registry.staff_rights_changed:
        hook(user)


def assign_roles(user, roles):
    user.groups.set(Group.objects.filter(name__in=[Role(r).value for r in roles]))


@transaction.atomic
def create_staff(*, username, password, roles, units, by, must_change_password=True, **profile):
    """Create an active staff account with the given roles and units.

    The password is the administrator's choice, so the user must choose their own at the first
    login, unless must_change_password=False (the first administrator, who chose their own)."""
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("Användarnamnet är redan upptaget."), field="username")
    user = User(username=username, must_change_password=must_change_password, **profile)
    user.set_password(password)
    user.save()
    assign_roles(user, roles)
    user.units.set(units)
    access.sync_staff_units(user)
    return user


@transaction.atomic
def update_staff(user, *, roles, units, by, **profile):
    """Update profile, roles and units. A change of roles ends the user's sessions."""
    user = User.objects.select_for_update().get(pk=user.pk)
    old_roles = {role.value for role in user.roles}
    new_roles = {Role(r).value for r in roles}
    if user == by and Role.SYSADMIN in old_roles and Role.SYSADMIN not in new_roles:
        raise DomainError(
            _("Du kan inte ta bort din egen roll som systemförvaltare."), field="roles"
        )
    for field, value in profile.items():
        setattr(user, field, value)
    if old_roles != new_roles:
        user.end_sessions()
    user.save()
    assign_roles(user, new_roles)
    user.units.set(units)
    access.sync_staff_units(user)
    _end_assignments_outside_rights(user)
    return user


@transaction.atomic
def set_active(user, active, *, by):
    """Deactivate (ending every session at once) or reactivate an account."""
    if user == by and not active:
        raise DomainError(_("Du kan inte avaktivera ditt eget konto."))
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = active
    if not active:
        user.end_sessions()
    user.save(update_fields=["is_active", "session_stamp"])
    if not active:
        _end_assignments_outside_rights(user)
    return user


@transaction.atomic
def reset_two_factor(user, *, by):
    """Remove the user's two-factor devices: at the next login they enrol a new one."""
    user = User.objects.select_for_update().get(pk=user.pk)
    TOTPDevice.objects.filter(user=user).delete()
    user.end_sessions()
    user.save(update_fields=["session_stamp"])
    return user


@transaction.atomic
def set_password(user, password, *, by):
    """Set a new password (the administrator's reset); the old sessions end, and the user must
    choose their own password at the next login."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.must_change_password = True
    user.end_sessions()
    user.save(update_fields=["password", "must_change_password", "session_stamp"])
    return user


@transaction.atomic
def change_own_password(user, password):
    """The user's own choice of a new password: it ends the demand to change it. The caller
    keeps the current session (update_session_auth_hash)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user
