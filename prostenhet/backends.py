"""Authentication backends."""

from django.contrib.auth import backends
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q

from .models import User


class ModelBackend(backends.ModelBackend):
    """Django's model backend, reading a user's model permissions (their own and their
    roles') in one query instead of two. Every page asks (the navigation does), so every
    request pays for this. The answer is the same set, remembered on the user object for the
    request exactly as Django remembers it."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            own = User.user_permissions.through.objects.filter(
                user_id=user_obj.pk, permission_id=OuterRef("pk")
            )
            via_group = Group.permissions.through.objects.filter(
                group_id__in=User.groups.through.objects.filter(user_id=user_obj.pk).values(
                    "group_id"
                ),
                permission_id=OuterRef("pk"),
            )
            perms = (
                Permission.objects.filter(Q(Exists(own)) | Q(Exists(via_group)))
                .values_list("content_type__app_label", "codename")
                .order_by()
            )
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in perms}
        return user_obj._perm_cache
