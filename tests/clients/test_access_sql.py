"""The access filter's written-out SQL (clients.access._Granted) answers exactly what the
ORM's two EXISTS subqueries over guardian's grant tables answer: for each person of the
world, each kind of grant (their own, a group's, another permission's, someone else's), as a
filter and as an annotation, on the row itself and through a reference (a journal entry's
journal, the survivor's after a merge)."""

import pytest
from django.contrib.auth.models import Group
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from guardian.shortcuts import assign_perm

from clients import access, services
from clients.models import (
    Client,
    ClientGroupObjectPermission,
    ClientUserObjectPermission,
    Journal,
    JournalEntry,
    JournalGroupObjectPermission,
    JournalUserObjectPermission,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAFF = ["oa", "ow", "co", "kco", "cl", "ma", "sa"]
TABLES = {
    "client": (ClientUserObjectPermission, ClientGroupObjectPermission),
    "journal": (JournalUserObjectPermission, JournalGroupObjectPermission),
}


def orm_filter(user, codename, kind, ref=None):
    """The same question through the ORM: the reference the written-out SQL must match."""
    own_table, group_table = TABLES[kind]
    perm_id = access._object_perm_ids(user)[codename]
    ref = OuterRef("pk") if ref is None else ref
    own = own_table.objects.filter(user_id=user.pk, permission_id=perm_id, content_object_id=ref)
    via_group = group_table.objects.filter(
        group_id__in=user.groups.values("pk"), permission_id=perm_id, content_object_id=ref
    )
    return Q(Exists(own)) | Q(Exists(via_group))


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


@pytest.fixture
def people(world):
    """The world's staff, one person without any group, and grants of every kind beside
    those the services made: a user's own, a group's, and ones that must not count."""
    loner = UserFactory(username="loner")
    loner.groups.clear()
    outsiders = Group.objects.create(name="outsiders")
    assign_perm("clients.view_client", world.ow, world.karl)  # the user's own grant
    assign_perm("clients.change_client", world.cl, world.olle)  # another permission
    assign_perm("clients.view_client", outsiders, world.petra)  # a group nobody here is in
    assign_perm("clients.view_journal", loner, world.anna_counselling)
    people = [getattr(world, name) for name in STAFF] + [loner]
    for person in people:  # a fresh user: no groups remembered from before the grants
        person.refresh_from_db()
        person.__dict__.pop("group_ids_by_name", None)
    return people


@pytest.mark.parametrize("codename", ["view_client", "change_client"])
def test_clients_filter_and_annotation_match_the_orm(people, codename):
    for user in people:
        expected = ids(Client.objects.filter(orm_filter(user, codename, "client")))
        assert ids(Client.objects.filter(access._visible_filter(user, codename, "client"))) == (
            expected
        ), user.username
        annotated = Client.objects.annotate(
            granted=access._visible_filter(user, codename, "client")
        )
        assert {c.pk for c in annotated if c.granted} == expected, user.username
        assert all(isinstance(c.granted, bool) for c in annotated)


@pytest.mark.parametrize("codename", ["view_journal", "change_journal"])
def test_journals_match_the_orm_directly_and_through_an_entry(world, people, codename):
    # After a merge the entries of the duplicate's journal count by the survivor's rights.
    services.merge_clients(world.anna, world.petra, by=world.oa)
    written_ref = Coalesce(F("journal__merged_into_id"), F("journal_id"))
    orm_ref = Coalesce(OuterRef("journal__merged_into_id"), OuterRef("journal_id"))
    some_seen = False
    for user in people:
        expected = ids(Journal.objects.filter(orm_filter(user, codename, "journal")))
        assert ids(Journal.objects.filter(access._visible_filter(user, codename, "journal"))) == (
            expected
        ), user.username
        expected_entries = ids(
            JournalEntry.objects.filter(orm_filter(user, codename, "journal", ref=orm_ref))
        )
        assert ids(JournalEntry.objects.filter(
            access._visible_filter(user, codename, "journal", ref=written_ref)
        )) == expected_entries, user.username
        some_seen = some_seen or bool(expected_entries)
    assert some_seen  # the comparison is not between two empty sets
