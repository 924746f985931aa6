"""Staff administration: the domain operations on staff accounts.

Each runs in a transaction and takes the acting user explicitly. Accounts are never deleted;
deactivating one, changing its roles or resetting its two-factor device ends its sessions."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access, audit, registry
from .exceptions import DomainError
from .models import ClosedYear, SecurityEventKind, Unit, User
from .roles import Role, UnitCode
from .stats import figures, forget


def _end_assignments_outside_rights(user):
    """Let each app end what the user's new rights no longer allow."""
    user = User.objects.get(pk=user.pk)
    for hook in registry.staff_rights_changed:
        hook(user)


def assign_roles(user, roles):
    user.groups.set(Group.objects.filter(name__in=[Role(r).value for r in roles]))


def _check_roles(roles):
    """The system administrator administers accounts and nothing else: combined with a
    case-work role they could give themselves a way into the records."""
    roles = {Role(r) for r in roles}
    if Role.SYSADMIN in roles and roles & access.CASEWORK_ROLES:
        raise DomainError(
            _("Rollen systemförvaltare kan inte kombineras med en roll i klientarbetet."),
            field="roles",
        )


def _labels(values, choices):
    """Role or unit names for a security event's detail, in the installation's language
    (the row is written once and read by every manager)."""
    names = dict(choices)
    with translation.override(settings.LANGUAGE_CODE):
        return ", ".join(str(names.get(v, v)) for v in sorted(values)) or "–"


def _unit_codes(units):
    return {unit.code if isinstance(unit, Unit) else str(unit) for unit in units}


@transaction.atomic
def create_staff(*, username, password, roles, units, by, must_change_password=True, **profile):
    """Create an active staff account with the given roles and units.

    The password is the administrator's choice, so the user must choose their own at the first
    login, unless must_change_password=False (the first administrator, who chose their own)."""
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("Användarnamnet är redan upptaget."), field="username")
    _check_roles(roles)
    user = User(username=username, must_change_password=must_change_password, **profile)
    user.set_password(password)
    user.save()
    assign_roles(user, roles)
    user.units.set(units)
    access.sync_staff_units(user)
    audit.security_event(
        SecurityEventKind.CREATED, target=user, actor=by,
        detail=f"{_labels({Role(r).value for r in roles}, Role.choices)}; "
               f"{_labels(_unit_codes(units), UnitCode.choices)}",
    )
    return user


@transaction.atomic
def update_staff(user, *, roles, units, by, **profile):
    """Update profile, roles and units. A change of roles ends the user's sessions. Nobody
    changes their own roles or units: another administrator does."""
    user = User.objects.select_for_update().get(pk=user.pk)
    old_roles = {role.value for role in user.roles}
    new_roles = {Role(r).value for r in roles}
    old_units = set(user.units.values_list("code", flat=True))
    new_units = _unit_codes(units)
    if user == by and old_roles != new_roles:
        raise DomainError(_("Du kan inte ändra dina egna roller."), field="roles")
    if user == by and old_units != new_units:
        raise DomainError(_("Du kan inte ändra dina egna verksamhetsdelar."), field="units")
    _check_roles(new_roles)
    for field, value in profile.items():
        setattr(user, field, value)
    if old_roles != new_roles:
        user.end_sessions()
    user.save()
    assign_roles(user, new_roles)
    user.units.set(units)
    access.sync_staff_units(user)
    _end_assignments_outside_rights(user)
    if old_roles != new_roles:
        audit.security_event(
            SecurityEventKind.ROLES_CHANGED, target=user, actor=by,
            detail=f"{_labels(old_roles, Role.choices)} → {_labels(new_roles, Role.choices)}",
        )
    if old_units != new_units:
        choices = UnitCode.choices
        audit.security_event(
            SecurityEventKind.UNITS_CHANGED, target=user, actor=by,
            detail=f"{_labels(old_units, choices)} → {_labels(new_units, choices)}",
        )
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
    audit.security_event(
        SecurityEventKind.REACTIVATED if active else SecurityEventKind.DEACTIVATED,
        target=user, actor=by,
    )
    return user


@transaction.atomic
def reset_two_factor(user, *, by):
    """Remove the user's two-factor devices: at the next login they enrol a new one."""
    user = User.objects.select_for_update().get(pk=user.pk)
    TOTPDevice.objects.filter(user=user).delete()
    user.end_sessions()
    user.save(update_fields=["session_stamp"])
    audit.security_event(SecurityEventKind.OTP_RESET, target=user, actor=by)
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
    audit.security_event(SecurityEventKind.PASSWORD_SET, target=user, actor=by)
    return user


@transaction.atomic
def change_own_password(user, password):
    """The user's own choice of a new password: it ends the demand to change it. The caller
    keeps the current session (update_session_auth_hash)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.security_event(SecurityEventKind.PASSWORD_CHANGED, target=user, actor=user)
    return user


@transaction.atomic
def end_other_sessions(user):
    """End every session of the user's but the caller's (who keeps theirs with
    update_session_auth_hash): a login left open on another computer ends at once."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.end_sessions()
    user.save(update_fields=["session_stamp"])
    return user


@transaction.atomic
def confirm_device(device):
    """The user proved with a first code that their authenticator app holds the key."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.security_event(SecurityEventKind.OTP_ENROLLED, target=device.user, actor=device.user)
    return device


def record_wrong_code(user):
    """A wrong one-time code at login (counted towards the lock-out by the caller)."""
    audit.security_event(SecurityEventKind.OTP_FAILED, target=user, actor=user)


# --- closing a year's statistics (DESIGN §7) -----------------------------------------------


@transaction.atomic
def close_year(year, *, by):
    """Store the year's figures as they stand, closed by `by`: from now on the statistics of
    the year are read from the stored figures, whatever is weeded later. Only a year that has
    ended can be closed, and only once (until it is reopened)."""
    if year >= timezone.localdate().year:
        raise DomainError(_("Året är inte slut än och kan inte stängas."))
    # The row lock of the year's standing closing is the unique index: two managers closing
    # at once get one closing and one refusal.
    if ClosedYear.objects.current().filter(year=year).exists():
        raise DomainError(_("Året är redan stängt."))
    with translation.override(settings.LANGUAGE_CODE):
        tables = [table.to_dict() for table in figures([year], fresh=True)[year]]
    try:
        with transaction.atomic():
            closing = ClosedYear.objects.create(year=year, tables=tables, closed_by=by)
    except IntegrityError:
        raise DomainError(_("Året är redan stängt.")) from None
    forget(year)
    return closing


@transaction.atomic
def reopen_year(year, *, by, reason):
    """Reopen a closed year, with the reason: the closing is kept with who reopened it, when
    and why, and the figures are computed from the records again until the year is closed
    anew."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Skriv varför året öppnas igen."), field="reason")
    closing = ClosedYear.objects.current().select_for_update().filter(year=year).first()
    if closing is None:
        raise DomainError(_("Året är inte stängt."))
    closing.reopened_by = by
    closing.reopened_at = timezone.now()
    closing.reopen_reason = reason
    closing.save(update_fields=["reopened_by", "reopened_at", "reopen_reason"])
    forget(year)
    return closing
