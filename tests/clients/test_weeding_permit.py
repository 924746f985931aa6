"""Weeding's narrow path through the append-only triggers (PostgreSQL): a transaction-local
permit for named clients lets their signed entries, encounters, access-log rows and change-log
rows be deleted, nothing else, and nothing without it."""

from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

from clients.models import JournalEntry
from clients.services import weeding
from prostenhet.models import AccessKind, AccessLog, SecurityEvent, SecurityEventKind

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"
)

ROOT = Path(__file__).resolve().parents[2]


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def permit(value):
    sql("SELECT set_config('prostenhet.weeding', %s, true)", [value])


def refused(statement, params=()):
    with pytest.raises(IntegrityError), transaction.atomic():
        sql(statement, params)


@pytest.fixture
def signed(world):
    return world.anna_signed


@postgres_only
def test_without_a_permit_a_signed_entry_and_the_logs_cannot_be_deleted(world, signed):
    AccessLog.objects.create(user=world.co, client=world.anna, kind=AccessKind.READ, view="x")
    refused("DELETE FROM clients_journalentry WHERE id = %s", [signed.pk])
    refused("DELETE FROM prostenhet_accesslog WHERE client_id = %s", [world.anna.pk])
    refused("DELETE FROM auditlog_logentry")


@postgres_only
def test_a_permit_for_another_client_opens_nothing(world, signed):
    AccessLog.objects.create(user=world.co, client=world.anna, kind=AccessKind.READ, view="x")
    with transaction.atomic():
        permit(f"client:{world.karl.pk}")
        refused("DELETE FROM clients_journalentry WHERE id = %s", [signed.pk])
        refused("DELETE FROM prostenhet_accesslog WHERE client_id = %s", [world.anna.pk])
        # Not a prefix match either: client 1 is not client 12.
        permit(f"client:{str(world.anna.pk) + '0'},{world.karl.pk}")
        refused("DELETE FROM clients_journalentry WHERE id = %s", [signed.pk])


@postgres_only
def test_the_permit_deletes_but_never_changes(world, signed):
    log = AccessLog.objects.create(user=world.co, client=world.anna, kind=AccessKind.READ,
                                   view="x")
    with transaction.atomic():
        permit(f"client:{world.karl.pk},{world.anna.pk}")
        refused("UPDATE clients_journalentry SET text = 'ändrad' WHERE id = %s", [signed.pk])
        # An access-log row may only be unlinked, not rewritten.
        refused("UPDATE prostenhet_accesslog SET view = 'annat' WHERE id = %s", [log.pk])
        refused("UPDATE prostenhet_accesslog SET weeded_client = gen_random_uuid() "
                "WHERE id = %s", [log.pk])
        assert sql("DELETE FROM clients_journalentry WHERE id = %s", [signed.pk]) == 1
        assert sql("DELETE FROM prostenhet_accesslog WHERE id = %s", [log.pk]) == 1
        transaction.set_rollback(True)


@postgres_only
def test_security_events_stay_under_any_permit(world):
    SecurityEvent.objects.create(kind=SecurityEventKind.OTP_RESET, actor=world.sa,
                                 target=world.co)
    with transaction.atomic():
        permit(f"client:{world.anna.pk}")
        refused("DELETE FROM prostenhet_securityevent")
        permit("log")
        refused("DELETE FROM prostenhet_securityevent")


@postgres_only
def test_the_log_permit_deletes_only_unlinked_rows(world):
    linked = AccessLog.objects.create(user=world.co, client=world.anna, kind=AccessKind.READ,
                                      view="x")
    search = AccessLog.objects.create(user=world.co, kind=AccessKind.SEARCH, view="x")
    with transaction.atomic():
        permit("log")
        refused("DELETE FROM prostenhet_accesslog WHERE id = %s", [linked.pk])
        refused("DELETE FROM prostenhet_accesslog WHERE id = %s", [search.pk])
        refused("DELETE FROM clients_journalentry WHERE state = 'signed'")


@postgres_only
def test_the_permit_ends_with_the_weeding_transaction(world, signed):
    weeding.run(execute=True, by=world.ma)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(current_setting('prostenhet.weeding', true), '')")
        assert cursor.fetchone()[0] == ""
    refused("DELETE FROM clients_journalentry WHERE id = %s", [signed.pk])
    assert JournalEntry.objects.filter(pk=signed.pk).exists()


def test_only_the_weeding_service_sets_the_permit():
    """The path is narrow in the code too: no other module names the setting."""
    setters = {
        str(path.relative_to(ROOT))
        for app in ("prostenhet", "clients", "spiralen", "outreach", "kast", "trafficking")
        for path in (ROOT / app).rglob("*.py")
        if "prostenhet.weeding'" in path.read_text() and "/migrations/" not in str(path)
    }
    assert setters == {"clients/services/weeding.py"}


@postgres_only
def test_the_permit_deletes_change_log_rows_only_of_objects_that_are_gone(world):
    from auditlog.models import LogEntry

    about_anna = LogEntry.objects.get_for_object(world.anna)
    about_karl = LogEntry.objects.get_for_object(world.karl)
    assert about_anna.exists() and about_karl.exists()
    with transaction.atomic():
        permit(f"client:{world.anna.pk}")
        refused("DELETE FROM auditlog_logentry")
        refused("DELETE FROM auditlog_logentry WHERE id = %s", [about_anna.first().pk])
        transaction.set_rollback(True)
    enrollment = world.anna.enrollments.get(unit="spiralen")
    about_enrollment = list(LogEntry.objects.get_for_object(enrollment).values_list(
        "pk", flat=True))
    assert about_enrollment
    with transaction.atomic():
        permit(f"client:{world.anna.pk}")
        refused("DELETE FROM auditlog_logentry WHERE id = ANY(%s)", [about_enrollment])
        sql("DELETE FROM clients_enrollment WHERE id = %s", [enrollment.pk])
        # The enrolment is gone: the rows about it may go with it, no other.
        assert sql("DELETE FROM auditlog_logentry WHERE id = ANY(%s)",
                   [about_enrollment]) == len(about_enrollment)
        refused("DELETE FROM auditlog_logentry WHERE id = %s", [about_karl.first().pk])
        transaction.set_rollback(True)
