"""The access log, the change log and the security events are append-only in PostgreSQL:
not even raw SQL changes or deletes a row; a merge may only re-point rows to another client
(security review, also seen)."""

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, connection, transaction

from clients import services
from prostenhet.models import AccessLog, SecurityEvent
from prostenhet.roles import UnitCode
from prostenhet.services import reset_two_factor

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers"),
]


def refused(sql, params):
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_an_access_log_row_cannot_be_changed_or_deleted(world):
    row = AccessLog.objects.create(user=world.co, client=world.anna, kind="read", view="x")
    refused("UPDATE prostenhet_accesslog SET user_id = %s WHERE id = %s", [world.ma.pk, row.pk])
    refused("UPDATE prostenhet_accesslog SET at = now() WHERE id = %s", [row.pk])
    refused("DELETE FROM prostenhet_accesslog WHERE id = %s", [row.pk])
    row.refresh_from_db()
    assert row.user == world.co


def test_a_change_log_row_cannot_be_changed_or_deleted(world):
    entry = LogEntry.objects.get_for_object(world.anna).first()
    refused("UPDATE auditlog_logentry SET changes = '{}' WHERE id = %s", [entry.pk])
    refused("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk])


def test_a_security_event_cannot_be_changed_or_deleted(world):
    reset_two_factor(world.co, by=world.sa)
    event = SecurityEvent.objects.get(target=world.co)
    refused("UPDATE prostenhet_securityevent SET actor_id = NULL WHERE id = %s", [event.pk])
    refused("DELETE FROM prostenhet_securityevent WHERE id = %s", [event.pk])


def test_a_merge_still_moves_the_rows_and_its_undo_moves_them_back(world):
    duplicate = services.register_client(unit=UnitCode.COUNSELLING, by=world.oa, alias="Dup")
    row = AccessLog.objects.create(user=world.co, client=duplicate, kind="read", view="x")
    merge = services.merge_clients(world.anna, duplicate, by=world.oa)
    row.refresh_from_db()
    assert row.client == world.anna
    services.undo_merge(merge, by=world.ma)
    row.refresh_from_db()
    assert row.client == duplicate
