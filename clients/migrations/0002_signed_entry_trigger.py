"""On PostgreSQL, refuse any UPDATE or DELETE of a signed journal entry, whatever the client
(the model refuses it too; this holds against raw SQL)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION clients_journalentry_signed_is_locked() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'signed' THEN
        RAISE EXCEPTION USING
            MESSAGE = 'signed journal entry ' || OLD.id || ' cannot be changed or deleted',
            ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER clients_journalentry_signed_is_locked
    BEFORE UPDATE OR DELETE ON clients_journalentry
    FOR EACH ROW EXECUTE FUNCTION clients_journalentry_signed_is_locked();
"""

DROP = """
DROP TRIGGER IF EXISTS clients_journalentry_signed_is_locked ON clients_journalentry;
DROP FUNCTION IF EXISTS clients_journalentry_signed_is_locked();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
