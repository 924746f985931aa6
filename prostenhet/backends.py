"""Authentication backends."""

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.signals import m2m_changed, post_migrate

# {database alias: {group id: frozenset of "app_label.codename"}}: each role's (and unit
# group's) model permissions. The data migrations write them and nothing else does (there is
# no admin site), so a process reads them once, not at every request. In the process that
# makes a change, a migrate or a flush (tests) sends post_migrate and a change to a group's
# permissions sends m2m_changed, either of which forgets them; the other processes, on every
# server, read them again when they restart, which a deploy does after its migrations
# (docs/deploy.md). A change to a role's permissions in a running system (by a shell, say)
# takes effect there at the next restart, not before.
_GROUP_PERMS = {}


def _forget_group_perms(**kwargs):
    _GROUP_PERMS.clear()


post_migrate.connect(_forget_group_perms, dispatch_uid="prostenhet.backends.group_perms")
m2m_changed.connect(
    _forget_group_perms, sender=Group.permissions.through,
    dispatch_uid="prostenhet.backends.group_perms_changed",
)


def _user_with_groups_sql(User):  # noqa: N803 (a class)
    """One row per group of the user (one row with no group when they have none)."""
    quote = connection.ops.quote_name
    groups = User.groups.field
    through = groups.remote_field.through._meta
    # Names from the models, the user's id a parameter.
    return (  # noqa: S608  # nosec B608
        "SELECT {user}.*, {group}.{id} AS joined_group_id, {group}.{name} AS joined_group_name"
        " FROM {user} LEFT JOIN {through} ON {through}.{to_user} = {user}.{pk}"
        " LEFT JOIN {group} ON {group}.{id} = {through}.{to_group}"
        " WHERE {user}.{pk} = %s"
    ).format(
        user=quote(User._meta.db_table), pk=quote(User._meta.pk.column),
        through=quote(through.db_table),
        to_user=quote(groups.m2m_column_name()), to_group=quote(groups.m2m_reverse_name()),
        group=quote(Group._meta.db_table), id=quote(Group._meta.pk.column),
        name=quote(Group._meta.get_field("name").column),
    )


def _group_perms(group_ids):
    db = Group.objects.db
    cache = _GROUP_PERMS.get(db)
    if cache is None or not cache.keys() >= set(group_ids):
        perms = {}
        for group_id, app_label, codename in Group.permissions.through.objects.values_list(
            "group_id", "permission__content_type__app_label", "permission__codename"
        ):
            perms.setdefault(group_id, set()).add(f"{app_label}.{codename}")
        cache = _GROUP_PERMS[db] = {
            group.pk: frozenset(perms.get(group.pk, ())) for group in Group.objects.only("pk")
        }
    return cache


class ModelBackend(backends.ModelBackend):
    """Django's model backend, reading a user's model permissions from their groups (roles
    and unit groups) without a query: the groups are loaded with the user, once a request
    (get_user), and the groups' permissions once a process (_GROUP_PERMS). The product
    grants model permissions to groups only, never to a person (a role is how a person gets
    a permission, DESIGN §1): permissions given to a user directly are not read. Every page
    asks (the navigation does), so every request gained a query's time."""

    def get_user(self, user_id):
        """The session's user with their groups' names and ids, in one query instead of
        two (every request asks for both; the ORM took longer to compose the two than the
        database to answer them). As Django's: None for an unknown or inactive user."""
        User = get_user_model()  # noqa: N806 (a class)
        try:
            user_id = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        rows = list(User._default_manager.raw(_user_with_groups_sql(User), [user_id]))
        if not rows:
            return None
        user = rows[0]
        # What User.group_ids_by_name (a cached property) would otherwise ask the database.
        user.__dict__["group_ids_by_name"] = {
            row.joined_group_name: row.joined_group_id
            for row in rows if row.joined_group_id is not None
        }
        return user if self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            group_ids = set(user_obj.group_ids_by_name.values())
            by_group = _group_perms(group_ids)
            user_obj._perm_cache = set().union(*(by_group[pk] for pk in group_ids))
        return user_obj._perm_cache
