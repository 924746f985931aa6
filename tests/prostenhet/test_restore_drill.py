"""The restore drill's comparisons (deploy/restore_drill.py, `make restore-drill`, which runs the
whole drill against a server; docs/deploy.md): on PostgreSQL they count every table and read
the newest access-log row as they are, and tell a restore that lost a row, a trigger or a
sequence's position from a good one."""

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection

from clients.models import Client
from prostenhet.models import AccessLog

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the drill is PostgreSQL's"),
]

drill = SimpleNamespace(**runpy.run_path(
    str(Path(__file__).resolve().parents[2] / "deploy" / "restore_drill.py")
))


def test_the_counts_and_the_newest_access_log_row_are_what_the_database_holds(world):
    AccessLog.objects.create(user=world.co, client=world.anna, kind="read", view="first")
    with connection.cursor() as cursor:
        counts = drill.table_counts(cursor)
        newest = drill.last_row(cursor)
    assert counts["public.clients_client"] == Client.objects.count() > 0
    assert counts["public.prostenhet_accesslog"] == AccessLog.objects.count()
    assert counts["public.django_migrations"] > 0
    # Every column of the newest row, by id.
    latest = AccessLog.objects.latest("id")
    assert newest["id"] == latest.pk and newest["view"] == "first"
    assert set(newest) == {field.column for field in AccessLog._meta.concrete_fields}


def test_a_restore_that_lacks_a_row_does_not_compare_equal(world):
    with connection.cursor() as cursor:
        snapshot, snapshot_newest = drill.table_counts(cursor), drill.last_row(cursor)
        assert all(same for *_, same in drill.compare_counts(snapshot, drill.table_counts(cursor)))
        AccessLog.objects.create(user=world.co, client=world.anna, kind="read", view="later")
        later, later_newest = drill.table_counts(cursor), drill.last_row(cursor)
    differing = [row for row in drill.compare_counts(snapshot, later) if not row[3]]
    before = snapshot["public.prostenhet_accesslog"]
    assert differing == [("public.prostenhet_accesslog", before, before + 1, False)]
    assert later_newest != snapshot_newest and later_newest["view"] == "later"
    # A table that the restore lacks altogether is a difference too.
    missing = dict(later)
    del missing["public.clients_client"]
    assert ("public.clients_client", later["public.clients_client"], None, False) in (
        drill.compare_counts(later, missing)
    )


def test_a_lost_trigger_is_found_and_the_append_only_check_sees_the_trigger(world):
    with connection.cursor() as cursor:
        assert drill.append_only_check(cursor, "prostenhet_accesslog", "view") == "empty"
        AccessLog.objects.create(user=world.co, client=world.anna, kind="read", view="x")
        objects = drill.schema_objects(cursor)
        assert "prostenhet_accesslog.prostenhet_accesslog_append_only" in objects["triggers"]
        assert drill.compare_objects(objects, objects) == {}
        assert drill.append_only_check(cursor, "prostenhet_accesslog", "view") == "refused"
        # A table without the trigger takes the change; the savepoint takes it back.
        assert drill.append_only_check(cursor, "clients_client", "alias") == "allowed"
    assert not Client.objects.filter(alias="restore drill").exists()
    lost = dict(objects, triggers=[
        name for name in objects["triggers"] if not name.endswith("_append_only")
    ])
    missing, extra = drill.compare_objects(objects, lost)["triggers"]
    assert "prostenhet_accesslog.prostenhet_accesslog_append_only" in missing and extra == []


def test_a_sequence_behind_its_column_is_found(world):
    AccessLog.objects.create(user=world.co, client=world.anna, kind="read", view="x")
    with connection.cursor() as cursor:
        assert drill.sequence_problems(cursor) == []
        cursor.execute("SELECT pg_get_serial_sequence('prostenhet_accesslog', 'id')")
        sequence = cursor.fetchone()[0]
        try:
            # setval is not transactional: it is put back below, whatever happens.
            cursor.execute("SELECT setval(%s, 1, false)", [sequence])
            problems = drill.sequence_problems(cursor)
        finally:
            cursor.execute(
                "SELECT setval(%s, (SELECT max(id) FROM prostenhet_accesslog))", [sequence]
            )
    assert [p for p in problems if p.startswith("public.prostenhet_accesslog.id:")] == [
        f"public.prostenhet_accesslog.id: next 1 <= max {AccessLog.objects.latest('id').pk}"
    ]
