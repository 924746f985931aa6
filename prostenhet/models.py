import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .roles import Profession, Role, UnitCode


class Unit(models.Model):
    """One of the unit's activities (verksamhetsdel); staff work in one or more."""

    code = models.CharField(_("kod"), max_length=20, primary_key=True, choices=UnitCode.choices)

    class Meta:
        verbose_name = _("verksamhetsdel")
        verbose_name_plural = _("verksamhetsdelar")
        ordering = ["code"]

    def __str__(self):
        return str(self.get_code_display())


class UserQuerySet(models.QuerySet):
    def with_roles(self):
        return self.prefetch_related("groups", "units")

    def in_role(self, role):
        return self.filter(groups__name=role)


class StaffManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A staff member. Accounts are never deleted: the audit trail points to them."""

    public_id = models.UUIDField(_("publikt id"), default=uuid.uuid4, unique=True, editable=False)
    units = models.ManyToManyField(
        Unit, verbose_name=_("verksamhetsdelar"), blank=True, related_name="staff"
    )
    profession = models.CharField(
        _("yrke"), max_length=20, choices=Profession.choices, blank=True
    )
    # Changing this ends every session of the user at once (see _get_session_auth_hash).
    session_stamp = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = StaffManager()

    class Meta:
        verbose_name = _("personal")
        verbose_name_plural = _("personal")
        ordering = ["username"]
        permissions = [
            ("manage_staff", _("Kan administrera personalkonton")),
            ("view_statistics", _("Kan se statistik")),
            ("review_access_log", _("Kan granska åtkomstloggen")),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def roles(self):
        """The user's roles, in the order of Role (uses prefetched groups when present)."""
        names = {group.name for group in self.groups.all()}
        return [role for role in Role if role.value in names]

    def has_role(self, role):
        return any(r == role for r in self.roles)

    def end_sessions(self):
        """Invalidate every session of this user (on deactivation, role change, 2FA reset).

        The caller saves the user.
        """
        self.session_stamp = uuid.uuid4()

    def _get_session_auth_hash(self, secret=None):
        # Django invalidates sessions when the password changes; we also include a stamp
        # that the staff services change, so that it works on every server at once.
        return salted_hmac(
            "prostenhet.User.session_auth_hash",
            f"{self.password}:{self.session_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()
