"""The model backend reads a user's permissions from their roles without a query of its own
(prostenhet/backends.py): every page asks, so every page paid for one."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prostenhet.backends import ModelBackend
from prostenhet.models import User
from prostenhet.roles import ROLE_PERMISSIONS, Role

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a request loads them: nothing remembered yet."""
    return User.objects.get(pk=user.pk)


def test_a_users_permissions_are_their_roles_and_cost_one_query_for_the_groups():
    user = UserFactory(role=Role.OFFICE_ASSISTANT)
    fresh(user).get_all_permissions()  # the process has read the roles' permissions once
    user = fresh(user)
    with CaptureQueriesContext(connection) as queries:
        perms = user.get_all_permissions()
        assert user.has_perm("clients.add_visit")
        assert not user.has_perm("clients.view_journal")
    assert perms == set(ROLE_PERMISSIONS[Role.OFFICE_ASSISTANT])
    # The user's groups, which the request needs for the roles anyway; nothing more.
    assert len(queries) == 1
    assert "auth_group" in queries[0]["sql"]


def test_two_roles_give_both_sets_and_no_role_gives_none():
    both = UserFactory(role=Role.COUNSELLOR)
    both.groups.add(Group.objects.get(name=Role.MANAGER))
    assert fresh(both).get_all_permissions() == (
        set(ROLE_PERMISSIONS[Role.COUNSELLOR]) | set(ROLE_PERMISSIONS[Role.MANAGER])
    )
    assert fresh(UserFactory()).get_all_permissions() == set()


def test_a_change_to_a_roles_permissions_is_seen_at_the_next_request():
    user = UserFactory(role=Role.OFFICE_ASSISTANT)
    assert not fresh(user).has_perm("clients.view_journal")
    group = Group.objects.get(name=Role.OFFICE_ASSISTANT)
    view_journal = Permission.objects.get(content_type__app_label="clients",
                                          codename="view_journal")
    group.permissions.add(view_journal)
    assert fresh(user).has_perm("clients.view_journal")
    group.permissions.remove(view_journal)
    assert not fresh(user).has_perm("clients.view_journal")


def test_a_new_group_is_read_when_a_user_first_holds_it():
    user = UserFactory(role=Role.OFFICE_ASSISTANT)
    fresh(user).get_all_permissions()
    group = Group.objects.create(name="a group made after the roles were read")
    group.permissions.add(Permission.objects.get(content_type__app_label="clients",
                                                 codename="view_journal"))
    user.groups.add(group)
    assert fresh(user).has_perm("clients.view_journal")


def test_a_permission_given_to_a_person_directly_is_not_read():
    """Rights come with a role (DESIGN §1): nothing in the product grants a permission to a
    person, and a row that did so by hand would not give it."""
    user = UserFactory(role=Role.OFFICE_ASSISTANT)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="clients",
                                                     codename="view_journal"))
    assert not fresh(user).has_perm("clients.view_journal")


def test_an_inactive_user_holds_nothing():
    user = UserFactory(role=Role.MANAGER, is_active=False)
    assert fresh(user).get_all_permissions() == set()


def test_the_sessions_user_comes_with_their_groups_in_one_query():
    user = UserFactory(role=Role.COUNSELLOR)
    user.groups.add(Group.objects.get(name=Role.MANAGER))
    fresh(user).get_all_permissions()  # the process has read the roles' permissions once
    with CaptureQueriesContext(connection) as queries:
        loaded = ModelBackend().get_user(user.pk)
        assert loaded.roles == [Role.COUNSELLOR, Role.MANAGER]
        assert loaded.has_perm("prostenhet.view_statistics")
    assert len(queries) == 1
    assert loaded == user and loaded.session_stamp == user.session_stamp
    assert loaded.group_ids_by_name == {
        group.name: group.pk for group in user.groups.all()
    }


def test_a_user_without_groups_an_inactive_user_and_an_unknown_id_as_djangos_backend():
    lonely = UserFactory()
    assert ModelBackend().get_user(lonely.pk).group_ids_by_name == {}
    inactive = UserFactory(role=Role.COUNSELLOR, is_active=False)
    assert ModelBackend().get_user(inactive.pk) is None
    assert ModelBackend().get_user(inactive.pk + 1000) is None
    assert ModelBackend().get_user("not an id") is None
