"""The logs that show who did what are append-only in the database (PostgreSQL): no UPDATE
or DELETE gets past a trigger, whatever the application does, raw SQL included.

Two narrow exceptions, both for merging duplicate clients and undoing a merge: a read-access
row may point to another client (client_id), and a change-log row to another object
(object_id, object_pk). Nothing else of a row can change. Weeding (a later issue) will get its
own explicit path."""

from django.db import migrations

TABLES = {
    # table: the columns a merge may rewrite
    "prostenhet_accesslog": ["client_id"],
    "auditlog_logentry": ["object_id", "object_pk"],
    "prostenhet_securityevent": [],
}

FUNCTION = """
CREATE OR REPLACE FUNCTION prostenhet_append_only() RETURNS trigger AS $$
DECLARE
    movable text[] := coalesce(TG_ARGV, '{}');  -- no arguments: NULL, not an empty array
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION USING
            MESSAGE = TG_TABLE_NAME || ' is append-only: row ' || OLD.id || ' cannot be deleted',
            ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (to_jsonb(NEW) - movable) IS DISTINCT FROM (to_jsonb(OLD) - movable) THEN
        RAISE EXCEPTION USING
            MESSAGE = TG_TABLE_NAME || ' is append-only: row ' || OLD.id || ' cannot be changed',
            ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table, movable in TABLES.items():
        arguments = ", ".join(f"'{column}'" for column in movable)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION prostenhet_append_only({arguments})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS prostenhet_append_only()")


class Migration(migrations.Migration):
    dependencies = [
        ("prostenhet", "0008_accesslog_off_hours"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create, drop)]
