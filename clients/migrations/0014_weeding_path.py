"""Weeding (DESIGN §5) is the one lawful delete of a signed journal entry: the trigger that
locks signed entries lets a DELETE through only under the transaction-local permit that
clients.services.weeding sets for one client ("client:<id>", see prostenhet 0011), and only
for an entry of that client's journals. An UPDATE of a signed entry is refused as before."""

from importlib import import_module

from django.db import migrations

PREVIOUS = import_module("clients.migrations.0002_signed_entry_trigger")

CREATE = """
CREATE OR REPLACE FUNCTION clients_journalentry_signed_is_locked() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'signed' THEN
        IF TG_OP = 'DELETE' AND prostenhet_weeding_permits(
                (SELECT client_id FROM clients_journal WHERE id = OLD.journal_id)) THEN
            RETURN OLD;
        END IF;
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
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS.CREATE.split("CREATE TRIGGER")[0])


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0013_statistics_indexes"),
        ("prostenhet", "0011_weeding"),
    ]

    operations = [migrations.RunPython(create, restore)]
